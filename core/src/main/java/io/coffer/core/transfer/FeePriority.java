package io.coffer.core.transfer;

/**
 * How fast a transfer should confirm when the caller gives no explicit fee rate: each chain turns it into a fee (Bitcoin:
 * bitcoind's estimate for a confirmation target; EVM: the chain's current fees). Stored by name in a transfer.
 */
public enum FeePriority {
    LOW,
    NORMAL,
    HIGH
}
