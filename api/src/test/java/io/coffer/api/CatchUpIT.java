package io.coffer.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.proto.v1.ChainStatus;
import io.coffer.proto.v1.GetChainsStatusRequest;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.WithDevnet;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node started after downtime catches up with the blocks it missed and says how far it is: a line when it finds itself
 * behind, lines with done of total, rate and time left while it works (every 10 s), and one when it is current again; the
 * chains' status carries the catch-up while there is one and none after.
 */
@WithDevnet
class CatchUpIT {
    @TempDir
    Path dir;

    @Test
    void aNodeBehindTheChainSaysHowFarItsCatchUpIsAndWhenItIsOver(BitcoindNode btc, AnvilNode anvil) throws Exception {
        try (CofferNode node = CofferNode.start(ApiTests.devConfig(dir, btc, anvil, "      poll-interval: 200ms\n", ""))) {
            assertTrue(node.port() > 0);
        }
        long stoppedAt = anvil.blockNumber();
        anvil.mine(450); // more than one round processes (200): a catch-up of three rounds at least
        ApiTests.LogCapture capture = new ApiTests.LogCapture();
        Logger root = Logger.getLogger("");
        root.addHandler(capture);
        try (CofferNode node = CofferNode.start(ApiTests.devConfig(dir, btc, anvil, "      poll-interval: 200ms\n", ""))) {
            ApiTests.await("the catch-up over", () -> messages(capture).stream().anyMatch(m -> m.startsWith("chain ethereum: caught up at height")));
            List<String> lines = messages(capture).stream().filter(m -> m.startsWith("chain ethereum: ")).toList();
            int behind = indexOf(lines, "chain ethereum: 45"); // 450 blocks, and the one the restart's own calls may have mined
            int over = indexOf(lines, "chain ethereum: caught up at height");
            assertTrue(behind >= 0 && lines.get(behind).matches("chain ethereum: 45\\d blocks behind the tip \\(\\d+\\); catching up")
                    && behind < over, lines.toString());
            assertTrue(lines.get(over).matches("chain ethereum: caught up at height \\d+ \\(45\\d blocks in [\\d.]+ .*, [\\d,]+ blocks/s\\)"),
                    lines.get(over));

            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            try {
                ChainStatus eth = ApiTests.operator(ch, dir.resolve("data")).getChainsStatus(GetChainsStatusRequest.getDefaultInstance())
                        .getChainsList().stream().filter(c -> c.getChain().equals("ethereum")).findFirst().orElseThrow();
                assertFalse(eth.hasCatchUp(), "current again: no catch-up to show " + eth);
                assertTrue(eth.getProcessedHeight() >= stoppedAt + 450, eth.toString());
            } finally {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        } finally {
            root.removeHandler(capture);
        }
    }

    private static List<String> messages(ApiTests.LogCapture capture) {
        synchronized (capture.records) {
            return capture.records.stream().map(LogRecord::getMessage).filter(m -> m != null).toList();
        }
    }

    private static int indexOf(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }
}
