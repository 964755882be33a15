package io.coffer.core.chain;

import io.coffer.core.error.CofferException;
import io.coffer.core.error.ErrorKind;
import java.util.Map;

/**
 * A chain node could not be reached, timed out or answered with an error. For a broadcast this means
 * "unknown", never "failed": the caller must re-check the chain before doing anything else.
 */
public final class ChainUnavailableException extends CofferException {
    public ChainUnavailableException(String chain, String message, Throwable cause) {
        super(ErrorKind.UNAVAILABLE, "CHAIN_UNAVAILABLE", null, "chain " + chain + ": " + message,
                Map.of("chain", chain), cause);
    }
}
