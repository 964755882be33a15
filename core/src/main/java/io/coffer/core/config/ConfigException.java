package io.coffer.core.config;

import io.coffer.core.error.CofferException;
import io.coffer.core.error.ErrorKind;
import java.util.Map;

/** A configuration value is missing or invalid; {@link #field()} is the full key. */
public final class ConfigException extends CofferException {
    public ConfigException(String key, String message) {
        super(ErrorKind.FAILED_PRECONDITION, "CONFIG_INVALID", key, "config " + key + ": " + message, Map.of(), null);
    }
}
