package io.coffer.core.config;

import java.nio.file.Path;

/**
 * Node-wide settings.
 *
 * @param dataDir where the store, the encrypted seed and the lock live ({@code coffer.node.data-dir})
 * @param devMode dev chains only: auto-initialise and auto-unseal with a printed warning
 *                ({@code coffer.node.dev-mode}); refused unless every chain is a dev chain
 */
public record NodeConfig(Path dataDir, boolean devMode) {
}
