package io.coffer.core.store;

import java.util.Set;

/**
 * Records kept from other records in the same batches that change them (a running total, say), registered with
 * {@link Store#derive}. Every batch that writes one of {@link #reads()} is handed to {@link #derive} before it is written, with
 * the store's lock for this derivation held from before that call until the batch is durable: so what {@code derive} reads
 * from the store is everything committed before it, and the records it adds are written with the changes they follow, or not
 * at all. Such a batch is written synchronously even when {@link Batch#queue() queued}.
 */
public interface Derivation {
    /** The tables whose writes this derivation follows. */
    Set<Table<?, ?>> reads();

    /**
     * What the keys it follows start with (their encoded leading components, a chain's name say): a batch writing only other
     * keys of those tables is not handed to it, nor waits for its lock. Empty: every key.
     */
    default byte[] keyPrefix() {
        return new byte[0];
    }

    /**
     * Adds to {@code batch} what its changes ({@link Batch#changes}) make of the derived records. Must not write the tables it
     * reads. Throwing leaves the whole batch unwritten.
     */
    void derive(Batch batch);
}
