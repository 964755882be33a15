package io.coffer.core.chain;

import io.coffer.core.store.Batch;
import java.util.List;

/**
 * Commits a follower batch, after seeing the deposits it changes: the merchant-facing events those changes make are
 * written into the same batch, so they exist exactly when the change does.
 */
@FunctionalInterface
public interface DepositSink {
    /**
     * Must commit {@code batch} (or throw, leaving nothing written).
     *
     * @param settled false for the batches of a poll that is walking through a reorg (its disconnects, and the connects and
     *                recomputation that follow them): the chain's final state is not reached yet, so consequences that
     *                depend on it as a whole (a payment request's status) are deferred, durably in this batch, to the
     *                poll's last batch, which is always settled. A reorg then moves a request once, not through every
     *                intermediate block.
     */
    void commit(Batch batch, ChainFollower follower, List<DepositChange> changes, boolean settled);

    /** No listener: just commit. */
    DepositSink DIRECT = (batch, follower, changes, settled) -> batch.commit();
}
