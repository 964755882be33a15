package io.coffer.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.coffer.chain.bitcoin.BitcoinAddresses;
import io.coffer.chain.bitcoin.BitcoinChainSource;
import org.bitcoinj.base.BitcoinNetwork;
import io.coffer.chain.bitcoin.BitcoinRpcClient;
import io.coffer.chain.evm.EvmChainSource;
import io.coffer.chain.evm.EvmRpcClient;
import io.coffer.core.chain.Payment;
import io.coffer.core.chain.WatchList;
import io.coffer.core.config.EvmChainConfig;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.BitcoindNode;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The followers' look at the pending pool when it is busy with other people's transactions: a poll of a source fed by the
 * node's announcements (fetching what arrived since the last poll and asking about what pays the wallet) against a poll of
 * one reading the pool whole (what every poll did before, and still does without announcements): on anvil
 * ({@code newPendingTransactions} against {@code txpool_content}) and on bitcoind (ZMQ {@code hashtx} against
 * {@code getrawmempool}, the whole side keeping the transactions it parsed as before). Nothing is mined meanwhile; the pool
 * is filled with strangers' payments first, then each round adds 20 more and one paying the wallet (a busy chain's second)
 * and polls both sources, in alternating order. The announced source must find
 * nothing the whole read does not (an announcement still on its way is found at the next poll), and after the rounds, once
 * the announcements are in, the same payments. The figure is the median poll time of each.
 *
 * <pre>scripts/bench pool [strangers in the pool, default 2000] [rounds, default 30]</pre>
 */
public final class PendingPoolBenchmark {
    private static final String OURS = "0x00000000000000000000000000000000000B0b0B";

    private PendingPoolBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        System.out.print(Figure.table(measure(args.length > 0 ? Integer.parseInt(args[0]) : 2_000,
                args.length > 1 ? Integer.parseInt(args[1]) : 30)));
    }

    static List<Figure> measure(int strangers, int rounds) throws Exception {
        List<Figure> out = new ArrayList<>(evm(strangers, rounds));
        out.addAll(bitcoin(strangers, rounds));
        return out;
    }

    /** A poll of each of two sources, in alternating order; the median times, after checking they agree. */
    private interface Source {
        List<Payment> poll();
    }

    /** Nanoseconds of each side's poll this round (in {@code order}), checking the announced side finds nothing the whole does not. */
    private static long[] pollBoth(int round, Source whole, Source announced) {
        long[] times = new long[2];
        List<Set<String>> found = new ArrayList<>(List.of(Set.of(), Set.of()));
        for (int side : round % 2 == 0 ? new int[] {0, 1} : new int[] {1, 0}) {
            Source s = side == 0 ? whole : announced;
            long a = System.nanoTime();
            List<Payment> ps = s.poll();
            times[side] = System.nanoTime() - a;
            found.set(side, ps.stream().map(Payment::txid).collect(Collectors.toSet()));
        }
        if (!found.get(0).containsAll(found.get(1))) {
            throw new IllegalStateException("round " + round + ": payments from announcements that the pool does not hold");
        }
        return times;
    }

    /** After the rounds, once every announcement is in: both sides find the {@code expected} payments. */
    private static void agree(Source whole, Source announced, int expected) throws InterruptedException {
        Thread.sleep(1_000);
        Set<String> all = whole.poll().stream().map(Payment::txid).collect(Collectors.toSet());
        Set<String> fromAnnouncements = announced.poll().stream().map(Payment::txid).collect(Collectors.toSet());
        if (!all.equals(fromAnnouncements) || all.size() != expected) {
            throw new IllegalStateException("the sources disagree: " + all.size() + " payments in the pool read whole, "
                    + fromAnnouncements.size() + " from announcements, " + expected + " sent");
        }
    }

    /** bitcoind's mempool filled with the miner wallet's payments to itself; ZMQ hashtx against getrawmempool. */
    static List<Figure> bitcoin(int strangers, int rounds) throws Exception {
        Path work = Files.createTempDirectory("coffer-bench-pool-");
        try (BitcoindNode node = BitcoindNode.start(work.resolve("bitcoind"))) {
            node.mine(200);
            String ours = node.minerWallet("getnewaddress", "ours", "bech32").asText();
            byte[] oursKey = BitcoinAddresses.p2wpkh(BitcoinNetwork.REGTEST).key(ours);
            WatchList watched = watching(ours::equals, key -> java.util.Arrays.equals(oursKey, key));
            java.util.function.Supplier<BitcoinChainSource> source = () -> new BitcoinChainSource(new BitcoinRpcClient("bitcoin",
                    node.rpcUrl(), BitcoindNode.RPC_USER, BitcoindNode.RPC_PASSWORD, null, Duration.ofSeconds(60)), BitcoinNetwork.REGTEST);
            BitcoinChainSource whole = source.get();
            BitcoinChainSource announced = source.get();
            List<String> strangersTo = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                strangersTo.add(node.minerWallet("getnewaddress", "stranger", "bech32").asText());
            }
            // Confirmed coins enough for every payment below, each spent by a transaction of its own made without the wallet's
            // coin selection (which failed past 500 unconfirmed sends of its own: "map::at").
            int coins = strangers + 21 * (10 + rounds) + 100;
            for (int made = 0; made < coins; made += 500) {
                java.util.Map<String, String> outs = new java.util.LinkedHashMap<>();
                for (int i = 0; i < 500; i++) {
                    outs.put(node.minerWallet("getnewaddress", "coin", "bech32").asText(), "0.01");
                }
                node.minerWallet("sendmany", "", outs);
            }
            node.mine(1);
            java.util.ArrayDeque<JsonNode> unspent = new java.util.ArrayDeque<>();
            node.minerWallet("listunspent", 1).forEach(u -> {
                if (u.path("amount").asDouble() == 0.01) {
                    unspent.add(u);
                }
            });
            for (int i = 0; i < strangers; i++) {
                pay(node, unspent, strangersTo.get(i % strangersTo.size()));
            }
            try (AutoCloseable listening = announced.listen(node.zmqEndpoint(), () -> { })) {
                long t0 = System.nanoTime();
                while (!announced.announcing()) {
                    if (System.nanoTime() - t0 > 30_000_000_000L) {
                        throw new IllegalStateException("no ZMQ handshake with bitcoind");
                    }
                    Thread.sleep(20);
                }
                whole.mempool(watched); // the whole side's cache of parsed transactions, as a node running keeps it
                List<Long> wholeNanos = new ArrayList<>();
                List<Long> announcedNanos = new ArrayList<>();
                int warm = 10;
                for (int r = 0; r < warm + rounds; r++) {
                    for (int k = 0; k < 20; k++) {
                        pay(node, unspent, strangersTo.get(k));
                    }
                    pay(node, unspent, ours);
                    Thread.sleep(50); // as for the EVM side
                    long[] times = pollBoth(r, () -> whole.mempool(watched), () -> announced.mempool(watched));
                    if (r >= warm) {
                        wholeNanos.add(times[0]);
                        announcedNanos.add(times[1]);
                    }
                }
                agree(() -> whole.mempool(watched), () -> announced.mempool(watched), warm + rounds);
                long pool = node.rpc("getmempoolinfo").path("size").asLong();
                double w = median(wholeNanos) / 1e3;
                double a = median(announcedNanos) / 1e3;
                System.out.printf(Locale.ROOT, "bitcoind mempool of %d transactions, %d rounds of 21 new: a poll listing it (getrawmempool,"
                        + " new ones fetched) %.0f us, a poll from hashtx %.0f us (medians)%n", pool, rounds, w, a);
                return List.of(Figure.time("pool", "Bitcoin pending payments from ZMQ hashtx, mempool of " + pool
                        + " others' transactions, 21 new a poll, median of " + rounds, a, "us/poll",
                        "the mempool listed (getrawmempool, new transactions fetched)", w, ">= 1, flat in the mempool's size"));
            }
        }
    }

    /** anvil's pool filled with its dev accounts' transfers to strangers; newPendingTransactions against txpool_content. */
    static List<Figure> evm(int strangers, int rounds) throws Exception {
        Path work = Files.createTempDirectory("coffer-bench-pool-");
        try (AnvilNode anvil = AnvilNode.start(work.resolve("anvil"))) {
            anvil.setAutomine(false);
            EvmChainConfig config = new EvmChainConfig("ethereum", AnvilNode.CHAIN_ID, anvil.rpcUrl(), 1, 4, Duration.ofSeconds(1), "ETH",
                    18, true, List.of());
            EvmChainSource whole = new EvmChainSource(new EvmRpcClient(config), config);
            EvmChainSource announced = new EvmChainSource(new EvmRpcClient(config), config);
            WatchList watched = watching(OURS::equalsIgnoreCase, key -> false);
            List<String> senders = new ArrayList<>();
            anvil.rpc("eth_accounts").forEach(a -> senders.add(a.asText()));
            int sent = 0;
            int refused = 0;
            for (int i = 0; sent < strangers && refused < strangers; i++) {
                if (send(anvil, senders.get(i % senders.size()), String.format("0x%040x", 0xdead0000L + i))) {
                    sent++;
                } else {
                    refused++;
                }
            }
            try (AutoCloseable listening = announced.listen(URI.create("ws://" + anvil.rpcUrl().getAuthority()), () -> { })) {
                long t0 = System.nanoTime();
                while (!announced.announcing()) {
                    if (System.nanoTime() - t0 > 30_000_000_000L) {
                        throw new IllegalStateException("anvil did not accept the pending-transactions subscription");
                    }
                    Thread.sleep(20);
                }
                List<Long> wholeNanos = new ArrayList<>();
                List<Long> announcedNanos = new ArrayList<>();
                int warm = 10;
                int next = sent;
                for (int r = 0; r < warm + rounds; r++) {
                    for (int k = 0; k < 20; k++, next++) {
                        send(anvil, senders.get(next % senders.size()), String.format("0x%040x", 0xdead0000L + next));
                    }
                    send(anvil, senders.get(r % senders.size()), OURS);
                    Thread.sleep(50); // a chain's second is longer: most announcements are in by the poll, the rest by the next
                    long[] times = pollBoth(r, () -> whole.mempool(watched), () -> announced.mempool(watched));
                    if (r >= warm) {
                        wholeNanos.add(times[0]);
                        announcedNanos.add(times[1]);
                    }
                }
                agree(() -> whole.mempool(watched), () -> announced.mempool(watched), warm + rounds);
                JsonNode status = anvil.rpc("txpool_status");
                long pool = Long.decode(status.path("pending").asText());
                double w = median(wholeNanos) / 1e3;
                double a = median(announcedNanos) / 1e3;
                System.out.printf(Locale.ROOT, "anvil's pending pool of %d transactions (%d strangers' at the start, %d refused), %d rounds of 21 new:"
                        + " a poll reading it whole %.0f us, a poll from announcements %.0f us (medians)%n", pool, sent, refused, rounds, w, a);
                return List.of(Figure.time("pool", "EVM pending payments from the node's announcements (fetched by hash), pool of " + pool
                        + " others' transactions, 21 new a poll, median of " + rounds, a, "us/poll",
                        "the pool read whole (txpool_content), as without announcements", w, ">= 1, flat in the pool's size"));
            }
        }
    }

    /** The wallet's one address, by its text (an EVM node's JSON) and by its key (a Bitcoin output script). */
    private static WatchList watching(java.util.function.Predicate<String> text, java.util.function.Predicate<byte[]> key) {
        return new WatchList() {
            @Override
            public boolean watches(String address) {
                return text.test(address);
            }

            @Override
            public boolean watchesKey(byte[] k) {
                return key.test(k);
            }
        };
    }

    /** Pays 0.009 BTC to {@code to} from one of the {@code unspent} 0.01 BTC coins (the rest is the fee). */
    private static void pay(BitcoindNode node, java.util.ArrayDeque<JsonNode> unspent, String to) {
        JsonNode coin = unspent.remove();
        String raw = node.rpc("createrawtransaction", List.of(Map.of("txid", coin.path("txid").asText(), "vout", coin.path("vout").asInt())),
                Map.of(to, "0.009")).asText();
        String signed = node.minerWallet("signrawtransactionwithwallet", raw).path("hex").asText();
        node.rpc("sendrawtransaction", signed);
    }

    private static boolean send(AnvilNode anvil, String from, String to) {
        try {
            anvil.rpc("eth_sendTransaction", Map.of("from", from, "to", to, "value", "0x1", "gas", "0x5208"));
            return true;
        } catch (RuntimeException refused) {
            return false; // anvil's pool is full for this sender
        }
    }

    private static double median(List<Long> xs) {
        List<Long> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }
}
