package io.coffer.core.chain;

/** Asset ids are "{chain name}/{symbol}" ("bitcoin/BTC", "ethereum/USDC"); chain names never contain '/'. */
public final class AssetIds {
    private AssetIds() {
    }

    /** The chain an asset id is on. */
    public static String chainOf(String asset) {
        return asset.substring(0, asset.indexOf('/'));
    }
}
