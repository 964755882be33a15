package io.coffer.core.store;

/** Receives raw records (a store key with its table prefix, and the encoded value): how backups copy a store out and in. */
@FunctionalInterface
public interface RecordSink {
    void record(byte[] key, byte[] value);
}
