package io.coffer.core.chain;

/** What a chain node says about a transaction the follower is waiting on. */
public enum TxState {
    /** In the node's mempool. */
    IN_MEMPOOL,
    /** In a block of the best chain. */
    IN_BLOCK,
    /** Neither, and at least one of its inputs is spent by another transaction: it can never confirm. */
    CONFLICTED,
    /** Mined, but it failed (EVM receipt status 0): it moved nothing and never counts. */
    FAILED,
    /** Neither, with its inputs unspent: dropped or not yet relayed; it may come back. */
    UNKNOWN
}
