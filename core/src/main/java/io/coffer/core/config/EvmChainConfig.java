package io.coffer.core.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * An Ethereum-compatible chain. Any EVM chain is configuration: Ethereum, BSC, Polygon, a dev chain.
 *
 * @param chainId        EIP-155 chain id; checked against the node's {@code eth_chainId} at start
 * @param nativeSymbol   symbol of the native asset (ETH, BNB, POL...)
 * @param nativeDecimals decimals of the native asset (18 on every chain seen so far)
 * @param eip1559        whether the chain takes type-2 (EIP-1559) transactions; legacy gas price if not
 * @param tokens         ERC-20 tokens watched and sent on this chain
 * @param sweepThreshold deposit addresses holding more native coin than this (wei) are swept to the hot
 *                       address; null: never swept
 * @param wsUrl          the node's WebSocket endpoint ({@code ws://} or {@code wss://}): new heads are pushed from it and wake
 *                       the follower at once (polling stays as the fallback); null: polled only
 */
public record EvmChainConfig(String name, long chainId, URI rpcUrl, int confirmations, int reorgSafetyDepth,
                             Duration pollInterval, String nativeSymbol, int nativeDecimals, boolean eip1559,
                             List<TokenConfig> tokens, java.math.BigInteger sweepThreshold, URI wsUrl) implements ChainConfig {
    /** Polled only (no WebSocket endpoint). */
    public EvmChainConfig(String name, long chainId, URI rpcUrl, int confirmations, int reorgSafetyDepth, Duration pollInterval,
                          String nativeSymbol, int nativeDecimals, boolean eip1559, List<TokenConfig> tokens,
                          java.math.BigInteger sweepThreshold) {
        this(name, chainId, rpcUrl, confirmations, reorgSafetyDepth, pollInterval, nativeSymbol, nativeDecimals, eip1559, tokens,
                sweepThreshold, null);
    }

    @Override
    public List<Asset> assets() {
        List<Asset> out = new java.util.ArrayList<>();
        out.add(new Asset(io.coffer.core.chain.AssetId.of(name, nativeSymbol).toString(), nativeSymbol, nativeDecimals, ""));
        tokens.forEach(t -> out.add(new Asset(io.coffer.core.chain.AssetId.of(name, t.symbol()).toString(), t.symbol(), t.decimals(), t.contract().toString())));
        return out;
    }

    @Override
    public long evmChainId() {
        return chainId;
    }

    @Override
    public String expectedNetwork() {
        return Long.toString(chainId);
    }

    @Override
    public String networkField() {
        return "chain-id";
    }

    /** A uint256. */
    @Override
    public java.math.BigInteger maxAmount() {
        return java.math.BigInteger.TWO.pow(256).subtract(java.math.BigInteger.ONE);
    }

    @Override
    public boolean accountBased() {
        return true;
    }

    /** EIP-681: the native value in wei, or a token's transfer call. */
    @Override
    public String paymentUri(Asset asset, String address, java.math.BigInteger amount, String description) {
        if (asset.contract().isEmpty()) {
            return "ethereum:" + address + "@" + chainId + "?value=" + amount;
        }
        return "ethereum:" + asset.contract() + "@" + chainId + "/transfer?address=" + address + "&uint256=" + amount;
    }

    public EvmChainConfig {
        tokens = List.copyOf(tokens);
    }

    /** Without native sweeps. */
    public EvmChainConfig(String name, long chainId, URI rpcUrl, int confirmations, int reorgSafetyDepth, Duration pollInterval,
                          String nativeSymbol, int nativeDecimals, boolean eip1559, List<TokenConfig> tokens) {
        this(name, chainId, rpcUrl, confirmations, reorgSafetyDepth, pollInterval, nativeSymbol, nativeDecimals, eip1559, tokens, null);
    }

    @Override
    public boolean isDevChain() {
        return chainId == 31337 || chainId == 1337;
    }
}
