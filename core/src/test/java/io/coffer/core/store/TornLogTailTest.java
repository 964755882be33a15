package io.coffer.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crash's torn last log record is cut off and the store opens with every acknowledged batch; any other damage still keeps
 * the store shut. Logs are written here in LevelDB's format (doc/log_format.md), and taken from a real store while it is open.
 */
class TornLogTailTest {
    @TempDir
    Path dir;

    /** A log in LevelDB's format: each payload one logical record, fragmented across blocks as LevelDB's writer does. */
    private static final class LogWriter {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final List<Integer> starts = new java.util.ArrayList<>();

        LogWriter add(byte[] payload) {
            starts.add(out.size());
            int left = payload.length;
            int from = 0;
            boolean first = true;
            do {
                int blockLeft = TornLogTail.BLOCK - out.size() % TornLogTail.BLOCK;
                if (blockLeft < TornLogTail.HEADER) {
                    out.writeBytes(new byte[blockLeft]);
                    blockLeft = TornLogTail.BLOCK;
                }
                int n = Math.min(left, blockLeft - TornLogTail.HEADER);
                boolean last = n == left;
                int type = first && last ? 1 : first ? 2 : last ? 4 : 3;
                byte[] record = new byte[1 + n];
                record[0] = (byte) type;
                System.arraycopy(payload, from, record, 1, n);
                ByteBuffer h = ByteBuffer.allocate(TornLogTail.HEADER).order(ByteOrder.LITTLE_ENDIAN);
                h.putInt(TornLogTail.masked(record, 0, record.length)).putShort((short) n).put((byte) type);
                out.writeBytes(h.array());
                out.writeBytes(Arrays.copyOfRange(record, 1, record.length));
                from += n;
                left -= n;
                first = false;
            } while (left > 0);
            return this;
        }

        /** The log as a memory map leaves it: zeros after the records up to {@code size}. */
        byte[] mapped(int size) {
            byte[] b = Arrays.copyOf(out.toByteArray(), size);
            return b;
        }
    }

    private static byte[] payload(int n, int seed) {
        byte[] b = new byte[n];
        new java.util.Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void wholeLogsAreWholeWithOrWithoutTheMapsZeros() {
        LogWriter w = new LogWriter().add(payload(100, 1)).add(payload(70_000, 2)).add(payload(10, 3));
        assertInstanceOf(TornLogTail.Verdict.Whole.class, TornLogTail.read(w.out.toByteArray()));
        assertInstanceOf(TornLogTail.Verdict.Whole.class, TornLogTail.read(w.mapped(w.out.size() + 100_000)));
        assertInstanceOf(TornLogTail.Verdict.Whole.class, TornLogTail.read(new byte[0]));
    }

    @Test
    void aLastRecordEndingInZerosIsTornAtItsStart() {
        LogWriter w = new LogWriter().add(payload(100, 1)).add(payload(300, 2));
        byte[] log = w.mapped(w.out.size() + 5_000);
        Arrays.fill(log, w.starts.get(1) + TornLogTail.HEADER + 200, w.out.size(), (byte) 0); // the copy stopped part-way
        assertTorn(w.starts.get(1), "a checksum mismatch", TornLogTail.read(log));
    }

    @Test
    void aRecordTornInItsLastFragmentIsCutFromItsFirst() {
        LogWriter w = new LogWriter().add(payload(100, 1)).add(payload(80_000, 2)); // fragments in three blocks
        byte[] log = w.mapped(w.out.size() + 1_000);
        Arrays.fill(log, w.out.size() - 50, w.out.size(), (byte) 0);
        assertTorn(w.starts.get(1), "a checksum mismatch (a fragment of a record begun at byte " + w.starts.get(1) + ")", TornLogTail.read(log));
    }

    /** A torn verdict cutting at {@code keep}, saying {@code how}. */
    private static void assertTorn(long keep, String how, TornLogTail.Verdict v) {
        assertEquals(new TornLogTail.Verdict.Torn(keep, how), v);
    }

    @Test
    void aBadRecordWithRecordsAfterItIsDamageNotATornTail() {
        LogWriter w = new LogWriter().add(payload(100, 1)).add(payload(300, 2)).add(payload(50, 3));
        byte[] log = w.mapped(w.out.size());
        log[w.starts.get(1) + TornLogTail.HEADER + 10] ^= 1; // one bit in the middle record
        var v = assertInstanceOf(TornLogTail.Verdict.Damaged.class, TornLogTail.read(log));
        assertEquals(w.starts.get(1).longValue(), v.at());
        // and a last record torn, but with something other than zeros after it
        LogWriter w2 = new LogWriter().add(payload(100, 1)).add(payload(300, 2));
        byte[] log2 = w2.mapped(w2.out.size() + 100);
        Arrays.fill(log2, w2.out.size() - 20, w2.out.size(), (byte) 0);
        log2[log2.length - 1] = 7;
        assertInstanceOf(TornLogTail.Verdict.Damaged.class, TornLogTail.read(log2));
    }

    // ---- a real store

    static final Table<Long, BigInteger> LEDGER = StoreTest.LEDGER;

    /** The store's files copied while it is open after {@code batches} commits: what a SIGKILL right then leaves on disk. */
    private Path crashImage(int batches) throws Exception {
        return crashImage(batches, 0);
    }

    /** The same, each batch also writing a value of {@code padding} bytes (a batch past 32 KiB is logged in fragments). */
    private Path crashImage(int batches, int padding) throws Exception {
        Path live = dir.resolve("live");
        Path image = dir.resolve("image");
        try (Store store = LevelDbStore.open(live, StoreTest.SCHEMA)) {
            for (long i = 1; i <= batches; i++) {
                Batch b = store.batch().put(LEDGER, i, BigInteger.valueOf(i)).put(StoreTest.NAMES, "counter", Long.toString(i));
                if (padding > 0) {
                    b.put(StoreTest.NAMES, "padding", "p".repeat(padding));
                }
                b.commit();
            }
            Files.createDirectories(image.resolve("db"));
            try (var files = Files.list(live.resolve("db"))) {
                for (Path f : files.toList()) {
                    if (!f.getFileName().toString().equals("LOCK")) {
                        Files.copy(f, image.resolve("db").resolve(f.getFileName()));
                    }
                }
            }
        }
        return image;
    }

    private static Path newestLog(Path image) throws Exception {
        try (var files = Files.list(image.resolve("db"))) {
            return files.filter(p -> p.getFileName().toString().endsWith(".log"))
                    .max(java.util.Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString().replace(".log", "")))).orElseThrow();
        }
    }

    @Test
    void aStoreWhoseLastWriteWasTornOpensWithEveryBatchBeforeIt() throws Exception {
        Path image = crashImage(50);
        Path log = newestLog(image);
        byte[] bytes = Files.readAllBytes(log);
        int last = bytes.length - 1;
        while (bytes[last] == 0) {
            last--;
        }
        Arrays.fill(bytes, last - 3, last + 1, (byte) 0); // the last batch's record lost its end
        Files.write(log, bytes);
        try (Store store = LevelDbStore.open(image, StoreTest.SCHEMA)) {
            assertEquals(Optional.of("49"), store.get(StoreTest.NAMES, "counter"));
            assertEquals(49, store.list(LEDGER, LEDGER.all(), Integer.MAX_VALUE).size());
            assertEquals(Optional.empty(), store.get(LEDGER, 50L));
            store.batch().put(LEDGER, 50L, BigInteger.TEN).commit(); // and it writes on
        }
        try (var kept = Files.list(image.resolve("torn-writes"))) {
            List<Path> files = kept.toList();
            assertEquals(1, files.size());
            assertArrayEquals(bytes, Files.readAllBytes(files.get(0)), "the log as the crash left it, kept whole");
        }
        try (Store store = LevelDbStore.open(image, StoreTest.SCHEMA)) {
            assertEquals(Optional.of(BigInteger.TEN), store.get(LEDGER, 50L));
        }
    }

    /** Where each physical record of a log begins, with its type (LevelDB's format; padding and the map's zeros skipped). */
    private static List<int[]> fragments(byte[] log) {
        List<int[]> found = new java.util.ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(log).order(ByteOrder.LITTLE_ENDIAN);
        int pos = 0;
        while (pos + TornLogTail.HEADER <= log.length) {
            int blockLeft = TornLogTail.BLOCK - pos % TornLogTail.BLOCK;
            int length = b.getShort(pos + 4) & 0xffff;
            int type = log[pos + 6];
            if (blockLeft < TornLogTail.HEADER || type == 0) {
                pos += blockLeft;
                continue;
            }
            found.add(new int[] {pos, type});
            pos += TornLogTail.HEADER + length;
        }
        return found;
    }

    @Test
    void aFragmentedRecordBrokenOffBetweenItsFragmentsIsTornAtItsFirst() {
        LogWriter w = new LogWriter().add(payload(100, 1)).add(payload(80_000, 2)); // fragments in three blocks
        int second = (w.starts.get(1) / TornLogTail.BLOCK + 1) * TornLogTail.BLOCK; // the first fragment fills its block
        byte[] log = w.mapped(w.out.size() + 1_000);
        Arrays.fill(log, second, log.length, (byte) 0); // the map grew, the writer died before the second fragment
        String brokenOff = "a fragmented record broken off by zeros (a fragment of a record begun at byte " + w.starts.get(1) + ")";
        assertTorn(w.starts.get(1), brokenOff, TornLogTail.read(log));
        // the file ending where the first fragment ends (the map not yet grown past it): the same
        assertTorn(w.starts.get(1), "a fragmented record the file ends in", TornLogTail.read(Arrays.copyOf(log, second)));
        // and between the second and the third
        int third = second + TornLogTail.BLOCK;
        byte[] log3 = w.mapped(w.out.size() + 1_000);
        Arrays.fill(log3, third, log3.length, (byte) 0);
        assertTorn(w.starts.get(1), brokenOff, TornLogTail.read(log3));
        // but zeros inside a fragmented record with more written after them are damage
        byte[] hole = w.mapped(w.out.size());
        Arrays.fill(hole, second, second + TornLogTail.HEADER, (byte) 0);
        assertInstanceOf(TornLogTail.Verdict.Damaged.class, TornLogTail.read(hole));
    }

    /**
     * LevelDB 1.x refuses such a log with paranoid checks ("Corruption: error in middle of record"): a batch bigger than a
     * block, killed after its first fragment was copied into the map — group commit makes such batches, so a SIGKILL met
     * one in {@code EventOutboxTest}'s crash test.
     */
    @Test
    void aStoreKilledBetweenTheFragmentsOfItsLastWriteOpensWithEveryBatchBeforeIt() throws Exception {
        Path image = crashImage(5, 40_000);
        Path log = newestLog(image);
        byte[] bytes = Files.readAllBytes(log);
        List<int[]> fragments = fragments(bytes);
        int[] first = fragments.stream().filter(f -> f[1] == 2).reduce((x, y) -> y).orElseThrow();
        int second = (first[0] / TornLogTail.BLOCK + 1) * TornLogTail.BLOCK;
        assertTrue(second < bytes.length, "the image holds the last batch's later fragments");
        Arrays.fill(bytes, second, bytes.length, (byte) 0);
        Files.write(log, bytes);
        // What the node logs when it mends at open (mended here first, so the open below finds it whole), naming the case.
        List<String> cut = TornLogTail.mend(image.resolve("db"), image.resolve("torn-writes"));
        assertEquals(1, cut.size(), cut.toString());
        assertTrue(cut.get(0).contains("never acknowledged: a fragmented record broken off by zeros"), cut.get(0));
        assertTrue(cut.get(0).contains("cut off at byte " + first[0] + " of " + bytes.length), cut.get(0));
        try (Store store = LevelDbStore.open(image, StoreTest.SCHEMA)) {
            assertEquals(Optional.of("4"), store.get(StoreTest.NAMES, "counter"));
            assertEquals(4, store.list(LEDGER, LEDGER.all(), Integer.MAX_VALUE).size());
            assertEquals(Optional.of("p".repeat(40_000)), store.get(StoreTest.NAMES, "padding"));
        }
        try (var kept = Files.list(image.resolve("torn-writes"))) {
            assertEquals(1, kept.count());
        }
    }

    @Test
    void aStoreDamagedBeforeItsLastWriteStaysShutAndUntouched() throws Exception {
        Path image = crashImage(50);
        Path log = newestLog(image);
        byte[] bytes = Files.readAllBytes(log);
        bytes[TornLogTail.HEADER + 5] ^= 1; // inside the first batch's record
        Files.write(log, bytes);
        StoreException e = assertThrows(StoreException.class, () -> LevelDbStore.open(image, StoreTest.SCHEMA));
        assertTrue(e.getMessage().contains("Corruption"), e.getMessage());
        assertArrayEquals(bytes, Files.readAllBytes(log));
        assertTrue(!Files.exists(image.resolve("torn-writes")));
    }
}
