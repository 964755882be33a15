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

    /** A new wallet in {@code wallet}, its hot address funded with 1 ETH; the hot address. */
    private static String fundedWallet(AnvilNode anvil, Path wallet) throws Exception {
        Process setup = harness("setup", wallet.toString(), anvil.rpcUrl().toString());
        String hot = awaitLine(setup, "HOT ").substring(4);
        assertTrue(setup.waitFor(60, TimeUnit.SECONDS));
        anvil.send(hot, BigInteger.TEN.pow(18));
        return hot;
    }

    /** An address nobody has used: what it holds afterwards is what was paid to it. */
    private static String newPayee() {
        byte[] b = new byte[20];
        new SecureRandom().nextBytes(b);
        return new EvmAddress(b).toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {WithdrawalLedger.SIGNED_NOT_STORED, WithdrawalLedger.STORED_NOT_BROADCAST,
        WithdrawalLedger.BROADCAST_NOT_RECORDED})
    void aKillAtAnyPointStillMakesExactlyOneTransfer(String point, AnvilNode anvil) throws Exception {
        for (int run = 0; run < RUNS; run++) {
            Path wallet = dir.resolve(point + "-" + run);
            String rpc = anvil.rpcUrl().toString();
            String hot = fundedWallet(anvil, wallet);
            String payee = newPayee();
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

    /**
     * Eight callers withdrawing at once (their signed batches share synced writes, their broadcasts overlap), SIGKILLed once
     * some have been answered; a restart re-sends what was stored and the clients retry every call. Every call answered before
     * the kill is answered again with the same withdrawal and transaction, each of the {@value #BURST} is paid exactly once,
     * and the hot address used exactly {@value #BURST} nonces (none lost to the kill, none taken twice). Three runs.
     */
    @org.junit.jupiter.api.Test
    void concurrentCallersKilledMidwayArePaidOnceEach(AnvilNode anvil) throws Exception {
        for (int run = 0; run < RUNS; run++) {
            Path wallet = dir.resolve("burst-" + run);
            String rpc = anvil.rpcUrl().toString();
            String hot = fundedWallet(anvil, wallet);
            String payee = newPayee();

            Process run1 = harness("burst", wallet.toString(), rpc, payee, "4242", Integer.toString(BURST));
            java.util.Map<String, String> acked = acks(run1, KILL_AFTER);
            run1.destroyForcibly(); // SIGKILL, with callers in flight
            assertTrue(run1.waitFor(30, TimeUnit.SECONDS));
            assertTrue(acked.size() >= KILL_AFTER);

            Process run2 = harness("retry", wallet.toString(), rpc, payee, "4242", Integer.toString(BURST));
            StringBuilder printed = new StringBuilder();
            java.util.Map<String, String> retried = acks(run2, -1, printed);
            assertTrue(run2.waitFor(60, TimeUnit.SECONDS));
            assertEquals(BURST, retried.size(), "every call answered after the restart");
            for (var e : acked.entrySet()) {
                assertEquals(e.getValue(), retried.get(e.getKey()), "run " + run + ", call " + e.getKey() + ": the same withdrawal and transaction");
            }
            anvil.mine(1);
            for (String answer : retried.values()) {
                try {
                    assertEquals("0x1", anvil.receipt(answer.split(" ")[1]).get("status").asText(), answer);
                } catch (IllegalStateException notMined) { // what the restarted process logged (resends, a mended store) says why
                    String txid = answer.split(" ")[1];
                    String chain = "the hot address's nonce: latest " + anvil.rpc("eth_getTransactionCount", hot, "latest").asText()
                            + ", pending " + anvil.rpc("eth_getTransactionCount", hot, "pending").asText() + "; the transaction: "
                            + anvil.rpc("eth_getTransactionByHash", txid) + "; anvil's pool: " + anvil.rpc("txpool_inspect");
                    // The whole of both processes' output goes to the report (the message keeps its tail).
                    System.out.println("run " + run + ": " + chain + "\nthe first process's answers: " + acked
                            + "\nthe restarted process's answers: " + retried + "\nthe restarted process printed:\n" + printed);
                    throw new AssertionError(notMined.getMessage() + "; run " + run + ", " + chain + "; the restarted process printed:\n"
                            + printed.substring(Math.max(0, printed.length() - 6000)), notMined);
                }
            }
            assertEquals(BigInteger.valueOf(4242L * BURST), new BigInteger(anvil.rpc("eth_getBalance", payee, "latest").asText().substring(2), 16),
                    "each call paid exactly once");
            assertEquals(BURST, Long.decode(anvil.rpc("eth_getTransactionCount", hot, "latest").asText()), "one nonce per call");
        }
    }

    private static final int BURST = 40;
    private static final int KILL_AFTER = 12;

    /**
     * The "ACK i id txid status" lines of {@code p} as call → "id txid", until {@code count} of them ({@code -1}: until "DONE").
     * Fails with what it printed when it ends first.
     */
    private static java.util.Map<String, String> acks(Process p, int count) throws Exception {
        return acks(p, count, new StringBuilder());
    }

    /** The same, the process's other lines (its log) kept in {@code seen}. */
    private static java.util.Map<String, String> acks(Process p, int count, StringBuilder seen) throws Exception {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                java.nio.charset.StandardCharsets.UTF_8));
        for (String line; (line = r.readLine()) != null; ) {
            if (line.startsWith("ACK ")) {
                seen.append(line).append('\n'); // with the status answered
                String[] f = line.split(" ");
                out.put(f[1], f[2] + " " + f[3]);
                if (out.size() == count) {
                    return out;
                }
            } else if (line.equals("DONE") && count < 0) {
                return out;
            } else {
                seen.append(line).append('\n');
            }
        }
        throw new AssertionError("the process ended after " + out.size() + " answers:\n" + seen);
    }
}
