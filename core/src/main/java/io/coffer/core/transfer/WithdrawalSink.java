package io.coffer.core.transfer;

import io.coffer.core.store.Batch;

/**
 * Commits a batch that writes a withdrawal, after seeing it: a tenant transfer's events are written into the same batch as
 * the withdrawal change they describe.
 */
@FunctionalInterface
public interface WithdrawalSink {
    /** Must commit {@code batch} (or throw, leaving nothing written). */
    void commit(Batch batch, Withdrawal withdrawal);

    WithdrawalSink DIRECT = (batch, withdrawal) -> batch.commit();
}
