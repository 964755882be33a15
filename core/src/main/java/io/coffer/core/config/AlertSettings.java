package io.coffer.core.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Operators' alerts and continuous reconciliation.
 *
 * @param reconcileEveryBlocks how many processed blocks of a chain between two comparisons of its ledger with the chain
 * @param pauseOnMismatch      whether a chain's open reconciliation alert pauses its outgoing transfers until acknowledged
 * @param webhookUrl           where every alert is posted (signed), if anywhere
 * @param webhookSecretFile    its signing secret (first line), required with a URL
 */
public record AlertSettings(int reconcileEveryBlocks, boolean pauseOnMismatch, Optional<URI> webhookUrl, Optional<Path> webhookSecretFile) {
    public static final AlertSettings DEFAULT = new AlertSettings(6, true, Optional.empty(), Optional.empty());
}
