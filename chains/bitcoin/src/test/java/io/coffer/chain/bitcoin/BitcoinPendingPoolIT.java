package io.coffer.chain.bitcoin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.core.chain.Payment;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.WithDevnet;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pending payments on a real bitcoind from its ZMQ {@code hashtx} announcements: the mempool is listed whole once, then each
 * poll fetches only what was announced and asks about what pays the wallet; a mined payment leaves.
 */
@WithDevnet
class BitcoinPendingPoolIT {
    @TempDir
    Path dir;

    private static Set<String> poll(BitcoinTestWallet wallet) {
        return wallet.source.mempool(wallet.book).stream().map(Payment::txid).collect(Collectors.toSet());
    }

    private static Set<String> pollUntil(BitcoinTestWallet wallet, Predicate<Set<String>> done, String what) throws InterruptedException {
        long t0 = System.nanoTime();
        while (true) {
            Set<String> now = poll(wallet);
            if (done.test(now)) {
                return now;
            }
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(30), what + ": " + now);
            Thread.sleep(20);
        }
    }

    @Test
    void pendingPaymentsComeFromHashtxWithoutListingTheMempool(BitcoindNode node) throws Exception {
        if (node.height() < 150) {
            node.mine(150);
        }
        node.mine(1); // an empty mempool to start from
        try (BitcoinTestWallet wallet = new BitcoinTestWallet(dir, node, 1, 3)) {
            String before = node.minerWallet("sendtoaddress", wallet.book.next(0, 0).address(), "0.1").asText();
            try (AutoCloseable listening = wallet.source.listen(node.zmqEndpoint(), () -> { })) {
                long t0 = System.nanoTime();
                while (!wallet.source.announcing()) {
                    assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(30), "the ZMQ handshake");
                    Thread.sleep(20);
                }
                assertEquals(Set.of(before), poll(wallet), "the first poll lists what entered before");
                assertEquals(1, wallet.source.pendingPool().wholeReads());

                for (int i = 0; i < 20; i++) {
                    node.minerWallet("sendtoaddress", node.minerWallet("getnewaddress").asText(), "0.01"); // strangers (to itself)
                }
                String ours = node.minerWallet("sendtoaddress", wallet.book.next(0, 0).address(), "0.2").asText();
                assertEquals(Set.of(before, ours), pollUntil(wallet, ps -> ps.contains(ours), "the announced payment is found"));
                List<Payment> found = wallet.source.mempool(wallet.book);
                assertEquals(2, found.size(), "only what pays the wallet: " + found);
                assertEquals(20_000_000L, found.stream().filter(p -> p.txid().equals(ours)).findFirst().orElseThrow().amount().longValueExact());

                node.mine(1);
                pollUntil(wallet, Set::isEmpty, "mined payments leave (their block tells the rest)");
                assertEquals(1, wallet.source.pendingPool().wholeReads(), "the mempool was listed once, at the start");
            }
            assertTrue(!wallet.source.announcing(), "closed: the mempool is listed whole again");
        }
    }
}
