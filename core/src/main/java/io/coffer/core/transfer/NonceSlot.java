package io.coffer.core.transfer;

import io.coffer.core.chain.DepositId;

/**
 * An account-chain withdrawal's place in its sender's sequence: the sending address and the nonce. Two withdrawals never hold
 * the same slot, and a slot given up by a refused transaction is reused first (a "hole").
 *
 * <p>The withdrawal record stores it as its one input, in the form UTXO withdrawals use for an outpoint (address as the txid,
 * the nonce as the index), and the lock and hole tables key it the same way: {@link #asInput()} and {@link #of(Withdrawal)} are
 * the only places that know it.
 */
public record NonceSlot(String address, long nonce) {
    public NonceSlot {
        if (nonce < 0 || nonce > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("a nonce slot holds 0 to 2^32-1");
        }
    }

    /** The slot of an account chain's withdrawal. */
    public static NonceSlot of(Withdrawal w) {
        return ofInput(w.inputs().get(0));
    }

    static NonceSlot ofInput(DepositId in) {
        return new NonceSlot(in.txid(), in.index() & 0xFFFFFFFFL);
    }

    /** The slot in its stored form (also how the follower keys an account chain's spends, see {@code OutpointSpend}). */
    public DepositId asInput() {
        return new DepositId(address, (int) nonce);
    }
}
