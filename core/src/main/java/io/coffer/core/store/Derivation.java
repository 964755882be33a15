package io.coffer.core.store;

import java.util.Set;

/**
 * Records kept from other records in the same batches that change them (a running total, say), registered with
 * {@link Store#derive}. Every batch that writes one of {@link #reads()} is handed to {@link #derive} before it is written, with
 * the store's lock for this derivation held from before that call until the batch is queued for the disk, and the records it
 * adds are written with the changes they follow, or not at all.
 *
 * <p>The lock is not held while the disk syncs, so batches derived one after the other share one synced write: a batch is
 * derived while the ones before it may still be queued. What {@code derive} reads must therefore go through the
 * {@link Reader} it is handed, which sees the store with every batch derived before laid over it (written or not); the store
 * itself does not show queued batches. A batch derived over a queued one that then fails is never written either (after a
 * failed write the store writes nothing more until a restart).
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
     * Adds to {@code batch} what its changes ({@link Batch#changes}) make of the derived records, reading the records as the
     * batches derived before it leave them through {@code before} (never through the store). Must not write the tables it
     * reads. Throwing leaves the whole batch unwritten.
     */
    void derive(Batch batch, Reader before);
}
