package io.coffer.core.chain;

/**
 * What a {@link ChainSource} matches a block's (or the mempool's) outputs against: the addresses a chain watches. A source asks
 * by {@link #watchesKey key} where its data carries the bytes of an output (Bitcoin's output scripts), so that scanning a block
 * makes no address text for the outputs that are not the wallet's — most of them; by {@link #watches text} where its data is
 * text already (an EVM node's JSON).
 */
public interface WatchList {
    /** Whether the address written {@code address} is watched. */
    boolean watches(String address);

    /**
     * Whether the address whose key is {@code key} is watched: the key is what the chain's {@link AddressBook.Encoder#key} makes
     * of an address (Bitcoin: its output script).
     */
    boolean watchesKey(byte[] key);
}
