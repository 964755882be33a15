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
 */
public record BitcoinChainConfig(String name, BitcoinNetwork network, URI rpcUrl, String rpcUser, String rpcPassword,
                                 Path rpcCookieFile, int confirmations, int reorgSafetyDepth, Duration pollInterval)
        implements ChainConfig {

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
                + ", pollInterval=" + pollInterval + "]";
    }
}
