package io.coffer.core.chain;

import io.coffer.core.store.Batch;
import java.util.List;

/**
 * Commits a follower batch, after seeing the deposits it changes: the merchant-facing events those changes make are
 * written into the same batch, so they exist exactly when the change does.
 */
@FunctionalInterface
public interface DepositSink {
    /** Must commit {@code batch} (or throw, leaving nothing written). */
    void commit(Batch batch, ChainFollower follower, List<DepositChange> changes);

    /** No listener: just commit. */
    DepositSink DIRECT = (batch, follower, changes) -> batch.commit();
}
