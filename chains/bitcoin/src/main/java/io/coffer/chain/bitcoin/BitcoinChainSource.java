package io.coffer.chain.bitcoin;

import com.fasterxml.jackson.databind.JsonNode;
import io.coffer.core.chain.BlockHeader;
import io.coffer.core.chain.BroadcastResult;
import io.coffer.core.chain.ChainSource;
import io.coffer.core.chain.DepositId;
import io.coffer.core.chain.OutpointSpend;
import io.coffer.core.chain.Payment;
import io.coffer.core.chain.TxStatus;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.bitcoinj.base.Address;
import org.bitcoinj.base.Network;
import org.bitcoinj.core.Block;
import org.bitcoinj.core.Transaction;
import org.bitcoinj.core.TransactionInput;
import org.bitcoinj.core.TransactionOutput;
import org.bitcoinj.script.ScriptException;

/**
 * The Bitcoin {@link ChainSource}: headers from {@code getblockhash}/{@code getblockheader}, raw blocks
 * from {@code getblock <hash> 0} parsed with bitcoinj, the mempool from {@code getrawmempool} plus
 * {@code getrawtransaction} (each mempool transaction is fetched and parsed once and cached while it
 * stays there), and conflict detection by asking {@code gettxout} about a vanished transaction's inputs
 * (recorded with the deposit, so this works after a restart too).
 */
public final class BitcoinChainSource implements ChainSource {
    private final BitcoinRpcClient rpc;
    private final String chain;
    private final Network network;
    private final String asset;
    /** Mempool transactions seen, with their payments to watched addresses (usually none): parsed once. */
    private final Map<String, List<Payment>> mempoolCache = new ConcurrentHashMap<>();
    /** The block parsed last: the follower asks for its payments, then for its spends. */
    private volatile ParsedBlock lastBlock;

    private record ParsedBlock(String hash, Block block) {
    }

    public BitcoinChainSource(BitcoinRpcClient rpc, Network network) {
        this.rpc = rpc;
        this.chain = rpc.chainName();
        this.network = network;
        this.asset = io.coffer.core.chain.AssetId.of(chain, "BTC").toString();
    }

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

    /** The hash of the best chain's block at {@code height}, or null above the tip ("Block height out of range", -8). */
    private String hashAt(long height) {
        try {
            return rpc.call("getblockhash", height).asText();
        } catch (BitcoinRpcException e) {
            if (e.rpcCode() == -8) {
                return null;
            }
            throw e;
        }
    }

    /** {@code getblockhash} and the raw block, whose header says its parent: two round trips, and the block kept for payments. */
    @Override
    public BlockHeader headerToConnect(long height) {
        String hash = hashAt(height);
        if (hash == null) {
            return null;
        }
        Block block = block(new BlockHeader(height, hash, ""));
        return new BlockHeader(height, hash, block.getPrevBlockHash().toString());
    }

    @Override
    public List<Payment> payments(BlockHeader header, Predicate<String> watched) {
        Block block = block(header);
        List<Payment> out = new ArrayList<>();
        for (Transaction tx : block.getTransactions()) {
            out.addAll(paymentsOf(tx, watched));
        }
        return out;
    }

    @Override
    public List<OutpointSpend> spends(BlockHeader header, Predicate<DepositId> ours, Predicate<String> watched) {
        List<OutpointSpend> out = new ArrayList<>();
        for (Transaction tx : block(header).getTransactions()) {
            if (tx.isCoinBase()) {
                continue;
            }
            String txid = tx.getTxId().toString();
            for (TransactionInput in : tx.getInputs()) {
                DepositId outpoint = new DepositId(in.getOutpoint().hash().toString(), (int) in.getOutpoint().index());
                if (ours.test(outpoint)) {
                    out.add(new OutpointSpend(outpoint, txid));
                }
            }
        }
        return out;
    }

    private Block block(BlockHeader header) {
        ParsedBlock cached = lastBlock;
        if (cached != null && cached.hash().equals(header.hash())) {
            return cached.block();
        }
        Block block = Block.read(ByteBuffer.wrap(HexFormat.of().parseHex(rpc.call("getblock", header.hash(), 0).asText())));
        lastBlock = new ParsedBlock(header.hash(), block);
        return block;
    }

    @Override
    public List<Payment> mempool(Predicate<String> watched) {
        Set<String> now = new HashSet<>();
        rpc.call("getrawmempool").forEach(t -> now.add(t.asText()));
        mempoolCache.keySet().retainAll(now);
        List<Payment> out = new ArrayList<>();
        for (String txid : now) {
            List<Payment> seen = mempoolCache.get(txid);
            if (seen == null) {
                Transaction tx;
                try {
                    tx = Transaction.read(ByteBuffer.wrap(HexFormat.of().parseHex(rpc.call("getrawtransaction", txid).asText())));
                } catch (BitcoinRpcException e) {
                    continue; // left the mempool between the two calls
                }
                seen = paymentsOf(tx, watched);
                mempoolCache.put(txid, seen);
            }
            out.addAll(seen);
        }
        return out;
    }

    @Override
    public TxStatus txStatus(String txid, List<String> inputs) {
        try {
            JsonNode tx = rpc.call("getrawtransaction", txid, true);
            // With txindex, a transaction of a block that was reorged out is still found, without confirmations.
            if (tx.path("confirmations").asLong(0) > 0) {
                return TxStatus.inBlock(tipHeight() - tx.path("confirmations").asLong() + 1);
            }
        } catch (BitcoinRpcException e) {
            if (e.rpcCode() != -5) {
                throw e;
            }
        }
        try {
            rpc.call("getmempoolentry", txid);
            return TxStatus.IN_MEMPOOL;
        } catch (BitcoinRpcException e) {
            if (e.rpcCode() != -5) {
                throw e;
            }
        }
        for (String in : inputs) {
            DepositId outpoint = DepositId.parse(in);
            JsonNode out = rpc.call("gettxout", outpoint.txid(), outpoint.index(), true);
            if (out == null || out.isNull()) {
                return TxStatus.CONFLICTED; // spent by another transaction, in the mempool or the chain
            }
        }
        return TxStatus.UNKNOWN;
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

    private List<Payment> paymentsOf(Transaction tx, Predicate<String> watched) {
        List<Payment> out = new ArrayList<>();
        String txid = tx.getTxId().toString();
        List<String> inputs = null;
        for (TransactionOutput o : tx.getOutputs()) {
            String address;
            try {
                Address a = o.getScriptPubKey().getToAddress(network, true);
                address = a.toString();
            } catch (ScriptException | IllegalArgumentException e) {
                continue; // OP_RETURN, bare multisig and other scripts without an address
            }
            if (watched.test(address) && o.getValue().value > 0) {
                if (inputs == null) {
                    inputs = new ArrayList<>();
                    for (TransactionInput in : tx.getInputs()) {
                        if (!tx.isCoinBase()) {
                            inputs.add(new DepositId(in.getOutpoint().hash().toString(), (int) in.getOutpoint().index()).toString());
                        }
                    }
                }
                out.add(new Payment(txid, o.getIndex(), address, asset, BigInteger.valueOf(o.getValue().value), inputs));
            }
        }
        return out;
    }
}
