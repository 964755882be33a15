package io.coffer.core.transfer;

import io.coffer.core.chain.DepositId;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;

/**
 * A withdrawal and everything needed to finish it after a crash: the signed bytes, the inputs it locks,
 * and the txids of earlier versions (fee bumps) — it is tracked by its inputs, not by one txid.
 *
 * @param fee           network fee in base units of the chain's native asset
 * @param feeRate       the rate it pays: on a UTXO chain milli-satoshi per vbyte ({@link FeeRate}); on an account chain the max fee per gas in wei
 * @param raw           the signed transaction of the current version
 * @param changeIndex   the change address index on the internal branch, -1 when there is no change
 * @param replacedTxids txids of earlier versions replaced by a fee bump, oldest first
 * @param asset         the asset sent ("bitcoin/BTC", "ethereum/USDC")
 * @param cancelTxid    account chains: the txid of the cancelling version, "" when not cancelled
 */
public record Withdrawal(String id, String chain, int account, String destination, BigInteger amount, BigInteger fee,
                         long feeRate, WithdrawalStatus status, String txid, byte[] raw, List<DepositId> inputs,
                         int changeIndex, List<String> replacedTxids, String idempotencyKey, int confirmations,
                         String failureReason, Instant createdAt, Instant updatedAt, String asset, String cancelTxid) {
    public Withdrawal {
        raw = raw.clone();
        inputs = List.copyOf(inputs);
        replacedTxids = List.copyOf(replacedTxids);
    }

    @Override
    public byte[] raw() {
        return raw.clone();
    }

    Withdrawal withFee(BigInteger paid) {
        return new Withdrawal(id, chain, account, destination, amount, paid, feeRate, status, txid, raw, inputs, changeIndex,
                replacedTxids, idempotencyKey, confirmations, failureReason, createdAt, updatedAt, asset, cancelTxid);
    }

    Withdrawal with(WithdrawalStatus status, int confirmations, String failureReason, Instant now) {
        return new Withdrawal(id, chain, account, destination, amount, fee, feeRate, status, txid, raw, inputs, changeIndex,
                replacedTxids, idempotencyKey, confirmations, failureReason, createdAt, now, asset, cancelTxid);
    }

    /** Why it exists (a tenant's transfer, a sweep, a gas top-up). */
    public WithdrawalOrigin origin() {
        return WithdrawalOrigin.of(idempotencyKey);
    }
}
