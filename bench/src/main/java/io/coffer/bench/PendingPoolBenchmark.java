package io.coffer.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.coffer.chain.evm.EvmChainSource;
import io.coffer.chain.evm.EvmRpcClient;
import io.coffer.core.chain.Payment;
import io.coffer.core.chain.WatchList;
import io.coffer.core.config.EvmChainConfig;
import io.coffer.testkit.AnvilNode;
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
 * The EVM follower's look at the pending pool when the pool is busy with other people's transactions: a poll of a source fed
 * by the node's announcements (fetching what arrived since the last poll and what pays the wallet) against a poll of one
 * reading the pool whole ({@code txpool_content}, what every poll did before, and still does without a WebSocket endpoint).
 * anvil mines nothing meanwhile; its pool is filled with strangers' transfers first, then each round adds 20 more and one
 * paying the wallet (a busy chain's second) and polls both sources, in alternating order. The announced source must find
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
        Path work = Files.createTempDirectory("coffer-bench-pool-");
        try (AnvilNode anvil = AnvilNode.start(work.resolve("anvil"))) {
            anvil.setAutomine(false);
            EvmChainConfig config = new EvmChainConfig("ethereum", AnvilNode.CHAIN_ID, anvil.rpcUrl(), 1, 4, Duration.ofSeconds(1), "ETH",
                    18, true, List.of());
            EvmChainSource whole = new EvmChainSource(new EvmRpcClient(config), config);
            EvmChainSource announced = new EvmChainSource(new EvmRpcClient(config), config);
            WatchList watched = new WatchList() {
                @Override
                public boolean watches(String address) {
                    return OURS.equalsIgnoreCase(address);
                }

                @Override
                public boolean watchesKey(byte[] key) {
                    return false;
                }
            };
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
                    long[] times = new long[2];
                    List<Set<String>> found = new ArrayList<>(List.of(Set.of(), Set.of()));
                    for (int side : r % 2 == 0 ? new int[] {0, 1} : new int[] {1, 0}) {
                        EvmChainSource s = side == 0 ? whole : announced;
                        long a = System.nanoTime();
                        List<Payment> ps = s.mempool(watched);
                        times[side] = System.nanoTime() - a;
                        found.set(side, ps.stream().map(Payment::txid).collect(Collectors.toSet()));
                    }
                    if (!found.get(0).containsAll(found.get(1))) {
                        throw new IllegalStateException("round " + r + ": payments from announcements that the pool does not hold");
                    }
                    if (r >= warm) {
                        wholeNanos.add(times[0]);
                        announcedNanos.add(times[1]);
                    }
                }
                Thread.sleep(1_000);
                Set<String> all = whole.mempool(watched).stream().map(Payment::txid).collect(Collectors.toSet());
                Set<String> fromAnnouncements = announced.mempool(watched).stream().map(Payment::txid).collect(Collectors.toSet());
                if (!all.equals(fromAnnouncements) || all.size() != warm + rounds) {
                    throw new IllegalStateException("the sources disagree: " + all.size() + " payments in the pool read whole, "
                            + fromAnnouncements.size() + " from announcements, " + (warm + rounds) + " sent");
                }
                JsonNode status = anvil.rpc("txpool_status");
                long pool = Long.decode(status.path("pending").asText());
                double w = median(wholeNanos) / 1e3;
                double a = median(announcedNanos) / 1e3;
                System.out.printf(Locale.ROOT, "pending pool of %d transactions (%d strangers' at the start, %d refused), %d rounds of 21 new:"
                        + " a poll reading it whole %.0f us, a poll from announcements %.0f us (medians)%n", pool, sent, refused, rounds, w, a);
                return List.of(Figure.time("pool", "EVM pending payments from the node's announcements (fetched by hash), pool of " + pool
                        + " others' transactions, 21 new a poll, median of " + rounds, a, "us/poll",
                        "the pool read whole (txpool_content), as without announcements", w, ">= 1, flat in the pool's size"));
            }
        }
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
