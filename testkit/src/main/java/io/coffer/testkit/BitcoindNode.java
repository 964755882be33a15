package io.coffer.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A fresh {@code bitcoind -regtest} with its own data directory, RPC on a free 127.0.0.1 port, no P2P
 * listening socket, user/password auth, {@code txindex} on, and a wallet named {@code miner} for tests
 * to mine and pay from.
 */
public final class BitcoindNode extends DevNode {
    public static final String RPC_USER = "coffer";
    public static final String RPC_PASSWORD = "coffer-test";
    private int rpcPort;
    private int zmqPort;
    private JsonRpc rpc;
    private JsonRpc wallet;

    private BitcoindNode(Path dataDir) {
        super(dataDir);
    }

    /** Starts a node in {@code dataDir} (created if missing; an existing chain in it is kept). */
    public static BitcoindNode start(Path dataDir) {
        BitcoindNode node = new BitcoindNode(dataDir);
        node.startProcess();
        return node;
    }

    private void startProcess() {
        Path binary = Devnet.bitcoind();
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + dataDir, e);
        }
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int[] ports = Devnet.freePorts(2); // RPC and ZMQ must differ: two probes in a row can return the same port
            rpcPort = ports[0];
            zmqPort = ports[1];
            rpc = new JsonRpc(rpcUrl(), RPC_USER, RPC_PASSWORD);
            List<String> cmd = new ArrayList<>(List.of(binary.toString(), "-regtest", "-datadir=" + dataDir,
                    "-server", "-listen=0", "-rpcbind=127.0.0.1", "-rpcallowip=127.0.0.1", "-rpcport=" + rpcPort,
                    "-rpcuser=" + RPC_USER, "-rpcpassword=" + RPC_PASSWORD, "-fallbackfee=0.0002", "-txindex=1",
                    "-printtoconsole=0", "-rpcthreads=8", "-rpcworkqueue=64", "-dnsseed=0", "-fixedseeds=0",
                    "-zmqpubhashblock=" + zmqEndpoint(), "-zmqpubhashtx=" + zmqEndpoint()));
            if (refusesParasites(binary)) {
                cmd.add("-rejectparasites=0");
            }
            try {
                launch(cmd, dataDir.resolve("bitcoind.out"), "bitcoind -regtest", this::answers,
                        dataDir.resolve("regtest/debug.log"));
                ensureMinerWallet();
                return;
            } catch (IllegalStateException e) {
                last = e;
                if (!Devnet.tail(dataDir.resolve("regtest/debug.log"), 20).contains("Unable to bind")) {
                    throw e;
                }
            }
        }
        throw last;
    }

    /** Per binary: whether it has Bitcoin Knots' {@code -rejectparasites} (Bitcoin Core has not, and refuses to start with it). */
    private static final java.util.Map<Path, Boolean> PARASITE_FILTER = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Whether {@code binary} refuses "parasite" transactions by default (Bitcoin Knots' {@code -rejectparasites}): among them any
     * transaction whose nLockTime is 21, the mark of a CAT-21 mint. bitcoind's own wallet sets a payment's nLockTime to a recent
     * height for anti-fee-sniping, one time in ten up to 99 blocks back, so on a young regtest chain (height 21 to 120, where
     * every test starts) about one payment from the miner wallet in a thousand was refused as {@code parasite-cat21}, and the
     * wallet still answered with its id: a customer's payment that never reached the chain (seen in CI: a deposit to a new
     * tenant's first address never recorded).
     */
    static boolean refusesParasites(Path binary) {
        return PARASITE_FILTER.computeIfAbsent(binary, b -> {
            try {
                Process p = new ProcessBuilder(b.toString(), "-help").redirectErrorStream(true).start();
                String help = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                p.waitFor();
                return help.contains("-rejectparasites");
            } catch (IOException e) {
                return false; // starting it will say what is wrong
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
    }

    private boolean answers() {
        try {
            rpc.call("getblockchaininfo");
            return true;
        } catch (NodeRpcException e) {
            return false;
        }
    }

    private void ensureMinerWallet() {
        JsonNode loaded = rpc.call("listwallets");
        boolean has = false;
        for (JsonNode w : loaded) {
            has |= "miner".equals(w.asText());
        }
        if (!has) {
            try {
                rpc.call("loadwallet", "miner");
            } catch (NodeRpcException e) {
                rpc.call("createwallet", "miner");
            }
        }
        wallet = new JsonRpc(URI.create(rpcUrl() + "/wallet/miner"), RPC_USER, RPC_PASSWORD);
    }

    /** Restarts the process on the same data directory (the chain is kept), e.g. after {@link #kill()}. */
    public void restart() {
        close();
        startProcess();
    }

    public URI rpcUrl() {
        return URI.create("http://127.0.0.1:" + rpcPort);
    }

    /** bitcoind's ZMQ publisher of hashblock and hashtx notifications. */
    public java.net.URI zmqEndpoint() {
        return java.net.URI.create("tcp://127.0.0.1:" + zmqPort);
    }

    public int rpcPort() {
        return rpcPort;
    }

    /** Calls a node RPC (not wallet-scoped). */
    public JsonNode rpc(String method, Object... params) {
        return rpc.call(method, params);
    }

    /**
     * Calls an RPC on the {@code miner} wallet. A payment ({@code sendtoaddress}, {@code sendmany}) answers only once its
     * transaction is in the node's mempool: bitcoind's wallet answers with the id of a transaction its own mempool refused
     * (it keeps it to broadcast later, and logs why), which no block then carries and no watcher can ever see. Such a
     * transaction is abandoned, its coins left aside, and the payment made again with others; the refusal is printed. (The one
     * refusal seen, {@code parasite-cat21}, is now switched off where the node is started: {@link #refusesParasites}.)
     */
    public JsonNode minerWallet(String method, Object... params) {
        if (!method.equals("sendtoaddress") && !method.equals("sendmany")) {
            return wallet.call(method, params);
        }
        List<String> refusals = new ArrayList<>();
        for (int attempt = 0; attempt < 3; attempt++) {
            JsonNode txid = wallet.call(method, params);
            String refused = refusal(txid.asText());
            if (refused == null) {
                return txid;
            }
            refusals.add(txid.asText() + ": " + refused);
            System.err.println("bitcoind: the miner wallet's " + method + " made " + txid.asText() + ", which its mempool refused ("
                    + refused + "); abandoned, paying again with other coins");
            String hex = wallet.call("gettransaction", txid.asText()).get("hex").asText();
            JsonNode inputs = rpc.call("decoderawtransaction", hex).get("vin");
            List<java.util.Map<String, Object>> locked = new ArrayList<>();
            for (JsonNode in : inputs) {
                locked.add(java.util.Map.of("txid", in.get("txid").asText(), "vout", in.get("vout").asInt()));
            }
            wallet.call("abandontransaction", txid.asText());
            wallet.call("lockunspent", false, locked);
        }
        throw new IllegalStateException("bitcoind: the miner wallet could not get a " + method + " into its mempool: " + refusals);
    }

    /** Why the mempool does not hold wallet transaction {@code txid}, or null when it does (or a block already does). */
    private String refusal(String txid) {
        try {
            rpc.call("getmempoolentry", txid);
            return null;
        } catch (NodeRpcException e) {
            JsonNode tx = wallet.call("gettransaction", txid);
            if (tx.path("confirmations").asLong(0) > 0) {
                return null;
            }
            JsonNode tested = rpc.call("testmempoolaccept", List.of(tx.get("hex").asText())).get(0);
            return tested.path("allowed").asBoolean(false) ? "not in the mempool, though it would be accepted now"
                    : tested.path("reject-reason").asText("?") + " " + tested.path("reject-details").asText("");
        }
    }

    /**
     * Mines {@code blocks} blocks to the miner wallet; returns their hashes. Each call pays a fresh
     * address: after {@code invalidateblock}, re-mining the same transactions to the same address in the
     * same second would rebuild the very block just invalidated, which the node rejects.
     */
    public List<String> mine(int blocks) {
        List<String> hashes = new ArrayList<>();
        String to = wallet.call("getnewaddress", "mining", "bech32").asText();
        rpc.call("generatetoaddress", blocks, to).forEach(h -> hashes.add(h.asText()));
        return hashes;
    }

    public long height() {
        return rpc.call("getblockcount").asLong();
    }

    /**
     * Mines, in one new block on the current tip, a transaction of the miner wallet that spends the inputs of wallet
     * transaction {@code txid} back to itself: {@code txid} (a customer's payment) can then never be mined on this branch.
     * The block is built with {@code generateblock}, so the conflict needs no mempool replacement rules.
     */
    public void doubleSpendInABlock(String txid) {
        JsonNode tx = rpc.call("getrawtransaction", txid, true);
        List<java.util.Map<String, Object>> inputs = new ArrayList<>();
        java.math.BigDecimal total = java.math.BigDecimal.ZERO;
        for (JsonNode in : tx.get("vin")) {
            inputs.add(java.util.Map.of("txid", in.get("txid").asText(), "vout", in.get("vout").asInt()));
            JsonNode prev = rpc.call("getrawtransaction", in.get("txid").asText(), true);
            total = total.add(new java.math.BigDecimal(prev.get("vout").get(in.get("vout").asInt()).get("value").asText()));
        }
        String back = wallet.call("getnewaddress", "double-spend", "bech32").asText();
        String raw = wallet.call("createrawtransaction", inputs, java.util.Map.of(back, total.subtract(new java.math.BigDecimal("0.0001"))))
                .asText();
        String signed = wallet.call("signrawtransactionwithwallet", raw).get("hex").asText();
        rpc.call("generateblock", wallet.call("getnewaddress", "mining", "bech32").asText(), List.of(signed));
    }

    /** The hash of the block holding transaction {@code txid} on the best chain. */
    public String blockOf(String txid) {
        return rpc.call("getrawtransaction", txid, true).get("blockhash").asText();
    }

    public String bestBlockHash() {
        return rpc.call("getbestblockhash").asText();
    }

    @Override
    protected void requestStop() {
        rpc.call("stop");
    }
}
