package io.coffer.core.store;

import java.util.Map;
import java.util.Optional;

/** A batch passing every call to another: tests override the calls they break (a commit that dies part-way). */
public class DelegatingBatch implements Batch {
    protected final Batch batch;

    public DelegatingBatch(Batch batch) {
        this.batch = batch;
    }

    @Override
    public <K, V> Batch put(Table<K, V> table, K key, V value) {
        batch.put(table, key, value);
        return this;
    }

    @Override
    public <K, V> Batch delete(Table<K, V> table, K key) {
        batch.delete(table, key);
        return this;
    }

    @Override
    public <K, V> Map<K, Optional<V>> changes(Table<K, V> table) {
        return batch.changes(table);
    }

    @Override
    public int size() {
        return batch.size();
    }

    @Override
    public void commit() {
        batch.commit();
    }

    @Override
    public Queued queue() {
        return batch.queue();
    }

    @Override
    public Batch unhurried() {
        batch.unhurried();
        return this;
    }
}
