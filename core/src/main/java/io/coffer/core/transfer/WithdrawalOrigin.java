package io.coffer.core.transfer;

/**
 * Why a withdrawal exists. A tenant's transfer pays someone; a sweep and a gas top-up move funds between the account's own
 * addresses (EVM), so they are internal: never a payment in history or balances, only a fee.
 *
 * <p>Stored as the prefix of the withdrawal's idempotency key (the record format is unchanged); this type is the only place
 * that knows the prefixes, and everything else asks it.
 */
public enum WithdrawalOrigin {
    /** A tenant's transfer (its key is the transfer id), or a withdrawal made directly through the service. */
    TRANSFER(""),
    /** A deposit address's balance moved into the account's hot address. */
    SWEEP("sweep:"),
    /** Native coin sent to a deposit address so it can pay the gas of a token sweep. */
    TOP_UP("topup:");

    private final String keyPrefix;

    WithdrawalOrigin(String keyPrefix) {
        this.keyPrefix = keyPrefix;
    }

    public static WithdrawalOrigin of(String idempotencyKey) {
        if (idempotencyKey.startsWith(SWEEP.keyPrefix)) {
            return SWEEP;
        }
        return idempotencyKey.startsWith(TOP_UP.keyPrefix) ? TOP_UP : TRANSFER;
    }

    /** Moves between the account's own addresses: no payment, only a fee. */
    public boolean internal() {
        return this != TRANSFER;
    }

    /** The key of the sweep of {@code address} at its nonce {@code nonce} (one sweep per nonce, so a retry is the same). */
    static String sweepKey(String address, long nonce) {
        return SWEEP.keyPrefix + address + ":" + nonce;
    }

    /** The key of the top-up of {@code address} for a sweep of {@code asset} at its nonce {@code nonce}. */
    static String topUpKey(String address, long nonce, String asset) {
        return TOP_UP.keyPrefix + address + ":" + nonce + ":" + asset;
    }

    /** The prefix every key of this origin starts with (TRANSFER: none, so never used to list them). */
    String keyPrefix() {
        return keyPrefix;
    }

    /** The prefix of every top-up key of {@code address}. */
    static String topUpsOf(String address) {
        return TOP_UP.keyPrefix + address + ":";
    }
}
