package io.coffer.core.config;

import java.nio.file.Path;

/**
 * Node-wide settings.
 *
 * @param dataDir where the store, the encrypted seed and the lock live ({@code coffer.node.data-dir})
 * @param devMode dev chains only: auto-initialise and auto-unseal with a printed warning
 *                ({@code coffer.node.dev-mode}); refused unless every chain is a dev chain
 * @param devClockOffset dev mode only: the node's clock runs this far ahead of the machine's ({@code coffer.node.dev-clock-offset}),
 *                for demos and tests of what takes days (expiry, the velocity rule's history)
 */
public record NodeConfig(Path dataDir, boolean devMode, java.time.Duration devClockOffset) {
    public NodeConfig(Path dataDir, boolean devMode) {
        this(dataDir, devMode, java.time.Duration.ZERO);
    }

    /** The node's clock: the machine's, moved by the dev offset. */
    public java.time.Clock clock() {
        return devClockOffset.isZero() ? java.time.Clock.systemUTC() : java.time.Clock.offset(java.time.Clock.systemUTC(), devClockOffset);
    }
}
