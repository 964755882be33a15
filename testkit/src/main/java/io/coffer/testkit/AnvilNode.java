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
            rpc = new JsonRpc(rpcUrl(), null, null);
            try {
                launch(List.of(binary.toString(), "--host", "127.0.0.1", "--port", Integer.toString(port),
                                "--chain-id", Long.toString(CHAIN_ID)),
                        dataDir.resolve("anvil.log"), "anvil", this::answers, null);
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
