package io.coffer.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * The extension's promises, checked by running test classes through the JUnit engine: fresh nodes per
 * class, shared within a class, stopped after the class even when its tests fail.
 */
class DevnetExtensionIT {
    static final List<DevNode> SEEN = new CopyOnWriteArrayList<>();

    @WithDevnet
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class FailingClass {
        @Test
        @Order(1)
        void first(BitcoindNode btc, AnvilNode anvil) {
            SEEN.add(btc);
            SEEN.add(anvil);
            assertTrue(btc.isRunning() && anvil.isRunning());
            btc.mine(1);
            throw new AssertionError("this test fails on purpose");
        }

        @Test
        @Order(2)
        void second(BitcoindNode btc) {
            SEEN.add(btc);
            assertEquals(1, btc.height(), "the same node within a class");
        }
    }

    @WithDevnet
    static class OtherClass {
        @Test
        void fresh(BitcoindNode btc) {
            SEEN.add(btc);
            assertEquals(0, btc.height(), "a fresh chain for another class");
        }
    }

    @Test
    void nodesAreFreshPerClassAndStoppedEvenAfterAFailure() {
        SEEN.clear();
        Events failing = EngineTestKit.engine("junit-jupiter").selectors(selectClass(FailingClass.class)).execute().testEvents();
        failing.assertStatistics(s -> s.started(2).failed(1).succeeded(1));
        Events other = EngineTestKit.engine("junit-jupiter").selectors(selectClass(OtherClass.class)).execute().testEvents();
        other.assertStatistics(s -> s.succeeded(1));

        assertEquals(4, SEEN.size());
        assertEquals(SEEN.get(0), SEEN.get(2), "one bitcoind for both tests of a class");
        assertNotEquals(SEEN.get(0).dataDir(), SEEN.get(3).dataDir(), "another class, another data dir");
        for (DevNode n : SEEN) {
            assertFalse(n.isRunning(), n.dataDir() + " still running after its class");
        }
    }
}
