package io.coffer.core.store;

import static org.fusesource.leveldbjni.JniDBFactory.factory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.AbstractMap;
import java.util.Arrays;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import org.iq80.leveldb.CompressionType;
import org.iq80.leveldb.DB;
import org.iq80.leveldb.DBIterator;
import org.iq80.leveldb.Options;
import org.iq80.leveldb.ReadOptions;
import org.iq80.leveldb.Snapshot;
import org.iq80.leveldb.WriteBatch;
import org.iq80.leveldb.WriteOptions;

/**
 * {@link Store} on LevelDB (JNI). Layout of the data directory:
 * <ul>
 *   <li>{@code coffer.lock}: held with an OS file lock while the store is open, holding the owner's pid.</li>
 *   <li>{@code db/}: the LevelDB database.</li>
 * </ul>
 * Store metadata lives under prefix {@code 0x00}: {@code 0x00 | "schema-version" -> int32 big-endian}.
 */
public final class LevelDbStore implements Store {
    private static final Logger LOG = Logger.getLogger(LevelDbStore.class.getName());
    private static final byte[] SCHEMA_KEY = meta("schema-version");
    /** Every write is synced: a committed batch survives a power cut, which money needs. */
    private static final WriteOptions SYNC = new WriteOptions().sync(true);

    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final DB db;
    private final int schemaVersion;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final GroupCommit commits;

    private LevelDbStore(Path dir, FileChannel lockChannel, FileLock lock, DB db, int schemaVersion) {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.db = db;
        this.schemaVersion = schemaVersion;
        this.commits = new GroupCommit(this::writeGroup, "coffer-store-commit " + dir.getFileName());
    }

    /**
     * Writes the batches of one group as one synced LevelDB write, in the order they were committed (later puts of a key win,
     * as they would one after the other): all of them durable together or none.
     */
    private void writeGroup(java.util.List<java.util.List<byte[]>> group) {
        try (WriteBatch wb = db.createWriteBatch()) {
            for (java.util.List<byte[]> ops : group) {
                apply(wb, ops);
            }
            db.write(wb, SYNC);
        } catch (IOException e) {
            throw new StoreException("cannot close a write batch: " + e.getMessage(), e);
        }
    }

    private static void apply(WriteBatch wb, java.util.List<byte[]> ops) {
        for (int i = 0; i < ops.size(); i += 2) {
            byte[] value = ops.get(i + 1);
            if (value == null) {
                wb.delete(ops.get(i));
            } else {
                wb.put(ops.get(i), value);
            }
        }
    }

    /** What a write fills in memory before LevelDB writes it out as a table (LevelDB's default: 4 MiB). */
    static final int WRITE_BUFFER_BYTES = 32 << 20;

    /**
     * The LevelDB options of every open. No compression: what is on disk can be scanned as is, which is how tests prove that no
     * secret ever reaches it; Coffer's records are small and the cost in size is minor. A write buffer of
     * {@value #WRITE_BUFFER_BYTES} bytes: payment requests, addresses and idempotency keys are keyed at random, so every table
     * written out of a full buffer overlaps all of the level below and LevelDB's compaction rewrites it; with the default 4 MiB,
     * that compaction took a fifth of the machine under {@code scripts/bench api} (CreatePaymentRequest's 1.5 KB a request
     * written 8.6 times over) and CreatePaymentRequest ran at 0.20 of Health/Check's rate; with 32 MiB, 0.23 (64 MiB: no
     * better). CreateTransfer, which a 64 MiB buffer once halved (scans stepping over a running sum's versions in the memtable,
     * since fixed), stayed within its noise (README, Performance). The memory it costs is native (up to two buffers, one being
     * written out), and a start replays at most one buffer's log.
     */
    private static Options options() {
        return new Options().createIfMissing(true).paranoidChecks(true).compressionType(CompressionType.NONE)
                .writeBufferSize(WRITE_BUFFER_BYTES);
    }

    /**
     * Opens (creating if needed) the store in {@code dir}, takes its lock, checks and upgrades the
     * schema.
     *
     * @throws StoreException.Locked         another process or store holds the directory
     * @throws StoreException.SchemaMismatch the directory was written by a newer Coffer
     */
    public static LevelDbStore open(Path dir, Schema schema) {
        Path abs = dir.toAbsolutePath().normalize();
        FileChannel channel = null;
        FileLock lock = null;
        DB db = null;
        try {
            Files.createDirectories(abs);
            channel = FileChannel.open(abs.resolve("coffer.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.READ, StandardOpenOption.WRITE);
            lock = tryLock(channel, abs);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            channel.force(true);

            db = openMendingATornTail(abs, options());
            int version = checkSchema(db, abs, schema);
            return new LevelDbStore(abs, channel, lock, db, version);
        } catch (IOException e) {
            closeQuietly(db, lock, channel);
            throw new StoreException("cannot open the store in " + abs + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(db, lock, channel);
            throw e;
        }
    }

    /**
     * Opens the LevelDB in {@code dir}/db; if LevelDB finds it corrupt, and the damage is a crash's torn last record
     * ({@link TornLogTail}), cuts that record off (the file kept whole in {@code dir}/torn-writes) and opens again. Any other
     * damage: refused as LevelDB refused it.
     */
    private static DB openMendingATornTail(Path dir, Options options) throws IOException {
        Path db = dir.resolve("db");
        try {
            return factory.open(db.toFile(), options);
        } catch (IOException e) {
            if (e.getMessage() == null || !e.getMessage().contains("Corruption")) {
                throw e;
            }
            java.util.List<String> cut = TornLogTail.mend(db, dir.resolve("torn-writes"));
            if (cut.isEmpty()) {
                throw e;
            }
            cut.forEach(line -> LOG.warning("store: " + line));
            return factory.open(db.toFile(), options);
        }
    }

    private static FileLock tryLock(FileChannel channel, Path dir) throws IOException {
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            throw new StoreException.Locked("data dir " + dir + " is already open in this process");
        }
        if (lock == null) {
            String holder = "";
            try {
                String pid = Files.readString(dir.resolve("coffer.lock")).trim();
                if (!pid.isEmpty()) {
                    holder = " (pid " + pid + ")";
                }
            } catch (IOException ignored) {
                // The pid is a courtesy for the operator; the lock itself is what matters.
            }
            throw new StoreException.Locked("data dir " + dir + " is in use by another Coffer process" + holder
                    + "; stop it first or choose another data dir");
        }
        return lock;
    }

    private static int checkSchema(DB db, Path dir, Schema schema) {
        byte[] raw = db.get(SCHEMA_KEY);
        if (raw == null) {
            if (!isEmpty(db)) {
                throw new StoreException.SchemaMismatch("SCHEMA_MISSING", 0, schema.version(),
                        "data dir " + dir + " holds data but no schema version: it was not written by Coffer");
            }
            db.put(SCHEMA_KEY, int32(schema.version()), SYNC);
            LOG.info(() -> "store: created schema version " + schema.version() + " in " + dir);
            return schema.version();
        }
        if (raw.length != 4) {
            throw new StoreException("data dir " + dir + ": corrupt schema version record");
        }
        int found = ByteBuffer.wrap(raw).getInt();
        if (found > schema.version()) {
            throw new StoreException.SchemaMismatch("SCHEMA_TOO_NEW", found, schema.version(),
                    "data dir " + dir + " has schema version " + found + ", written by a newer Coffer; this build"
                            + " reads up to version " + schema.version() + ". Run the newer Coffer, or restore a backup"
                            + " made for this version.");
        }
        if (found < 1) {
            throw new StoreException("data dir " + dir + ": corrupt schema version " + found);
        }
        return found;
    }

    /** Operations a migration's part holds before it is written: bounds the heap a migration over a long history needs. */
    static final int MIGRATION_PART = 10_000;

    /** Applies the schema's migrations, one version step after another, after the store is open. */
    private void upgrade(Schema schema) {
        upgrade(schema, MIGRATION_PART);
    }

    /** The same, each migration's writes committed {@code part} operations at a time. */
    void upgrade(Schema schema, int part) {
        // Kept separate from checkSchema: migrations use the Store API, so the store must exist.
        int v = schemaVersion;
        while (v < schema.version()) {
            // In parts: in one batch, a migration over a long history held every record it wrote in memory (the second sums
            // of 1,000,000 transfers needed ~380 MiB of heap; a node with 256 MiB could not start after the upgrade). The new
            // version goes with the last part, so a crash in the middle leaves the old one and the whole step runs again at
            // the next open, over its own earlier parts: Schema.Migration says why that is safe.
            PartedBatch batch = new PartedBatch(this, part);
            schema.upgradesFrom().get(v).migrate(this, batch);
            int next = v + 1;
            batch.finish(last -> ((LevelBatch) last).putRaw(SCHEMA_KEY, int32(next)));
            LOG.info("store: upgraded " + dir + " from schema " + v + " to " + next + " (" + batch.written() + " records written in "
                    + batch.parts() + " parts)");
            v = next;
        }
    }

    /** Opens the store and runs pending migrations. This is the entry point Main uses. */
    public static LevelDbStore openAndUpgrade(Path dir, Schema schema) {
        LevelDbStore store = open(dir, schema);
        if (store.schemaVersion < schema.version()) {
            try {
                store.upgrade(schema);
            } catch (RuntimeException e) {
                store.close();
                throw e;
            }
            store.close();
            return open(dir, schema);
        }
        return store;
    }

    private static boolean isEmpty(DB db) {
        try (DBIterator it = db.iterator()) {
            it.seekToFirst();
            return !it.hasNext();
        } catch (IOException e) {
            throw new StoreException("cannot read the store: " + e.getMessage(), e);
        }
    }

    private static byte[] meta(String name) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        byte[] k = new byte[n.length + 1];
        System.arraycopy(n, 0, k, 1, n.length);
        return k;
    }

    private static byte[] int32(int v) {
        return ByteBuffer.allocate(4).putInt(v).array();
    }

    @Override
    public <K, V> Optional<V> get(Table<K, V> table, K key) {
        ensureOpen();
        byte[] storeKey = table.storeKey(key);
        if (!table.keptInMemory()) {
            return read(table, storeKey);
        }
        // Taken before the read: a record read at this count is as fresh as any read while the count stays (the count moves
        // only after a batch's changes are visible), and is not used once it has moved.
        long writes = tableWrites.get(table.id());
        KeptKey k = new KeptKey(storeKey);
        Kept hit = kept.get(k);
        if (hit != null && hit.writes() == writes) {
            @SuppressWarnings("unchecked")
            Optional<V> value = (Optional<V>) hit.value();
            return value;
        }
        Optional<V> value = read(table, storeKey);
        if (kept.size() >= KEPT_MAX) {
            kept.clear(); // more than the few thousand such a table should hold (unknown keys asked for, say): start again
        }
        kept.put(k, new Kept(writes, value));
        return value;
    }

    private <K, V> Optional<V> read(Table<K, V> table, byte[] storeKey) {
        byte[] raw = db.get(storeKey);
        return raw == null ? Optional.empty() : Optional.of(table.values().decode(raw));
    }

    /**
     * Records of the tables read often ({@link Table#readOften()}), decoded, each with its table's {@link #writes} count when it
     * was read; one whose table has been written since is read again. Coherent because this process is the only writer of
     * the directory (it holds the lock) and every write goes through {@link #writeGroup}, counted once applied.
     */
    private final java.util.concurrent.ConcurrentHashMap<KeptKey, Kept> kept = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int KEPT_MAX = 16_384;

    private record Kept(long writes, Optional<?> value) { }

    /** A store key by content. */
    private record KeptKey(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof KeptKey other && java.util.Arrays.equals(bytes, other.bytes);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return java.util.HexFormat.of().formatHex(bytes);
        }
    }

    @Override
    public <K, V> Cursor<K, V> scan(KeyRange range, Table<K, V> table) {
        ensureOpen();
        if (range.table() != table) {
            throw new IllegalArgumentException("range of " + range.table() + " used on " + table);
        }
        return new LevelCursor<>(table, range);
    }

    @Override
    public void copyTo(RecordSink sink) {
        ensureOpen();
        Snapshot snapshot = db.getSnapshot();
        try (DBIterator it = db.iterator(new ReadOptions().snapshot(snapshot).fillCache(false))) {
            // Counted first, in the same snapshot, so the copy can tell how far it is (a pass over the keys, much cheaper than the
            // copy itself, which encrypts and hashes every record).
            long records = 0;
            for (it.seekToFirst(); it.hasNext(); it.next()) {
                records++;
            }
            sink.expect(records);
            it.seekToFirst();
            while (it.hasNext()) {
                Map.Entry<byte[], byte[]> e = it.next();
                sink.record(e.getKey(), e.getValue());
            }
        } catch (IOException e) {
            throw new StoreException("cannot read the store: " + e.getMessage(), e);
        } finally {
            try {
                snapshot.close();
            } catch (IOException e) {
                LOG.warning("store: releasing a snapshot failed: " + e.getMessage());
            }
        }
    }

    /**
     * Fills a new store in {@code dir} (absent or empty) with the records {@code feed} gives, written in batches and synced
     * at the end, then opens it as usual (schema checked). For restoring a backup; the directory is locked meanwhile.
     *
     * @throws StoreException when {@code dir} holds anything
     */
    public static void load(Path dir, Schema schema, java.util.function.Consumer<RecordSink> feed) {
        Path abs = dir.toAbsolutePath().normalize();
        try {
            if (Files.exists(abs)) {
                try (var entries = Files.list(abs)) {
                    if (entries.findAny().isPresent()) {
                        throw new StoreException("data dir " + abs + " is not empty: restore only into a new or empty directory");
                    }
                }
            }
            Files.createDirectories(abs);
        } catch (IOException e) {
            throw new StoreException("cannot prepare " + abs + ": " + e.getMessage(), e);
        }
        FileChannel channel = null;
        FileLock lock = null;
        DB db = null;
        try {
            channel = FileChannel.open(abs.resolve("coffer.lock"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            lock = tryLock(channel, abs);
            db = factory.open(abs.resolve("db").toFile(), options().errorIfExists(true));
            DB target = db;
            WriteBatch[] batch = {target.createWriteBatch()};
            int[] size = {0};
            feed.accept((key, value) -> {
                batch[0].put(key, value);
                if (++size[0] == 10_000) {
                    target.write(batch[0], SYNC); // every batch synced: a log LevelDB switched away from is not synced for us
                    closeBatch(batch[0]);
                    batch[0] = target.createWriteBatch();
                    size[0] = 0;
                }
            });
            target.write(batch[0], SYNC);
            closeBatch(batch[0]);
        } catch (IOException e) {
            throw new StoreException("cannot restore into " + abs + ": " + e.getMessage(), e);
        } finally {
            closeQuietly(db, lock, channel);
        }
        open(abs, schema).close(); // the schema of what was loaded is checked as at any start
    }

    private static void closeBatch(WriteBatch b) {
        try {
            b.close();
        } catch (IOException e) {
            throw new StoreException("cannot close a write batch: " + e.getMessage(), e);
        }
    }

    @Override
    public Batch batch() {
        ensureOpen();
        return new LevelBatch();
    }

    @Override
    public int schemaVersion() {
        return schemaVersion;
    }

    @Override
    public Path directory() {
        return dir;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            commits.close(); // what was committed before is written; a commit after this is refused
            closeQuietly(db, lock, lockChannel);
        }
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new StoreException("store " + dir + " is closed");
        }
    }

    private static void closeQuietly(DB db, FileLock lock, FileChannel channel) {
        try {
            if (db != null) {
                db.close();
            }
        } catch (IOException | RuntimeException e) {
            LOG.warning("store: closing LevelDB failed: " + e.getMessage());
        }
        try {
            if (lock != null) {
                lock.release();
            }
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            LOG.warning("store: releasing the lock failed: " + e.getMessage());
        }
    }

    /**
     * A registered derivation, the lock its batches are derived and queued under, and what its batches queued but not yet
     * written change (kept, with the lock, when the derivation is replaced).
     */
    private static final class Derived {
        final Derivation derivation;
        final java.util.concurrent.locks.ReentrantLock lock;
        final Overlay overlay;

        Derived(Derivation derivation, java.util.concurrent.locks.ReentrantLock lock, Overlay overlay) {
            this.derivation = derivation;
            this.lock = lock;
            this.overlay = overlay;
        }
    }

    /**
     * The operations of a derivation's batches from when they are queued until they are written (or fail), by key: what the
     * next batch's derivation reads over the store, since the store shows only written batches. Each key keeps the value of the
     * last queued batch that wrote it, and leaves when that batch is written (an earlier batch's write leaves it alone).
     */
    private final class Overlay implements Reader {
        private record Op(byte[] value, Object batch) {
        }

        private final java.util.Map<ByteBuffer, Op> ops = new java.util.HashMap<>();
        private int inFlight;

        /** Lays {@code written} (key, value, ... ; a null value deletes) over the store until {@link #written}. */
        synchronized void queued(java.util.List<byte[]> written, Object batch) {
            for (int i = 0; i < written.size(); i += 2) {
                ops.put(ByteBuffer.wrap(written.get(i)), new Op(written.get(i + 1), batch));
            }
            inFlight++;
        }

        /** {@code batch} is written (its changes are the store's now) or failed (then nothing is written any more). */
        synchronized void written(java.util.List<byte[]> written, Object batch) {
            for (int i = 0; i < written.size(); i += 2) {
                ops.computeIfPresent(ByteBuffer.wrap(written.get(i)), (k, op) -> op.batch() == batch ? null : op);
            }
            inFlight--;
            notifyAll();
        }

        /** Waits until every queued batch is written (or failed). */
        synchronized void drained() {
            io.coffer.core.concurrent.Monitors.waitWhile(this, () -> inFlight > 0);
        }

        @Override
        public <K, V> Optional<V> get(Table<K, V> table, K key) {
            byte[] k = table.storeKey(key);
            Op op;
            synchronized (this) {
                op = ops.get(ByteBuffer.wrap(k));
            }
            // Absent here: never queued, or written before it left (the writer removes a key after applying it).
            if (op == null) {
                return LevelDbStore.this.get(table, key);
            }
            return op.value() == null ? Optional.empty() : Optional.of(table.values().decode(op.value()));
        }
    }

    /** By name, in name order: a batch several derivations follow takes their locks in that order. */
    private final java.util.concurrent.ConcurrentSkipListMap<String, Derived> derivations = new java.util.concurrent.ConcurrentSkipListMap<>();

    @Override
    public void derive(String name, Derivation derivation) {
        java.util.Objects.requireNonNull(derivation, "derivation");
        derivations.compute(name, (n, old) -> old != null ? new Derived(derivation, old.lock, old.overlay)
                : new Derived(derivation, new java.util.concurrent.locks.ReentrantLock(), new Overlay()));
    }

    @Override
    public <T> T readDerived(String name, java.util.function.Supplier<T> read) {
        Derived d = derivations.get(name);
        if (d == null) {
            throw new IllegalStateException("no derivation named " + name);
        }
        d.lock.lock();
        try {
            d.overlay.drained(); // nothing new is queued while the lock is held
            return read.get();
        } finally {
            d.lock.unlock();
        }
    }

    /** Per table id, the committed batches that wrote to it ({@link #writes}). */
    private final java.util.concurrent.atomic.AtomicLongArray tableWrites = new java.util.concurrent.atomic.AtomicLongArray(256);

    @Override
    public long writes(Table<?, ?> table) {
        return tableWrites.get(table.id());
    }

    /**
     * Operations kept as key and value bytes (a null value deletes) until the commit: concurrent commits are written as one
     * group, which needs their operations in one native batch.
     */
    private final class LevelBatch implements Batch {
        private java.util.List<byte[]> ops = new java.util.ArrayList<>();
        /** The ids of the tables this batch writes (a key's first byte), counted in {@link #tableWrites} once it is applied. */
        private final java.util.BitSet touched = new java.util.BitSet(256);
        private boolean unhurried;

        @Override
        public <K, V> Batch put(Table<K, V> table, K key, V value) {
            byte[] k = table.storeKey(key);
            byte[] v = table.values().encode(value); // encoded before either is added: a failing value leaves the batch as it was
            live().add(k);
            ops.add(v);
            touched.set(table.id());
            return this;
        }

        @Override
        public <K, V> Batch delete(Table<K, V> table, K key) {
            byte[] k = table.storeKey(key);
            live().add(k);
            ops.add(null);
            touched.set(table.id());
            return this;
        }

        void putRaw(byte[] key, byte[] value) {
            live().add(key);
            ops.add(value);
            touched.set(key[0] & 0xFF);
        }

        @Override
        @SuppressWarnings("unchecked")
        public <K, V> java.util.Map<K, java.util.Optional<V>> changes(Table<K, V> table) {
            java.util.List<byte[]> live = live();
            java.util.Map<K, java.util.Optional<V>> out = new java.util.LinkedHashMap<>();
            if (!touched.get(table.id())) {
                return out;
            }
            for (int i = 0; i < live.size(); i += 2) {
                byte[] k = live.get(i);
                if ((k[0] & 0xFF) == table.id()) {
                    byte[] v = live.get(i + 1);
                    out.put(table.decodeKey(k), v == null ? java.util.Optional.empty() : java.util.Optional.of(table.values().decode(v)));
                }
            }
            return out;
        }

        @Override
        public int size() {
            return ops == null ? 0 : ops.size() / 2;
        }

        @Override
        public void commit() {
            unhurried = false; // its caller waits for it now
            queue().await();
        }

        @Override
        public Batch unhurried() {
            unhurried = true;
            return this;
        }

        @Override
        public Queued queue() {
            java.util.List<Derived> following = following();
            return following.isEmpty() ? submit(java.util.List.of()) : derivedThenQueued(following, 0);
        }

        /**
         * Queues the batch behind every one queued before; {@code following}'s overlays show it from now until it is written
         * (the caller holds their locks).
         */
        private Queued submit(java.util.List<Derived> following) {
            java.util.List<byte[]> written = take();
            if (written.isEmpty()) {
                return () -> { };
            }
            ensureOpen();
            Object self = new Object();
            following.forEach(d -> d.overlay.queued(written, self));
            try {
                return commits.submit(written, failure -> {
                    if (failure == null) {
                        counted();
                    }
                    following.forEach(d -> d.overlay.written(written, self));
                }, unhurried);
            } catch (RuntimeException e) {
                following.forEach(d -> d.overlay.written(written, self)); // not queued
                throw e;
            }
        }
        /** The derivations that follow a table this batch writes, in name order. */
        private java.util.List<Derived> following() {
            java.util.List<Derived> out = new java.util.ArrayList<>(0);
            if (ops == null || derivations.isEmpty()) {
                return out;
            }
            for (Derived d : derivations.values()) {
                if (d.derivation.reads().stream().anyMatch(t -> touched.get(t.id())) && writesFollowedKey(d.derivation)) {
                    out.add(d);
                }
            }
            return out;
        }

        private boolean writesFollowedKey(Derivation d) {
            byte[] prefix = d.keyPrefix();
            java.util.BitSet ids = new java.util.BitSet(256);
            d.reads().forEach(t -> ids.set(t.id()));
            for (int i = 0; i < ops.size(); i += 2) {
                byte[] k = ops.get(i);
                if (ids.get(k[0] & 0xFF) && k.length > prefix.length
                        && java.util.Arrays.equals(k, 1, 1 + prefix.length, prefix, 0, prefix.length)) {
                    return true;
                }
            }
            return false;
        }

        /**
         * Takes each derivation's lock in turn, lets it add its records (reading through its overlay), and queues the batch
         * holding them all; the locks are let go once it is queued, not once it is durable.
         */
        private Queued derivedThenQueued(java.util.List<Derived> following, int i) {
            if (i == following.size()) {
                return submit(following);
            }
            Derived d = following.get(i);
            d.lock.lock();
            try {
                d.derivation.derive(this, d.overlay);
                return derivedThenQueued(following, i + 1);
            } finally {
                d.lock.unlock();
            }
        }

        /** Run by the writer once the batch is applied (so a reader that sees the new count also sees the changes). */
        private void counted() {
            touched.stream().forEach(tableWrites::incrementAndGet);
        }

        private java.util.List<byte[]> take() {
            java.util.List<byte[]> out = live();
            ops = null;
            return out;
        }

        private java.util.List<byte[]> live() {
            if (ops == null) {
                throw new IllegalStateException("batch already committed");
            }
            return ops;
        }
    }

    /**
     * A scan over a snapshot. Forward scans seek to the start and walk with next(). Backward scans
     * position the native iterator on the first key at or after the end bound and walk with prev();
     * leveldbjni's prev() returns the entry before the current position and moves onto it.
     */
    private final class LevelCursor<K, V> implements Cursor<K, V> {
        private final Table<K, V> table;
        private final Snapshot snapshot;
        private final DBIterator it;
        private final byte[] start;
        private final byte[] end;
        private final boolean reverse;
        private Map.Entry<byte[], byte[]> next;
        private boolean done;

        LevelCursor(Table<K, V> table, KeyRange range) {
            this.table = table;
            this.start = range.storeStart();
            this.end = range.storeEnd();
            this.reverse = range.reverse();
            this.snapshot = db.getSnapshot();
            this.it = db.iterator(new ReadOptions().snapshot(snapshot).fillCache(false));
            if (!reverse) {
                it.seek(start);
                return;
            }
            if (end != null) {
                it.seek(end);
            }
            if (end == null || !it.hasNext()) {
                // Nothing at or after the end bound: the last key of the database is the first candidate.
                it.seekToLast();
                if (it.hasNext()) {
                    next = accept(it.peekNext());
                } else {
                    done = true;
                }
            }
        }

        /** The entry if it lies in the range, else null and the scan is over (keys only get smaller). */
        private Map.Entry<byte[], byte[]> accept(Map.Entry<byte[], byte[]> e) {
            if (end != null && compare(e.getKey(), end) >= 0) {
                done = true;
                return null;
            }
            if (compare(e.getKey(), start) < 0) {
                done = true;
                return null;
            }
            return e;
        }

        @Override
        public boolean hasNext() {
            if (next != null) {
                return true;
            }
            if (done) {
                return false;
            }
            if (!reverse) {
                if (!it.hasNext()) {
                    done = true;
                    return false;
                }
                // Looked at before stepping past it: leveldbjni's next() reads the entry and then moves on, and moving past a
                // key steps over every older version of it still in the memtable or not yet compacted. The first key after a
                // range is often one rewritten at every change (a running sum, the open span of a limit), so a scan that read
                // it to find its end cost as much as the changes since the last flush.
                Map.Entry<byte[], byte[]> e = it.peekNext();
                if (end != null && compare(e.getKey(), end) >= 0) {
                    done = true;
                    return false;
                }
                it.next();
                next = e;
                return true;
            }
            if (!it.hasPrev()) {
                done = true;
                return false;
            }
            next = accept(it.prev());
            return next != null;
        }

        @Override
        public Map.Entry<K, V> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Map.Entry<byte[], byte[]> e = next;
            next = null;
            return new AbstractMap.SimpleImmutableEntry<>(table.decodeKey(e.getKey()), table.values().decode(e.getValue()));
        }

        @Override
        public void close() {
            try {
                it.close();
                snapshot.close();
            } catch (IOException e) {
                LOG.warning("store: closing a cursor failed: " + e.getMessage());
            }
        }
    }

    static int compare(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }
}
