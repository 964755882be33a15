package io.coffer.core.chain;

import io.coffer.core.config.ChainConfig;
import io.coffer.core.config.ConfigException;

/**
 * What a chain node says about itself.
 *
 * @param network   Bitcoin: bitcoind's chain name ("main", "regtest"...); EVM: the decimal chain id
 * @param tipHeight height of the best block
 * @param tipHash   hash of the best block, lowercase hex as the node prints it (Bitcoin: byte-reversed
 *                  display order; EVM: 0x-prefixed)
 */
public record ChainInfo(String network, long tipHeight, String tipHash) {

    /**
     * Refuses to run against a node on another network than configured: sending regtest-derived
     * addresses to a mainnet node, or signing with the wrong EIP-155 chain id, would lose money.
     *
     * @param key the config key prefix of the chain (e.g. {@code coffer.chains.0})
     */
    public void requireMatches(ChainConfig chain, String key) {
        String expected = chain.expectedNetwork();
        if (!expected.equals(network)) {
            String field = key + "." + chain.networkField();
            throw new ConfigException(field, "chain '" + chain.name() + "' is configured as " + expected
                    + " but the node at " + chain.rpcUrl() + " is on " + network);
        }
    }
}
