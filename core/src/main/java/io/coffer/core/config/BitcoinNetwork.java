package io.coffer.core.config;

import java.util.Locale;

/**
 * A Bitcoin network, named as bitcoind's {@code getblockchaininfo.chain} names it, so the configured
 * network can be checked against what the node reports.
 */
public enum BitcoinNetwork {
    MAIN("main", 0),
    TEST("test", 1),
    TESTNET4("testnet4", 1),
    SIGNET("signet", 1),
    REGTEST("regtest", 1);

    private final String rpcName;
    private final int bip44Coin;

    BitcoinNetwork(String rpcName, int bip44Coin) {
        this.rpcName = rpcName;
        this.bip44Coin = bip44Coin;
    }

    /** The name bitcoind reports in {@code getblockchaininfo.chain}. */
    public String rpcName() {
        return rpcName;
    }

    /** SLIP-44 coin type for BIP-84 paths: 0 on mainnet, 1 on every test network. */
    public int bip44Coin() {
        return bip44Coin;
    }

    public static BitcoinNetwork fromRpcName(String name) {
        for (BitcoinNetwork n : values()) {
            if (n.rpcName.equals(name.toLowerCase(Locale.ROOT))) {
                return n;
            }
        }
        throw new IllegalArgumentException("unknown Bitcoin network '" + name + "'");
    }
}
