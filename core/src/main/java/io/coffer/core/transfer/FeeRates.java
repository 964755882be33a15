package io.coffer.core.transfer;

/** A UTXO chain's fee rates in milli-satoshi per vbyte: the node's estimate for a priority, and the most the node will pay. */
public interface FeeRates {
    long estimate(FeePriority priority);

    long max();
}
