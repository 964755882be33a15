/**
 * The storage port: typed tables over an ordered key-value store, atomic multi-table batches, ordered
 * range scans, a schema version and an exclusive lock on the data directory.
 *
 * <p>Every table is a one-byte key prefix ({@link io.coffer.core.store.Table#id()}) followed by the
 * bytes of an order-preserving {@link io.coffer.core.store.KeyCodec}. Each table documents its layout
 * as {@code key layout -> value} where it is declared. Prefix {@code 0x00} is reserved for the store's
 * own metadata (schema version). A change that touches more than one record is always one
 * {@link io.coffer.core.store.Batch}, committed atomically and durably, so that a crash never leaves
 * half of a money movement on disk. Records kept from others (a running balance) are a
 * {@link io.coffer.core.store.Derivation}: the store hands it every batch that writes what it follows, under its lock, and
 * writes what it adds in the same batch.
 *
 * <p>{@link io.coffer.core.store.LevelDbStore} is the implementation (LevelDB JNI).
 */
package io.coffer.core.store;
