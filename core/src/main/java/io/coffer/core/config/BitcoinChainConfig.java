package io.coffer.core.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The Bitcoin network the node follows through bitcoind's JSON-RPC.
 *
 * @param rpcUser       RPC user name, or null when the cookie file is used
 * @param rpcPassword   RPC password, or null when the cookie file is used; never printed
 * @param rpcCookieFile bitcoind's {@code .cookie} file, or null when user/password are used
 * @param addressGap    unused addresses watched past the last used one per branch (restores find deposits
 *                      up to this many unused addresses apart)
 * @param feeFloor      lowest fee rate used, sat/vB
 * @param feeFallback   fee rate when the node has no estimate, sat/vB
 * @param feeMax        highest fee rate ever used, sat/vB (a guard against a broken estimate)
 * @param zmqEndpoint   bitcoind's ZMQ publisher of hashblock/hashtx (tcp://host:port), or null to poll only
 */
public record BitcoinChainConfig(String name, BitcoinNetwork network, URI rpcUrl, String rpcUser, String rpcPassword,
                                 Path rpcCookieFile, int confirmations, int reorgSafetyDepth, Duration pollInterval,
                                 int addressGap, int feeFloor, int feeFallback, int feeMax, URI zmqEndpoint)
        implements ChainConfig {

    @Override
    public String bitcoinNetwork() {
        return network.rpcName();
    }

    @Override
    public String expectedNetwork() {
        return network.rpcName();
    }

    @Override
    public String networkField() {
        return "network";
    }

    @Override
    public java.util.List<Asset> assets() {
        return java.util.List.of(new Asset(io.coffer.core.chain.AssetId.of(name, "BTC").toString(), "BTC", 8, ""));
    }

    /** MAX_MONEY: 21 million BTC in satoshi. */
    @Override
    public java.math.BigInteger maxAmount() {
        return java.math.BigInteger.valueOf(2_100_000_000_000_000L);
    }

    @Override
    public boolean accountBased() {
        return false;
    }

    /** BIP-21: the amount in BTC as a decimal, the description as the message. */
    @Override
    public String paymentUri(Asset asset, String address, java.math.BigInteger amount, String description) {
        String btc = new java.math.BigDecimal(amount).movePointLeft(8).stripTrailingZeros().toPlainString();
        return "bitcoin:" + address + "?amount=" + btc + (description.isEmpty() ? ""
                : "&message=" + java.net.URLEncoder.encode(description, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20"));
    }

    /** With the defaults for the address gap (20) and fees (floor 1, fallback 2, max 500 sat/vB). */
    public BitcoinChainConfig(String name, BitcoinNetwork network, URI rpcUrl, String rpcUser, String rpcPassword,
                              Path rpcCookieFile, int confirmations, int reorgSafetyDepth, Duration pollInterval) {
        this(name, network, rpcUrl, rpcUser, rpcPassword, rpcCookieFile, confirmations, reorgSafetyDepth, pollInterval, 20, 1, 2, 500,
                null);
    }

    @Override
    public boolean isDevChain() {
        return network == BitcoinNetwork.REGTEST;
    }

    /** Never prints the RPC password. */
    @Override
    public String toString() {
        return "BitcoinChainConfig[name=" + name + ", network=" + network + ", rpcUrl=" + rpcUrl
                + ", auth=" + (rpcCookieFile != null ? "cookie " + rpcCookieFile : "user " + rpcUser + " / ***")
                + ", confirmations=" + confirmations + ", reorgSafetyDepth=" + reorgSafetyDepth
                + ", pollInterval=" + pollInterval + ", addressGap=" + addressGap + ", fees=" + feeFloor + ".." + feeMax
                + " (fallback " + feeFallback + ") sat/vB, zmq=" + (zmqEndpoint == null ? "off" : zmqEndpoint) + "]";
    }
}
