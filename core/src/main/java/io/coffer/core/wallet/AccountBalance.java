package io.coffer.core.wallet;

import java.math.BigInteger;

/**
 * What an account holds of one asset, in base units.
 *
 * @param confirmed       spendable now: confirmed deposits less everything sent or being sent
 * @param pendingIncoming deposits seen but not yet confirmed
 * @param pendingOutgoing withdrawals (amount and fee) not yet confirmed
 * @param asOfHeight      the chain height the figures are computed at (what the follower processed)
 */
public record AccountBalance(String asset, BigInteger confirmed, BigInteger pendingIncoming, BigInteger pendingOutgoing, long asOfHeight) {
}
