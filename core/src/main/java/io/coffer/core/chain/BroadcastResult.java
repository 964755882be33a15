package io.coffer.core.chain;

/**
 * What came of handing signed bytes to the node. A timeout or a lost answer is {@link Outcome#UNKNOWN},
 * never a failure: the transaction may well be on its way, and the bytes are simply sent again later.
 *
 * @param detail the node's message for REJECTED (kept as the failure reason), else ""
 */
public record BroadcastResult(Outcome outcome, String detail) {
    public enum Outcome {
        /** The node took it into its mempool. */
        ACCEPTED,
        /** The node already has it (mempool or chain): as good as accepted. */
        ALREADY_KNOWN,
        /** The node refused it for good (invalid, inputs spent elsewhere, fee below the minimum...). */
        REJECTED,
        /** No clear answer (timeout, connection lost): re-check and re-send the same bytes. */
        UNKNOWN
    }
}
