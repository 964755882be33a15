package io.coffer.core.alert;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One alert.
 *
 * @param id          increasing from 1
 * @param subject     what it is about: a chain name, a tenant id, an API key id
 * @param fingerprint what makes two findings the same alert while it is open (e.g. the rows that differ)
 * @param details     the exact rows or figures, for the operator who investigates
 * @param ackedBy     who acknowledged it (empty while open)
 */
public record Alert(long id, Instant at, AlertKind kind, String subject, String fingerprint, String summary, Map<String, String> details,
                    Optional<String> ackedBy, Optional<Instant> ackedAt, String ackNote) {
    public Alert {
        details = Map.copyOf(details);
    }

    public boolean open() {
        return ackedBy.isEmpty();
    }
}
