package io.coffer.core.chain;

/**
 * A transaction of a block that spends one of the wallet's outputs (UTXO chains).
 *
 * @param outpoint the wallet's output, as the deposit that created it is keyed ("txid:index")
 * @param txid     the spending transaction
 */
public record OutpointSpend(DepositId outpoint, String txid) {
}
