package io.coffer.chain.evm;

import io.coffer.core.CofferSchema;
import io.coffer.core.chain.AddressBook;
import io.coffer.core.config.EvmChainConfig;
import io.coffer.core.custody.AccountScheme;
import io.coffer.core.custody.Vault;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import io.coffer.core.transfer.CrashHarness;
import io.coffer.core.transfer.WithdrawalLedger;
import io.coffer.core.transfer.AccountWithdrawalService;
import io.coffer.core.transfer.Withdrawal;
import io.coffer.core.transfer.WithdrawalStatus;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * A wallet process for the EVM crash tests, stopping dead at a withdrawal crash point for the test to
 * SIGKILL it.
 * <pre>
 * setup  DIR RPC                      create a wallet; print "HOT address" (fund it)
 * run    DIR RPC PAYEE WEI KEY POINT  withdraw; at POINT print "CRASHPOINT POINT" and hang
 * resume DIR RPC PAYEE WEI KEY        restart: resume(), then the client's retry with the same key
 * burst  DIR RPC PAYEE WEI N          withdrawals burst-0 .. burst-(N-1) from 8 threads at once; "ACK i id txid status" as each
 *                                     is answered (the test SIGKILLs it midway)
 * retry  DIR RPC PAYEE WEI N          restart: resume(), then the same N calls again from 8 threads; the ACK lines; then the chain
 *                                     followed as the node's chain loop does until no withdrawal's send is without a clear
 *                                     answer ("TRACKED" and the statuses left); then "DONE"
 * </pre>
 */
public final class EvmWithdrawalCrashHarness {
    private EvmWithdrawalCrashHarness() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        URI rpcUrl = URI.create(args[2]);
        try (Store store = LevelDbStore.open(dir, CofferSchema.current())) {
            Vault vault = CrashHarness.wallet(store, dir, args[0]);
            EvmChainConfig config = new EvmChainConfig("ethereum", 31337, rpcUrl, 1, 4, Duration.ofSeconds(1), "ETH", 18, true, List.of());
            EvmRpcClient rpc = new EvmRpcClient(config);
            AddressBook book = new AddressBook(store, "ethereum", AccountScheme.EVM, vault.publicKeys(), EvmAddresses.encoder(), 20);
            WithdrawalLedger.CrashPoints points = CrashHarness.stopAt(args[0].equals("run") ? args[6] : "");
            AccountWithdrawalService service = new AccountWithdrawalService(store, new EvmChainSource(rpc, config),
                    new EvmTransactionFactory(rpc, config), book, vault::signer, 1, Clock.systemUTC(), points);
            if (args[0].equals("setup")) {
                System.out.println("HOT " + service.hotAddress(0));
                return;
            }
            CrashHarness.unseal(vault);
            if (args[0].equals("resume") || args[0].equals("retry")) {
                service.resume();
            }
            if (args[0].equals("burst") || args[0].equals("retry")) {
                burst(service, args[3], new BigInteger(args[4]), Integer.parseInt(args[5]));
                if (args[0].equals("retry")) {
                    follow(service);
                }
                System.out.println("DONE");
                return;
            }
            Withdrawal w = service.create(0, "ethereum/ETH", args[3], new BigInteger(args[4]), args[5]);
            System.out.println("DONE " + w.id() + " " + w.txid() + " " + w.status());
        }
    }

    /**
     * Follows the chain as the node's chain loop would, until no withdrawal is BROADCAST_UNKNOWN (at most 30 s): a
     * send that got no clear answer (a timeout under load) is sent again there, not by the call that made it — a process that
     * answered and exited without following the chain would leave its nonce, and every later one, unmined.
     */
    private static void follow(AccountWithdrawalService service) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (true) {
            service.track();
            var waiting = service.outstanding().byState();
            if (!waiting.containsKey(WithdrawalStatus.BROADCAST_UNKNOWN) || System.nanoTime() > deadline) {
                System.out.println("TRACKED " + waiting);
                return;
            }
            Thread.sleep(200); // the node's poll interval: what it waits between two rounds of its chain loop
        }
    }

    /** Calls {@code n} withdrawals from 8 threads (thread t: t, t + 8, ...), printing each answer as it comes. */
    private static void burst(AccountWithdrawalService service, String payee, BigInteger wei, int n) throws Exception {
        int threads = 8;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int first = t;
            done.add(pool.submit(() -> {
                for (int i = first; i < n; i += threads) {
                    Withdrawal w = service.create(0, "ethereum/ETH", payee, wei, "burst-" + i);
                    System.out.println("ACK " + i + " " + w.id() + " " + w.txid() + " " + w.status());
                }
                return null;
            }));
        }
        for (var f : done) {
            f.get();
        }
        pool.shutdown();
    }
}
