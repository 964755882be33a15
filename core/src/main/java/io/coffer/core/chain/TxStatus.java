package io.coffer.core.chain;

/**
 * Where a transaction stands on the node now.
 *
 * @param blockHeight the height of its block when {@code state} is IN_BLOCK, else 0
 */
public record TxStatus(TxState state, long blockHeight) {
    public static final TxStatus IN_MEMPOOL = new TxStatus(TxState.IN_MEMPOOL, 0);
    public static final TxStatus CONFLICTED = new TxStatus(TxState.CONFLICTED, 0);
    public static final TxStatus UNKNOWN = new TxStatus(TxState.UNKNOWN, 0);

    public static TxStatus failed(long height) {
        return new TxStatus(TxState.FAILED, height);
    }

    public static TxStatus inBlock(long height) {
        return new TxStatus(TxState.IN_BLOCK, height);
    }
}
