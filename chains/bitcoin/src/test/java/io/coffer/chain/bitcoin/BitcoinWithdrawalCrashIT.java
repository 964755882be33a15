package io.coffer.chain.bitcoin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.coffer.core.transfer.UtxoWithdrawalService;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.JavaProcess;
import io.coffer.testkit.WithDevnet;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL of the wallet process at each crash point of a withdrawal, then a restart and the client's
 * retry: exactly one spend reaches the chain, every time (three runs per point).
 */
@WithDevnet
class BitcoinWithdrawalCrashIT {
    private static final int RUNS = 3;
    @TempDir
    Path dir;
    BitcoindNode node;

    @BeforeEach
    void setUp(BitcoindNode node) {
        this.node = node;
        if (node.height() < 150) {
            node.mine(150);
        }
    }

    private static Process harness(String... args) {
        return JavaProcess.start(WithdrawalCrashHarness.class, args);
    }

    private static String awaitLine(Process p, String prefix) throws Exception {
        return JavaProcess.awaitLine(p, prefix);
    }

    @ParameterizedTest
    @ValueSource(strings = {UtxoWithdrawalService.SIGNED_NOT_STORED, UtxoWithdrawalService.STORED_NOT_BROADCAST,
        UtxoWithdrawalService.BROADCAST_NOT_RECORDED})
    void aKillAtAnyPointStillMakesExactlyOneSpend(String point) throws Exception {
        for (int run = 0; run < RUNS; run++) {
            Path wallet = dir.resolve(point + "-" + run);
            String rpc = node.rpcUrl().toString();
            Process setup = harness("setup", wallet.toString(), rpc);
            String address = awaitLine(setup, "ADDRESS ").substring(8);
            assertTrue(setup.waitFor(60, TimeUnit.SECONDS));
            node.minerWallet("sendtoaddress", address, "0.5");
            node.mine(1);

            String payee = node.minerWallet("getnewaddress", "payee", "bech32").asText();
            String key = "payout-" + point + "-" + run;
            Process run1 = harness("run", wallet.toString(), rpc, payee, "12345678", key, point);
            awaitLine(run1, "CRASHPOINT " + point);
            run1.destroyForcibly(); // SIGKILL: no shutdown hook, no flush, no close
            assertTrue(run1.waitFor(30, TimeUnit.SECONDS));

            Process run2 = harness("resume", wallet.toString(), rpc, payee, "12345678", key);
            String done = awaitLine(run2, "DONE ");
            assertTrue(run2.waitFor(60, TimeUnit.SECONDS), done);
            assertEquals(0, run2.exitValue());
            node.mine(1);

            BigInteger received = new BigDecimal(node.minerWallet("getreceivedbyaddress", payee, 0).asText()).movePointRight(8)
                    .toBigIntegerExact();
            assertEquals(BigInteger.valueOf(12_345_678), received, point + " run " + run + ": paid exactly once");
            // One transaction paid the payee, and it is confirmed.
            JsonNode txs = node.minerWallet("listreceivedbyaddress", 0, false, false, payee).get(0).get("txids");
            assertEquals(1, txs.size(), point + " run " + run + ": one spend on chain");
            assertEquals(done.split(" ")[2], txs.get(0).asText(), "the spend on chain is the withdrawal's");
        }
    }
}
