package io.coffer.core.config;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How the customers' checkout pages are served.
 *
 * @param publicUrl   where customers reach the checkout listener (behind a proxy, say); empty: the listener's own address
 * @param streamLimit how long one live-status stream stays open before the node ends it and the browser reconnects; keeps
 *                    streams from outliving a proxy's limits and spreads them again after a node restart behind a balancer.
 *                    Nothing is lost at a reconnect: every message carries the request's whole state.
 */
public record CheckoutSettings(Optional<URI> publicUrl, Duration streamLimit) {
    public static final Duration DEFAULT_STREAM_LIMIT = Duration.ofMinutes(10);

    public CheckoutSettings {
        Objects.requireNonNull(publicUrl, "publicUrl");
        if (streamLimit.isNegative() || streamLimit.isZero()) {
            throw new IllegalArgumentException("streamLimit must be positive");
        }
    }

    public static CheckoutSettings defaults() {
        return new CheckoutSettings(Optional.empty(), DEFAULT_STREAM_LIMIT);
    }
}
