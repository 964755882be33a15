package io.coffer.core.chain;

/**
 * One deposit written by a follower batch.
 *
 * @param before  the deposit before the batch, null when first seen
 * @param notable whether the follower recorded a chain event for it (status changed, or confirmations while still below the
 *                chain's target); a change that is not notable only moved confirmations past the target
 */
public record DepositChange(Deposit before, Deposit after, boolean notable) {
}
