package io.coffer.chain.evm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.core.address.EvmAddress;
import io.coffer.core.transfer.WithdrawalLedger;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.JavaProcess;
import io.coffer.testkit.WithDevnet;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SIGKILL of an EVM wallet process at each withdrawal crash point, restart and the client's retry:
 * exactly one transfer on chain for the withdrawal, every time (three runs per point).
 */
@WithDevnet
class EvmWithdrawalCrashIT {
    private static final int RUNS = 3;
    @TempDir
    Path dir;

    private static Process harness(String... args) {
        return JavaProcess.start(EvmWithdrawalCrashHarness.class, args);
    }

    private static String awaitLine(Process p, String prefix) throws Exception {
        return JavaProcess.awaitLine(p, prefix);
    }

    @ParameterizedTest
    @ValueSource(strings = {WithdrawalLedger.SIGNED_NOT_STORED, WithdrawalLedger.STORED_NOT_BROADCAST,
        WithdrawalLedger.BROADCAST_NOT_RECORDED})
    void aKillAtAnyPointStillMakesExactlyOneTransfer(String point, AnvilNode anvil) throws Exception {
        for (int run = 0; run < RUNS; run++) {
            Path wallet = dir.resolve(point + "-" + run);
            String rpc = anvil.rpcUrl().toString();
            Process setup = harness("setup", wallet.toString(), rpc);
            String hot = awaitLine(setup, "HOT ").substring(4);
            assertTrue(setup.waitFor(60, TimeUnit.SECONDS));
            anvil.send(hot, BigInteger.TEN.pow(18));

            byte[] b = new byte[20];
            new SecureRandom().nextBytes(b);
            String payee = new EvmAddress(b).toString();
            String key = "payout-" + point + "-" + run;
            Process run1 = harness("run", wallet.toString(), rpc, payee, "4242", key, point);
            awaitLine(run1, "CRASHPOINT " + point);
            run1.destroyForcibly(); // SIGKILL
            assertTrue(run1.waitFor(30, TimeUnit.SECONDS));

            Process run2 = harness("resume", wallet.toString(), rpc, payee, "4242", key);
            String done = awaitLine(run2, "DONE ");
            assertTrue(run2.waitFor(60, TimeUnit.SECONDS), done);
            anvil.mine(1);
            assertEquals("0x1", anvil.receipt(done.split(" ")[2]).get("status").asText(), "the withdrawal's transaction is the one mined");
            assertEquals(new BigInteger("4242"), new BigInteger(anvil.rpc("eth_getBalance", payee, "latest").asText().substring(2), 16),
                    point + " run " + run + ": paid exactly once");
            assertEquals(1, Long.decode(anvil.rpc("eth_getTransactionCount", hot, "latest").asText()),
                    point + " run " + run + ": one transaction from the hot address");
        }
    }
}
