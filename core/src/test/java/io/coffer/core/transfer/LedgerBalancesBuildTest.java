package io.coffer.core.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.coffer.core.CofferSchema;
import io.coffer.core.chain.AddressBook;
import io.coffer.core.chain.ChainTables;
import io.coffer.core.chain.Deposit;
import io.coffer.core.chain.DepositId;
import io.coffer.core.chain.DepositStatus;
import io.coffer.core.chain.FakeChainSource;
import io.coffer.core.custody.AccountScheme;
import io.coffer.core.custody.Vault;
import io.coffer.core.keys.Hashes;
import io.coffer.core.store.Batch;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's first start on a version that keeps balances builds them from every record of the chain; its memory must not grow
 * with the wallet's unspent outputs (that the built balances equal the records, through random lives and a build killed
 * between its parts, is {@link WithdrawalCrashPointsTest#keptBalancesEqualTheRecordsSummedThroughARandomLife}).
 */
class LedgerBalancesBuildTest {
    @TempDir
    Path dir;

    /**
     * 200,000 unspent deposits, balances built at the start of a process with a 40 MiB heap. In one batch, with every coin in
     * a map beside it, the build held ~400 bytes a coin (~80 MiB here) and ran out of heap.
     */
    @Test
    void theFirstBuildOverManyUnspentOutputsRunsInASmallHeap() throws Exception {
        int n = 200_000;
        Instant at = Instant.parse("2026-01-01T00:00:00Z");
        try (Store store = LevelDbStore.open(dir.resolve("store"), CofferSchema.current())) {
            CrashHarness.wallet(store, dir, "setup").close();
            java.util.Random random = new java.util.Random(3);
            for (int i = 0; i < n; ) {
                Batch b = store.batch();
                for (int j = 0; j < 10_000; j++, i++) {
                    byte[] txid = new byte[32];
                    random.nextBytes(txid);
                    DepositId id = new DepositId(HexFormat.of().formatHex(txid), 0);
                    b.put(ChainTables.DEPOSITS, new ChainTables.ChainDeposit("fake", id), new Deposit("fake", id, "addr-" + i, 0,
                            "fake/BTC", BigInteger.valueOf(1000 + i % 7), DepositStatus.CONFIRMED, 1, "00", 100, at, at, List.of()));
                }
                b.commit();
            }
        }
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(javaBin, "-Xmx40m", "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), StartChild.class.getName(), dir.toString()).redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, child.waitFor(), out);
        BigInteger total = BigInteger.ZERO;
        for (int i = 0; i < n; i++) {
            total = total.add(BigInteger.valueOf(1000 + i % 7));
        }
        try (Store store = LevelDbStore.open(dir.resolve("store"), CofferSchema.current())) {
            assertEquals(new WithdrawalLedger.Balance(total, BigInteger.ZERO, BigInteger.ZERO),
                    store.get(LedgerBalances.BALANCES, new LedgerBalances.Key("fake", 0, "fake/BTC")).orElseThrow());
            long[] coins = {0};
            store.forEach(LedgerBalances.COINS.all(), LedgerBalances.COINS, (k, v) -> coins[0]++);
            assertEquals(n, coins[0]);
            long[] filed = {0};
            store.forEach(LedgerBalances.COINS_BY_AMOUNT.all(), LedgerBalances.COINS_BY_AMOUNT, (k, v) -> filed[0]++);
            assertEquals(n, filed[0], "each filed by its amount");
            assertEquals(true, store.get(LedgerBalances.BUILT, "fake").isPresent());
        }
    }

    /** Starts the chain's withdrawal service over the store, as a node's start does (which builds its balances). */
    public static final class StartChild {
        private StartChild() {
        }

        public static void main(String[] args) {
            Path dir = Path.of(args[0]);
            try (Store store = LevelDbStore.open(dir.resolve("store"), CofferSchema.current());
                 Vault vault = CrashHarness.wallet(store, dir, "open")) {
                CrashHarness.unseal(vault);
                AddressBook book = new AddressBook(store, "fake", AccountScheme.BIP84_TEST, vault.publicKeys(),
                        pub -> "addr-" + HexFormat.of().formatHex(Hashes.hash160(pub)), 5);
                new UtxoWithdrawalService(store, new FakeChainSource("fake"), new WithdrawalCrashPointsTest.FakeUtxoFactory(), book,
                        vault::signer, 1, Clock.systemUTC(), WithdrawalLedger.NO_CRASH);
            }
        }
    }
}
