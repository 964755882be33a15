package io.coffer.core.chain;

/**
 * How far a transaction has got, as a merchant sees it in history, payments and deposit events, whether it is a deposit
 * ({@link DepositStatus}) or one of the wallet's withdrawals (which map onto these in {@code WithdrawalStatus.progress()}).
 */
public enum TxProgress {
    /** Known (in the mempool, or signed and sent), not in a block. */
    SEEN,
    /** In a block, fewer confirmations than required. */
    CONFIRMING,
    /** Enough confirmations. */
    CONFIRMED,
    /** Past the chain's reorg-safety depth: will not change. */
    FINAL,
    /** Its block left the best chain and it is not back in one. */
    REORGED,
    /** Another transaction spent its inputs (or took its nonce). */
    REPLACED,
    /** Will never pay: dropped, or mined without paying (an EVM revert). */
    FAILED;

    /** A deposit's status as a merchant sees it: the same names. */
    public static TxProgress of(DepositStatus s) {
        return switch (s) {
            case SEEN -> SEEN;
            case CONFIRMING -> CONFIRMING;
            case CONFIRMED -> CONFIRMED;
            case FINAL -> FINAL;
            case REORGED -> REORGED;
            case REPLACED -> REPLACED;
            case FAILED -> FAILED;
        };
    }
}
