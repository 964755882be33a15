package io.coffer.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreTest {
    // ledger: 0x01 | seq u64 -> amount
    static final Table<Long, BigInteger> LEDGER = Table.of(0x01, "ledger", "seq u64 -> amount", Codecs.u64Key(), Codecs.amount());
    // names: 0x02 | name string -> utf8
    static final Table<String, String> NAMES = Table.of(0x02, "names", "name string -> utf8", Codecs.stringKey(), Codecs.utf8());
    // events: 0x03 | tenant string | seq u64 -> utf8
    static final Table<TenantSeq, String> EVENTS = Table.of(0x03, "events", "tenant string | seq u64 -> utf8",
            new TenantSeqCodec(), Codecs.utf8());
    // counters: 0x04 | name string -> amount (read often: kept decoded in memory by the store)
    static final Table<String, BigInteger> COUNTERS = Table.of(0x04, "counters", "name string -> amount", Codecs.stringKey(),
            Codecs.amount()).readOften();
    static final Schema SCHEMA = Schema.of(1, List.of(LEDGER, NAMES, EVENTS, COUNTERS));
    /** How many batches a write-loop child commits in a round before it says so and may be killed. */
    static final long BATCHES_BEFORE_KILL = 200;

    record TenantSeq(String tenant, long seq) {
    }

    static final class TenantSeqCodec implements KeyCodec<TenantSeq> {
        @Override
        public byte[] encode(TenantSeq k) {
            return KeyWriter.key().string(k.tenant()).u64(k.seq()).build();
        }

        @Override
        public TenantSeq decode(byte[] bytes) {
            KeyReader r = new KeyReader(bytes);
            TenantSeq k = new TenantSeq(r.string(), r.u64());
            r.end();
            return k;
        }
    }

    @TempDir
    Path dir;

    /**
     * A derivation keeping a per-tenant count of events in NAMES: it sees each batch's changes, its records are written in the
     * same batch (queued ones too), a batch of another tenant's events or of other tables never reaches it, a derivation that
     * throws leaves the whole batch unwritten, and one registered again under its name replaces the first.
     */
    @Test
    void aDerivationKeepsItsRecordsInTheBatchesThatChangeWhatItFollows() {
        try (Store store = LevelDbStore.open(dir, SCHEMA)) {
            java.util.List<Integer> seen = new java.util.ArrayList<>();
            boolean[] fail = {false};
            Derivation counts = new Derivation() {
                @Override
                public java.util.Set<Table<?, ?>> reads() {
                    return java.util.Set.of(EVENTS);
                }

                @Override
                public byte[] keyPrefix() {
                    return KeyWriter.key().string("t1").build();
                }

                @Override
                public void derive(Batch batch, Reader before) {
                    var changes = batch.changes(EVENTS);
                    seen.add(changes.size());
                    if (fail[0]) {
                        throw new IllegalStateException("refused");
                    }
                    count(batch, before, "count t1");
                }
            };
            store.derive("counts", counts);
            store.batch().put(EVENTS, new TenantSeq("t1", 1), "a").put(EVENTS, new TenantSeq("t1", 2), "b").commit();
            assertEquals(Optional.of("2"), store.get(NAMES, "count t1"));
            store.batch().put(EVENTS, new TenantSeq("t2", 1), "other").put(NAMES, "x", "y").commit();
            assertEquals(List.of(2), seen, "another tenant's events and other tables do not reach it");
            store.batch().put(EVENTS, new TenantSeq("t1", 3), "c").queue().await();
            assertEquals(Optional.of("3"), store.get(NAMES, "count t1"), "a queued batch is derived too");
            store.batch().delete(EVENTS, new TenantSeq("t1", 1)).put(EVENTS, new TenantSeq("t1", 1), "again")
                    .delete(EVENTS, new TenantSeq("t1", 2)).commit();
            assertEquals(Optional.of("2"), store.get(NAMES, "count t1"), "the last operation on a key is its change");
            fail[0] = true;
            assertThrows(IllegalStateException.class, () -> store.batch().put(EVENTS, new TenantSeq("t1", 9), "z").put(LEDGER, 9L,
                    BigInteger.ONE).commit());
            assertEquals(Optional.empty(), store.get(EVENTS, new TenantSeq("t1", 9)), "nothing of a refused batch is written");
            assertEquals(Optional.empty(), store.get(LEDGER, 9L));
            store.derive("counts", new Derivation() {
                @Override
                public java.util.Set<Table<?, ?>> reads() {
                    return java.util.Set.of(EVENTS);
                }

                @Override
                public void derive(Batch batch, Reader before) {
                    batch.put(NAMES, "replaced", "yes");
                }
            });
            store.batch().put(EVENTS, new TenantSeq("t3", 1), "d").commit();
            assertEquals(Optional.of("yes"), store.get(NAMES, "replaced"));
            assertEquals(Optional.of("2"), store.get(NAMES, "count t1"), "the first one no longer runs");
            assertEquals("read under its lock", store.readDerived("counts", () -> "read under its lock"));
        }
    }

    /**
     * Moves the count of events kept in NAMES under {@code name} by {@code batch}'s changes: each key's part after the batch
     * (present or not) less its part before, as {@code before} reads it.
     */
    private static void count(Batch batch, Reader before, String name) {
        long added = 0;
        for (var e : batch.changes(EVENTS).entrySet()) {
            added += (e.getValue().isPresent() ? 1 : 0) - (before.get(EVENTS, e.getKey()).isPresent() ? 1 : 0);
        }
        long was = Long.parseLong(before.get(NAMES, name).orElse("0"));
        batch.put(NAMES, name, Long.toString(was + added));
    }

    /**
     * Batches a derivation follows are queued without waiting for the disk (its lock is let go once a batch is queued), so the
     * next one is derived while those before may not be written: it must read them all the same. Eight threads queue a put of a
     * new event each and then, for every other one, its delete, waiting for nothing until the end; the count derived from
     * "was this key there before" is right only if every queued put and delete is seen, written or not. A reader under the
     * derivation's lock sees the state with all of them written.
     */
    @Test
    void batchesDerivedOneAfterTheOtherSeeTheQueuedOnesBeforeThem() throws Exception {
        try (Store store = LevelDbStore.open(dir, SCHEMA)) {
            store.derive("counts", new Derivation() {
                @Override
                public java.util.Set<Table<?, ?>> reads() {
                    return java.util.Set.of(EVENTS);
                }

                @Override
                public void derive(Batch batch, Reader before) {
                    count(batch, before, "count");
                }
            });
            int threads = 8;
            int each = 150;
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
            try {
                List<java.util.concurrent.Future<List<Batch.Queued>>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    String tenant = "t" + t;
                    done.add(pool.submit(() -> {
                        List<Batch.Queued> queued = new ArrayList<>();
                        for (int i = 0; i < each; i++) {
                            queued.add(store.batch().put(EVENTS, new TenantSeq(tenant, i), "e").queue());
                            if (i % 2 == 1) {
                                queued.add(store.batch().delete(EVENTS, new TenantSeq(tenant, i)).queue());
                            }
                        }
                        return queued;
                    }));
                }
                for (var f : done) {
                    f.get(60, TimeUnit.SECONDS).forEach(Batch.Queued::await);
                }
            } finally {
                pool.shutdownNow();
            }
            long expected = threads * (long) (each / 2);
            assertEquals(Optional.of(Long.toString(expected)), store.get(NAMES, "count"), "every queued put and delete counted once");
            assertEquals(expected, (long) store.readDerived("counts", () -> {
                long n = 0;
                try (Cursor<TenantSeq, String> c = store.scan(EVENTS.all(), EVENTS)) {
                    while (c.hasNext()) {
                        c.next();
                        n++;
                    }
                }
                return n;
            }));
        }
    }

    @Test
    void aQueuedBatchIsWrittenBeforeTheCommitsAfterItAndDurableWithThem() {
        try (Store store = LevelDbStore.open(dir, SCHEMA)) {
            Batch queued = store.batch().put(NAMES, "issued", "7").put(LEDGER, 1L, BigInteger.TEN);
            Batch.Queued handle = queued.queue();
            assertThrows(IllegalStateException.class, queued::commit, "a batch is written once");
            store.batch().put(NAMES, "request", "pr_1").put(NAMES, "issued", "8").commit();
            assertEquals("8", store.get(NAMES, "issued").orElseThrow(), "written in queue order: the later value wins");
            handle.await(); // already written with (or before) the commit after it
            assertEquals(BigInteger.TEN, store.get(LEDGER, 1L).orElseThrow());
        }
        try (Store store = LevelDbStore.open(dir, SCHEMA)) {
            assertEquals("8", store.get(NAMES, "issued").orElseThrow());
            assertEquals(BigInteger.TEN, store.get(LEDGER, 1L).orElseThrow());
            assertEquals("pr_1", store.get(NAMES, "request").orElseThrow());
        }
    }

    /** A table's write count moves once per committed batch that wrote to it, queued or not, and not for other tables' batches. */
    @Test
    void writeCountsMoveWithTheBatchesThatWroteTheTable() {
        try (Store store = LevelDbStore.open(dir, SCHEMA)) {
            long ledger = store.writes(LEDGER);
            long names = store.writes(NAMES);
            store.batch().put(LEDGER, 1L, BigInteger.ONE).put(LEDGER, 2L, BigInteger.TWO).commit();
            assertEquals(ledger + 1, store.writes(LEDGER), "one batch, however many records");
            assertEquals(names, store.writes(NAMES));
            Batch.Queued q = store.batch().delete(LEDGER, 1L).put(NAMES, "a", "b").queue();
            q.await();
            assertEquals(ledger + 2, store.writes(LEDGER));
            assertEquals(names + 1, store.writes(NAMES));
            store.batch().commit(); // empty: nothing written, nothing counted
            assertEquals(ledger + 2, store.writes(LEDGER));
        }
    }

    /** A table read often reads back every committed change (put, put again, delete, queued), and absent keys as absent. */
    @Test
    void aTableReadOftenReadsBackEveryCommittedChange() {
        try (Store store = LevelDbStore.open(dir, SCHEMA)) {
            assertEquals(Optional.empty(), store.get(COUNTERS, "a"));
            assertEquals(Optional.empty(), store.get(COUNTERS, "a"), "absent, asked again");
            store.batch().put(COUNTERS, "a", BigInteger.ONE).commit();
            assertEquals(BigInteger.ONE, store.get(COUNTERS, "a").orElseThrow());
            assertEquals(BigInteger.ONE, store.get(COUNTERS, "a").orElseThrow());
            store.batch().put(COUNTERS, "a", BigInteger.TWO).put(COUNTERS, "b", BigInteger.TEN).commit();
            assertEquals(BigInteger.TWO, store.get(COUNTERS, "a").orElseThrow());
            assertEquals(BigInteger.TEN, store.get(COUNTERS, "b").orElseThrow());
            store.batch().put(NAMES, "x", "y").commit(); // another table's batch: the kept records stay right
            assertEquals(BigInteger.TWO, store.get(COUNTERS, "a").orElseThrow());
            store.batch().put(COUNTERS, "a", BigInteger.TEN).queue().await();
            assertEquals(BigInteger.TEN, store.get(COUNTERS, "a").orElseThrow());
            store.batch().delete(COUNTERS, "a").commit();
            assertEquals(Optional.empty(), store.get(COUNTERS, "a"));
            assertEquals(BigInteger.TEN, store.get(COUNTERS, "b").orElseThrow());
        }
    }

    /**
     * Readers of a table read often never see a record older than the last commit that had returned when their read began:
     * a writer commits 1, 2, 3, ... to one record while readers read it, each checking against what had been acknowledged.
     */
    @Test
    void aTableReadOftenIsNeverOlderThanTheLastAcknowledgedCommit() throws Exception {
        try (Store store = LevelDbStore.open(dir, SCHEMA)) {
            java.util.concurrent.atomic.AtomicLong acknowledged = new java.util.concurrent.atomic.AtomicLong();
            java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
            java.util.concurrent.ConcurrentLinkedQueue<String> stale = new java.util.concurrent.ConcurrentLinkedQueue<>();
            java.util.concurrent.atomic.AtomicLong reads = new java.util.concurrent.atomic.AtomicLong();
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < 3; r++) {
                readers.add(Thread.ofPlatform().start(() -> {
                    while (writing.get()) {
                        long before = acknowledged.get();
                        long seen = store.get(COUNTERS, "n").map(BigInteger::longValueExact).orElse(0L);
                        reads.incrementAndGet();
                        if (seen < before && stale.size() < 100) {
                            stale.add("read " + seen + " after " + before + " was acknowledged");
                        }
                    }
                }));
            }
            for (long n = 1; n <= 1_000; n++) {
                Batch b = store.batch().put(COUNTERS, "n", BigInteger.valueOf(n));
                if (n % 7 == 0) {
                    b.put(COUNTERS, "other", BigInteger.valueOf(n)); // some batches write more of the table
                }
                b.commit();
                acknowledged.set(n);
            }
            writing.set(false);
            for (Thread t : readers) {
                t.join();
            }
            assertTrue(stale.isEmpty(), stale.size() + " stale reads, the first: " + stale.stream().limit(5).toList());
            assertEquals(BigInteger.valueOf(1_000), store.get(COUNTERS, "n").orElseThrow());
            assertTrue(reads.get() > 0);
        }
    }

    @Test
    void batchWritesEveryTableAtOnceAndReadsBackTyped() {
        try (Store store = LevelDbStore.open(dir, SCHEMA)) {
            Batch b = store.batch()
                    .put(LEDGER, 7L, new BigInteger("123456789012345678901234567890"))
                    .put(NAMES, "alice", "first")
                    .put(EVENTS, new TenantSeq("t1", 1), "created");
            assertEquals(Optional.empty(), store.get(NAMES, "alice"), "nothing visible before commit");
            b.commit();
            assertEquals(new BigInteger("123456789012345678901234567890"), store.get(LEDGER, 7L).orElseThrow());
            assertEquals("first", store.get(NAMES, "alice").orElseThrow());
            assertEquals("created", store.get(EVENTS, new TenantSeq("t1", 1)).orElseThrow());

            store.batch().delete(NAMES, "alice").put(NAMES, "bob", "second").commit();
            assertTrue(store.get(NAMES, "alice").isEmpty());
            assertEquals("second", store.get(NAMES, "bob").orElseThrow());
            assertThrows(IllegalStateException.class, () -> {
                Batch done = store.batch().put(NAMES, "x", "y");
                done.commit();
                done.put(NAMES, "z", "w");
            });
        }
    }

    @Test
    void aBatchThatFailsWhileBeingBuiltWritesNothing() {
        try (Store store = LevelDbStore.open(dir, SCHEMA)) {
            Batch b = store.batch().put(NAMES, "credit", "10");
            assertThrows(IllegalArgumentException.class, () -> b.put(LEDGER, 1L, BigInteger.valueOf(-10)));
            // The caller drops the batch; the first put must not have reached the store.
            assertTrue(store.get(NAMES, "credit").isEmpty());
            assertTrue(store.list(LEDGER, LEDGER.all(), 10).isEmpty());
        }
    }

    @Test
    void rangeScansRunInKeyOrderBothWaysAndStayInsideTheirTable() {
        try (Store store = LevelDbStore.open(dir, SCHEMA)) {
            Batch b = store.batch();
            for (long i = 0; i < 300; i++) {
                b.put(LEDGER, i * 3, BigInteger.valueOf(i));
            }
            for (String n : List.of("b", "a", "a\u0000", "ab", "\u00e9", "A")) {
                b.put(NAMES, n, n);
            }
            for (String t : List.of("t1", "t10", "t2")) {
                for (long s = 1; s <= 5; s++) {
                    b.put(EVENTS, new TenantSeq(t, s), t + "#" + s);
                }
            }
            b.commit();

            List<Long> all = keys(store.list(LEDGER, LEDGER.all(), 1000));
            assertEquals(300, all.size());
            assertEquals(0L, all.get(0));
            assertEquals(897L, all.get(299));
            assertEquals(List.of(30L, 33L, 36L), keys(store.list(LEDGER, LEDGER.between(30L, 39L), 100)));
            assertEquals(List.of(36L, 33L, 30L), keys(store.list(LEDGER, LEDGER.between(30L, 39L).reversed(), 100)));
            assertEquals(List.of(897L, 894L), keys(store.list(LEDGER, LEDGER.all().reversed(), 2)));
            assertEquals(List.of(894L, 897L), keys(store.list(LEDGER, LEDGER.from(894L), 100)));
            assertEquals(List.of(897L), keys(store.list(LEDGER, LEDGER.from(895L).reversed(), 100)));
            assertTrue(store.list(LEDGER, LEDGER.between(898L, 2000L), 10).isEmpty());
            assertTrue(store.list(LEDGER, LEDGER.between(898L, 2000L).reversed(), 10).isEmpty());

            // Strings sort by UTF-8 bytes and a string is never confused with its extensions.
            assertEquals(List.of("A", "a", "a\u0000", "ab", "b", "\u00e9"), keys(store.list(NAMES, NAMES.all(), 100)));
            assertEquals(List.of("\u00e9", "b", "ab", "a\u0000", "a", "A"), keys(store.list(NAMES, NAMES.all().reversed(), 100)));

            // A composite-key prefix selects one tenant exactly: "t1" must not match "t10".
            byte[] t1 = KeyWriter.key().string("t1").build();
            List<Map.Entry<TenantSeq, String>> t1Events = store.list(EVENTS, EVENTS.prefix(t1), 100);
            assertEquals(List.of("t1#1", "t1#2", "t1#3", "t1#4", "t1#5"), t1Events.stream().map(Map.Entry::getValue).toList());
            assertEquals("t1#5", store.list(EVENTS, EVENTS.prefix(t1).reversed(), 1).get(0).getValue());
            byte[] t2 = KeyWriter.key().string("t2").build();
            assertEquals("t2#5", store.list(EVENTS, EVENTS.prefix(t2).reversed(), 1).get(0).getValue(),
                    "reverse scan of the last prefix in the last table");
        }
    }

    @Test
    void aCursorReadsTheSnapshotOfItsStart() {
        try (Store store = LevelDbStore.open(dir, SCHEMA)) {
            store.batch().put(LEDGER, 1L, BigInteger.ONE).put(LEDGER, 2L, BigInteger.TWO).commit();
            int seen = 0;
            try (Cursor<Long, BigInteger> c = store.scan(LEDGER.all(), LEDGER)) {
                store.batch().put(LEDGER, 3L, BigInteger.TEN).commit();
                while (c.hasNext()) {
                    c.next();
                    seen++;
                }
            }
            assertEquals(2, seen);
        }
    }

    @Test
    void keyComponentsKeepNumericOrder() {
        long[] values = {Long.MIN_VALUE, -5, -1, 0, 1, 255, 256, Long.MAX_VALUE};
        for (int i = 1; i < values.length; i++) {
            byte[] a = KeyWriter.key().i64(values[i - 1]).build();
            byte[] b = KeyWriter.key().i64(values[i]).build();
            assertTrue(LevelDbStore.compare(a, b) < 0, values[i - 1] + " < " + values[i]);
            assertEquals(values[i], new KeyReader(b).i64());
        }
        BigInteger[] big = {BigInteger.ZERO, BigInteger.ONE, BigInteger.valueOf(255), BigInteger.valueOf(256),
                BigInteger.TWO.pow(64), BigInteger.TWO.pow(255)};
        for (int i = 1; i < big.length; i++) {
            byte[] a = KeyWriter.key().bigUnsigned(big[i - 1]).build();
            byte[] b = KeyWriter.key().bigUnsigned(big[i]).build();
            assertTrue(LevelDbStore.compare(a, b) < 0, big[i - 1] + " < " + big[i]);
            assertEquals(big[i], new KeyReader(b).bigUnsigned());
        }
        assertThrows(IllegalArgumentException.class, () -> KeyWriter.key().u64(-1));
        assertThrows(StoreException.class, () -> Codecs.u64Key().decode(new byte[] {1, 2, 3}));
    }


    /**
     * String components are written as their UTF-8 with 0 escaped (ASCII without a 0 byte by a shorter path, and read back by
     * one): the bytes are those of the rule, the order is the strings' UTF-8 order whatever follows them, and each reads back.
     */
    @Test
    void stringComponentsAreEscapedUtf8InOrderAndReadBack() {
        java.util.Random random = new java.util.Random(20261201);
        String[] alphabet = {"a", "b", "z", "0", "\0", "\u00e9", "\u4e2d", "\ud83d\ude00", "\u007f", "\u0001", "~"};
        java.util.List<String> strings = new java.util.ArrayList<>(java.util.List.of("", "\0", "a", "a\0", "a\0b", "ab", "\0\0"));
        for (int i = 0; i < 2_000; i++) {
            StringBuilder s = new StringBuilder();
            int n = random.nextInt(12);
            boolean ascii = random.nextBoolean();
            for (int k = 0; k < n; k++) {
                s.append(ascii ? String.valueOf((char) (1 + random.nextInt(0x7f))) : alphabet[random.nextInt(alphabet.length)]);
            }
            strings.add(s.toString());
        }
        for (String s : strings) {
            java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
            for (byte b : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                expected.write(b);
                if (b == 0) {
                    expected.write(0xFF);
                }
            }
            expected.write(0);
            expected.write(1);
            expected.writeBytes(new byte[] {0, 0, 0, 0, 0, 0, 0, 7});
            byte[] key = KeyWriter.key().string(s).u64(7).build();
            assertArrayEquals(expected.toByteArray(), key, s);
            KeyReader r = new KeyReader(key);
            assertEquals(s, r.string());
            assertEquals(7, r.u64());
        }
        for (int i = 0; i < 5_000; i++) {
            String a = strings.get(random.nextInt(strings.size()));
            String b = strings.get(random.nextInt(strings.size()));
            int utf8 = java.util.Arrays.compareUnsigned(a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    b.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            // The number after each string cannot change the order of two different strings (no key is a prefix of another).
            int keys = LevelDbStore.compare(KeyWriter.key().string(a).u64(Long.MAX_VALUE).build(), KeyWriter.key().string(b).u64(0).build());
            if (!a.equals(b)) {
                assertEquals(Integer.signum(utf8), Integer.signum(keys), a + " vs " + b);
            }
        }
    }
    @Test
    void secondOpenInTheSameProcessIsRefusedNamingTheDir() {
        try (Store store = LevelDbStore.open(dir, SCHEMA)) {
            StoreException.Locked e = assertThrows(StoreException.Locked.class, () -> LevelDbStore.open(dir, SCHEMA));
            assertTrue(e.getMessage().contains(dir.toAbsolutePath().normalize().toString()), e.getMessage());
            assertEquals("STORE_LOCKED", e.code());
        }
        LevelDbStore.open(dir, SCHEMA).close();
    }

    @Test
    void anotherProcessHoldingTheDirMakesOpenFailFast() throws Exception {
        Process child = child("hold-lock");
        try {
            awaitLine(child, "locked");
            long t0 = System.nanoTime();
            StoreException.Locked e = assertThrows(StoreException.Locked.class, () -> LevelDbStore.open(dir, SCHEMA));
            assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0) < 5, "fails fast, no waiting");
            assertTrue(e.getMessage().contains("in use by another Coffer process"), e.getMessage());
            assertTrue(e.getMessage().contains("pid " + child.pid()), e.getMessage());
            assertTrue(e.getMessage().contains(dir.toAbsolutePath().normalize().toString()), e.getMessage());
        } finally {
            child.destroyForcibly().waitFor();
        }
        // The OS drops the lock with the process: the dir opens again.
        LevelDbStore.open(dir, SCHEMA).close();
    }

    @Test
    void aKilledWriterLeavesOnlyWholeBatches() throws Exception {
        killWriterRounds("write-loop");
    }

    /**
     * The same with batches longer than LevelDB's 32 KiB log block, each logged in fragments: a kill between two leaves the
     * last record broken off ({@link TornLogTail}), which the store cuts at open.
     */
    @Test
    void aKilledWriterOfBatchesLongerThanALogBlockLeavesOnlyWholeBatches() throws Exception {
        killWriterRounds("write-loop-long");
    }

    /** The entry a write loop's batch {@code i} writes: in the long loop, longer than a log block. */
    static String entry(String mode, long i) {
        String debit = "debit " + i;
        return mode.equals("write-loop-long") ? debit + " " + "x".repeat(40_000) : debit;
    }

    private void killWriterRounds(String mode) throws Exception {
        java.util.Random random = new java.util.Random();
        long previous = 0;
        for (int round = 0; round < 3; round++) {
            Process child = child(mode);
            awaitLine(child, "written " + (previous + 1 + BATCHES_BEFORE_KILL));
            // The child is writing as fast as it can: killing it a random moment later lands anywhere in a batch.
            TimeUnit.MILLISECONDS.sleep(random.nextInt(150));
            child.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no close
            try (Store store = LevelDbStore.open(dir, SCHEMA)) {
                long counter = Long.parseLong(store.get(NAMES, "counter").orElse("0"));
                assertTrue(counter > previous + BATCHES_BEFORE_KILL, "round " + round + " continued the sequence past " + previous);
                // Every batch 1..counter is whole, and nothing of batch counter+1 (the one the kill tore, if any) is there.
                List<Map.Entry<Long, BigInteger>> ledger = store.list(LEDGER, LEDGER.all(), Integer.MAX_VALUE);
                assertEquals(counter, ledger.size(), "ledger rows and counter come from the same batches");
                for (int i = 0; i < ledger.size(); i++) {
                    assertEquals(i + 1L, ledger.get(i).getKey());
                    assertEquals(BigInteger.valueOf(i + 1L), ledger.get(i).getValue());
                }
                List<Map.Entry<String, String>> names = store.list(NAMES, NAMES.all(), Integer.MAX_VALUE);
                assertEquals(counter + 1, names.size(), "one entry per batch, plus the counter");
                for (long i = 1; i <= counter; i++) {
                    assertEquals(entry(mode, i), store.get(NAMES, "entry-" + i).orElseThrow());
                }
                previous = counter;
            }
        }
    }

    @Test
    void aNewerSchemaIsRefusedWithAClearMessage() {
        Schema v2 = new Schema(2, SCHEMA.tables(), Map.of(1, (s, b) -> { }));
        LevelDbStore.openAndUpgrade(dir, v2).close();
        StoreException.SchemaMismatch e = assertThrows(StoreException.SchemaMismatch.class, () -> LevelDbStore.open(dir, SCHEMA));
        assertEquals("SCHEMA_TOO_NEW", e.code());
        assertEquals(2, e.found());
        assertEquals(1, e.supported());
        assertTrue(e.getMessage().contains("schema version 2"), e.getMessage());
        assertTrue(e.getMessage().contains("reads up to version 1"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.toAbsolutePath().normalize().toString()), e.getMessage());
        // The refusal released the lock.
        LevelDbStore.open(dir, v2).close();
    }

    /**
     * A migration's writes are committed in parts as they come (a long history is never all in memory), the new version with
     * the last part: killed in the middle, the store stays at the old version with the parts written so far, and the next
     * open runs the migration again over them.
     */
    @Test
    void aLongMigrationIsWrittenInPartsAndItsVersionWithTheLast() {
        try (Store v1 = LevelDbStore.open(dir, SCHEMA)) {
            Batch b = v1.batch();
            for (long i = 1; i <= 25; i++) {
                b.put(LEDGER, i, BigInteger.valueOf(i));
            }
            b.commit();
        }
        int[] dieAt = {23};
        Schema v2 = new Schema(2, SCHEMA.tables(), Map.of(1, (s, b) -> {
            try (var rows = s.scan(LEDGER.all(), LEDGER)) {
                while (rows.hasNext()) {
                    var e = rows.next();
                    if (e.getKey() == dieAt[0]) {
                        throw new IllegalStateException("killed");
                    }
                    b.put(NAMES, "copy " + e.getKey(), e.getValue().toString());
                }
            }
        }));
        try (LevelDbStore store = LevelDbStore.open(dir, v2)) {
            assertThrows(IllegalStateException.class, () -> store.upgrade(v2, 10));
        }
        try (LevelDbStore store = LevelDbStore.open(dir, v2)) {
            assertEquals(1, store.schemaVersion(), "the version comes with the last part");
            assertEquals(20, store.list(NAMES, NAMES.all(), Integer.MAX_VALUE).size(), "two parts of ten written before the kill");
        }
        dieAt[0] = -1;
        try (Store store = LevelDbStore.openAndUpgrade(dir, v2)) {
            assertEquals(2, store.schemaVersion());
            assertEquals(25, store.list(NAMES, NAMES.all(), Integer.MAX_VALUE).size());
            assertEquals(Optional.of("25"), store.get(NAMES, "copy 25"));
        }
    }

    @Test
    void anOlderSchemaIsMigratedOneStepAfterAnother() {
        try (Store v1 = LevelDbStore.open(dir, SCHEMA)) {
            v1.batch().put(NAMES, "legacy", "old-format").commit();
        }
        Schema v3 = new Schema(3, SCHEMA.tables(), Map.of(
                1, (s, b) -> b.put(NAMES, "legacy", s.get(NAMES, "legacy").orElseThrow() + "->v2"),
                2, (s, b) -> b.put(NAMES, "legacy", s.get(NAMES, "legacy").orElseThrow() + "->v3")));
        try (Store store = LevelDbStore.openAndUpgrade(dir, v3)) {
            assertEquals(3, store.schemaVersion());
            assertEquals("old-format->v2->v3", store.get(NAMES, "legacy").orElseThrow());
        }
        try (Store again = LevelDbStore.openAndUpgrade(dir, v3)) {
            assertEquals("old-format->v2->v3", again.get(NAMES, "legacy").orElseThrow(), "migrations run once");
        }
    }

    @Test
    void schemaRejectsTwoTablesOnOnePrefix() {
        Table<String, String> clash = Table.of(0x02, "other", "k -> v", Codecs.stringKey(), Codecs.utf8());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Schema.of(1, List.of(NAMES, clash)));
        assertTrue(e.getMessage().contains("names") && e.getMessage().contains("other"), e.getMessage());
    }

    @Test
    void aClosedStoreRefusesUse() {
        Store store = LevelDbStore.open(dir, SCHEMA);
        store.close();
        store.close();
        assertThrows(StoreException.class, () -> store.get(NAMES, "x"));
        assertFalse(Files.notExists(dir.resolve("coffer.lock")));
    }

    private static <K> List<K> keys(List<? extends Map.Entry<K, ?>> entries) {
        List<K> out = new ArrayList<>();
        entries.forEach(e -> out.add(e.getKey()));
        return out;
    }

    private Process child(String mode) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                StoreChild.class.getName(), mode, dir.toString())
                .redirectErrorStream(true)
                .start();
    }

    private static void awaitLine(Process p, String expected) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        StringBuilder seen = new StringBuilder();
        while ((line = r.readLine()) != null) {
            if (line.equals(expected)) {
                return;
            }
            seen.append(line).append('\n');
        }
        throw new AssertionError("child exited before saying '" + expected + "':\n" + seen);
    }
}
