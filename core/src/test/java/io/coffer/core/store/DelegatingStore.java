package io.coffer.core.store;

import java.nio.file.Path;
import java.util.Optional;

/** A store passing every call to another: tests override the calls they watch or break (reads counted, commits that die). */
public abstract class DelegatingStore implements Store {
    protected final Store store;

    protected DelegatingStore(Store store) {
        this.store = store;
    }

    @Override
    public <K, V> Optional<V> get(Table<K, V> table, K key) {
        return store.get(table, key);
    }

    @Override
    public <K, V> Cursor<K, V> scan(KeyRange range, Table<K, V> table) {
        return store.scan(range, table);
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
