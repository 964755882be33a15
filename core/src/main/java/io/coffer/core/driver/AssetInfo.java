package io.coffer.core.driver;

/**
 * An asset a configured chain carries, as ListAssets shows it to a merchant.
 *
 * @param id             the asset id ({@link io.coffer.core.chain.AssetId} form)
 * @param contract       an ERC-20 token's contract address; empty for a native coin
 * @param accountBased   whether its chain keeps balances per address (EVM) rather than unspent outputs (Bitcoin)
 * @param evmChainId     the EIP-155 chain id of an EVM chain's asset, else 0
 * @param bitcoinNetwork bitcoind's name of a Bitcoin asset's network, else empty
 */
public record AssetInfo(String id, String chain, String symbol, int decimals, String contract, boolean accountBased, long evmChainId,
                        String bitcoinNetwork) {
    /** The chain's own coin (fees are paid in it), not a token. */
    public boolean isNative() {
        return contract.isEmpty();
    }
}
