package io.coffer.core.checkout;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A shop counter's credential: it lets a paired device create and read payment requests for one tenant, at most {@code caps}
 * per request of an asset that has one, and nothing else (no balances, no transfers, no other tenant). Only the SHA-256 of its
 * secret is stored.
 *
 * @param caps      per asset (id), the largest amount in base units one request may ask for; an asset without one has no cap
 * @param revokedAt null while it works
 */
public record CounterCredential(String id, String tenantId, String label, Map<String, BigInteger> caps, Instant createdAt,
                                Instant revokedAt, byte[] secretHash) {
    public CounterCredential {
        caps = Map.copyOf(caps);
    }

    public boolean revoked() {
        return revokedAt != null;
    }

    public Optional<BigInteger> capOf(String asset) {
        return Optional.ofNullable(caps.get(asset));
    }

    CounterCredential revokedAt(Instant at) {
        return new CounterCredential(id, tenantId, label, caps, createdAt, at, secretHash);
    }
}
