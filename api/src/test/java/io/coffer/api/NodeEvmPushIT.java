package io.coffer.api;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.WithDevnet;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With the EVM node's WebSocket endpoint configured, new heads wake the follower although the poll interval is ten minutes. */
@WithDevnet
class NodeEvmPushIT {
    @TempDir
    Path dir;

    @Test
    void newHeadsWakeTheFollower(BitcoindNode btc, AnvilNode anvil) throws Exception {
        String rpcLine = "rpc-url: " + anvil.rpcUrl();
        String yaml = NodeIT.yaml(dir.resolve("data"), btc.rpcUrl(), anvil.rpcUrl(), "")
                .replace("    data-dir: " + dir.resolve("data"), "    data-dir: " + dir.resolve("data") + "\n    dev-mode: true");
        int at = yaml.indexOf(rpcLine);
        String indent = yaml.substring(yaml.lastIndexOf('\n', at) + 1, at);
        String ws = "ws://" + anvil.rpcUrl().getAuthority();
        Path file = dir.resolve("coffer.yaml");
        Files.writeString(file, yaml.replace(rpcLine, rpcLine + "\n" + indent + "poll-interval: 10m\n" + indent + "ws-url: " + ws));
        try (CofferNode node = CofferNode.start(NodeConfiguration.load(file, Map.of()))) {
            NodeParts.EvmParts eth = NodeParts.evm(node, "ethereum").orElseThrow();
            // The subscription is made once the node runs: blocks are mined until one has been noticed (the poll interval is
            // ten minutes), then it is known to be live.
            long ready = System.nanoTime();
            anvil.mine(1);
            while (eth.follower().cursor().orElseThrow().height() < anvil.blockNumber()) {
                assertTrue(System.nanoTime() - ready < TimeUnit.SECONDS.toNanos(20), "a block noticed by push");
                anvil.mine(1);
                Thread.sleep(300);
            }
            String to = eth.addresses().next(0, 0).address();
            String tx = anvil.send(to, BigInteger.TEN.pow(16)); // mined at once (automine)
            long t0 = System.nanoTime();
            while (eth.follower().events(0, 100).stream().noneMatch(e -> e.deposit().id().txid().equalsIgnoreCase(tx))) {
                assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(15), "seen by push, not by the 10 min poll");
                Thread.sleep(50);
            }
        }
    }
}
