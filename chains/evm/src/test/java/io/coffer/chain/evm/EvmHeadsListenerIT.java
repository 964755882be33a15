package io.coffer.chain.evm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.WithDevnet;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

/** The new-heads subscription on a real anvil: a wake per head, and the subscription made again when the node comes back. */
@WithDevnet
class EvmHeadsListenerIT {

    /** Polls until {@code done} holds for the number of wakes (30 s at most). */
    static void awaitWakes(AtomicInteger wakes, IntPredicate done, String what) throws InterruptedException {
        long t0 = System.nanoTime();
        while (!done.test(wakes.get())) {
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(30), what + " (wakes: " + wakes.get() + ")");
            Thread.sleep(20);
        }
    }

    @Test
    void eachHeadWakesAndALostNodeIsSubscribedToAgainWhenItIsBack(AnvilNode anvil) throws Exception {
        AtomicInteger wakes = new AtomicInteger();
        URI ws = URI.create("ws://" + anvil.rpcUrl().getAuthority());
        try (EvmHeadsListener listener = new EvmHeadsListener("ethereum", ws, wakes::incrementAndGet)) {
            awaitWakes(wakes, n -> n >= 1, "the accepted subscription wakes once");
            int before = wakes.get();
            anvil.mine(1);
            awaitWakes(wakes, n -> n > before, "a new head wakes");
            int afterOne = wakes.get();
            anvil.mine(3);
            awaitWakes(wakes, n -> n >= afterOne + 3, "each head wakes");

            anvil.restart(); // the socket closes; the listener subscribes again once the node answers on its port
            int beforeBack = wakes.get();
            awaitWakes(wakes, n -> n > beforeBack, "subscribed again when the node is back");
            int back = wakes.get();
            anvil.mine(1);
            awaitWakes(wakes, n -> n > back, "heads of the node that came back wake");
        }
    }
}
