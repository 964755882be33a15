package io.coffer.chain.evm;

import io.coffer.core.chain.BlockHeader;
import io.coffer.core.chain.TxStatus;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * What the source read of the last blocks it read, whole for the follower or by hash to link a best block the follower has not
 * read yet: each block's parent, the hashes of its transactions, and where the receipts read of them place them. Withdrawals
 * are followed right after the follower connects the blocks their transactions went into, and looked at once more when they
 * may have reached the reorg-safety depth; what was read for the follower then places them without a call each (a block of
 * the hot wallet's 500 sends was 500 receipt calls when it came, and 500 more when it reached that depth). Only from a best
 * block just read: its ancestors, reached by their parent hashes, are the chain's as of that read, so a placement kept of one
 * of them is as current as a receipt asked now. A block reorged out is never reached from a best block on another branch; it
 * simply ages out.
 *
 * <p>Kept: as many blocks as the reorg-safety depth and a margin (a withdrawal's last look comes at that depth), at least
 * {@value #MIN_KEEP} and at most {@value #MAX_KEEP}; past those the node is asked. The full receipts only of the newest
 * {@value #FULL} blocks (the follower asks for a block's payments, then its spends): of older ones, each transaction's
 * standing alone — a few dozen bytes against a receipt's kilobyte or more, with 500 of them a block.
 */
final class RecentBlocks {
    static final int MIN_KEEP = 32;
    static final int MAX_KEEP = 256;
    /** Blocks kept beyond the reorg-safety depth: the few a follower connects between two looks at the withdrawals. */
    static final int MARGIN = 8;
    /** The newest blocks whose full receipts are kept. */
    static final int FULL = 2;

    private record Read(String parentHash, Set<String> txs, Map<String, TransactionReceipt> receipts, Map<String, TxStatus> placed) {
    }

    private final int keep;
    private final Function<TransactionReceipt, TxStatus> standing;
    private final LinkedHashMap<String, Read> byHash;

    /**
     * @param reorgSafetyDepth the chain's reorg-safety depth: blocks are kept down to it, and a margin
     * @param standing         where a receipt places its transaction (the source's rule, kept instead of the receipt)
     */
    RecentBlocks(int reorgSafetyDepth, Function<TransactionReceipt, TxStatus> standing) {
        this.keep = Math.clamp((long) reorgSafetyDepth + MARGIN, MIN_KEEP, MAX_KEEP);
        this.standing = standing;
        this.byHash = new LinkedHashMap<>(2 * keep, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Read> eldest) {
                return size() > keep;
            }
        };
    }

    /** How many blocks are kept. */
    int keep() {
        return keep;
    }

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
        byHash.put(b.getHash(), new Read(b.getParentHash(), txs, Map.of(), Map.of()));
        trim(null);
    }

    /**
     * Drops the full receipts of every block but the newest {@value #FULL} and {@code spared} (the block whose receipts were just
     * read: its spends are asked right after its payments, also while a catch-up reads blocks ahead): of those, where each
     * transaction stands is kept.
     */
    private void trim(String spared) {
        int older = byHash.size() - FULL;
        for (Map.Entry<String, Read> e : byHash.entrySet()) {
            if (older-- <= 0) {
                break;
            }
            Read r = e.getValue();
            if (!r.receipts().isEmpty() && !e.getKey().equals(spared)) {
                e.setValue(new Read(r.parentHash(), r.txs(), Map.of(), r.placed()));
            }
        }
    }

    /** The full receipts kept of block {@code blockHash} by transaction hash (none when not kept, or no longer in full). */
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
            Map<String, TxStatus> placed = new HashMap<>(r.placed());
            receipts.forEach((txid, receipt) -> {
                if (receipt.getBlockNumberRaw() != null) {
                    placed.put(txid, standing.apply(receipt));
                }
            });
            byHash.put(blockHash, new Read(r.parentHash(), r.txs(), Map.copyOf(all), Map.copyOf(placed)));
            trim(blockHash);
        }
    }

    /**
     * Whether every block after {@code after} up to {@code tip} is kept, reached from {@code tip} by parent hashes without a
     * gap, and none holds any of {@code txids}.
     */
    synchronized boolean noneBetween(Collection<String> txids, BlockHeader after, BlockHeader tip) {
        String at = tip.hash();
        for (int i = 0; i < keep && !at.equals(after.hash()); i++) {
            Read r = byHash.get(at);
            if (r == null || txids.stream().anyMatch(r.txs()::contains)) {
                return false;
            }
            at = r.parentHash();
        }
        return at.equals(after.hash());
    }

    /** A kept block: how many transactions it has, and how many of some asked about it holds whose standing is not kept. */
    record Unread(String hash, int transactions, int asked) {
    }

    /**
     * The blocks kept from {@code tip} back (reached by parent hashes, up to the first not kept) holding any of {@code txids}
     * whose standing is not kept, with how many.
     */
    synchronized List<Unread> unread(BlockHeader tip, Collection<String> txids) {
        List<Unread> out = new ArrayList<>();
        for (Map.Entry<String, Read> e : reached(tip)) {
            Read r = e.getValue();
            int asked = 0;
            for (String txid : txids) {
                if (r.txs().contains(txid) && !r.placed().containsKey(txid)) {
                    asked++;
                }
            }
            if (asked > 0) {
                out.add(new Unread(e.getKey(), r.txs().size(), asked));
            }
        }
        return out;
    }

    /**
     * Where {@code txid} stands when it is in {@code tip} or one of its ancestors kept, reached by parent hashes without a gap,
     * and its receipt was read; empty when that is not known here (then the node is asked).
     */
    synchronized Optional<TxStatus> placed(BlockHeader tip, String txid) {
        for (Map.Entry<String, Read> e : reached(tip)) {
            if (e.getValue().txs().contains(txid)) {
                return Optional.ofNullable(e.getValue().placed().get(txid));
            }
        }
        return Optional.empty();
    }

    /** The blocks kept from {@code tip} back, by hash, reached by parent hashes up to the first not kept (under this monitor). */
    private List<Map.Entry<String, Read>> reached(BlockHeader tip) {
        List<Map.Entry<String, Read>> out = new ArrayList<>();
        String at = tip.hash();
        for (Read r; out.size() < keep && (r = byHash.get(at)) != null; at = r.parentHash()) {
            out.add(Map.entry(at, r));
        }
        return out;
    }
}
