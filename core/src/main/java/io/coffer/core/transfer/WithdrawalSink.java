package io.coffer.core.transfer;

import io.coffer.core.store.Batch;

/**
 * Commits a batch that writes a withdrawal, after seeing it: a tenant transfer's events are written into the same batch as
 * the withdrawal change they describe.
 */
public interface WithdrawalSink {
    /** Must commit {@code batch} (or throw, leaving nothing written). */
    void commit(Batch batch, Withdrawal withdrawal);

    /**
     * The same for a batch that writes each of {@code withdrawals} (distinct ones, at least one): committed as one. By default
     * {@link #commit} sees each: the first with the batch, the others each with an empty one (whose commit writes nothing), for
     * sinks that only watch.
     */
    default void commitAll(Batch batch, java.util.List<Withdrawal> withdrawals, java.util.function.Supplier<Batch> empty) {
        commit(batch, withdrawals.get(0));
        for (Withdrawal w : withdrawals.subList(1, withdrawals.size())) {
            commit(empty.get(), w);
        }
    }

    /**
     * Must queue {@code batch} behind every batch queued or committed before it (or throw, leaving nothing queued); the caller
     * awaits it. By default it is committed at once (the sink cannot queue: callers then do not share a synced write).
     */
    default Batch.Queued queue(Batch batch, Withdrawal withdrawal) {
        commit(batch, withdrawal);
        return () -> { };
    }

    /** Writes the batch as it is. */
    WithdrawalSink DIRECT = new WithdrawalSink() {
        @Override
        public void commit(Batch batch, Withdrawal withdrawal) {
            batch.commit();
        }

        @Override
        public void commitAll(Batch batch, java.util.List<Withdrawal> withdrawals, java.util.function.Supplier<Batch> empty) {
            batch.commit();
        }

        @Override
        public Batch.Queued queue(Batch batch, Withdrawal withdrawal) {
            return batch.queue();
        }
    };
}
