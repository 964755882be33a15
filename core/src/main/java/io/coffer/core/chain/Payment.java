package io.coffer.core.chain;

import java.math.BigInteger;

/**
 * A payment to a watched address, as a chain source reports it.
 *
 * @param txid    transaction id (hex, as the node prints it)
 * @param index   output index (Bitcoin) or log index (ERC-20), 0 for a native EVM transfer
 * @param address the watched address paid
 * @param asset   asset id ("bitcoin/BTC")
 * @param amount  base units, positive
 */
public record Payment(String txid, int index, String address, String asset, BigInteger amount) {
    public Payment {
        if (amount.signum() <= 0) {
            throw new IllegalArgumentException("a payment amount is positive");
        }
    }

    public DepositId id() {
        return new DepositId(txid, index);
    }
}
