package io.coffer.core.config;

import java.net.URI;
import java.time.Duration;

/** Settings every chain has, whatever its kind. */
public sealed interface ChainConfig permits BitcoinChainConfig, EvmChainConfig {
    /** The chain's name, unique in the node: the first part of its asset ids ("bitcoin/BTC"). */
    String name();

    /** JSON-RPC endpoint of the chain node. */
    URI rpcUrl();

    /** Default confirmations for a deposit to count as confirmed. */
    int confirmations();

    /** Depth past which a block is treated as never reorganised: deposits there are final. */
    int reorgSafetyDepth();

    /** How often the chain node is polled for new blocks when no push notification is set up. */
    Duration pollInterval();

    /** True for a local development chain (Bitcoin regtest, EVM chain id 31337 or 1337). */
    boolean isDevChain();

    /** One asset the chain carries, as configured. */
    record Asset(String id, String symbol, int decimals, String contract) {
    }

    /** The assets of this chain: its native coin first, then its tokens. */
    java.util.List<Asset> assets();

    /** The asset network fees are paid in (the native coin's id). */
    default String feeAsset() {
        return assets().get(0).id();
    }

    /** The largest amount one of this chain's assets can carry, in base units. */
    java.math.BigInteger maxAmount();

    /** Whether the chain keeps balances per account address (EVM) rather than unspent outputs (Bitcoin). */
    boolean accountBased();

    /**
     * The URI a customer's wallet opens to pay {@code amount} base units of {@code asset} to {@code address}, in the chain's own
     * format (BIP-21, EIP-681).
     */
    String paymentUri(Asset asset, String address, java.math.BigInteger amount, String description);

    /** The EIP-155 chain id of an EVM chain; 0 for other kinds (what ListAssets shows a merchant). */
    default long evmChainId() {
        return 0;
    }

    /** The Bitcoin network's name as bitcoind calls it ("main", "test", "regtest"); empty for other kinds. */
    default String bitcoinNetwork() {
        return "";
    }

    /**
     * The network the chain's node must say it is on (bitcoind's chain name, an EVM chain's decimal id), and the config field
     * (after the chain's key) that sets it: a node on another network is refused at start.
     */
    String expectedNetwork();

    /** The field of {@link #expectedNetwork}, e.g. {@code network} or {@code chain-id}. */
    String networkField();

    /** The asset {@code id} of this chain, if it carries it. */
    default java.util.Optional<Asset> asset(String id) {
        return assets().stream().filter(a -> a.id().equals(id)).findFirst();
    }
}
