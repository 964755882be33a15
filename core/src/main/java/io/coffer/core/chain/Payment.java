package io.coffer.core.chain;

import java.math.BigInteger;
import java.util.List;

/**
 * A payment to a watched address, as a chain source reports it.
 *
 * @param txid    transaction id (hex, as the node prints it)
 * @param index   output index (Bitcoin) or log index (ERC-20), 0 for a native EVM transfer
 * @param address the watched address paid
 * @param asset   asset id ("bitcoin/BTC")
 * @param amount  base units, positive
 * @param inputs  the outpoints ("txid:vout") the paying transaction spends, so that a conflict with it can
 *                still be recognised after it left the mempool (and after a restart); empty on account chains
 */
public record Payment(String txid, int index, String address, String asset, BigInteger amount, List<String> inputs) {
    public Payment {
        if (amount.signum() <= 0) {
            throw new IllegalArgumentException("a payment amount is positive");
        }
        inputs = List.copyOf(inputs);
    }

    public Payment(String txid, int index, String address, String asset, BigInteger amount) {
        this(txid, index, address, asset, amount, List.of());
    }

    public DepositId id() {
        return new DepositId(txid, index);
    }
}
