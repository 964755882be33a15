package io.coffer.chain.evm;

import io.coffer.core.address.EvmAddress;
import io.coffer.core.chain.AnnouncedPool;
import io.coffer.core.chain.BlockHeader;
import io.coffer.core.chain.BroadcastResult;
import io.coffer.core.chain.ChainSource;
import io.coffer.core.chain.ChainUnavailableException;
import io.coffer.core.chain.DepositId;
import io.coffer.core.chain.OutpointSpend;
import io.coffer.core.chain.Payment;
import io.coffer.core.chain.TxStatus;
import io.coffer.core.chain.WatchList;
import io.coffer.core.config.EvmChainConfig;
import io.coffer.core.config.TokenConfig;
import io.coffer.core.transfer.NonceSlot;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.logging.Logger;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/**
 * An EVM chain's {@link ChainSource}: blocks by number with their transactions, native transfers to
 * watched addresses whose receipt says success (a failed transaction never counts), and ERC-20
 * {@code Transfer} logs of the configured tokens to watched addresses (a reverted transfer leaves no log,
 * so it never counts either). Deposit ids: a native transfer is {@code (txhash, 0)}; the n-th token
 * transfer to a watched address in a transaction is {@code (txhash, n)} from 1 — stable across reorgs and
 * the same whether first seen pending (a decoded {@code transfer}/{@code transferFrom} call) or mined.
 *
 * <p>Pending payments come from the transactions the node announces over WebSocket, fetched by hash (see
 * {@link AnnouncedPool}), and from its pool read whole with {@code txpool_content} where it offers
 * it (geth, anvil...): once when announcements start, at every poll while there are none. A node with neither simply has
 * no SEEN stage. A pending payment records {@code "sender:nonce"} as its input: if the sender's mined nonce passes it while
 * the transaction is gone, it was replaced.
 */
public final class EvmChainSource implements ChainSource {
    private static final Logger LOG = Logger.getLogger(EvmChainSource.class.getName());
    /** keccak256("Transfer(address,address,uint256)"). */
    static final String TRANSFER_TOPIC = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";

    private final EvmRpcClient rpc;
    private final EvmChainConfig config;
    private final String nativeAsset;
    private final Map<String, String> assetByContract = new java.util.HashMap<>();
    private volatile boolean txpool = true;
    /** The pending transactions paying the wallet, kept from the node's announcements (see {@link AnnouncedPool}). */
    private final AnnouncedPool pending = new AnnouncedPool();
    /** The last block {@link #payments} read whole: {@link #spends} reads the same block right after. */
    private volatile EthBlock.Block lastFull;
    /** The last blocks read whole, with the receipts read of them: for spends right after payments, and withdrawals' looks. */
    private final RecentBlocks recent;
    /** Whether to ask {@code eth_getBlockReceipts}; false once the node said it has no such method. */
    private volatile boolean blockReceipts = true;

    public EvmChainSource(EvmRpcClient rpc, EvmChainConfig config) {
        this.rpc = rpc;
        this.config = config;
        this.recent = new RecentBlocks(config.reorgSafetyDepth(), EvmChainSource::status);
        this.nativeAsset = io.coffer.core.chain.AssetId.of(config.name(), config.nativeSymbol()).toString();
        for (TokenConfig t : config.tokens()) {
            assetByContract.put(t.contract().toString().toLowerCase(java.util.Locale.ROOT), io.coffer.core.chain.AssetId.of(config.name(), t.symbol()).toString());
        }
    }

    @Override
    public String chain() {
        return config.name();
    }

    @Override
    public long tipHeight() {
        return rpc.typed("eth_blockNumber", () -> rpc.web3j().ethBlockNumber().send()).getBlockNumber().longValueExact();
    }

    @Override
    public BlockHeader header(long height) {
        EthBlock.Block b = block(height, false);
        return b == null ? null : new BlockHeader(Quantities.of(b.getNumberRaw()).longValueExact(), b.getHash(), b.getParentHash());
    }

    private EthBlock.Block block(long height, boolean full) {
        return rpc.typed("eth_getBlockByNumber", () -> rpc.web3j()
                .ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(height)), full).send()).getBlock();
    }

    @Override
    public List<Payment> payments(BlockHeader header, WatchList watched) {
        EthBlock.Block b = fullBlock(header);
        List<Payment> out = new ArrayList<>();
        List<EthBlock.TransactionObject> toWatched = new ArrayList<>();
        for (EthBlock.TransactionResult<?> r : b.getTransactions()) {
            EthBlock.TransactionObject tx = (EthBlock.TransactionObject) r.get();
            if (tx.getTo() != null && Quantities.of(tx.getValueRaw()).signum() > 0 && watched.watches(checksummed(tx.getTo()))) {
                toWatched.add(tx);
            }
        }
        Map<String, TransactionReceipt> receipts = receipts(b, toWatched, watched);
        for (EthBlock.TransactionObject tx : toWatched) {
            if (!Quantities.statusOk(receipts.get(tx.getHash()))) {
                LOG.info(() -> "chain " + chain() + ": transaction " + tx.getHash() + " to a watched address failed; not a deposit");
                continue;
            }
            out.add(new Payment(tx.getHash(), 0, checksummed(tx.getTo()), nativeAsset, Quantities.of(tx.getValueRaw()),
                    List.of(spentNonce(tx.getFrom(), Quantities.of(tx.getNonceRaw())))));
        }
        if (!assetByContract.isEmpty()) {
            // Filter by the block's number (a block-hash filter takes one address only) and check the hash of
            // every log: a log from another block at that height means a reorg is under way; retry later.
            DefaultBlockParameter at = DefaultBlockParameter.valueOf(BigInteger.valueOf(header.height()));
            EthFilter filter = new EthFilter(at, at, new ArrayList<>(assetByContract.keySet()));
            filter.addSingleTopic(TRANSFER_TOPIC);
            EthLog logs = rpc.typed("eth_getLogs", () -> rpc.web3j().ethGetLogs(filter).send());
            Map<String, Integer> ordinal = new java.util.HashMap<>();
            List<Log> sorted = new ArrayList<>();
            for (EthLog.LogResult<?> lr : logs.getLogs()) {
                sorted.add((Log) lr.get());
            }
            sorted.sort(java.util.Comparator.comparing(Log::getLogIndex));
            for (Log log : sorted) {
                if (!header.hash().equals(log.getBlockHash())) {
                    throw new ChainUnavailableException(chain(), "logs of height " + header.height() + " come from another block"
                            + " (reorg in progress)", null);
                }
                if (log.isRemoved() || log.getTopics().size() != 3) {
                    continue; // ERC-721 Transfer has 4 topics; removed logs belong to a reorged block
                }
                String to = checksummed("0x" + log.getTopics().get(2).substring(26));
                String asset = assetByContract.get(log.getAddress().toLowerCase(java.util.Locale.ROOT));
                BigInteger amount = Numeric.toBigInt(log.getData());
                if (asset != null && watched.watches(to) && amount.signum() > 0) {
                    int n = ordinal.merge(log.getTransactionHash(), 1, Integer::sum);
                    out.add(new Payment(log.getTransactionHash(), n, to, asset, amount));
                }
            }
        }
        return out;
    }

    /** The whole block by number (with its transactions): one round trip, and the block kept for payments and spends. */
    @Override
    public BlockHeader headerToConnect(long height) {
        EthBlock.Block b = block(height, true);
        if (b == null) {
            return null;
        }
        lastFull = b;
        recent.read(b);
        return new BlockHeader(Quantities.of(b.getNumberRaw()).longValueExact(), b.getHash(), b.getParentHash());
    }

    private EthBlock.Block fullBlock(BlockHeader header) {
        EthBlock.Block last = lastFull;
        if (last != null && header.hash().equals(last.getHash())) {
            return last;
        }
        EthBlock.Block b = rpc.typed("eth_getBlockByHash", () -> rpc.web3j().ethGetBlockByHash(header.hash(), true).send()).getBlock();
        if (b == null) {
            throw new ChainUnavailableException(chain(), "block " + header.hash() + " vanished (reorg in progress)", null);
        }
        lastFull = b;
        recent.read(b);
        return b;
    }

    /**
     * The receipts of {@code txs} (transactions of block {@code b}) by transaction hash, every one of them. The whole block's in
     * one {@code eth_getBlockReceipts} call when the wallet's transactions (sent from or paying a watched address) are at least
     * two and a quarter of the block: an exchange's hot wallet sending hundreds of transactions a block paid one call each,
     * twice over (the block's payments, then its spends), each taken from the node's quota and made while new sends wait for
     * the chain loop. Else, or from a node without that method, one call each. Kept for the block's next question (spends come
     * right after payments) and for the withdrawals' looks ({@link RecentBlocks}). A receipt missing, or one of another block:
     * the node is behind or in a reorg, and the block is asked again later.
     */
    private Map<String, TransactionReceipt> receipts(EthBlock.Block b, List<EthBlock.TransactionObject> txs, WatchList watched) {
        Map<String, TransactionReceipt> out = new java.util.HashMap<>(recent.receipts(b.getHash()));
        List<String> missing = txs.stream().map(EthBlock.TransactionObject::getHash).filter(h -> !out.containsKey(h)).toList();
        if (!missing.isEmpty() && blockReceipts && mostlyTheWallets(b, watched)) {
            wholeBlock(b.getHash()).forEach(r -> out.put(r.getTransactionHash(), r));
        }
        for (String hash : missing) {
            if (!out.containsKey(hash)) {
                TransactionReceipt r = rpc.typed("eth_getTransactionReceipt", () -> rpc.web3j().ethGetTransactionReceipt(hash).send())
                        .getTransactionReceipt().orElse(null);
                if (r == null || r.getBlockHash() != null && !r.getBlockHash().equals(b.getHash())) {
                    throw new ChainUnavailableException(chain(), "no receipt yet for " + hash + " of block " + b.getHash(), null);
                }
                out.put(hash, r);
            }
        }
        recent.receipts(b.getHash(), out);
        return out;
    }

    /** Whether receipts are still asked a block at a time (the node has not said it lacks the method). */
    boolean asksBlockReceipts() {
        return blockReceipts;
    }

    /** Whether at least two of block {@code b}'s transactions, and a quarter of them, are sent from or pay a watched address. */
    private static boolean mostlyTheWallets(EthBlock.Block b, WatchList watched) {
        int total = b.getTransactions().size();
        int wallets = 0;
        for (EthBlock.TransactionResult<?> r : b.getTransactions()) {
            EthBlock.TransactionObject tx = (EthBlock.TransactionObject) r.get();
            if (watched.watches(checksummed(tx.getFrom())) || tx.getTo() != null && watched.watches(checksummed(tx.getTo()))) {
                wallets++;
            }
        }
        return worthTheWholeBlock(wallets, total);
    }

    /** Whether {@code wanted} receipts of a block of {@code transactions} are cheaper read all in one call: two, and a quarter. */
    private static boolean worthTheWholeBlock(int wanted, int transactions) {
        return wanted >= 2 && wanted * 4 >= transactions;
    }

    /** Block {@code blockHash}'s receipts in one call; none when the node lacks the method (then never asked again). */
    private List<TransactionReceipt> wholeBlock(String blockHash) {
        List<TransactionReceipt> all;
        try {
            all = rpc.typed("eth_getBlockReceipts", org.web3j.protocol.core.methods.response.EthGetBlockReceipts.class, blockHash)
                    .getBlockReceipts().orElse(null);
        } catch (EvmRpcException e) {
            if (!lacksMethod(e)) {
                throw e;
            }
            blockReceipts = false;
            LOG.info("chain " + chain() + ": the node has no eth_getBlockReceipts (" + e.nodeMessage() + "); receipts are asked one"
                    + " transaction at a time");
            return List.of();
        }
        if (all == null) {
            throw new ChainUnavailableException(chain(), "no receipts for block " + blockHash + " (reorg in progress)", null);
        }
        for (TransactionReceipt r : all) {
            if (!blockHash.equals(r.getBlockHash())) {
                throw new ChainUnavailableException(chain(), "receipts asked for block " + blockHash + " come from another block"
                        + " (reorg in progress)", null);
            }
        }
        return all;
    }

    /** An answer saying the node does not offer the method (or not with a block hash): JSON-RPC's codes and providers' words. */
    static boolean lacksMethod(EvmRpcException e) {
        String m = e.nodeMessage().toLowerCase(java.util.Locale.ROOT);
        return e.rpcCode() == -32601 || e.rpcCode() == -32602 || e.rpcCode() == -32004 || m.contains("not supported")
                || m.contains("does not exist") || m.contains("not available") || m.contains("method not found");
    }

    /**
     * Every transaction of the block sent from a watched address, whoever signed it: its sender's nonce slot, the fee it paid and
     * what it moved (ETH sent with it, else the tokens its Transfer logs take from the sender; nothing when it failed).
     */
    @Override
    public List<OutpointSpend> spends(BlockHeader header, Predicate<DepositId> ours, WatchList watched) {
        List<OutpointSpend> out = new ArrayList<>();
        EthBlock.Block b = fullBlock(header);
        List<EthBlock.TransactionObject> fromWatched = new ArrayList<>();
        for (EthBlock.TransactionResult<?> r : b.getTransactions()) {
            EthBlock.TransactionObject tx = (EthBlock.TransactionObject) r.get();
            if (watched.watches(checksummed(tx.getFrom())) && Quantities.of(tx.getNonceRaw()).bitLength() <= 32) {
                fromWatched.add(tx);
            }
        }
        Map<String, TransactionReceipt> receipts = receipts(b, fromWatched, watched);
        for (EthBlock.TransactionObject tx : fromWatched) {
            String from = checksummed(tx.getFrom());
            TransactionReceipt receipt = receipts.get(tx.getHash());
            BigInteger fee = Quantities.of(receipt.getGasUsedRaw()).multiply(receipt.getEffectiveGasPrice() != null
                    ? Numeric.toBigInt(receipt.getEffectiveGasPrice()) : Quantities.of(tx.getGasPriceRaw()));
            String asset = nativeAsset;
            BigInteger amount = BigInteger.ZERO;
            boolean ok = Quantities.statusOk(receipt);
            BigInteger value = Quantities.of(tx.getValueRaw());
            if (ok && value.signum() > 0) {
                amount = value;
            } else if (ok) {
                for (Log log : receipt.getLogs()) {
                    String token = assetByContract.get(log.getAddress().toLowerCase(java.util.Locale.ROOT));
                    if (token != null && log.getTopics().size() == 3 && TRANSFER_TOPIC.equals(log.getTopics().get(0))
                            && checksummed("0x" + log.getTopics().get(1).substring(26)).equals(from)) {
                        asset = token;
                        amount = amount.add(Numeric.toBigInt(log.getData()));
                    }
                }
            }
            DepositId slot = new NonceSlot(from, Quantities.of(tx.getNonceRaw()).longValueExact()).asInput();
            out.add(new OutpointSpend(slot, tx.getHash(), asset, amount, nativeAsset, fee));
        }
        return out;
    }

    @Override
    public List<Payment> mempool(WatchList watched) {
        return pending.pending(new AnnouncedPool.Reads() {
            @Override
            public Map<String, List<Payment>> whole() {
                List<Map<String, Object>> all = wholePool();
                if (all == null) {
                    return null;
                }
                Map<String, List<Payment>> out = new java.util.LinkedHashMap<>();
                all.forEach(tx -> out.put((String) tx.get("hash"), pays(tx, watched)));
                return out;
            }

            @Override
            public List<List<Payment>> fetch(List<String> ids) {
                List<List<Payment>> out = new ArrayList<>(ids.size());
                transactions(ids).forEach(tx -> out.add(isPending(tx) ? pays(tx, watched) : null));
                return out;
            }

            @Override
            public List<Boolean> stillPending(List<String> ids) {
                return transactions(ids).stream().map(EvmChainSource::isPending).toList();
            }
        });
    }

    /** A transaction the node knows and has not mined (a pending one's {@code blockNumber} is null). */
    private static boolean isPending(Map<String, Object> tx) {
        return tx != null && tx.get("blockNumber") == null;
    }

    /** The pool of pending transactions the node announces (fed by the WebSocket listener, when there is one). */
    AnnouncedPool pendingPool() {
        return pending;
    }

    /**
     * Listens to the node's WebSocket {@code endpoint}: {@code wake} runs at each new head, and the transactions entering its
     * pool feed {@link #mempool}. Closing the result stops it (the pool is then read whole at each poll).
     */
    public AutoCloseable listen(java.net.URI endpoint, Runnable wake) {
        return new EvmHeadsListener(chain(), endpoint, wake, pending);
    }

    /** Whether the node's pending transactions are announced to this source now (else {@link #mempool} reads its pool whole). */
    public boolean announcing() {
        return pending.live();
    }

    /** Every transaction of the node's pending pool ({@code txpool_content}), or null when the node has no such read. */
    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> wholePool() {
        if (!txpool) {
            return null;
        }
        Object content;
        try {
            content = rpc.call("txpool_content");
        } catch (EvmRpcException e) {
            txpool = false; // not offered by this node
            LOG.info("chain " + chain() + ": the node has no txpool_content; deposits are first seen in blocks, or pending from "
                    + "the node's announcements over WebSocket (ws-url) when it makes them");
            return null;
        }
        List<Map<String, Object>> out = new ArrayList<>();
        Map<String, Object> pendingTxs = (Map<String, Object>) ((Map<String, Object>) content).getOrDefault("pending", Map.of());
        for (Object bySender : pendingTxs.values()) {
            for (Object o : ((Map<String, Object>) bySender).values()) {
                out.add((Map<String, Object>) o);
            }
        }
        return out;
    }

    /** The transactions of {@code hashes} as the node's JSON objects (null for one it does not know), in one batch. */
    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> transactions(List<String> hashes) {
        List<List<Object>> params = new ArrayList<>(hashes.size());
        hashes.forEach(h -> params.add(List.of(h)));
        List<Map<String, Object>> out = new ArrayList<>(hashes.size());
        rpc.batch("eth_getTransactionByHash", params).forEach(r -> out.add((Map<String, Object>) r));
        return out;
    }

    /** What a pending transaction (the node's JSON object) pays to watched addresses: native value, or a decoded token call. */
    private List<Payment> pays(Map<String, Object> tx, WatchList watched) {
        Object toObj = tx.get("to");
        if (toObj == null) {
            return List.of();
        }
        List<Payment> out = new ArrayList<>(1);
        String from = (String) tx.get("from");
        List<String> spends = List.of(spentNonce(from, Numeric.toBigInt((String) tx.get("nonce"))));
        BigInteger value = Numeric.toBigInt((String) tx.getOrDefault("value", "0x0"));
        String to = checksummed((String) toObj);
        if (value.signum() > 0 && watched.watches(to)) {
            out.add(new Payment((String) tx.get("hash"), 0, to, nativeAsset, value, spends));
        }
        String tokenAsset = assetByContract.get(((String) toObj).toLowerCase(java.util.Locale.ROOT));
        if (tokenAsset != null) {
            Payment p = decodeTokenCall((String) tx.get("hash"), (String) tx.getOrDefault("input", "0x"), tokenAsset, watched, spends);
            if (p != null) {
                out.add(p);
            }
        }
        return out;
    }

    /** A pending {@code transfer(to, amount)} or {@code transferFrom(from, to, amount)} call to a watched address. */
    private static Payment decodeTokenCall(String hash, String input, String asset, WatchList watched, List<String> spends) {
        String data = input.startsWith("0x") ? input.substring(2) : input;
        int toWord;
        if (data.startsWith("a9059cbb") && data.length() >= 8 + 128) {
            toWord = 0; // transfer(address,uint256)
        } else if (data.startsWith("23b872dd") && data.length() >= 8 + 192) {
            toWord = 1; // transferFrom(address,address,uint256)
        } else {
            return null;
        }
        String to = checksummed("0x" + data.substring(8 + toWord * 64 + 24, 8 + (toWord + 1) * 64));
        BigInteger amount = new BigInteger(data.substring(8 + (toWord + 1) * 64, 8 + (toWord + 2) * 64), 16);
        return watched.watches(to) && amount.signum() > 0 ? new Payment(hash, 1, to, asset, amount, spends) : null;
    }

    /**
     * What an account-chain transaction spends, in the form {@link Payment#inputs()} carries: its sender's nonce
     * ({@code address:nonce}; a nonce of an outside sender may exceed what a withdrawal's {@code NonceSlot} holds, hence text).
     * Another transaction mined at the same nonce is its conflict.
     */
    static String spentNonce(String sender, BigInteger nonce) {
        return sender + ":" + nonce;
    }

    @Override
    public TxStatus txStatus(String txid, List<String> inputs) {
        Optional<TxStatus> found = found(txid);
        if (found.isPresent()) {
            return found.get();
        }
        for (String in : inputs) {
            int colon = in.lastIndexOf(':'); // spentNonce's form
            String sender = in.substring(0, colon);
            BigInteger nonce = new BigInteger(in.substring(colon + 1));
            BigInteger mined = rpc.typed("eth_getTransactionCount", () -> rpc.web3j()
                    .ethGetTransactionCount(sender, DefaultBlockParameterName.LATEST).send()).getTransactionCount();
            if (mined.compareTo(nonce) > 0) {
                // The nonce is used; by this very transaction if it was mined after the looks above (they are separate
                // RPCs, and behind a load balancer separate nodes): only one still nowhere now is another's.
                return found(txid).orElse(TxStatus.CONFLICTED);
            }
        }
        return TxStatus.UNKNOWN;
    }

    /** A mined transaction's standing as its receipt tells it: in its block, or failed there; with the fee it paid. */
    private static TxStatus status(TransactionReceipt receipt) {
        long height = Quantities.of(receipt.getBlockNumberRaw()).longValueExact();
        TxStatus status = Quantities.statusOk(receipt) ? TxStatus.inBlock(height) : TxStatus.failed(height);
        return fee(receipt).map(status::paying).orElse(status);
    }

    /**
     * From the receipts read for the follower when {@code txid} is in {@code tip} or one of its ancestors read lately (a block
     * of the wallet's sends: one {@code eth_getBlockReceipts} for the follower, no call for the withdrawals' looks, see
     * {@link RecentBlocks}); else as {@link #txStatus(String, List)}.
     */
    @Override
    public TxStatus txStatus(String txid, List<String> inputs, BlockHeader tip) {
        linked(tip);
        return Optional.ofNullable(tip).flatMap(t -> recent.placed(t, txid)).orElseGet(() -> txStatus(txid, inputs));
    }

    /** The best block {@link #linked} last linked or tried to. */
    private volatile String lastLinked;

    /** Blocks read by hash, at most, to link a best block the follower has not read yet to those it has. */
    static final int LINK = 4;

    /**
     * Links {@code tip}, when the follower has not read it yet (a block came between its poll and the withdrawals' looks), to the
     * blocks it read: {@code tip} and its parents read by hash, with their transactions' hashes only, up to {@value #LINK} of
     * them. One or two light calls a round, against a call or two for each withdrawal the unread tip left unplaced.
     */
    private void linked(BlockHeader tip) {
        if (tip == null || tip.hash().equals(lastLinked)) {
            return; // linked already, or tried (a round's looks ask with the same best block)
        }
        lastLinked = tip.hash();
        String at = tip.hash();
        for (int i = 0; at != null && i < LINK && !recent.keeps(at); i++) {
            String hash = at;
            EthBlock.Block b = rpc.typed("eth_getBlockByHash", () -> rpc.web3j().ethGetBlockByHash(hash, false).send()).getBlock();
            if (b == null) {
                return; // reorged away since: the looks ask the node
            }
            recent.read(b);
            at = b.getParentHash();
        }
    }

    /**
     * A block read by hash to link the best block ({@link #linked}), or one whose receipts the follower did not need, where the
     * transactions the looks are about to ask about are at least two and a quarter of its own, has its receipts read in one
     * call: a block of the hot wallet's sends that came between the follower's poll and the looks cost a receipt call for each
     * of them. A failure here is left to the looks (they ask one by one, and meet the node's trouble themselves).
     */
    @Override
    public void lookingAt(java.util.Collection<String> txids, BlockHeader tip) {
        if (tip == null || txids.isEmpty() || !blockReceipts) {
            return;
        }
        try {
            linked(tip);
            for (RecentBlocks.Unread u : recent.unread(tip, txids)) {
                if (blockReceipts && worthTheWholeBlock(u.asked(), u.transactions())) {
                    Map<String, TransactionReceipt> read = new java.util.HashMap<>();
                    wholeBlock(u.hash()).forEach(r -> read.put(r.getTransactionHash(), r));
                    recent.receipts(u.hash(), read);
                }
            }
        } catch (ChainUnavailableException | EvmRpcException e) {
            LOG.fine(() -> "chain " + chain() + ": receipts not read ahead of the looks: " + e.getMessage());
        }
    }

    /** From the blocks read lately ({@link RecentBlocks}): none of {@code txids} in any block after {@code after} up to {@code tip}. */
    @Override
    public boolean noneMinedBetween(List<String> txids, BlockHeader after, BlockHeader tip) {
        if (after == null || tip == null) {
            return false;
        }
        linked(tip);
        return recent.noneBetween(txids, after, tip);
    }

    /** Where the node has {@code txid}: in a block (with its outcome), pending, or nowhere (empty). */
    private Optional<TxStatus> found(String txid) {
        TransactionReceipt receipt = rpc.typed("eth_getTransactionReceipt",
                () -> rpc.web3j().ethGetTransactionReceipt(txid).send()).getTransactionReceipt().orElse(null);
        if (receipt != null && receipt.getBlockNumberRaw() != null) {
            return Optional.of(status(receipt));
        }
        var tx = rpc.typed("eth_getTransactionByHash", () -> rpc.web3j().ethGetTransactionByHash(txid).send()).getTransaction();
        return tx.isPresent() ? Optional.of(TxStatus.IN_MEMPOOL) : Optional.empty();
    }

    @Override
    public java.util.Optional<BigInteger> feePaid(String txid) {
        return rpc.typed("eth_getTransactionReceipt", () -> rpc.web3j().ethGetTransactionReceipt(txid).send())
                .getTransactionReceipt().flatMap(EvmChainSource::fee);
    }

    /** What a mined transaction paid: gas used times the effective gas price (empty from a node that leaves the price out). */
    private static Optional<BigInteger> fee(TransactionReceipt r) {
        if (r.getEffectiveGasPrice() == null || r.getGasUsedRaw() == null) {
            return Optional.empty();
        }
        return Optional.of(Quantities.of(r.getGasUsedRaw()).multiply(Numeric.toBigInt(r.getEffectiveGasPrice())));
    }

    /**
     * {@code eth_sendRawTransaction}: "already known" is ALREADY_KNOWN; "nonce too low" means this nonce is
     * taken (by this very transaction mined already, or another) — the caller checks which; other errors are
     * REJECTED; transport trouble is UNKNOWN.
     */
    @Override
    public BroadcastResult broadcast(byte[] signedTransaction) {
        try {
            rpc.call("eth_sendRawTransaction", Numeric.toHexString(signedTransaction));
            return new BroadcastResult(BroadcastResult.Outcome.ACCEPTED, "");
        } catch (EvmRpcException e) {
            String m = e.nodeMessage().toLowerCase(java.util.Locale.ROOT);
            if (m.contains("already known") || m.contains("known transaction") || m.contains("already imported")) {
                return new BroadcastResult(BroadcastResult.Outcome.ALREADY_KNOWN, "");
            }
            return new BroadcastResult(BroadcastResult.Outcome.REJECTED, e.nodeMessage());
        } catch (ChainUnavailableException e) {
            return new BroadcastResult(BroadcastResult.Outcome.UNKNOWN, "");
        }
    }

    static String checksummed(String address) {
        return EvmAddress.parse("address", address.toLowerCase(java.util.Locale.ROOT)).toString();
    }

}
