package io.coffer.api;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.core.chain.DepositStatus;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.WithDevnet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With ZMQ configured, deposits are seen at once although the poll interval is ten minutes. */
@WithDevnet
class NodeZmqIT {
    @TempDir
    Path dir;

    @Test
    void notificationsWakeTheFollower(BitcoindNode btc, AnvilNode anvil) throws Exception {
        if (btc.height() < 110) {
            btc.mine(110);
        }
        Path file = dir.resolve("coffer.yaml");
        Files.writeString(file, NodeIT.yaml(dir.resolve("data"), btc.rpcUrl(), anvil.rpcUrl(), "")
                .replace("    data-dir: " + dir.resolve("data"), "    data-dir: " + dir.resolve("data") + "\n    dev-mode: true")
                .replace("      rpc-password: " + BitcoindNode.RPC_PASSWORD, "      rpc-password: " + BitcoindNode.RPC_PASSWORD
                        + "\n      poll-interval: 10m\n      zmq-endpoint: " + btc.zmqEndpoint()));
        try (CofferNode node = CofferNode.start(NodeConfiguration.load(file, Map.of()))) {
            NodeParts.BitcoinParts bitcoin = NodeParts.bitcoin(node).orElseThrow();
            // ZMQ subscriptions take effect asynchronously ("slow joiner"): blocks are mined until one has been
            // noticed by push (the poll interval is ten minutes), then the subscription is known to be live.
            long ready = System.nanoTime();
            while (bitcoin.follower().cursor().orElseThrow().height() < btc.height() || btc.height() < 112) {
                assertTrue(System.nanoTime() - ready < TimeUnit.SECONDS.toNanos(20), "a block noticed by push");
                btc.mine(1);
                Thread.sleep(300);
            }
            String txid = btc.minerWallet("sendtoaddress", bitcoin.addresses().next(0, 0).address(), "0.1").asText();
            long t0 = System.nanoTime();
            while (bitcoin.follower().events(0, 10).stream().noneMatch(e -> e.deposit().id().txid().equals(txid))) {
                assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(15), "seen by push, not by the 10 min poll");
                Thread.sleep(50);
            }
            btc.mine(1);
            while (bitcoin.follower().events(0, 10).stream().noneMatch(e -> e.deposit().status() == DepositStatus.CONFIRMED)) {
                assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(30), "confirmed by push");
                Thread.sleep(50);
            }
        }
    }
}
