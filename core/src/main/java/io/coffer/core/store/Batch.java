package io.coffer.core.store;

/**
 * A set of puts and deletes over any tables, applied all together or not at all by {@link #commit()}.
 * Every multi-record change in Coffer goes through one batch. Later operations on the same key in one
 * batch win. A batch is not thread-safe; it is used by one thread and then committed or dropped.
 */
public interface Batch {
    <K, V> Batch put(Table<K, V> table, K key, V value);

    <K, V> Batch delete(Table<K, V> table, K key);

    /**
     * What this batch does so far to {@code table}: per key, the value its last operation puts, or empty when that operation
     * deletes the key. In the order the keys were first written.
     */
    <K, V> java.util.Map<K, java.util.Optional<V>> changes(Table<K, V> table);

    /** Number of operations queued. */
    int size();

    /**
     * Writes every operation atomically and durably (the write is synced to disk before this returns),
     * then makes the batch unusable. Committing an empty batch is a no-op.
     */
    void commit();

    /**
     * Queues the batch to be written after every batch committed or queued before it, and returns without waiting; concurrent
     * commits share one synced write. For a caller that must fix the order of writes under its own lock (event sequences) but
     * need not hold that lock while the disk syncs: it queues under the lock and {@link Queued#await() awaits} outside it.
     * Nothing of the batch is visible before it is written.
     */
    Queued queue();

    /**
     * Marks this batch as one nobody needs durable soon (the outcome of a send its caller was already told, written while the
     * caller goes on): {@link #queue}d with nothing else waiting to be written, it may be held a few milliseconds for the next
     * batch queued to share its synced write, instead of costing a synced write of its own. Order is unchanged: it is written
     * before or with every batch queued after it. Awaiting it is allowed (and may wait the longer: {@link Queued#hurry()} ends the
     * hold); {@link #commit} never holds it. Returns this batch.
     */
    Batch unhurried();

    /** A queued batch. */
    interface Queued {
        /**
         * Returns once the batch is written and durable.
         *
         * @throws StoreException when it could not be written (then nothing of it was)
         */
        void await();

        /**
         * Asks for the batch to be written without waiting out an {@link Batch#unhurried()} hold: for one who now needs it
         * durable before going on (and cannot queue anything to take it along). Nothing when it is written or being written.
         */
        default void hurry() {
        }
    }
}
