package io.coffer.chain.bitcoin;

import com.fasterxml.jackson.databind.JsonNode;
import io.coffer.core.chain.BlockHeader;
import io.coffer.core.chain.BroadcastResult;
import io.coffer.core.chain.ChainSource;
import io.coffer.core.chain.Payment;
import io.coffer.core.chain.TxStatus;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
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
 * stays there), and conflict detection by asking {@code gettxout} about a vanished transaction's inputs.
 */
public final class BitcoinChainSource implements ChainSource {
    private final BitcoinRpcClient rpc;
    private final String chain;
    private final Network network;
    private final String asset;
    /** Mempool transactions seen: their payments to watched addresses (often none) and their inputs. */
    private final Map<String, Seen> mempoolCache = new ConcurrentHashMap<>();
    /** Inputs of transactions that paid us from the mempool, kept after they leave it, to tell "dropped" from "double-spent". */
    private final Map<String, List<String[]>> inputsOfPending = java.util.Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, List<String[]>> eldest) {
            return size() > 100_000;
        }
    });

    private record Seen(List<Payment> payments, List<String[]> inputs) {
    }

    public BitcoinChainSource(BitcoinRpcClient rpc, Network network) {
        this.rpc = rpc;
        this.chain = rpc.chainName();
        this.network = network;
        this.asset = chain + "/BTC";
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
        String hash;
        try {
            hash = rpc.call("getblockhash", height).asText();
        } catch (BitcoinRpcException e) {
            if (e.rpcCode() == -8) {
                return null; // "Block height out of range": above the tip
            }
            throw e;
        }
        JsonNode h = rpc.call("getblockheader", hash, true);
        return new BlockHeader(h.path("height").asLong(), hash, h.path("previousblockhash").asText(""));
    }

    @Override
    public List<Payment> payments(BlockHeader header, Predicate<String> watched) {
        byte[] raw = HexFormat.of().parseHex(rpc.call("getblock", header.hash(), 0).asText());
        Block block = Block.read(ByteBuffer.wrap(raw));
        List<Payment> out = new ArrayList<>();
        for (Transaction tx : block.getTransactions()) {
            out.addAll(paymentsOf(tx, watched));
        }
        return out;
    }

    @Override
    public List<Payment> mempool(Predicate<String> watched) {
        Set<String> now = new HashSet<>();
        rpc.call("getrawmempool").forEach(t -> now.add(t.asText()));
        mempoolCache.keySet().retainAll(now);
        List<Payment> out = new ArrayList<>();
        for (String txid : now) {
            Seen seen = mempoolCache.get(txid);
            if (seen == null) {
                Transaction tx;
                try {
                    tx = Transaction.read(ByteBuffer.wrap(HexFormat.of().parseHex(rpc.call("getrawtransaction", txid).asText())));
                } catch (BitcoinRpcException e) {
                    continue; // left the mempool between the two calls
                }
                List<String[]> inputs = new ArrayList<>();
                for (TransactionInput in : tx.getInputs()) {
                    inputs.add(new String[] {in.getOutpoint().hash().toString(), Long.toString(in.getOutpoint().index())});
                }
                seen = new Seen(paymentsOf(tx, watched), inputs);
                mempoolCache.put(txid, seen);
                if (!seen.payments().isEmpty()) {
                    inputsOfPending.put(txid, inputs);
                }
            }
            out.addAll(seen.payments());
        }
        return out;
    }

    @Override
    public TxStatus txStatus(String txid) {
        try {
            JsonNode tx = rpc.call("getrawtransaction", txid, true);
            if (tx.path("confirmations").asLong(0) > 0) {
                long tip = tipHeight();
                return TxStatus.inBlock(tip - tx.path("confirmations").asLong() + 1);
            }
            return TxStatus.IN_MEMPOOL;
        } catch (BitcoinRpcException e) {
            if (e.rpcCode() != -5) {
                throw e;
            }
        }
        List<String[]> inputs = inputsOfPending.get(txid);
        if (inputs == null) {
            return TxStatus.UNKNOWN;
        }
        return anySpent(inputs) ? TxStatus.CONFLICTED : TxStatus.UNKNOWN;
    }

    /** Remembers the inputs of a transaction of ours, so that a conflict with it can be recognised. */
    public void rememberInputs(String txid, List<String[]> inputs) {
        inputsOfPending.put(txid, inputs);
    }

    private boolean anySpent(List<String[]> inputs) {
        for (String[] in : inputs) {
            JsonNode out = rpc.call("gettxout", in[0], Integer.parseInt(in[1]), true);
            if (out == null || out.isNull()) {
                return true; // spent by another transaction, in the mempool or the chain
            }
        }
        return false;
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
        for (TransactionOutput o : tx.getOutputs()) {
            String address;
            try {
                Address a = o.getScriptPubKey().getToAddress(network, true);
                address = a.toString();
            } catch (ScriptException | IllegalArgumentException e) {
                continue; // OP_RETURN, bare multisig and other scripts without an address
            }
            if (watched.test(address) && o.getValue().value > 0) {
                out.add(new Payment(txid, o.getIndex(), address, asset, BigInteger.valueOf(o.getValue().value)));
            }
        }
        return out;
    }
}
