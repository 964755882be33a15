package io.coffer.core.config;

import io.coffer.core.address.EvmAddress;

/**
 * An ERC-20 token on one EVM chain.
 *
 * @param symbol   ticker, unique on its chain; the asset id is {@code <chain>/<symbol>}
 * @param contract the token contract
 * @param decimals the token's {@code decimals()}, 0..36
 * @param sweepThreshold deposit addresses holding more than this (base units) are swept to the hot
 *                       address; null: never swept
 */
public record TokenConfig(String symbol, EvmAddress contract, int decimals, java.math.BigInteger sweepThreshold) {
    public TokenConfig(String symbol, EvmAddress contract, int decimals) {
        this(symbol, contract, decimals, null);
    }
}
