package io.coffer.core.transfer;

/** A UTXO chain's fee rates: the node's estimate for a priority, and the most the node will pay. */
public interface FeeRates {
    FeeRate estimate(FeePriority priority);

    FeeRate max();
}
