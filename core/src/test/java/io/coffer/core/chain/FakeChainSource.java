package io.coffer.core.chain;

import io.coffer.core.keys.Hashes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A chain whose blocks and mempool a unit test writes, for the pure logic above {@link ChainSource} (the follower's bookkeeping,
 * the withdrawal services' crash points). Payments are scripted; transactions broadcast to it are kept by their bytes (txid =
 * {@link #txidOf}), enter its mempool and are mined by {@link #mine}. It answers every broadcast it is given and keeps them all,
 * so a test can show which bytes were sent and how often. Real chain behaviour is the contract suite's job, on bitcoind and anvil.
 * Shared through core's test-jar.
 */
public class FakeChainSource implements ChainSource {
    public final List<BlockHeader> blocks = new ArrayList<>();
    public final Map<String, List<Payment>> paymentsByHash = new HashMap<>();
    /** Scripted payments waiting in the mempool (watched addresses see them). */
    public final List<Payment> mempool = new ArrayList<>();
    /** States a test sets by hand; a transaction broadcast here has its own state from where its bytes are. */
    public final Map<String, TxState> states = new HashMap<>();
    /** Every broadcast, in order, as the bytes sent. */
    public final List<byte[]> broadcasts = new ArrayList<>();
    /** Broadcast transactions not yet mined, by txid. */
    public final Map<String, byte[]> pool = new LinkedHashMap<>();
    /** The block hash of each mined broadcast transaction. */
    public final Map<String, String> minedIn = new HashMap<>();
    private final String chain;
    public int forks;
    private BroadcastResult.Outcome nextAnswer;

    public FakeChainSource(String chain) {
        this.chain = chain;
        blocks.add(new BlockHeader(0, "h0", ""));
    }

    /** The id of a transaction sent here: the hex SHA-256 of its bytes. */
    public static String txidOf(byte[] raw) {
        return HexFormat.of().formatHex(Hashes.sha256(raw));
    }

    /** A block on the tip with {@code payments} and every broadcast transaction in the pool. */
    public synchronized BlockHeader mine(Payment... payments) {
        BlockHeader tip = blocks.get(blocks.size() - 1);
        BlockHeader b = new BlockHeader(tip.height() + 1, "h" + (tip.height() + 1) + "-" + forks, tip.hash());
        blocks.add(b);
        paymentsByHash.put(b.hash(), List.of(payments));
        for (Payment p : payments) {
            mempool.removeIf(m -> m.id().equals(p.id()));
        }
        for (String txid : pool.keySet()) {
            minedIn.put(txid, b.hash());
        }
        pool.clear();
        return b;
    }

    /** A block on the tip taking nothing from the pool: its transactions wait for a later block. */
    public synchronized BlockHeader mineLeavingThePool() {
        Map<String, byte[]> waiting = new LinkedHashMap<>(pool);
        pool.clear();
        BlockHeader b = mine();
        pool.putAll(waiting);
        return b;
    }

    /** This fake keeps every block of its chain: known whenever both are on it. */
    @Override
    public synchronized boolean noneMinedBetween(List<String> txids, BlockHeader after, BlockHeader tip) {
        int from = blocks.indexOf(after);
        int to = blocks.indexOf(tip);
        if (from < 0 || to < from) {
            return false;
        }
        for (BlockHeader b : blocks.subList(from + 1, to + 1)) {
            if (txids.stream().anyMatch(t -> b.hash().equals(minedIn.get(t)))) {
                return false;
            }
        }
        return true;
    }

    /** Per block hash, the spends of the wallet's outputs (or, on an account chain, sends from its addresses) it holds. */
    public final Map<String, List<OutpointSpend>> spendsByHash = new HashMap<>();

    /** As {@link #mine(Payment...)}, the block also holding {@code spends}. */
    public synchronized BlockHeader mine(List<OutpointSpend> spends, Payment... payments) {
        BlockHeader b = mine(payments);
        spendsByHash.put(b.hash(), List.copyOf(spends));
        return b;
    }

    @Override
    public synchronized List<OutpointSpend> spends(BlockHeader header, java.util.function.Predicate<DepositId> ours, WatchList watched) {
        return spendsByHash.getOrDefault(header.hash(), List.of()).stream()
                .filter(s -> ours.test(s.outpoint()) || watched.watches(s.outpoint().txid())).toList();
    }

    /** Takes the top {@code depth} blocks away; the next blocks are a new branch. */
    public synchronized void reorg(int depth) {
        forks++;
        for (int i = 0; i < depth; i++) {
            blocks.remove(blocks.size() - 1);
        }
    }

    /**
     * The next broadcast answers {@code outcome} (UNKNOWN: the node took the bytes but the answer was lost; REJECTED: refused,
     * the bytes stay out of the pool).
     */
    public synchronized void answerNext(BroadcastResult.Outcome outcome) {
        nextAnswer = outcome;
    }

    /** How many times {@code txid}'s bytes were broadcast. */
    public synchronized long broadcastsOf(String txid) {
        return broadcasts.stream().filter(raw -> txidOf(raw).equals(txid)).count();
    }

    /** The distinct transactions ever broadcast. */
    public synchronized long distinctBroadcasts() {
        return broadcasts.stream().map(FakeChainSource::txidOf).distinct().count();
    }

    @Override
    public String chain() {
        return chain;
    }

    @Override
    public synchronized long tipHeight() {
        return blocks.size() - 1;
    }

    @Override
    public synchronized BlockHeader header(long height) {
        return height < blocks.size() ? blocks.get((int) height) : null;
    }

    /** A height whose block cannot be fetched for connecting (the node went away mid-scan); -1 for none. */
    public volatile long failHeaderAt = -1;

    @Override
    public synchronized BlockHeader headerToConnect(long height) {
        if (height == failHeaderAt) {
            throw new ChainUnavailableException(chain, "scripted failure at height " + height, null);
        }
        return header(height);
    }

    @Override
    public synchronized List<Payment> payments(BlockHeader header, WatchList watched) {
        return paymentsByHash.getOrDefault(header.hash(), List.of()).stream().filter(p -> watched.watches(p.address())).toList();
    }

    @Override
    public synchronized List<Payment> mempool(WatchList watched) {
        return mempool.stream().filter(p -> watched.watches(p.address())).toList();
    }

    @Override
    public synchronized TxStatus txStatus(String txid, List<String> inputs) {
        String block = minedIn.get(txid);
        if (block != null) {
            for (BlockHeader h : blocks) {
                if (h.hash().equals(block)) {
                    return new TxStatus(TxState.IN_BLOCK, h.height());
                }
            }
        }
        if (pool.containsKey(txid)) {
            return new TxStatus(TxState.IN_MEMPOOL, 0);
        }
        return new TxStatus(states.getOrDefault(txid, TxState.UNKNOWN), 0);
    }

    @Override
    public synchronized BroadcastResult broadcast(byte[] tx) {
        broadcasts.add(tx.clone());
        String txid = txidOf(tx);
        TxState state = txStatus(txid, List.of()).state();
        boolean known = state == TxState.IN_BLOCK || state == TxState.IN_MEMPOOL;
        if (!known && nextAnswer != BroadcastResult.Outcome.REJECTED) { // refused: not in the pool
            pool.put(txid, tx.clone());
        }
        BroadcastResult.Outcome answer = nextAnswer != null ? nextAnswer
                : known ? BroadcastResult.Outcome.ALREADY_KNOWN : BroadcastResult.Outcome.ACCEPTED;
        nextAnswer = null;
        return new BroadcastResult(answer, "");
    }
}
