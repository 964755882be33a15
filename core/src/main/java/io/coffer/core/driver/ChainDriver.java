package io.coffer.core.driver;

import io.coffer.core.chain.ChainNode;
import io.coffer.core.config.ChainConfig;
import io.coffer.core.custody.Vault;
import io.coffer.core.store.Store;
import java.time.Clock;

/**
 * One kind of chain, as a chain module provides it (lnd's chain driver registration is the model): it connects to the
 * chain's node and builds the chain's working parts over the node's store. Chain modules register their driver with
 * {@code META-INF/services/io.coffer.core.driver.ChainDriver}; the node finds the driver of each configured chain through
 * {@link ChainDrivers} and never asks which kind a chain is.
 */
public interface ChainDriver {
    /** Whether this driver runs chains of {@code config}'s kind. */
    boolean drives(ChainConfig config);

    /** A client of the chain's node (health probes, the start's network check, and the parts below). */
    ChainNode connect(ChainConfig config);

    /** The chain's parts over {@code store}; {@code vault} holds a wallet (the node opens no chain without one). */
    ChainParts open(ChainConfig config, ChainNode node, Store store, Vault vault, Clock clock);
}
