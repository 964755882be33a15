package io.coffer.core.transfer;

/**
 * A withdrawal's life. Transitions are checked in {@link #canMoveTo}.
 * <pre>
 * SIGNED --accepted--> BROADCAST --mined--> CONFIRMING --N confs--> CONFIRMED
 *   |  \--no clear answer--> BROADCAST_UNKNOWN --seen / re-sent--> BROADCAST ...
 *   '--refused for good--> FAILED (inputs unlocked; nothing left the wallet)
 * BROADCAST / BROADCAST_UNKNOWN / CONFIRMING --reorged out--> BROADCAST (re-sent, same bytes)
 * any non-final --fee bump--> SIGNED (new bytes, same inputs, same id)
 * </pre>
 */
public enum WithdrawalStatus {
    /** Signed and stored; not yet accepted by the node. A restart sends these bytes. */
    SIGNED,
    /** In the node's mempool. */
    BROADCAST,
    /** Sent, but the answer was lost (timeout): re-checked and re-sent, never re-signed. */
    BROADCAST_UNKNOWN,
    /** Mined, fewer confirmations than required. */
    CONFIRMING,
    /** Mined with the required confirmations. */
    CONFIRMED,
    /** Refused for good by the node; its inputs are free again. */
    FAILED;

    public boolean isFinal() {
        return this == CONFIRMED || this == FAILED;
    }

    public boolean canMoveTo(WithdrawalStatus next) {
        if (next == this) {
            return false;
        }
        return switch (this) {
            case SIGNED -> true;
            case BROADCAST, BROADCAST_UNKNOWN, CONFIRMING -> true;
            case CONFIRMED -> next == CONFIRMING || next == BROADCAST; // a reorg can undo a confirmation
            case FAILED -> false;
        };
    }
}
