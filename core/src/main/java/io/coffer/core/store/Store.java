package io.coffer.core.store;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The node's embedded database. Reads see committed batches only. Implementations are thread-safe;
 * keeping read-decide-write sequences consistent is the job of the domain service that owns the
 * tables (it serialises its own writers).
 */
public interface Store extends Reader, AutoCloseable {

    @Override
    <K, V> Optional<V> get(Table<K, V> table, K key);

    /** Opens a scan over {@code range}; close it. */
    <K, V> Cursor<K, V> scan(KeyRange range, Table<K, V> table);

    /** A new, empty batch. */
    Batch batch();

    /**
     * How many committed batches have written to {@code table} since the store opened. It moves after a batch's changes are
     * visible to reads, so a value computed from the table between two equal readings saw no commit to it: what lets a
     * finding read from it (an address without nonce holes, say) be kept in memory until the table is written.
     */
    long writes(Table<?, ?> table);

    /**
     * Registers {@code derivation} under {@code name}, replacing the one registered under that name before (a service made
     * again over the same store). From now on every batch that writes one of its tables goes through it; see {@link Derivation}.
     */
    void derive(String name, Derivation derivation);

    /**
     * Runs {@code read} while no batch that {@code name}'s derivation follows is being derived, queued or written (it waits
     * for those queued before to be written): what it reads of the derived records and of the records they follow is one
     * consistent state.
     */
    <T> T readDerived(String name, java.util.function.Supplier<T> read);

    /** The schema version recorded in the data directory. */
    int schemaVersion();

    /** The data directory this store owns (and holds the lock of). */
    Path directory();

    /**
     * Every record as it was at one moment (a snapshot: commits made meanwhile are not seen, and not waited for), in key order,
     * raw: what a backup copies. Runs while the node serves.
     */
    void copyTo(RecordSink sink);

    /** Collects at most {@code limit} records of {@code range}. */
    default <K, V> List<Map.Entry<K, V>> list(Table<K, V> table, KeyRange range, int limit) {
        if (range.table() != table) {
            throw new IllegalArgumentException("range of " + range.table() + " used on " + table);
        }
        List<Map.Entry<K, V>> out = new ArrayList<>();
        try (Cursor<K, V> c = scan(range, table)) {
            while (out.size() < limit && c.hasNext()) {
                out.add(c.next());
            }
        }
        return out;
    }

    /**
     * Hands every record of {@code range} to {@code each}, one at a time in key order, from one snapshot: for a pass over a
     * whole table (a migration's), which {@link #list} would hold in memory all at once.
     */
    default <K, V> void forEach(KeyRange range, Table<K, V> table, java.util.function.BiConsumer<K, V> each) {
        try (Cursor<K, V> c = scan(range, table)) {
            while (c.hasNext()) {
                Map.Entry<K, V> e = c.next();
                each.accept(e.getKey(), e.getValue());
            }
        }
    }

    /** Closes the database and releases the directory lock. Idempotent. */
    @Override
    void close();
}
