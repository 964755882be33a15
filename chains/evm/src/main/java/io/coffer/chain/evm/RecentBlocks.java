package io.coffer.chain.evm;

import io.coffer.core.chain.BlockHeader;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * What the source read of the last {@value #KEEP} blocks it read, whole for the follower or by hash to link a best block the
 * follower has not read yet: each block's parent, the hashes of its transactions, and the receipts read of them. Withdrawals are followed right after the follower connects the blocks their
 * transactions went into; the receipts read for the follower then place them without a call each. Only from a best block just
 * read: its ancestors, reached by their parent hashes, are the chain's as of that read, so a receipt kept of one of them is as
 * current as one asked now. A block reorged out is never reached from a best block on another branch; it simply ages out.
 */
final class RecentBlocks {
    /** Blocks kept: the few a follower connects between two looks at the withdrawals, with room for a short catch-up. */
    static final int KEEP = 32;

    private record Read(String parentHash, Set<String> txs, Map<String, TransactionReceipt> receipts) {
    }

    private final Map<String, Read> byHash = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Read> eldest) {
            return size() > KEEP;
        }
    };

    /** Whether block {@code hash} is kept. */
    synchronized boolean keeps(String hash) {
        return byHash.containsKey(hash);
    }

    /** Keeps block {@code b}, read with its transactions as objects or as hashes. */
    synchronized void read(EthBlock.Block b) {
        if (byHash.containsKey(b.getHash())) {
            return;
        }
        Set<String> txs = new java.util.HashSet<>();
        for (EthBlock.TransactionResult<?> r : b.getTransactions()) {
            txs.add(r.get() instanceof EthBlock.TransactionObject tx ? tx.getHash() : (String) r.get());
        }
        byHash.put(b.getHash(), new Read(b.getParentHash(), txs, Map.of()));
    }

    /** The receipts kept of block {@code blockHash} by transaction hash (none when not kept). */
    synchronized Map<String, TransactionReceipt> receipts(String blockHash) {
        Read r = byHash.get(blockHash);
        return r == null ? Map.of() : r.receipts();
    }

    /** Keeps {@code receipts} (of block {@code blockHash}'s transactions) with those already kept; ignored for a block not kept. */
    synchronized void receipts(String blockHash, Map<String, TransactionReceipt> receipts) {
        Read r = byHash.get(blockHash);
        if (r != null) {
            Map<String, TransactionReceipt> all = new HashMap<>(r.receipts());
            all.putAll(receipts);
            byHash.put(blockHash, new Read(r.parentHash(), r.txs(), Map.copyOf(all)));
        }
    }

    /**
     * Whether every block after {@code after} up to {@code tip} is kept, reached from {@code tip} by parent hashes without a
     * gap, and none holds any of {@code txids}.
     */
    synchronized boolean noneBetween(java.util.Collection<String> txids, BlockHeader after, BlockHeader tip) {
        String at = tip.hash();
        for (int i = 0; i < KEEP && !at.equals(after.hash()); i++) {
            Read r = byHash.get(at);
            if (r == null || txids.stream().anyMatch(r.txs()::contains)) {
                return false;
            }
            at = r.parentHash();
        }
        return at.equals(after.hash());
    }

    /** A kept block: how many transactions it has, and how many of some asked about it holds whose receipts are not kept. */
    record Unread(String hash, int transactions, int asked) {
    }

    /**
     * The blocks kept from {@code tip} back (reached by parent hashes, up to the first not kept) holding any of {@code txids}
     * whose receipt is not kept, with how many.
     */
    synchronized java.util.List<Unread> unread(BlockHeader tip, java.util.Collection<String> txids) {
        java.util.List<Unread> out = new java.util.ArrayList<>();
        String at = tip.hash();
        for (int i = 0; i < KEEP; i++) {
            Read r = byHash.get(at);
            if (r == null) {
                break;
            }
            int asked = 0;
            for (String txid : txids) {
                if (r.txs().contains(txid) && !r.receipts().containsKey(txid)) {
                    asked++;
                }
            }
            if (asked > 0) {
                out.add(new Unread(at, r.txs().size(), asked));
            }
            at = r.parentHash();
        }
        return out;
    }

    /**
     * The receipt of {@code txid} when it is in {@code tip} or one of its ancestors kept, reached by parent hashes without a
     * gap, and its receipt was read; empty when that is not known here (then the node is asked).
     */
    synchronized Optional<TransactionReceipt> placed(BlockHeader tip, String txid) {
        String at = tip.hash();
        for (int i = 0; i < KEEP; i++) {
            Read r = byHash.get(at);
            if (r == null) {
                return Optional.empty();
            }
            if (r.txs().contains(txid)) {
                return Optional.ofNullable(r.receipts().get(txid));
            }
            at = r.parentHash();
        }
        return Optional.empty();
    }
}
