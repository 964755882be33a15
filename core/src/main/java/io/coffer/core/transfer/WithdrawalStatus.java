package io.coffer.core.transfer;

/**
 * A withdrawal's life. Transitions are checked in {@link #canMoveTo}.
 * <pre>
 * SIGNED --accepted--> BROADCAST --mined--> CONFIRMING --N confs--> CONFIRMED (final once past the reorg-safety depth)
 *   |  \--no clear answer--> BROADCAST_UNKNOWN --seen / re-sent--> BROADCAST ...
 *   '--refused at its first broadcast, inputs intact--> FAILED (inputs unlocked; nothing left the wallet)
 * BROADCAST / BROADCAST_UNKNOWN / CONFIRMING / CONFIRMED --reorged out, inputs intact--> BROADCAST (re-sent, same bytes)
 * any sent state --no version in the chain or the mempool, inputs spent elsewhere or gone--> CONFLICTED
 * CONFLICTED --a version mined again / back in the mempool--> CONFIRMING, CONFIRMED / BROADCAST
 * CONFLICTED --the conflict stayed while the chain grew past the reorg-safety depth--> FAILED
 * any sent state --mined without paying (EVM: reverted, or its cancelling version mined)--> REVERTED
 * REVERTED --its block reorged out--> BROADCAST / BROADCAST_UNKNOWN (same bytes), then wherever the chain puts it
 * REVERTED --past the reorg-safety depth--> FAILED
 * any non-final --fee bump--> SIGNED (new bytes, same inputs, same id)
 * </pre>
 * Once bytes have left the node only the chain decides their fate: a refusal of a re-send, or a conflict, never ends a sent
 * withdrawal at once, because a reorg can bring its transaction back at any depth until the conflict is final.
 *
 * <p>The stored form is the ordinal: new states are added at the end.
 */
public enum WithdrawalStatus {
    /** Signed and stored; not yet accepted by the node. A restart sends these bytes. */
    SIGNED,
    /** In the node's mempool. */
    BROADCAST,
    /** Sent, but the answer was lost (timeout) or the node refused a re-send of bytes whose inputs are intact: re-checked and re-sent, never re-signed. */
    BROADCAST_UNKNOWN,
    /** Mined, fewer confirmations than required. */
    CONFIRMING,
    /** Mined with the required confirmations. */
    CONFIRMED,
    /**
     * Ended for good: refused before it ever left the node, REVERTED past the reorg-safety depth, or a conflict became final.
     * Inputs free.
     */
    FAILED,
    /**
     * Was sent, and now none of its versions is in the chain or the mempool while one of its inputs (an account chain: its
     * nonce) is spent by another transaction or does not exist (its funding transaction was reorged out and double-spent).
     * Not final: followed on every block; its inputs stay locked.
     */
    CONFLICTED,
    /**
     * Mined without paying: it failed on chain (EVM receipt status 0) or its cancelling version was mined; the fee is spent and the
     * nonce used. Not final: a reorg can take the block out and mine the transaction again where it succeeds, so it is followed
     * until it is past the reorg-safety depth, then FAILED.
     */
    REVERTED;

    /** CONFIRMED and FAILED leave the pending set (a CONFIRMED one is still followed until the reorg-safety depth). */
    public boolean isFinal() {
        return this == CONFIRMED || this == FAILED;
    }

    /**
     * The withdrawal's transaction as a merchant sees it in history: not yet mined is SEEN, a conflict is REPLACED, and a revert
     * counts as FAILED already (it paid nothing; only a reorg could still change that, and then the status follows).
     */
    public io.coffer.core.chain.TxProgress progress() {
        return switch (this) {
            case SIGNED, BROADCAST, BROADCAST_UNKNOWN -> io.coffer.core.chain.TxProgress.SEEN;
            case CONFIRMING -> io.coffer.core.chain.TxProgress.CONFIRMING;
            case CONFIRMED -> io.coffer.core.chain.TxProgress.CONFIRMED;
            case CONFLICTED -> io.coffer.core.chain.TxProgress.REPLACED;
            case FAILED, REVERTED -> io.coffer.core.chain.TxProgress.FAILED;
        };
    }

    /** Whether these bytes may have left the node (so only the chain, not a refusal, decides their fate). */
    public boolean wasSent() {
        return this != SIGNED && this != FAILED;
    }

    public boolean canMoveTo(WithdrawalStatus next) {
        if (next == this) {
            return false;
        }
        return switch (this) {
            case SIGNED, BROADCAST, BROADCAST_UNKNOWN, CONFIRMING, CONFLICTED, REVERTED -> true;
            // A reorg can undo a confirmation, or re-mine the transaction in a block where it reverts (EVM): the chain's facts win.
            // Never straight to FAILED: whatever undid it is followed to the reorg-safety depth first (CONFLICTED, REVERTED).
            case CONFIRMED -> next == CONFIRMING || next == BROADCAST || next == BROADCAST_UNKNOWN || next == CONFLICTED || next == REVERTED;
            case FAILED -> false;
        };
    }
}
