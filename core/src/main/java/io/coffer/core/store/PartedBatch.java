package io.coffer.core.store;

import java.util.function.Consumer;

/**
 * Writes too many to hold at once — a schema migration over a long history, a derived table built from every record —
 * committed in parts of a bounded number of operations as they come, in the order they were made, and the one record that
 * says the whole is done written with the last part ({@link #finish}).
 *
 * <p>Not atomic as a whole: a crash in the middle leaves the parts before it and not the closing record, so the writer finds
 * the work undone at the next start and does it again over its own earlier parts. That is safe when every record it puts is
 * made from records it does not write (or from what it wrote itself in an earlier phase, committed before it reads it), never
 * from one of its own outputs read back and added to; and when nothing else reads its outputs before the closing record is
 * there. Store-agnostic: parts are ordinary batches of the store it is made over.
 */
public final class PartedBatch implements Batch {
    private final Store store;
    private final int part;
    private Batch current;
    private long written;
    private int parts;

    /** @param part operations a part holds before it is written (the heap's bound: about that many records in memory) */
    public PartedBatch(Store store, int part) {
        if (part < 1) {
            throw new IllegalArgumentException("part: at least 1 operation");
        }
        this.store = store;
        this.part = part;
        this.current = store.batch();
    }

    @Override
    public <K, V> Batch put(Table<K, V> table, K key, V value) {
        current.put(table, key, value);
        return full();
    }

    @Override
    public <K, V> Batch delete(Table<K, V> table, K key) {
        current.delete(table, key);
        return full();
    }

    private Batch full() {
        if (current.size() >= part) {
            commit();
        }
        return this;
    }

    /** Not kept: the parts already written are the store's, read them there. */
    @Override
    public <K, V> java.util.Map<K, java.util.Optional<V>> changes(Table<K, V> table) {
        throw new UnsupportedOperationException("written in parts: read what is written from the store");
    }

    /** Operations in the part not yet written. */
    @Override
    public int size() {
        return current.size();
    }

    /** Writes the part so far (later reads of the store then see it) and goes on with the next. */
    @Override
    public void commit() {
        if (current.size() > 0) {
            written += current.size();
            parts++;
            current.commit();
            current = store.batch();
        }
    }

    /** Parts are committed, never queued: nothing to hold. */
    @Override
    public Batch unhurried() {
        return this;
    }

    @Override
    public Queued queue() {
        throw new UnsupportedOperationException("parts are committed in order, each before the next");
    }

    /**
     * Writes the last part with what {@code last} adds to it (the record saying the whole is done: nothing of it may be in an
     * earlier part); the batch is unusable after.
     */
    public void finish(Consumer<Batch> last) {
        last.accept(current);
        written += current.size();
        parts++;
        current.commit();
        current = null;
    }

    /** Operations written so far, in every part. */
    public long written() {
        return written;
    }

    /** Parts written so far. */
    public int parts() {
        return parts;
    }
}
