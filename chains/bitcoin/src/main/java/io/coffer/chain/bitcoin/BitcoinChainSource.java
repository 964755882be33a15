package io.coffer.chain.bitcoin;

import com.fasterxml.jackson.databind.JsonNode;
import io.coffer.core.chain.AnnouncedPool;
import io.coffer.core.chain.BlockHeader;
import io.coffer.core.chain.BroadcastResult;
import io.coffer.core.chain.ChainSource;
import io.coffer.core.chain.DepositId;
import io.coffer.core.chain.OutpointSpend;
import io.coffer.core.chain.Payment;
import io.coffer.core.chain.TxStatus;
import io.coffer.core.chain.WatchList;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.bitcoinj.base.Network;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.core.TransactionOutput;
import org.bitcoinj.script.ScriptException;

/**
 * The Bitcoin {@link ChainSource}: headers from {@code getblockhash}/{@code getblockheader}, raw blocks
 * from {@code getblock <hash> 0} parsed with bitcoinj, the mempool's payments from the transactions ZMQ {@code hashtx}
 * announces (fetched with {@code getrawtransaction}; see {@link AnnouncedPool}), or without announcements from
 * {@code getrawmempool} plus {@code getrawtransaction} (each mempool transaction fetched and parsed once and cached while it
 * stays there), and conflict detection by asking {@code gettxout} about a vanished transaction's inputs
 * (recorded with the deposit, so this works after a restart too).
 */
public final class BitcoinChainSource implements ChainSource {
    private final BitcoinRpcClient rpc;
    private final String chain;
    private final Network network;
    private final String asset;
    /** The mempool's transactions paying the wallet, kept from bitcoind's {@code hashtx} announcements (see {@link AnnouncedPool}). */
    private final AnnouncedPool pending = new AnnouncedPool();
    /** Mempool transactions seen by the last whole read, with their payments to watched addresses (usually none): parsed once. */
    private final Map<String, List<Payment>> mempoolCache = new ConcurrentHashMap<>();
    /** The block parsed last: the follower asks for its payments, then for its spends. */
    private volatile ParsedBlock lastBlock;
    /**
     * Fetches and parses blocks ahead of the follower while it catches up ({@link #blocks}): two threads, each a round trip to
     * bitcoind at a time, so that waiting on the node overlaps with matching and writing. Idle threads end.
     */
    private final ThreadPoolExecutor fetchers;

    /** A parsed block with the outpoints its transactions spend (per transaction; none for the coinbase), made once. */
    private record ParsedBlock(String hash, Block block, List<List<DepositId>> spent) {
        static ParsedBlock of(String hash, Block block) {
            return new ParsedBlock(hash, block, block.getTransactions().stream().map(BitcoinChainSource::spentBy).toList());
        }
    }

    /** The outpoints {@code tx} spends; none for a coinbase. */
    private static List<DepositId> spentBy(Transaction tx) {
        if (tx.isCoinBase()) {
            return List.of();
        }
        List<DepositId> out = new ArrayList<>(tx.getInputs().size());
        for (TransactionInput in : tx.getInputs()) {
            out.add(new DepositId(in.getOutpoint().hash().toString(), (int) in.getOutpoint().index()));
        }
        return out;
    }

    public BitcoinChainSource(BitcoinRpcClient rpc, Network network) {
        this.rpc = rpc;
        this.chain = rpc.chainName();
        this.network = network;
        this.asset = io.coffer.core.chain.AssetId.of(chain, "BTC").toString();
        this.fetchers = new ThreadPoolExecutor(FETCH_THREADS, FETCH_THREADS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "coffer-" + chain + "-fetch");
            t.setDaemon(true);
            return t;
        });
        fetchers.allowCoreThreadTimeOut(true);
    }

    private static final int FETCH_THREADS = 2;
    /**
     * Blocks fetched ahead of the one being connected, at most: enough to keep both threads busy, few enough that mainnet
     * blocks (a few MB each, parsed) stay a small part of the heap.
     */
    private static final int AHEAD = 4;
    /** bitcoind's "Block height out of range": a height above its tip. */
    private static final int HEIGHT_OUT_OF_RANGE = -8;
    /** Block hashes asked for in one round trip while catching up. */
    private static final int HASHES_PER_CALL = 16;

    @Override
    public String chain() {
        return chain;
    }

    @Override
    public long tipHeight() {
        return rpc.call("getblockcount").asLong();
    }

    @Override
    public BlockHeader header(long height) {
        String hash = hashAt(height);
        if (hash == null) {
            return null;
        }
        JsonNode h = rpc.call("getblockheader", hash, true);
        return new BlockHeader(h.path("height").asLong(), hash, h.path("previousblockhash").asText(""));
    }

    /** The hash of the best chain's block at {@code height}, or null above the tip. */
    private String hashAt(long height) {
        try {
            return rpc.call("getblockhash", height).asText();
        } catch (BitcoinRpcException e) {
            if (e.rpcCode() == HEIGHT_OUT_OF_RANGE) {
                return null;
            }
            throw e;
        }
    }

    /** Blocks {@code from} to {@code to} (or the node's tip), fetched with {@code getblock <hash> 0} and parsed ahead. */
    @Override
    public BlockFeed blocks(long from, long to) {
        return new Prefetch(from, to);
    }

    private record Fetched(BlockHeader header, ParsedBlock parsed) {
    }

    /** The block {@code hash} at {@code height}, parsed. */
    private Fetched fetch(long height, String hash) {
        Block block = Block.read(ByteBuffer.wrap(rpc.callHex("getblock", hash, 0)));
        // Parsed here, on the fetching thread, with the outpoints in text: the follower's thread only matches.
        return new Fetched(new BlockHeader(height, hash, block.getPrevBlockHash().toString()), ParsedBlock.of(hash, block));
    }

    /**
     * Up to {@link #AHEAD} block fetches in flight, handed out in height order; what is in flight at close is dropped. The
     * hashes come {@link #HASHES_PER_CALL} at a time, in one JSON-RPC batch of {@code getblockhash}: a block then costs one
     * round trip, not two.
     */
    private final class Prefetch implements BlockFeed {
        private final ArrayDeque<CompletableFuture<Fetched>> ahead = new ArrayDeque<>();
        private final ArrayDeque<String> hashes = new ArrayDeque<>();
        private final long to;
        private long next;
        /** Where the next batch of hashes starts; past the node's tip once a batch reached it. */
        private long hashesFrom;
        private boolean tipReached;

        Prefetch(long from, long to) {
            this.next = from;
            this.hashesFrom = from;
            this.to = to;
            fill();
        }

        private void fill() {
            while (ahead.size() < AHEAD && next <= to) {
                if (hashes.isEmpty() && !moreHashes()) {
                    return;
                }
                long height = next++;
                String hash = hashes.poll();
                ahead.add(CompletableFuture.supplyAsync(() -> fetch(height, hash), fetchers));
            }
        }

        /** The hashes of the next heights, in one round trip; false above the node's tip. */
        private boolean moreHashes() {
            if (tipReached || hashesFrom > to) {
                return false;
            }
            List<Object[]> heights = new ArrayList<>();
            for (long h = hashesFrom; h <= to && heights.size() < HASHES_PER_CALL; h++) {
                heights.add(new Object[] {h});
            }
            for (Object answer : rpc.batch("getblockhash", heights)) {
                if (answer instanceof BitcoinRpcException e) {
                    if (e.rpcCode() != HEIGHT_OUT_OF_RANGE) {
                        throw e;
                    }
                    tipReached = true; // the node's chain is shorter than it was a moment ago
                    break;
                }
                hashes.add(((JsonNode) answer).asText());
                hashesFrom++;
            }
            return !hashes.isEmpty();
        }

        @Override
        public BlockHeader next() {
            CompletableFuture<Fetched> f = ahead.poll();
            if (f == null) {
                return null;
            }
            Fetched b;
            try {
                b = f.join();
            } catch (CompletionException e) {
                close();
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
            lastBlock = b.parsed();
            fill();
            return b.header();
        }

        @Override
        public void close() {
            ahead.forEach(f -> f.cancel(false));
            ahead.clear();
            next = to + 1;
        }
    }

    @Override
    public List<Payment> payments(BlockHeader header, WatchList watched) {
        Block block = parsed(header).block();
        List<Payment> out = new ArrayList<>();
        for (Transaction tx : block.getTransactions()) {
            out.addAll(paymentsOf(tx, watched));
        }
        return out;
    }

    @Override
    public List<OutpointSpend> spends(BlockHeader header, Predicate<DepositId> ours, WatchList watched) {
        List<OutpointSpend> out = new ArrayList<>();
        ParsedBlock block = parsed(header);
        List<Transaction> txs = block.block().getTransactions();
        for (int i = 0; i < txs.size(); i++) {
            for (DepositId outpoint : block.spent().get(i)) {
                if (ours.test(outpoint)) {
                    out.add(new OutpointSpend(outpoint, txs.get(i).getTxId().toString()));
                }
            }
        }
        return out;
    }

    private ParsedBlock parsed(BlockHeader header) {
        ParsedBlock cached = lastBlock;
        if (cached != null && cached.hash().equals(header.hash())) {
            return cached;
        }
        ParsedBlock block = ParsedBlock.of(header.hash(), Block.read(ByteBuffer.wrap(rpc.callHex("getblock", header.hash(), 0))));
        lastBlock = block;
        return block;
    }

    @Override
    public List<Payment> mempool(WatchList watched) {
        return pending.pending(new AnnouncedPool.Reads() {
            @Override
            public Map<String, List<Payment>> whole() {
                return wholeMempool(watched);
            }

            @Override
            public List<List<Payment>> fetch(List<String> ids) {
                List<Boolean> in = stillPending(ids);
                List<Object[]> params = new ArrayList<>();
                for (int i = 0; i < ids.size(); i++) {
                    if (in.get(i)) {
                        params.add(new Object[] {ids.get(i)});
                    }
                }
                java.util.Iterator<Object> raws = params.isEmpty() ? java.util.Collections.emptyIterator()
                        : rpc.batch("getrawtransaction", params).iterator();
                List<List<Payment>> out = new ArrayList<>(ids.size());
                for (int i = 0; i < ids.size(); i++) {
                    Object raw = in.get(i) ? raws.next() : null;
                    // An error: mined or evicted between the two calls (the block says the rest).
                    out.add(raw instanceof JsonNode hex ? paymentsOf(Transaction.read(ByteBuffer.wrap(HexFormat.of().parseHex(hex.asText()))),
                            watched) : null);
                }
                return out;
            }

            @Override
            public List<Boolean> stillPending(List<String> ids) {
                List<Object[]> params = new ArrayList<>(ids.size());
                ids.forEach(id -> params.add(new Object[] {id}));
                return rpc.batch("getmempoolentry", params).stream().map(r -> r instanceof JsonNode).toList();
            }
        });
    }

    /**
     * Listens to bitcoind's ZMQ {@code endpoint}: {@code wake} runs at each notification, and the transactions its
     * {@code hashtx} announces feed {@link #mempool}. Closing the result stops it (the mempool is then read whole at each poll).
     */
    public AutoCloseable listen(java.net.URI endpoint, Runnable wake) {
        return new BitcoinZmqListener(chain, endpoint, wake, pending);
    }

    /** Whether bitcoind's transactions are announced to this source now (else {@link #mempool} reads the mempool whole). */
    public boolean announcing() {
        return pending.live();
    }

    /** The mempool's announced transactions (fed by the ZMQ listener, when there is one). */
    AnnouncedPool pendingPool() {
        return pending;
    }

    /**
     * Every mempool transaction's payments to watched addresses, by txid: the ids from {@code getrawmempool}, each transaction
     * fetched and parsed once while it stays there.
     */
    private Map<String, List<Payment>> wholeMempool(WatchList watched) {
        Set<String> now = new HashSet<>();
        rpc.call("getrawmempool").forEach(t -> now.add(t.asText()));
        mempoolCache.keySet().retainAll(now);
        Map<String, List<Payment>> out = new java.util.LinkedHashMap<>();
        for (String txid : now) {
            List<Payment> seen = mempoolCache.get(txid);
            if (seen == null) {
                Transaction tx;
                try {
                    tx = Transaction.read(ByteBuffer.wrap(rpc.callHex("getrawtransaction", txid)));
                } catch (BitcoinRpcException e) {
                    continue; // left the mempool between the two calls
                }
                seen = paymentsOf(tx, watched);
                mempoolCache.put(txid, seen);
            }
            out.put(txid, seen);
        }
        return out;
    }

    @Override
    public TxStatus txStatus(String txid, List<String> inputs) {
        Optional<TxStatus> found = found(txid);
        if (found.isPresent()) {
            return found.get();
        }
        for (String in : inputs) {
            DepositId outpoint = DepositId.parse(in);
            JsonNode out = rpc.call("gettxout", outpoint.txid(), outpoint.index(), true);
            if (out == null || out.isNull()) {
                // Spent, in the mempool or the chain; but by whom? The transaction was looked for before, and bitcoind may have
                // mined it from its mempool since: then its own spend is what was seen. Only a transaction still nowhere
                // after its inputs were seen spent is conflicted.
                return found(txid).orElse(TxStatus.CONFLICTED);
            }
        }
        return TxStatus.UNKNOWN;
    }

    /** Where bitcoind has {@code txid} now: in a block of the best chain, or in its mempool; empty when in neither. */
    private Optional<TxStatus> found(String txid) {
        try {
            JsonNode tx = rpc.call("getrawtransaction", txid, true);
            // With txindex, a transaction of a block that was reorged out is still found, without confirmations.
            if (tx.path("confirmations").asLong(0) > 0) {
                // The height from the block's own header: the tip's height minus the confirmations, two calls apart, was one
                // too high when a block came between them (the withdrawal then counted one confirmation short, and the ledger
                // now counts on from a look instead of asking again each block).
                JsonNode block = rpc.call("getblockheader", tx.path("blockhash").asText());
                if (block.path("confirmations").asLong(0) > 0) { // still on the best chain (reorged out since: -1)
                    return Optional.of(TxStatus.inBlock(block.path("height").asLong()));
                }
            }
        } catch (BitcoinRpcException e) {
            if (e.rpcCode() != -5) {
                throw e;
            }
        }
        try {
            rpc.call("getmempoolentry", txid);
            return Optional.of(TxStatus.IN_MEMPOOL);
        } catch (BitcoinRpcException e) {
            if (e.rpcCode() != -5) {
                throw e;
            }
        }
        return Optional.empty();
    }

    /**
     * {@code sendrawtransaction}. bitcoind's codes: -27 "already in the chain/mempool" is ALREADY_KNOWN;
     * -25/-26 (missing or spent inputs, policy) and -22 (decode) are REJECTED; transport trouble is UNKNOWN.
     */
    @Override
    public BroadcastResult broadcast(byte[] signedTransaction) {
        try {
            rpc.call("sendrawtransaction", HexFormat.of().formatHex(signedTransaction));
            return new BroadcastResult(BroadcastResult.Outcome.ACCEPTED, "");
        } catch (BitcoinRpcException e) {
            String msg = e.getMessage();
            if (e.rpcCode() == -27 || msg.contains("txn-already-known") || msg.contains("txn-already-in-mempool")) {
                return new BroadcastResult(BroadcastResult.Outcome.ALREADY_KNOWN, "");
            }
            if (e.rpcCode() == -25 || e.rpcCode() == -26 || e.rpcCode() == -22) {
                return new BroadcastResult(BroadcastResult.Outcome.REJECTED, msg.substring(msg.indexOf("failed: ") + 8));
            }
            return new BroadcastResult(BroadcastResult.Outcome.UNKNOWN, "");
        } catch (io.coffer.core.chain.ChainUnavailableException e) {
            return new BroadcastResult(BroadcastResult.Outcome.UNKNOWN, "");
        }
    }

    /** Outputs matched by their script (the watched set's key): address text is made for the wallet's outputs only. */
    private List<Payment> paymentsOf(Transaction tx, WatchList watched) {
        List<Payment> out = List.of();
        String txid = null;
        List<String> inputs = null;
        for (TransactionOutput o : tx.getOutputs()) {
            if (o.getValue().value <= 0 || !watched.watchesKey(o.getScriptBytes())) {
                continue;
            }
            String address;
            try {
                address = o.getScriptPubKey().getToAddress(network, true).toString();
            } catch (ScriptException | IllegalArgumentException e) {
                continue; // cannot be: a watched key is an address's script
            }
            if (txid == null) {
                txid = tx.getTxId().toString();
                out = new ArrayList<>();
                inputs = spentBy(tx).stream().map(DepositId::toString).toList();
            }
            out.add(new Payment(txid, o.getIndex(), address, asset, BigInteger.valueOf(o.getValue().value), inputs));
        }
        return out;
    }
}
