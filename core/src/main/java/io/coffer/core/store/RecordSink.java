package io.coffer.core.store;

/** Receives raw records (a store key with its table prefix, and the encoded value): how backups copy a store out and in. */
@FunctionalInterface
public interface RecordSink {
    void record(byte[] key, byte[] value);

    /** Told once, before the first record, how many records follow (when the source counted them: a backup's progress). */
    default void expect(long records) {
    }
}
