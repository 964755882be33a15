package io.coffer.bench;

import io.coffer.chain.evm.EvmAddresses;
import io.coffer.chain.evm.EvmChainSource;
import io.coffer.chain.evm.EvmRpcClient;
import io.coffer.chain.evm.EvmTransactionFactory;
import io.coffer.core.CofferSchema;
import io.coffer.core.chain.AddressBook;
import io.coffer.core.config.EvmChainConfig;
import io.coffer.core.custody.AccountScheme;
import io.coffer.core.audit.AuditLog;
import io.coffer.core.custody.Ceremony;
import io.coffer.core.custody.SeedFile;
import io.coffer.core.custody.Vault;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import io.coffer.core.transfer.AccountWithdrawalService;
import io.coffer.testkit.AnvilNode;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.utils.Numeric;

/**
 * Sustained withdrawals/s to anvil through Coffer (fee lookup, gas, funds check, nonce assignment,
 * signing by the custody signer, the synced write of the signed bytes, broadcast, the write of its outcome — queued, not
 * waited for, when the node accepted it) as a ratio to
 * anvil's raw {@code eth_sendRawTransaction} rate for pre-signed transactions, measured in the same run.
 *
 * <p>Both sides are warmed alike (unmeasured batches of each, in turn, until both rates settle), then measured in {@link #ROUNDS} rounds whose order alternates
 * (raw first, then Coffer first, ...); each figure is the median round. Every Coffer round starts from a fresh store and wallet,
 * so each meets the same backlog: its own {@code n} withdrawals, pending from the first to the last (nothing is mined while a
 * batch runs, so the queue grows to {@code n} — what "flat in the backlog" is about). Between batches the blocks that empty
 * anvil's pool are mined, untimed.
 *
 * <p>With {@code callers} above one, that many threads send at once on both sides: the raw side each from a dev key of its
 * own (anvil takes one sender's nonces in order), Coffer's through one withdrawal service from one hot address (what a
 * merchant's backend calling CreateTransfer side by side does), so nonces, funds and the store's writes are shared. With
 * {@code accounts} above one, Coffer's callers send from that many accounts' hot addresses instead (the store's writes still
 * shared): with one account a caller, the two sides send alike, one address's nonces each.
 *
 * <pre>scripts/bench withdrawals [count, default 500] [callers, default 1] [accounts, default 1]</pre>
 */
public final class EvmWithdrawalBenchmark {
    /** Anvil's dev mnemonic: its accounts m/44'/60'/0'/0/1..8 send the raw baseline (account 0 funds Coffer's wallets). */
    static final String DEV_MNEMONIC = "test test test test test test test test test test test junk";
    private static final int MAX_CALLERS = 8;
    private static final int ROUNDS = 3;
    static final String TO = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";

    private EvmWithdrawalBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        NodeLogging.install();
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        int callers = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int accounts = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        System.out.print(Figure.table(measure(n, callers, accounts)));
    }

    /** Coffer's withdrawals/s beside raw sends, {@code n} of each per round (medians), one caller on each side. */
    static List<Figure> measure(int n) throws Exception {
        return measure(n, 1);
    }

    /** Coffer's withdrawals/s beside raw sends, {@code n} of each per round (medians), {@code callers} at once on each side. */
    static List<Figure> measure(int n, int callers) throws Exception {
        return measure(n, callers, 1);
    }

    /**
     * As {@link #measure(int, int)}, Coffer's callers sending from {@code accounts} accounts' hot addresses (caller t from
     * account t modulo {@code accounts}) instead of one: with as many accounts as callers, each sends its own nonces as each raw
     * sender does, so the two sides differ by what Coffer does to a withdrawal and not by one address's nonce order.
     */
    static List<Figure> measure(int n, int callers, int accounts) throws Exception {
        if (callers < 1 || callers > MAX_CALLERS) {
            throw new IllegalArgumentException("callers: 1 to " + MAX_CALLERS);
        }
        if (accounts < 1 || accounts > callers) {
            throw new IllegalArgumentException("accounts: 1 to the callers (" + callers + ")");
        }
        Path work = Files.createTempDirectory("coffer-bench-evm-");
        try (AnvilNode anvil = AnvilNode.start(work.resolve("anvil"))) {
            anvil.setAutomine(false);
            EvmChainConfig config = new EvmChainConfig("ethereum", AnvilNode.CHAIN_ID, anvil.rpcUrl(), 1, 4, Duration.ofSeconds(1),
                    "ETH", 18, true, List.of());
            EvmRpcClient rpc = new EvmRpcClient(config);
            List<Credentials> devs = devAccounts(callers);
            long[] nonce = new long[callers];
            int[] wallets = {0};
            java.util.function.LongSupplier rawBatch = () -> {
                try {
                    return rawSends(rpc, devs, nonce, n);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            java.util.function.LongSupplier cofferBatch = () -> {
                try {
                    return cofferWithdrawals(anvil, rpc, config, work.resolve("coffer-" + wallets[0]++), n, callers, accounts);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            warm(n, rawBatch, cofferBatch);
            double[] raw = new double[ROUNDS];
            double[] coffer = new double[ROUNDS];
            double[] synced = new double[ROUNDS];
            long[][] rawCpu = new long[ROUNDS][];
            long[][] cofferCpu = new long[ROUNDS][];
            for (int r = 0; r < ROUNDS; r++) {
                if (r % 2 == 0) {
                    raw[r] = n * 1e9 / rawBatch.getAsLong();
                    rawCpu[r] = lastCpu;
                    coffer[r] = n * 1e9 / cofferBatch.getAsLong();
                    cofferCpu[r] = lastCpu;
                } else {
                    coffer[r] = n * 1e9 / cofferBatch.getAsLong();
                    cofferCpu[r] = lastCpu;
                    raw[r] = n * 1e9 / rawBatch.getAsLong();
                    rawCpu[r] = lastCpu;
                }
                synced[r] = callers == 1 ? syncedWriteMicros(work.resolve("synced-" + r), n) : Double.NaN; // one caller's floor only
                System.out.printf("round %d: raw %8.1f tx/s, coffer %8.1f tx/s (%d each, %d caller(s) a side)%s%n", r + 1, raw[r],
                        coffer[r], n, callers, callers == 1 ? String.format("; one synced write %.0f µs", synced[r]) : "");
            }
            java.util.Arrays.sort(raw);
            java.util.Arrays.sort(coffer);
            java.util.Arrays.sort(synced);
            double rawRate = raw[ROUNDS / 2];
            double cofferRate = coffer[ROUNDS / 2];
            double syncedMicros = synced[ROUNDS / 2];
            System.out.printf("raw eth_sendRawTransaction : %8.1f tx/s (median; %d pre-signed a round, %d sender(s))%n", rawRate, n,
                    callers);
            System.out.printf("coffer withdrawals         : %8.1f tx/s (median; %d a round: signed, stored with fsync, sent; %d caller(s))%n",
                    cofferRate, n, callers);
            System.out.printf("ratio coffer/raw           : %.2f%n", cofferRate / rawRate);
            System.out.printf("CPU a transaction (median) : raw: client JVM %.0f µs, anvil %.0f µs; coffer: its JVM (callers, node, "
                    + "JIT) %.0f µs, anvil %.0f µs (2 cores: %.0f µs of CPU a transaction at the raw rate)%n", medianPerTx(rawCpu, 0, n),
                    medianPerTx(rawCpu, 1, n), medianPerTx(cofferCpu, 0, n), medianPerTx(cofferCpu, 1, n), 2e6 / rawRate);
            // What one caller's withdrawal cannot do without: its signed bytes written with fsync before they are sent, and the
            // send itself (the write of what the node answered is off the caller's path when it accepted: it shares the next
            // synced write). Nothing else counted, and the write timed on a quiet machine (in the rounds the same writes took
            // 200-320 µs, beside anvil and the caller): the most the ratio could reach.
            double floorMicros = syncedMicros + 1e6 / rawRate;
            if (callers == 1) {
                System.out.printf("floor a withdrawal (one caller): 1 synced write (%.0f µs, median) + one raw send (%.0f µs) = %.0f "
                        + "µs: ratio at most %.2f%n", syncedMicros, 1e6 / rawRate, floorMicros, 1e6 / floorMicros / rawRate);
            }
            String who = (callers == 1 ? "back to back" : callers + " callers at once")
                    + (accounts == 1 ? "" : " from " + accounts + " accounts");
            String step = (callers == 1 ? "withdrawals" : "withdrawals-" + callers) + (accounts == 1 ? "" : "x" + accounts);
            Figure measured = Figure.rate(step, "EVM withdrawals, " + n + " " + who
                    + " (sign, fsync, send), median of " + ROUNDS, cofferRate, "tx/s", "raw eth_sendRawTransaction, " + n
                    + " pre-signed, " + (callers == 1 ? "one sender" : callers + " senders"), rawRate, accounts > 1 ? "-" : n == 500 ? ">= 0.5" : "as at 500");
            return callers == 1 && n == 500 ? List.of(measured, Figure.rate("withdrawals", "the most one caller's withdrawal could reach: "
                    + "1 synced write (alone) + one raw send", 1e6 / floorMicros, "tx/s", "raw eth_sendRawTransaction, one sender", rawRate, "-"))
                    : List.of(measured);
        } finally {
            BenchFiles.deleteTree(work);
        }
    }

    /**
     * Microseconds a synced write of one small batch takes in a fresh store of this kind (the median of {@code n} back to back,
     * after as many unmeasured): what each of a withdrawal's two writes costs at the least, measured beside the rounds.
     */
    static double syncedWriteMicros(Path dir, int n) throws java.io.IOException {
        try (Store store = LevelDbStore.open(dir, CofferSchema.current())) {
            String value = "x".repeat(600); // about a signed withdrawal record's size
            long[] took = new long[n];
            for (int i = -n; i < n; i++) {
                io.coffer.core.store.Batch b = store.batch();
                b.put(io.coffer.core.transfer.TransferTables.IDEMPOTENCY, new io.coffer.core.transfer.TransferTables.ChainKey("bench",
                        "key-" + i), value);
                long t0 = System.nanoTime();
                b.commit();
                if (i >= 0) {
                    took[i] = System.nanoTime() - t0;
                }
            }
            java.util.Arrays.sort(took);
            return took[n / 2] / 1e3;
        } finally {
            BenchFiles.deleteTree(dir);
        }
    }

    /** The median over rounds of {@code cpu[r][which]} per transaction, in microseconds. */
    private static double medianPerTx(long[][] cpu, int which, int n) {
        double[] v = java.util.Arrays.stream(cpu).mapToDouble(c -> c[which] / 1e3 / n).sorted().toArray();
        return v[v.length / 2];
    }

    /** Warm-up rounds at least, and how long warming may take at most. */
    private static final int WARM_MIN = 2;
    private static final long WARM_MAX_SECONDS = 60;
    /** How close each side's rate must come to its previous round's, and the most of a round's wall time the JIT may still use. */
    private static final double SETTLED = 0.10;
    private static final double JIT_QUIET = 0.10;

    /**
     * Runs unmeasured batches of both sides in turn until the JIT is quiet (it compiled for at most {@value #JIT_QUIET} of the
     * round's wall time) and each side's rate is within {@value #SETTLED} of its previous round's (at least {@value #WARM_MIN}
     * rounds, for at most {@value #WARM_MAX_SECONDS} s). A fixed round or two measured Coffer while the JIT still took most of one
     * of the two cores compiling its paths (web3j, Bouncy Castle, okhttp, LevelDB's JNI, Coffer's own): its rate kept rising
     * round after round. Twenty rounds of 500 were not enough either: the JIT still compiled for 20-65% of each (JFR: 36% of
     * the whole run's CPU samples in C2 with 20 rounds), and Coffer's rate rose by a third more once it had stopped, which
     * takes 25-35 rounds of 500 here; a node that runs for days is past all of that.
     */
    private static void warm(int n, java.util.function.LongSupplier raw, java.util.function.LongSupplier coffer) {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        double[] previous = null;
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(WARM_MAX_SECONDS);
        for (int round = 1; round <= WARM_MIN || System.nanoTime() < until; round++) {
            long wall0 = System.nanoTime();
            long jit0 = jit.getTotalCompilationTime();
            double[] rates = {n * 1e9 / raw.getAsLong(), n * 1e9 / coffer.getAsLong()};
            double jitShare = (jit.getTotalCompilationTime() - jit0) * 1e6 / (System.nanoTime() - wall0);
            System.out.printf("warm-up %d: raw %8.1f tx/s, coffer %8.1f tx/s, JIT compiling %.0f%% of the round%n", round, rates[0],
                    rates[1], 100 * jitShare);
            if (previous != null && round >= WARM_MIN && jitShare <= JIT_QUIET && Math.abs(rates[0] - previous[0]) <= SETTLED * previous[0]
                    && Math.abs(rates[1] - previous[1]) <= SETTLED * previous[1]) {
                return;
            }
            previous = rates;
        }
        System.out.println("warm-up: still moving after " + WARM_MAX_SECONDS + " s; measuring anyway");
    }

    /** Anvil's dev accounts 1..{@code count}, derived from its mnemonic (BIP-44, m/44'/60'/0'/0/i). */
    static List<Credentials> devAccounts(int count) {
        org.web3j.crypto.Bip32ECKeyPair master = org.web3j.crypto.Bip32ECKeyPair.generateKeyPair(
                org.web3j.crypto.MnemonicUtils.generateSeed(DEV_MNEMONIC, ""));
        int hardened = org.web3j.crypto.Bip32ECKeyPair.HARDENED_BIT;
        List<Credentials> out = new java.util.ArrayList<>();
        for (int i = 1; i <= count; i++) {
            out.add(Credentials.create(org.web3j.crypto.Bip32ECKeyPair.deriveKeyPair(master,
                    new int[] {44 | hardened, 60 | hardened, hardened, 0, i})));
        }
        return out;
    }

    /**
     * Sends {@code n} pre-signed transactions (signed before the clock starts), sender {@code s} of {@code devs} the i-th ones
     * with {@code i % devs.size() == s}, each sender back to back on a thread of its own; nanoseconds taken.
     */
    static long rawSends(EvmRpcClient rpc, List<Credentials> devs, long[] nonce, int n) throws Exception {
        byte[][] signed = new byte[n][];
        for (int i = 0; i < n; i++) {
            int s = i % devs.size();
            RawTransaction raw = RawTransaction.createTransaction(AnvilNode.CHAIN_ID, BigInteger.valueOf(nonce[s]++),
                    BigInteger.valueOf(21_000), TO, BigInteger.ONE, "", BigInteger.TEN.pow(9), BigInteger.TEN.pow(11));
            signed[i] = TransactionEncoder.signMessage(raw, devs.get(s));
        }
        long took = concurrently(devs.size(), n, i -> rpc.call("eth_sendRawTransaction", Numeric.toHexString(signed[i])));
        mineAll(rpc, n);
        return took;
    }

    /**
     * Runs {@code each} for 0..n-1, on {@code threads} threads, thread t taking t, t + threads, ... in order (one thread: the
     * caller's, in order); nanoseconds from the start to the last one done. Any failure fails the run.
     */
    static long concurrently(int threads, int n, java.util.function.IntConsumer each) throws Exception {
        long[] cpu0 = cpuNow();
        try {
            return timed(threads, n, each);
        } finally {
            long[] cpu1 = cpuNow();
            lastCpu = new long[] {cpu1[0] - cpu0[0], cpu1[1] - cpu0[1]};
        }
    }

    /** CPU nanoseconds of this JVM and of its child processes (anvil) during the last {@link #concurrently} run. */
    static volatile long[] lastCpu = {0, 0};

    /** CPU nanoseconds used so far by this JVM and by its child processes. */
    private static long[] cpuNow() {
        long self = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        long children = ProcessHandle.current().children().mapToLong(c -> c.info().totalCpuDuration().map(java.time.Duration::toNanos)
                .orElse(0L)).sum();
        return new long[] {self, children};
    }

    private static long timed(int threads, int n, java.util.function.IntConsumer each) throws Exception {
        if (threads == 1) {
            long s0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                each.accept(i);
            }
            return System.nanoTime() - s0;
        }
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads + 1);
        List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            for (int t = 0; t < threads; t++) {
                int first = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = first; i < n; i += threads) {
                        each.accept(i);
                    }
                    return null;
                }));
            }
            start.await();
            long s0 = System.nanoTime();
            for (var f : done) {
                f.get();
            }
            return System.nanoTime() - s0;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * {@code n} withdrawals from the hot addresses of {@code accounts} accounts of a fresh wallet in a fresh store (made and
     * funded before the clock starts); nanoseconds taken.
     */
    private static long cofferWithdrawals(AnvilNode anvil, EvmRpcClient rpc, EvmChainConfig config, Path dir, int n, int callers,
                                          int accounts) throws Exception {
        try (Store store = LevelDbStore.open(dir.resolve("store"), CofferSchema.current())) {
            AuditLog audit = new AuditLog(store, Clock.systemUTC());
            Ceremony.Result r = new Ceremony(store, dir, audit, new SecureRandom(), Clock.systemUTC())
                    .init(new Ceremony.Split(1, 1, new char[0], null, new SeedFile.KdfParams(10, 8, 1)), "bench");
            Vault vault = new Vault(store, dir, audit);
            vault.submitShare(r.shares().get(0), new char[0], "bench");
            AddressBook book = new AddressBook(store, "ethereum", AccountScheme.EVM, vault.publicKeys(), EvmAddresses.encoder(), 20);
            AccountWithdrawalService withdrawals = new AccountWithdrawalService(store, new EvmChainSource(rpc, config),
                    new EvmTransactionFactory(rpc, config), book, vault::signer, 1, Clock.systemUTC(), AccountWithdrawalService.NO_CRASH);
            for (int a = 0; a < accounts; a++) {
                anvil.send(withdrawals.hotAddress(a), BigInteger.TEN.pow(19));
            }
            anvil.mine(1);
            // Work item i runs on thread i % callers: with as many accounts as callers, each thread keeps to one account.
            long took = concurrently(callers, n, i -> withdrawals.create(i % callers % accounts, "ethereum/ETH", TO, BigInteger.ONE,
                    "bench-" + i));
            mineAll(rpc, n);
            return took;
        }
    }

    /** Mines until anvil's pool is empty (a block holds ~1,400 plain transfers). */
    static void mineAll(EvmRpcClient rpc, int sent) {
        for (int i = 0; i < sent / 1000 + 10; i++) {
            rpc.call("anvil_mine", "0x1");
            Object pending = ((java.util.Map<?, ?>) rpc.call("txpool_status")).get("pending");
            if (Numeric.decodeQuantity(String.valueOf(pending)).signum() == 0) {
                return;
            }
        }
        throw new IllegalStateException("anvil's pool is not empty after mining");
    }
}
