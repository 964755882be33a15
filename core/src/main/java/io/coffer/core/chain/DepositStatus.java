package io.coffer.core.chain;

/**
 * Where an incoming payment stands. Transitions are checked in {@link #canMoveTo}; the chain's facts
 * always win, so a state can move back (a reorg) as well as forward.
 *
 * <pre>
 * SEEN ------mined-------> CONFIRMING --N confs--> CONFIRMED --safety depth--> FINAL
 *   |  \                       |                      |                          |
 *   |   `--mined with >= N confs at once (catch-up) ---'----------------------->'
 *   |                          v                      v                          v (a reorg deeper than the
 *   '--conflict--> REPLACED   REORGED <---------------'---------------------------'  safety depth: alarm)
 *                    ^  |        |  \--back in the mempool--> SEEN
 *                    |  |        '--mined again--> CONFIRMING / CONFIRMED / FINAL
 *                    '--|--------'--conflict (double-spent while out of the chain)
 *                       '--mined after all (the conflict itself was reorged out) --> CONFIRMING...
 * SEEN / REORGED --mined as a failed transaction (EVM)--> FAILED (like REPLACED: never counts)
 * </pre>
 */
public enum DepositStatus {
    /** In the mempool (0 confirmations); never counted in a balance. */
    SEEN,
    /** In a block, fewer confirmations than the chain's required number. Pending. */
    CONFIRMING,
    /** At least the required confirmations: counted in the confirmed balance. */
    CONFIRMED,
    /** Deeper than the chain's reorg-safety depth: will not change again. */
    FINAL,
    /** Its block was disconnected; it is pending again until mined again or replaced. */
    REORGED,
    /** A conflicting transaction spent its inputs (RBF, double-spend): it never counts. */
    REPLACED,
    /** Seen pending, then mined as a failed transaction (EVM receipt status 0): it moved nothing, never counts. */
    FAILED;

    public boolean isFinal() {
        return this == FINAL;
    }

    /** Counted in the confirmed (spendable) balance. */
    public boolean isConfirmed() {
        return this == CONFIRMED || this == FINAL;
    }

    /** Counted as pending incoming. */
    public boolean isPending() {
        return this == SEEN || this == CONFIRMING || this == REORGED;
    }

    /** Whether the chain's facts may move a deposit from this state to {@code next}. */
    public boolean canMoveTo(DepositStatus next) {
        if (next == this) {
            return false;
        }
        return switch (this) {
            case SEEN -> next != REORGED;
            case CONFIRMING, CONFIRMED, FINAL -> next != SEEN && next != REPLACED && next != FAILED;
            case REORGED -> true;
            case REPLACED, FAILED -> next == CONFIRMING || next == CONFIRMED || next == FINAL || next == SEEN;
        };
    }
}
