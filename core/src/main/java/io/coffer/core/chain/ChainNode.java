package io.coffer.core.chain;

/**
 * A connection to one chain's node, as core sees it. Implemented by each chain module over its own
 * client library.
 */
public interface ChainNode extends AutoCloseable {
    /** The configured chain name. */
    String chainName();

    /**
     * Asks the node for its network and tip.
     *
     * @throws ChainUnavailableException when the node cannot be reached or answers with an error
     */
    ChainInfo info();

    @Override
    void close();
}
