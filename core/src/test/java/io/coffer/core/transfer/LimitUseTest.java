package io.coffer.core.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.core.CofferSchema;
import io.coffer.core.chain.AssetId;
import io.coffer.core.store.Batch;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The kept sums of transfers counting against limits equal, at every step of a random life, what summing the transfers
 * themselves (each counted as TransferService shows it) gives — over windows of any length and alignment, per tenant and
 * asset, and per refunded payment request; and the migrations write the same records as the life kept (the whole index, the
 * day sums from the hours', the second sums from the rows).
 */
class LimitUseTest {
    private static final List<String> TENANTS = List.of("tn_a", "tn_b");
    private static final List<String> ASSETS = List.of("bitcoin/BTC", "ethereum/ETH");
    private static final long T0 = Instant.parse("2026-11-01T00:00:00Z").toEpochMilli();

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    void keptSumsEqualTheTransfersSummedThroughARandomLife(long seed) {
        Random r = new Random(seed);
        try (Store store = LevelDbStore.open(dir.resolve("life"), CofferSchema.current())) {
            store.derive(LimitUse.NAME, new LimitUse());
            List<String> ids = new ArrayList<>();
            for (int step = 0; step < 400; step++) {
                Batch b = store.batch();
                int op = r.nextInt(10);
                if (op < 4 || ids.isEmpty()) {
                    String id = "tr_" + step;
                    long at = T0 + pickTime(r);
                    var state = r.nextBoolean() ? TenantTransfer.State.AWAITING_APPROVAL : TenantTransfer.State.SUBMITTING;
                    b.put(TransferTables.TRANSFERS, id, transfer(id, TENANTS.get(r.nextInt(2)), ASSETS.get(r.nextInt(2)), 1 + r.nextInt(1000),
                            state, "", r.nextInt(3) == 0 ? "pr_" + r.nextInt(3) : "", at));
                    ids.add(id);
                } else {
                    TenantTransfer t = store.get(TransferTables.TRANSFERS, ids.get(r.nextInt(ids.size()))).orElseThrow();
                    String chain = AssetId.chainOf(t.asset());
                    switch (t.state()) {
                        case AWAITING_APPROVAL -> b.put(TransferTables.TRANSFERS, t.id(), t.moved(r.nextBoolean()
                                ? TenantTransfer.State.REJECTED : TenantTransfer.State.SUBMITTING, t.approvals(), "", "", Instant.now()));
                        case SUBMITTING -> {
                            int how = r.nextInt(4);
                            Optional<String> stored = store.get(TransferTables.IDEMPOTENCY, new TransferTables.ChainKey(chain, t.id()));
                            if (stored.isPresent()) { // its withdrawal stored earlier, and the transfer now told about it
                                b.put(TransferTables.TRANSFERS, t.id(), t.moved(TenantTransfer.State.SUBMITTED, t.approvals(), stored.get(), "",
                                        Instant.now()));
                            } else if (how == 0) { // refused before anything was signed
                                b.put(TransferTables.TRANSFERS, t.id(), t.moved(TenantTransfer.State.FAILED, t.approvals(), "", "refused", Instant.now()));
                            } else { // its withdrawal stored (failed at once, or not), then maybe the transfer moved in the same batch
                                Withdrawal w = withdrawal("wd_" + t.id(), chain, t.account(), t.id(), how == 1 ? WithdrawalStatus.FAILED
                                        : WithdrawalStatus.BROADCAST);
                                b.put(TransferTables.WITHDRAWALS, new TransferTables.ChainKey(chain, w.id()), w);
                                b.put(TransferTables.IDEMPOTENCY, new TransferTables.ChainKey(chain, t.id()), w.id());
                                if (how == 3) {
                                    b.put(TransferTables.TRANSFERS, t.id(), t.moved(TenantTransfer.State.SUBMITTED, t.approvals(), w.id(), "", Instant.now()));
                                }
                            }
                        }
                        case SUBMITTED -> {
                            var key = new TransferTables.ChainKey(chain, t.withdrawalId());
                            Withdrawal w = store.get(TransferTables.WITHDRAWALS, key).orElseThrow();
                            // Failed (or failed again: written twice), or confirmed; or another account's withdrawal with the same key.
                            WithdrawalStatus next = w.status() != WithdrawalStatus.FAILED && r.nextInt(3) == 0 ? WithdrawalStatus.CONFIRMED
                                    : WithdrawalStatus.FAILED; // FAILED is final
                            b.put(TransferTables.WITHDRAWALS, key, w.with(next, 0, "", Instant.now()));
                            if (r.nextInt(4) == 0) {
                                Withdrawal other = withdrawal("wd_other_" + step, chain, t.account() + 1, t.id(), WithdrawalStatus.FAILED);
                                b.put(TransferTables.WITHDRAWALS, new TransferTables.ChainKey(chain, other.id()), other);
                            }
                        }
                        default -> {
                            if (r.nextBoolean()) { // a final transfer written again
                                b.put(TransferTables.TRANSFERS, t.id(), t);
                            }
                        }
                    }
                }
                b.commit();
                if (step % 10 == 0) {
                    checkSums(store, r);
                }
            }
            checkSums(store, r);

            // The migration writes what the life kept, run as a node's start runs it (an upgrade, in parts); and the same
            // when a crash ended an earlier run of it after its rows and part of its sums were written.
            List<io.coffer.core.store.Table<?, ?>> kept = List.of(TransferTables.TRANSFERS, TransferTables.WITHDRAWALS,
                    TransferTables.IDEMPOTENCY);
            for (boolean crashed : new boolean[] {false, true}) {
                Path at = dir.resolve(crashed ? "migrated-after-a-crash" : "migrated");
                fill(at, b -> kept.forEach(table -> copyTable(store, b, table)));
                if (crashed) {
                    RuntimeException killed = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                            () -> upgrade(at, (s, b) -> LimitUse.index(s, new DyingBatch(b, TransferTables.COUNTED, 5))).close());
                    assertEquals("killed", killed.getMessage());
                    try (Store half = LevelDbStore.open(at, io.coffer.core.store.Schema.of(1, CofferSchema.current().tables()))) {
                        assertEquals(1, half.schemaVersion(), "the version is written with the last part only");
                        assertEquals(4, half.list(TransferTables.COUNTED, TransferTables.COUNTED.all(), Integer.MAX_VALUE).size(),
                                "the sums' parts written before the kill");
                        assertEquals(store.list(TransferTables.COUNTING, TransferTables.COUNTING.all(), Integer.MAX_VALUE),
                                half.list(TransferTables.COUNTING, TransferTables.COUNTING.all(), Integer.MAX_VALUE), "the rows' part");
                    }
                }
                try (Store fresh = upgrade(at, LimitUse::index)) {
                    assertSameRows(store, fresh, TransferTables.COUNTING);
                    assertSameRows(store, fresh, TransferTables.COUNTED);
                    assertSameRows(store, fresh, TransferTables.REFUNDING);
                }
            }
            // The migrations to day sums (schema 10) and to second sums (schema 13), both from the rows, write, in a store
            // kept without them, the sums the life kept.
            assertMigrationWritesSpan(store, dir.resolve("no-days"), LimitUse.DAY, LimitUse::indexDays);
            assertMigrationWritesSpan(store, dir.resolve("no-seconds"), LimitUse.SECOND, LimitUse::indexSeconds);
        }
    }

    /**
     * A migration's batch that commits a part at each write to {@code table} and dies at the {@code n}th, as a kill would end
     * the upgrade there with some of its parts written.
     */
    private static final class DyingBatch extends io.coffer.core.store.DelegatingBatch {
        private final io.coffer.core.store.Table<?, ?> table;
        private int left;

        DyingBatch(Batch batch, io.coffer.core.store.Table<?, ?> table, int n) {
            super(batch);
            this.table = table;
            this.left = n;
        }

        @Override
        public <K, V> Batch put(io.coffer.core.store.Table<K, V> t, K key, V value) {
            if (t == table && --left == 0) {
                throw new IllegalStateException("killed");
            }
            batch.put(t, key, value);
            if (t == table) {
                batch.commit();
            }
            return this;
        }
    }

    /**
     * An upgrade's memory does not grow with the history: the migration to second sums over 200,000 transfers a second apart
     * runs in a process with a 40 MiB heap. In one batch, with every second's sum in a map, it held ~380 bytes a transfer
     * (~76 MiB here; 1,000,000 transfers did not fit in 256 MiB).
     */
    @org.junit.jupiter.api.Test
    void theSecondSumsMigrationOfALongHistoryRunsInASmallHeap() throws Exception {
        Path at = dir.resolve("long");
        io.coffer.core.store.Schema current = CofferSchema.current();
        java.util.Map<Integer, io.coffer.core.store.Schema.Migration> before = new java.util.HashMap<>(current.upgradesFrom());
        before.remove(12);
        int n = 200_000;
        try (Store store = LevelDbStore.open(at, new io.coffer.core.store.Schema(12, current.tables(), before))) {
            for (int i = 0; i < n; ) {
                Batch b = store.batch();
                for (int j = 0; j < 10_000; j++, i++) {
                    b.put(TransferTables.COUNTING, new TransferTables.CountingTransfer("tn_a", "bitcoin/BTC", T0 + i * 1000L, "tr_" + i),
                            BigInteger.valueOf(i + 1));
                }
                b.commit();
            }
        }
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(javaBin, "-Xmx40m", "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                UpgradeChild.class.getName(), at.toString()).redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, child.waitFor(), out);
        try (Store store = LevelDbStore.open(at, current)) {
            assertEquals(current.version(), store.schemaVersion());
            long[] seconds = {0};
            store.forEach(TransferTables.COUNTED.all(), TransferTables.COUNTED, (span, sum) -> {
                assertEquals(LimitUse.SECOND, span.spanMillis());
                assertEquals(BigInteger.valueOf((span.startMillis() - T0) / 1000 + 1), sum, span.toString());
                seconds[0]++;
            });
            assertEquals(n, seconds[0]);
        }
    }

    /** Opens a store and upgrades it, as a node's start does, in a process of its own (the test gives it a small heap). */
    public static final class UpgradeChild {
        private UpgradeChild() {
        }

        public static void main(String[] args) {
            LevelDbStore.openAndUpgrade(Path.of(args[0]), CofferSchema.current()).close();
        }
    }

    /**
     * A tenant sending a transfer every 10 ms (100 a second) around both ends of a day, and a few in between: summing that day,
     * bounded or open-ended, reads the rows of the window's end seconds (at most 100 each) and sums, not the rows of its end
     * minutes (up to 6,000 each, under the lock every transfer waits for), and gets what the transfers add up to.
     */
    @org.junit.jupiter.api.Test
    void aWindowReadsTheRowsOfItsEndSecondsWhateverTheRate() {
        try (Store store = LevelDbStore.open(dir.resolve("busy"), CofferSchema.current())) {
            store.derive(LimitUse.NAME, new LimitUse());
            List<Long> times = new ArrayList<>();
            for (long day : new long[] {0, LimitUse.DAY}) {
                for (long t = T0 + day + LimitUse.MINUTE; t < T0 + day + 3L * LimitUse.MINUTE; t += 10) {
                    times.add(t);
                }
            }
            for (int h = 1; h < 24; h++) {
                times.add(T0 + h * (long) LimitUse.HOUR + 7);
            }
            for (int i = 0; i < times.size(); i += 2_000) {
                Batch b = store.batch();
                for (int k = i; k < Math.min(times.size(), i + 2_000); k++) {
                    b.put(TransferTables.TRANSFERS, "tr_" + k, transfer("tr_" + k, "tn_a", "bitcoin/BTC", 1, TenantTransfer.State.AWAITING_APPROVAL,
                            "", "", times.get(k)));
                }
                b.commit();
            }
            io.coffer.core.store.ReadCountingStore counted = new io.coffer.core.store.ReadCountingStore(store);
            long from = T0 + LimitUse.MINUTE + 30_456; // mid-second, mid-minute: both ends have a part second and a part minute
            for (long to : new long[] {from + LimitUse.DAY, Long.MAX_VALUE}) {
                counted.reset();
                long expected = times.stream().filter(t -> t >= from && t < to).count();
                assertEquals(BigInteger.valueOf(expected), LimitUse.sum(counted, "tn_a", "bitcoin/BTC", from, to), "to " + to);
                long rows = counted.reads(TransferTables.COUNTING);
                long sums = counted.reads(TransferTables.COUNTED);
                assertTrue(rows <= 2 * 100, "rows read: " + rows + " (to " + to + ")");
                assertTrue(sums <= 2 * 59 + 2 * 59 + 2 * 23 + 1, "sums read: " + sums + " (to " + to + ")");
            }
        }
    }

    /**
     * Copies {@code life}'s rows and its sums but those of {@code span} into a new store at {@code at}, runs {@code migration}
     * there, and expects every sum {@code life} kept.
     */
    private static void assertMigrationWritesSpan(Store life, Path at, int span, io.coffer.core.store.Schema.Migration migration) {
        fill(at, copy -> {
            copyTable(life, copy, TransferTables.COUNTING);
            for (var e : life.list(TransferTables.COUNTED, TransferTables.COUNTED.all(), Integer.MAX_VALUE)) {
                if (e.getKey().spanMillis() != span) {
                    copy.put(TransferTables.COUNTED, e.getKey(), e.getValue());
                }
            }
        });
        try (Store migrated = upgrade(at, migration)) {
            assertSameRows(life, migrated, TransferTables.COUNTED);
        }
    }

    /** A store at {@code at} at version 1 (before the migration under test), holding what {@code fill} writes. */
    private static void fill(Path at, java.util.function.Consumer<Batch> fill) {
        try (Store before = LevelDbStore.open(at, io.coffer.core.store.Schema.of(1, CofferSchema.current().tables()))) {
            Batch b = before.batch();
            fill.accept(b);
            b.commit();
        }
    }

    /** The store at {@code at} upgraded to version 2 by {@code migration}, as a node's start runs a migration, and open. */
    private static Store upgrade(Path at, io.coffer.core.store.Schema.Migration migration) {
        return LevelDbStore.openAndUpgrade(at, new io.coffer.core.store.Schema(2, CofferSchema.current().tables(), java.util.Map.of(1, migration)));
    }

    private static <K, V> void assertSameRows(Store expected, Store actual, io.coffer.core.store.Table<K, V> table) {
        assertEquals(expected.list(table, table.all(), Integer.MAX_VALUE), actual.list(table, table.all(), Integer.MAX_VALUE), table.toString());
    }

    private static <K, V> void copyTable(Store from, Batch to, io.coffer.core.store.Table<K, V> table) {
        for (var e : from.list(table, table.all(), Integer.MAX_VALUE)) {
            to.put(table, e.getKey(), e.getValue());
        }
    }

    /** Within three days, often on a second's, a minute's, an hour's or a day's edge (or a millisecond either side). */
    private static long pickTime(Random r) {
        long t = (long) (r.nextDouble() * 3 * 86_400_000L);
        return switch (r.nextInt(6)) {
            case 3 -> t - t % LimitUse.SECOND + r.nextInt(3) - 1;
            case 0 -> t - t % LimitUse.MINUTE + r.nextInt(3) - 1;
            case 1 -> t - t % LimitUse.HOUR + r.nextInt(3) - 1;
            case 2 -> t - t % LimitUse.DAY + r.nextInt(3) - 1;
            default -> t;
        };
    }

    private static void checkSums(Store store, Random r) {
        List<TenantTransfer> all = store.list(TransferTables.TRANSFERS, TransferTables.TRANSFERS.all(), Integer.MAX_VALUE).stream()
                .map(java.util.Map.Entry::getValue).toList();
        for (int i = 0; i < 30; i++) {
            String tenant = TENANTS.get(r.nextInt(2));
            String asset = ASSETS.get(r.nextInt(2));
            long from = T0 + pickTime(r) - 3_600_000;
            long to = r.nextInt(4) == 0 ? Long.MAX_VALUE : from + switch (r.nextInt(4)) {
                case 0 -> r.nextBoolean() ? r.nextInt(120_000) : r.nextInt(3_000); // within a minute or two, or a few seconds
                case 1 -> r.nextInt(7_200_000); // within an hour or two
                case 2 -> 86_400_000L; // a day
                default -> (long) (r.nextDouble() * 4 * 86_400_000L);
            };
            BigInteger expected = BigInteger.ZERO;
            Optional<Long> first = Optional.empty();
            for (TenantTransfer t : all) {
                long at = t.createdAt().toEpochMilli();
                if (t.tenant().equals(tenant) && t.asset().equals(asset) && at >= from && at < to && counts(store, t)) {
                    expected = expected.add(t.amount());
                    first = first.isEmpty() || at < first.get() ? Optional.of(at) : first;
                }
            }
            String window = tenant + " " + asset + " [" + from + ", " + to + ")";
            assertEquals(expected, LimitUse.sum(store, tenant, asset, from, to), window);
            assertEquals(first, LimitUse.first(store, tenant, asset, from, to), window);
        }
        for (String tenant : TENANTS) {
            for (int p = 0; p < 3; p++) {
                String pr = "pr_" + p;
                BigInteger expected = all.stream().filter(t -> t.tenant().equals(tenant) && t.refundOf().equals(pr) && counts(store, t))
                        .map(TenantTransfer::amount).reduce(BigInteger.ZERO, BigInteger::add);
                assertEquals(expected, LimitUse.refunded(store, tenant, pr), tenant + " refunds of " + pr);
            }
        }
    }

    /** As TransferService shows a transfer: by its own state, else by the withdrawal it is shown with. */
    private static boolean counts(Store store, TenantTransfer t) {
        String chain = AssetId.chainOf(t.asset());
        Optional<Withdrawal> w = switch (t.state()) {
            case SUBMITTED -> store.get(TransferTables.WITHDRAWALS, new TransferTables.ChainKey(chain, t.withdrawalId()));
            case SUBMITTING -> store.get(TransferTables.IDEMPOTENCY, new TransferTables.ChainKey(chain, t.id()))
                    .flatMap(id -> store.get(TransferTables.WITHDRAWALS, new TransferTables.ChainKey(chain, id)));
            default -> Optional.empty();
        };
        TransferStatus status = w.isPresent() && (t.state() == TenantTransfer.State.SUBMITTED || t.state() == TenantTransfer.State.SUBMITTING)
                ? TransferStatus.of(w.get().status())
                : switch (t.state()) {
                    case REJECTED -> TransferStatus.REJECTED;
                    case FAILED -> TransferStatus.FAILED;
                    case AWAITING_APPROVAL -> TransferStatus.AWAITING_APPROVAL;
                    default -> TransferStatus.SIGNED;
                };
        return status.countsAgainstLimits();
    }

    private static TenantTransfer transfer(String id, String tenant, String asset, long amount, TenantTransfer.State state, String withdrawalId,
            String refundOf, long createdMillis) {
        Instant at = Instant.ofEpochMilli(createdMillis);
        return new TenantTransfer(id, tenant, TENANTS.indexOf(tenant), asset, "dest", BigInteger.valueOf(amount), FeePriority.NORMAL,
                Optional.empty(), "", refundOf, "key-" + id, "ak_1", List.of(), state, withdrawalId, "", at, at);
    }

    private static Withdrawal withdrawal(String id, String chain, int account, String key, WithdrawalStatus status) {
        Instant t = Instant.parse("2026-11-01T00:00:00Z");
        return new Withdrawal(id, chain, account, "dest", BigInteger.TEN, BigInteger.ONE, 1000, status, "ab".repeat(32), new byte[] {1},
                List.of(), -1, List.of(), key, 0, "", t, t, chain + "/X", "");
    }
}
