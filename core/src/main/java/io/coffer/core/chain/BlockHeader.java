package io.coffer.core.chain;

/**
 * A block's place in the chain.
 *
 * @param hash       the block hash as the node prints it
 * @param parentHash the previous block's hash; how reorgs are detected
 */
public record BlockHeader(long height, String hash, String parentHash) {
}
