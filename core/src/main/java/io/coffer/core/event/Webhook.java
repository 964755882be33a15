package io.coffer.core.event;

import java.time.Instant;

/**
 * A tenant's webhook endpoint.
 *
 * @param secret the HMAC-SHA256 key (hex text; its UTF-8 bytes are the key), shown to the tenant when set or rotated
 * @param since  events from this sequence on are delivered (the tenant's next sequence when the webhook was first set)
 */
public record Webhook(String tenant, String url, String secret, Instant updatedAt, long since) {
    @Override
    public String toString() {
        return "Webhook[" + tenant + " " + url + "]"; // never the secret
    }
}
