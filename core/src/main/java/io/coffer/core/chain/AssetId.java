package io.coffer.core.chain;

import java.util.Optional;

/**
 * An asset's id, "{chain name}/{symbol}" ("bitcoin/BTC", "ethereum/USDC"): the one place that form is built and taken apart.
 * Records and the API carry the id as its string ({@link #toString()}); chain names never contain '/', so the chain is everything
 * before the first one.
 */
public record AssetId(String chain, String symbol) {
    public AssetId {
        if (chain == null || chain.isEmpty() || chain.indexOf('/') >= 0 || symbol == null || symbol.isEmpty()) {
            throw new IllegalArgumentException("an asset id is a chain name without '/' and a symbol");
        }
    }

    public static AssetId of(String chain, String symbol) {
        return new AssetId(chain, symbol);
    }

    /** The id {@code id} names, if it has the form at all (whether such an asset is configured is the chain registry's answer). */
    public static Optional<AssetId> parse(String id) {
        int slash = id == null ? -1 : id.indexOf('/');
        if (slash <= 0 || slash == id.length() - 1) {
            return Optional.empty();
        }
        return Optional.of(new AssetId(id.substring(0, slash), id.substring(slash + 1)));
    }

    /** The chain of a stored asset id (one this node wrote, so well formed). */
    public static String chainOf(String id) {
        return parse(id).orElseThrow(() -> new IllegalArgumentException("not an asset id: " + id)).chain();
    }

    @Override
    public String toString() {
        return chain + "/" + symbol;
    }
}
