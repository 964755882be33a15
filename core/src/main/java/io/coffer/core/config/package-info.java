/**
 * Typed, validated node configuration. {@link io.coffer.core.config.ConfigParser} reads a flat map of
 * keys (from application.yaml) and environment overrides, and either returns a complete
 * {@link io.coffer.core.config.CofferConfig} or throws a {@link io.coffer.core.config.ConfigException}
 * naming the key, so that a bad value stops the node at start rather than at the first payment.
 */
package io.coffer.core.config;
