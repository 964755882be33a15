package io.coffer.core.store;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A store that counts, per table, the records read through it: each {@code get} (found or not) and each row a scan returns.
 * How a test shows that a path's reads stay the same however much history the store holds.
 */
public final class ReadCountingStore extends DelegatingStore {
    private final Map<Integer, AtomicLong> reads = new ConcurrentHashMap<>();

    public ReadCountingStore(Store store) {
        super(store);
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
}
