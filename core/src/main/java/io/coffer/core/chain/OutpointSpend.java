package io.coffer.core.chain;

import java.math.BigInteger;

/**
 * A transaction of a block that spends what the wallet holds: one of its outputs (UTXO chains), or the next nonce of one of its
 * addresses (account chains: every transaction sent from the wallet's addresses, with what it moved and the fee it paid, for the
 * account's balance is the sum of such movements and the chain has no output to point at).
 *
 * @param outpoint the wallet's output, as the deposit that created it is keyed ("txid:index"); on account chains the sender's
 *                 nonce slot (address as the txid, nonce as the index)
 * @param txid     the spending transaction
 * @param asset    account chains: the asset the transaction moved out of the address (empty on UTXO chains: the coin says)
 * @param amount   account chains: how much of {@code asset} left (0 when the transaction failed on chain)
 * @param feeAsset account chains: the chain's native asset, in which the fee is paid
 * @param fee      account chains: the fee it paid
 */
public record OutpointSpend(DepositId outpoint, String txid, String asset, BigInteger amount, String feeAsset, BigInteger fee) {
    /** A UTXO chain's spend of an output: what it moved is the output itself. */
    public OutpointSpend(DepositId outpoint, String txid) {
        this(outpoint, txid, "", BigInteger.ZERO, "", BigInteger.ZERO);
    }
}
