package io.coffer.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A fresh {@code anvil} EVM dev node on a free 127.0.0.1 port, chain id 31337, with anvil's ten
 * well-known funded dev accounts (mnemonic "test test ... junk"), mining a block per transaction.
 */
public final class AnvilNode extends DevNode {
    public static final long CHAIN_ID = 31337;
    private int port;
    private JsonRpc rpc;
    /** Anvil mines a block per transaction until told otherwise. */
    private volatile boolean automine = true;

    private AnvilNode(Path dataDir) {
        super(dataDir);
    }

    public static AnvilNode start(Path dataDir) {
        AnvilNode node = new AnvilNode(dataDir);
        node.startProcess();
        return node;
    }

    private void startProcess() {
        Path binary = Devnet.anvil();
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + dataDir, e);
        }
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            port = Devnet.freePort();
            try {
                launchOnPort(binary);
                return;
            } catch (IllegalStateException e) {
                last = e;
                if (!Devnet.tail(dataDir.resolve("anvil.log"), 20).contains("in use")) {
                    throw e;
                }
            }
        }
        throw last;
    }

    private void launchOnPort(Path binary) {
        rpc = new JsonRpc(rpcUrl(), null, null);
        launch(List.of(binary.toString(), "--host", "127.0.0.1", "--port", Integer.toString(port), "--chain-id", Long.toString(CHAIN_ID)),
                dataDir.resolve("anvil.log"), "anvil", this::answers, null);
    }

    /** Stops anvil (if it runs) and starts it again on the same port: a node that went away and came back (with a new chain). */
    public void restart() {
        close();
        launchOnPort(Devnet.anvil());
    }

    private boolean answers() {
        try {
            rpc.call("eth_chainId");
            return true;
        } catch (NodeRpcException e) {
            return false;
        }
    }

    public URI rpcUrl() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public JsonNode rpc(String method, Object... params) {
        return rpc.call(method, params);
    }

    /** Anvil's first well-known dev account (funded with 10000 ETH, unlocked for eth_sendTransaction). */
    public static final String DEV_ACCOUNT = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

    /** Whether every transaction is mined at once (anvil's default) or waits in the pool for {@link #mine}. */
    public void setAutomine(boolean on) {
        rpc.call("evm_setAutomine", on);
        automine = on;
    }

    /**
     * Sends {@code wei} from the dev account to {@code to}; returns the transaction hash. With automine on, returns once
     * the transaction's block can be read (anvil answers the send before that), so what follows sees its effect.
     */
    public String send(String to, BigInteger wei) {
        return mined(rpc.call("eth_sendTransaction", java.util.Map.of("from", DEV_ACCOUNT, "to", to, "value", "0x" + wei.toString(16))).asText());
    }

    /** Sends a contract call (or creation when {@code to} is null) from the dev account; returns the hash; as {@link #send}. */
    public String transact(String to, String data) {
        java.util.Map<String, Object> tx = new java.util.HashMap<>(java.util.Map.of("from", DEV_ACCOUNT, "data", data, "gas", "0x2dc6c0"));
        if (to != null) {
            tx.put("to", to);
        }
        return mined(rpc.call("eth_sendTransaction", tx).asText());
    }

    /** Sends signed transaction bytes; returns the hash; as {@link #send}. */
    public String sendRaw(byte[] signed) {
        return mined(rpc.call("eth_sendRawTransaction", "0x" + java.util.HexFormat.of().formatHex(signed)).asText());
    }

    private String mined(String txHash) {
        if (automine) {
            receipt(txHash);
        }
        return txHash;
    }

    /** The receipt of a mined transaction, or null at once when it is not mined (yet). */
    public JsonNode receiptIfMined(String txHash) {
        JsonNode r = rpc.call("eth_getTransactionReceipt", txHash);
        return r == null || r.isNull() ? null : r;
    }

    /**
     * The receipt of a transaction, waiting up to 30 s for it to be mined and readable (anvil's automine answers the send
     * before the block can be read; on a busy machine the gap is visible).
     */
    public JsonNode receipt(String txHash) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        JsonNode r;
        while ((r = receiptIfMined(txHash)) == null) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("transaction " + txHash + " not mined within 30 s");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return r;
    }

    /**
     * Replaces the last {@code depth} blocks by new ones holding the same transactions (re-mined at other
     * heights and hashes), then mines one more block: a reorg in which nothing is lost.
     */
    public void reorgKeepingTransactions(int depth) {
        long tip = blockNumber();
        java.util.List<java.util.List<Object>> txs = new java.util.ArrayList<>();
        for (int i = 0; i < depth; i++) {
            JsonNode block = rpc.call("eth_getBlockByNumber", "0x" + Long.toHexString(tip - depth + 1 + i), false);
            for (JsonNode hash : block.get("transactions")) {
                txs.add(java.util.List.of(rpc.call("eth_getRawTransactionByHash", hash.asText()).asText(), Math.min(depth - 1, i + 1)));
            }
        }
        rpc.call("anvil_reorg", depth, txs);
        mine(1);
    }

    /**
     * Replaces the blocks from {@code height} to the tip by as many new ones, the last of which holds the signed transaction
     * {@code raw} (a reorg that puts that transaction, or one conflicting with what was there, in place of the old branch).
     */
    public void replaceBlocksFrom(long height, byte[] raw) {
        replaceBlocks(height, java.util.List.of(BranchTx.raw(raw, (int) (blockNumber() - height))));
    }

    /**
     * One transaction of a replacement branch and the index of its block in the branch (0 = the first replaced height). Within a
     * block, transactions keep the order given.
     */
    public record BranchTx(Object tx, int block) {
        /** Signed transaction bytes. */
        public static BranchTx raw(byte[] signed, int block) {
            return new BranchTx("0x" + java.util.HexFormat.of().formatHex(signed), block);
        }

        /** A contract call from the dev account (anvil signs it). */
        public static BranchTx call(String to, String data, int block) {
            return new BranchTx(java.util.Map.of("from", DEV_ACCOUNT, "to", to, "data", data, "gas", "0x2dc6c0"), block);
        }
    }

    /** Replaces the blocks from {@code height} to the tip by as many new ones holding {@code txs}. */
    public void replaceBlocks(long height, java.util.List<BranchTx> txs) {
        int depth = (int) (blockNumber() - height + 1);
        java.util.List<java.util.List<Object>> branch = new java.util.ArrayList<>();
        for (BranchTx t : txs) {
            if (t.block() < 0 || t.block() >= depth) {
                throw new IllegalArgumentException("block " + t.block() + " is outside a branch of " + depth);
            }
            branch.add(java.util.List.of(t.tx(), t.block()));
        }
        rpc.call("anvil_reorg", depth, branch);
    }

    /** The height of the block holding {@code txHash} (waiting for it to be readable, as {@link #receipt}). */
    public long heightOf(String txHash) {
        return Long.decode(receipt(txHash).get("blockNumber").asText());
    }

    /** Mines {@code blocks} empty blocks. */
    public void mine(int blocks) {
        rpc.call("anvil_mine", "0x" + Integer.toHexString(blocks));
    }

    public long blockNumber() {
        return new BigInteger(rpc.call("eth_blockNumber").asText().substring(2), 16).longValue();
    }

    @Override
    protected void requestStop() {
        process.destroy();
    }
}
