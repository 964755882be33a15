package io.coffer.core.chain;

/**
 * Where a watched address comes from in the HD tree.
 *
 * @param scheme  the account scheme id ("bip84-test", "evm")
 * @param change  0 receive, 1 change
 */
public record AddressInfo(String scheme, int account, int change, int index) {
}
