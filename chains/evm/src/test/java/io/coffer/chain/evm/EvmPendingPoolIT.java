package io.coffer.chain.evm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.core.chain.Payment;
import io.coffer.core.chain.WatchList;
import io.coffer.core.config.EvmChainConfig;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.WithDevnet;
import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Pending payments on a real anvil from its announcements: the pool is read whole once, then each poll fetches only what was
 * announced and what pays the wallet; a dropped and a mined transaction leave; a node restart (announcements lost) makes the
 * next poll read the pool whole again.
 */
@WithDevnet
class EvmPendingPoolIT {
    private static final String OURS = EvmChainSource.checksummed("0x00000000000000000000000000000000000b0b0b");

    private static final WatchList WATCHED = new WatchList() {
        @Override
        public boolean watches(String address) {
            return OURS.equals(address);
        }

        @Override
        public boolean watchesKey(byte[] key) {
            return false;
        }
    };

    /** Polls the source until {@code done} holds for the pending payments (30 s at most); the last payments. */
    private static List<Payment> pollUntil(EvmChainSource source, Predicate<List<Payment>> done, String what) throws InterruptedException {
        long t0 = System.nanoTime();
        while (true) {
            List<Payment> now = source.mempool(WATCHED);
            if (done.test(now)) {
                return now;
            }
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(30), what + ": " + now);
            Thread.sleep(20);
        }
    }

    private static boolean has(List<Payment> ps, String hash) {
        return ps.stream().anyMatch(p -> p.txid().equals(hash));
    }

    @Test
    void pendingPaymentsComeFromAnnouncementsWithoutReadingThePoolWhole(AnvilNode anvil) throws Exception {
        EvmChainConfig config = new EvmChainConfig("ethereum", AnvilNode.CHAIN_ID, anvil.rpcUrl(), 1, 4, Duration.ofSeconds(1), "ETH",
                18, true, List.of());
        EvmChainSource source = new EvmChainSource(new EvmRpcClient(config), config);
        io.coffer.core.chain.AnnouncedPool pool = source.pendingPool();
        anvil.setAutomine(false);
        try (EvmHeadsListener listener = new EvmHeadsListener("ethereum", URI.create("ws://" + anvil.rpcUrl().getAuthority()), () -> { },
                pool)) {
            String before = anvil.send(OURS, BigInteger.valueOf(7)); // in the pool before anything is announced
            long t0 = System.nanoTime();
            while (!pool.live()) {
                assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(30), "subscribed to pending transactions");
                Thread.sleep(20);
            }
            List<Payment> first = source.mempool(WATCHED);
            assertTrue(has(first, before), "the first poll reads what entered before: " + first);
            assertEquals(1, pool.wholeReads());

            for (int i = 0; i < 50; i++) {
                anvil.send(EvmChainSource.checksummed(String.format("0x%040x", 0xdead0000L + i)), BigInteger.ONE); // strangers
            }
            String ours = anvil.send(OURS, BigInteger.valueOf(11));
            List<Payment> found = pollUntil(source, ps -> has(ps, ours), "the announced payment is found");
            assertEquals(2, found.size(), "only what pays the wallet: " + found);
            Payment p = found.stream().filter(x -> x.txid().equals(ours)).findFirst().orElseThrow();
            assertEquals(OURS, p.address());
            assertEquals(BigInteger.valueOf(11), p.amount());

            anvil.rpc("anvil_dropTransaction", ours);
            pollUntil(source, ps -> !has(ps, ours) && has(ps, before), "a dropped transaction leaves");
            anvil.mine(1);
            pollUntil(source, List::isEmpty, "a mined one leaves (its block tells the rest)");
            assertEquals(1, pool.wholeReads(), "the pool was read whole once, at the start");

            anvil.restart(); // announcements lost while it is away: the pool is read whole when they are back
            anvil.setAutomine(false);
            t0 = System.nanoTime();
            while (!pool.live()) {
                assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(60), "announcements back after the node's restart");
                Thread.sleep(50);
            }
            long reads = pool.wholeReads();
            source.mempool(WATCHED);
            assertEquals(reads + 1, pool.wholeReads(), "what came while they were lost: read whole once");
            String after = anvil.send(OURS, BigInteger.valueOf(13));
            pollUntil(source, ps -> has(ps, after), "found from announcements after the restart");
            assertEquals(reads + 1, pool.wholeReads());
        } finally {
            anvil.setAutomine(true);
            anvil.mine(1);
        }
    }
}
