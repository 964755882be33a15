package io.coffer.core.store;

import java.util.Optional;

/** Reads records by key: the store's committed ones, or (handed to a {@link Derivation}) those with queued batches over them. */
public interface Reader {
    <K, V> Optional<V> get(Table<K, V> table, K key);
}
