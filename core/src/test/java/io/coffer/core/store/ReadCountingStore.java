package io.coffer.core.store;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A store that counts, per table, the records read through it: each {@code get} (found or not) and each row a scan returns.
 * How a test shows that a path's reads stay the same however much history the store holds.
 */
public final class ReadCountingStore implements Store {
    private final Store store;
    private final Map<Integer, AtomicLong> reads = new ConcurrentHashMap<>();

    public ReadCountingStore(Store store) {
        this.store = store;
    }

    /** The records of {@code table} read since the last {@link #reset}. */
    public long reads(Table<?, ?> table) {
        AtomicLong n = reads.get(table.id());
        return n == null ? 0 : n.get();
    }

    public void reset() {
        reads.clear();
    }

    private void counted(Table<?, ?> table) {
        reads.computeIfAbsent(table.id(), id -> new AtomicLong()).incrementAndGet();
    }

    @Override
    public <K, V> Optional<V> get(Table<K, V> table, K key) {
        counted(table);
        return store.get(table, key);
    }

    @Override
    public <K, V> Cursor<K, V> scan(KeyRange range, Table<K, V> table) {
        Cursor<K, V> c = store.scan(range, table);
        return new Cursor<>() {
            @Override
            public boolean hasNext() {
                return c.hasNext();
            }

            @Override
            public Map.Entry<K, V> next() {
                Map.Entry<K, V> e = c.next();
                counted(table);
                return e;
            }

            @Override
            public void close() {
                c.close();
            }
        };
    }

    @Override
    public Batch batch() {
        return store.batch();
    }

    @Override
    public long writes(Table<?, ?> table) {
        return store.writes(table);
    }

    @Override
    public void derive(String name, Derivation derivation) {
        store.derive(name, derivation);
    }

    @Override
    public <T> T readDerived(String name, java.util.function.Supplier<T> read) {
        return store.readDerived(name, read);
    }

    @Override
    public int schemaVersion() {
        return store.schemaVersion();
    }

    @Override
    public Path directory() {
        return store.directory();
    }

    @Override
    public void copyTo(RecordSink sink) {
        store.copyTo(sink);
    }

    @Override
    public void close() {
        store.close();
    }
}
