package io.coffer.bench;

import io.coffer.chain.bitcoin.BitcoinAddresses;
import io.coffer.chain.bitcoin.BitcoinChainSource;
import io.coffer.chain.bitcoin.BitcoinRpcClient;
import io.coffer.core.CofferSchema;
import io.coffer.core.chain.AddressBook;
import io.coffer.core.chain.ChainFollower;
import io.coffer.core.custody.AccountScheme;
import io.coffer.core.audit.AuditLog;
import io.coffer.core.custody.Ceremony;
import io.coffer.core.custody.SeedFile;
import io.coffer.core.custody.Vault;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import io.coffer.testkit.BitcoindNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bitcoinj.base.BitcoinNetwork;
import org.bitcoinj.base.SegwitAddress;

/**
 * Catch-up scan speed of the Bitcoin follower with a large watch list, as a ratio to the raw rate at which
 * the same bitcoind serves {@code getblockhash} + {@code getblock <hash> 0} for the same blocks, measured
 * in the same run. The ratio is what Coffer's own work (parsing with bitcoinj, matching outputs against
 * the watch list, the per-block atomic write) costs on top of fetching.
 *
 * <pre>scripts/bench catchup [watched addresses, default 100000] [blocks, default 150] [txs per block, default 20]</pre>
 */
public final class CatchUpBenchmark {
    private CatchUpBenchmark() {
    }

    /**
     * Rounds a side: each walks the same blocks again, and at 150 blocks a round takes about a tenth of a second, so one busy
     * moment of bitcoind or the disk moves it; with three rounds the ratio read 0.77 to 1.10 between runs of the same commit.
     */
    static final int ROUNDS = 9;
    /**
     * Walks of the blocks in one round, a side: with one, the median of nine still read 0.74–1.00 between runs (the raw side
     * 1,174–1,612 blocks/s, Coffer's 1,157–1,242), each round a tenth of a second.
     */
    static final int PASSES = 4;

    public static void main(String[] args) throws Exception {
        int watched = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int blocks = args.length > 1 ? Integer.parseInt(args[1]) : 150;
        int txsPerBlock = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        System.out.print(Figure.table(measure(watched, blocks, txsPerBlock, ROUNDS)));
    }

    /**
     * Both sides walk the same blocks once to warm up (JIT, bitcoind's caches, LevelDB), then {@code rounds} rounds each,
     * alternating, raw first then Coffer (rescans over the same blocks), {@link #PASSES} walks a round; each figure is the
     * median round.
     */
    static List<Figure> measure(int watched, int blocks, int txsPerBlock, int rounds) throws Exception {
        Path work = Files.createTempDirectory("coffer-bench-");
        try (BitcoindNode node = BitcoindNode.start(work.resolve("bitcoind"));
             Store store = LevelDbStore.open(work.resolve("coffer"), CofferSchema.current())) {
            node.mine(200);
            AuditLog audit = new AuditLog(store, Clock.systemUTC());
            new Ceremony(store, work, audit, new SecureRandom(), Clock.systemUTC())
                    .init(new Ceremony.Split(1, 1, new char[0], null, new SeedFile.KdfParams(10, 8, 1)), "bench");
            Vault vault = new Vault(store, work, audit);
            long t0 = System.nanoTime();
            AddressBook book = new AddressBook(store, "bitcoin", AccountScheme.BIP84_TEST, vault.publicKeys(),
                    BitcoinAddresses.p2wpkh(BitcoinNetwork.REGTEST), watched / 2);
            book.watchAccount(0);
            double deriveSeconds = (System.nanoTime() - t0) / 1e9;
            int derived = book.size();
            double watchedRate = derived / deriveSeconds;
            System.out.printf("derived and stored %d watched addresses in %.1f s%n", derived, deriveSeconds);
            long l0 = System.nanoTime();
            int loaded = new AddressBook(store, "bitcoin", AccountScheme.BIP84_TEST, vault.publicKeys(),
                    BitcoinAddresses.p2wpkh(BitcoinNetwork.REGTEST), watched / 2).size();
            System.out.printf("a node starting loads them in %.1f s (%d)%n", (System.nanoTime() - l0) / 1e9, loaded);

            // Chain: blocks of sendmany transactions, a few outputs to watched addresses, most to strangers.
            List<String> ours = List.of(book.next(0, 0).address(), book.next(0, 0).address(), book.next(0, 0).address());
            Random rnd = new Random(42);
            long start = node.height() + 1;
            int txs = 0;
            for (int b = 0; b < blocks; b++) {
                for (int t = 0; t < txsPerBlock; t++) {
                    Map<String, String> outs = new HashMap<>();
                    for (int o = 0; o < 10; o++) {
                        // Strangers: random P2WPKH programs, made locally (no wallet round trip per output).
                        byte[] program = new byte[20];
                        rnd.nextBytes(program);
                        outs.put(SegwitAddress.fromHash(BitcoinNetwork.REGTEST, program).toString(), "0.0001");
                    }
                    if (rnd.nextInt(10) == 0) {
                        outs.put(ours.get(rnd.nextInt(ours.size())), "0.001");
                    }
                    node.minerWallet("sendmany", "", outs);
                    txs++;
                }
                node.mine(1);
            }
            long end = node.height();
            int n = (int) (end - start + 1);
            System.out.printf("chain: %d blocks, %d transactions (+ coinbases)%n", n, txs);

            BitcoinRpcClient rpc = new BitcoinRpcClient("bitcoin", node.rpcUrl(), BitcoindNode.RPC_USER, BitcoindNode.RPC_PASSWORD,
                    null, Duration.ofSeconds(60));
            ChainFollower follower = new ChainFollower(store, new BitcoinChainSource(rpc, BitcoinNetwork.REGTEST), book, 1, 6,
                    Clock.systemUTC());
            double[] rawRounds = new double[rounds];
            double[] cofferRounds = new double[rounds];
            for (int r = -1; r < rounds; r++) { // round -1 warms both alike
                double rawSeconds = 0;
                for (int p = 0; p < PASSES; p++) {
                    rawSeconds += rawFetch(rpc, start, end);
                }
                double cofferSeconds = 0;
                for (int p = 0; p < PASSES; p++) {
                    follower.rescanFrom(start);
                    long s = System.nanoTime();
                    while (!follower.poll().caughtUp()) {
                        // catching up
                    }
                    cofferSeconds += (System.nanoTime() - s) / 1e9;
                }
                if (r >= 0) {
                    rawRounds[r] = (double) n * PASSES / rawSeconds;
                    cofferRounds[r] = (double) n * PASSES / cofferSeconds;
                }
            }
            java.util.Arrays.sort(rawRounds);
            java.util.Arrays.sort(cofferRounds);
            double rawRate = rawRounds[rounds / 2];
            double cofferRate = cofferRounds[rounds / 2];
            int totalTxs = txs + n;
            int deposits = store.list(io.coffer.core.chain.ChainTables.DEPOSITS, io.coffer.core.chain.ChainTables.DEPOSITS.prefix(
                    io.coffer.core.store.KeyWriter.key().string("bitcoin").build()), Integer.MAX_VALUE).size();
            System.out.printf("raw getblock fetch : %8.1f blocks/s %9.1f txs/s (median of %d)%n", rawRate, rawRate * totalTxs / n, rounds);
            System.out.printf("coffer catch-up    : %8.1f blocks/s %9.1f txs/s  (%d watched addresses, median of %d)%n", cofferRate,
                    cofferRate * totalTxs / n, book.size(), rounds);
            System.out.printf("ratio coffer/raw   : %.2f%n", cofferRate / rawRate);
            System.out.printf("deposits recorded  : %d (distinct outputs paying watched addresses)%n", deposits);
            // What the catch-up keeps alive, the watched set above all: the heap in use after full collections, the follower and
            // its address book still reachable.
            System.gc();
            System.gc();
            double liveMiB = java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0;
            double maxMiB = Runtime.getRuntime().maxMemory() / 1048576.0;
            System.out.printf("live heap          : %.0f MiB (max heap %.0f MiB, %d watched addresses)%n", liveMiB, maxMiB, follower.watchedAddresses());
            return List.of(
                    Figure.rate("catchup", derived + " watched addresses derived and stored (cold JVM)", watchedRate, "addr/s", "-", Double.NaN, ">= 26k/s"),
                    Figure.rate("catchup", "Bitcoin catch-up, " + book.size() + " watched, " + n + " blocks of " + txsPerBlock + " txs",
                            cofferRate, "blocks/s", "bare getblockhash + getblock <hash> 0", rawRate, ">= 0.8"),
                    Figure.time("catchup", "live heap after the catch-up, " + book.size() + " watched (max heap " + Math.round(maxMiB) + " MiB)",
                            liveMiB, "MiB", "the goal", 512, "<= 512 MiB at 1,000,003 watched, -Xmx512m"));
        } finally {
            BenchFiles.deleteTree(work);
        }
    }

    private static double rawFetch(BitcoinRpcClient rpc, long from, long to) {
        long s = System.nanoTime();
        long bytes = 0;
        for (long h = from; h <= to; h++) {
            String hash = rpc.call("getblockhash", h).asText();
            bytes += rpc.call("getblock", hash, 0).asText().length() / 2;
        }
        if (bytes == 0) {
            throw new IllegalStateException("no blocks fetched");
        }
        return (System.nanoTime() - s) / 1e9;
    }
}
