package io.coffer.chain.bitcoin;

import io.coffer.core.config.BitcoinNetwork;

/** Maps core's network names to bitcoinj's, the one place that knows both. */
public final class BitcoinjNetworks {
    private BitcoinjNetworks() {
    }

    public static org.bitcoinj.base.BitcoinNetwork of(BitcoinNetwork network) {
        return switch (network) {
            case MAIN -> org.bitcoinj.base.BitcoinNetwork.MAINNET;
            case TEST, TESTNET4 -> org.bitcoinj.base.BitcoinNetwork.TESTNET;
            case SIGNET -> org.bitcoinj.base.BitcoinNetwork.SIGNET;
            case REGTEST -> org.bitcoinj.base.BitcoinNetwork.REGTEST;
        };
    }
}
