package io.coffer.core.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.core.MovableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class ChainProbeTest {
    /** A chain node whose answers the test decides. */
    static final class ScriptedNode implements ChainNode {
        volatile Supplier<ChainInfo> answer;

        @Override
        public String chainName() {
            return "bitcoin";
        }

        @Override
        public ChainInfo info() {
            return answer.get();
        }

        @Override
        public void close() {
        }
    }

    final MovableClock clock = new MovableClock(Instant.parse("2026-11-30T12:00:00Z"));
    final ScriptedNode node = new ScriptedNode();
    final ChainProbe probe = new ChainProbe(node, clock, Duration.ofSeconds(10));

    @Test
    void upWhileAnswersAreFreshDownWhenTheyAgeOrFail() {
        assertEquals("not checked yet", probe.state().problem());
        assertFalse(probe.state().up());
        node.answer = () -> new ChainInfo("regtest", 101, "00ab");
        probe.probe();
        assertTrue(probe.state().up());
        assertEquals(101, probe.state().info().orElseThrow().tipHeight());

        clock.advance(Duration.ofSeconds(11));
        assertFalse(probe.state().up(), "an answer older than the limit");
        assertTrue(probe.state().problem().contains("11 s ago"), probe.state().problem());

        node.answer = () -> {
            throw new ChainUnavailableException("bitcoin", "connection refused", null);
        };
        assertThrows(ChainUnavailableException.class, probe::probe);
        ChainProbe.State down = probe.state();
        assertFalse(down.up());
        assertTrue(down.problem().contains("connection refused"), down.problem());
        assertEquals(101, down.info().orElseThrow().tipHeight(), "the last good answer is still shown");
    }

    @Test
    void aHangingCallNeverBlocksTheStateAndMakesItDownOnceOverdue() throws Exception {
        node.answer = () -> new ChainInfo("regtest", 5, "ff");
        probe.probe();
        CountDownLatch inCall = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        node.answer = () -> {
            inCall.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new ChainInfo("regtest", 6, "fe");
        };
        CompletableFuture<ChainInfo> hanging = CompletableFuture.supplyAsync(probe::probe);
        assertTrue(inCall.await(10, TimeUnit.SECONDS));
        assertTrue(probe.state().up(), "a call that has just started changes nothing");
        clock.advance(Duration.ofSeconds(30));
        ChainProbe.State state = probe.state(); // answered while the call still hangs
        assertFalse(state.up());
        assertTrue(state.problem().contains("no answer from the chain node for 30 s"), state.problem());
        release.countDown();
        assertEquals(6, hanging.get(10, TimeUnit.SECONDS).tipHeight());
        assertTrue(probe.state().up());
    }
}
