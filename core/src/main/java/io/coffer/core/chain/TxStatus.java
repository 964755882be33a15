package io.coffer.core.chain;

import java.math.BigInteger;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a transaction stands on the node now.
 *
 * @param blockHeight the height of its block when {@code state} is IN_BLOCK or FAILED, else 0
 * @param feePaid     the network fee it paid, when it is in a block and the answer that placed it there told it (EVM: the
 *                    receipt's gas used times its effective gas price), so following a mined withdrawal does not ask the node
 *                    the same question again ({@link ChainSource#feePaid}); empty otherwise
 */
public record TxStatus(TxState state, long blockHeight, Optional<BigInteger> feePaid) {
    public static final TxStatus IN_MEMPOOL = new TxStatus(TxState.IN_MEMPOOL, 0);
    public static final TxStatus CONFLICTED = new TxStatus(TxState.CONFLICTED, 0);
    public static final TxStatus UNKNOWN = new TxStatus(TxState.UNKNOWN, 0);

    public TxStatus {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(feePaid, "feePaid");
    }

    public TxStatus(TxState state, long blockHeight) {
        this(state, blockHeight, Optional.empty());
    }

    public static TxStatus failed(long height) {
        return new TxStatus(TxState.FAILED, height);
    }

    public static TxStatus inBlock(long height) {
        return new TxStatus(TxState.IN_BLOCK, height);
    }

    /** The same standing, with the fee the node told for it. */
    public TxStatus paying(BigInteger fee) {
        return new TxStatus(state, blockHeight, Optional.of(fee));
    }
}
