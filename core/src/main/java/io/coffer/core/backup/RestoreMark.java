package io.coffer.core.backup;

import java.time.Instant;
import java.util.Optional;

/**
 * A data directory restored from a backup: when the backup was taken, when it was restored, and whether (and by whom) outgoing
 * payments were released since.
 *
 * <p>A backup is older than the chain: transfers made after it are unknown to the restored ledger, so until an operator
 * releases it, a restored node sends nothing (no transfer, no fee bump, no sweep) — a retried transfer must not become a second
 * payment. Deposits after the backup are found by the chain follower's catch-up as after any downtime.
 */
public record RestoreMark(Instant backupCreatedAt, Instant restoredAt, Optional<Instant> releasedAt, String releasedBy) {
    static RestoreMark parse(String stored) {
        String[] f = stored.split("\\|", -1);
        return new RestoreMark(Instant.parse(f[0]), Instant.parse(f[1]), f[2].isEmpty() ? Optional.empty() : Optional.of(Instant.parse(f[2])),
                f[3]);
    }

    String format() {
        return backupCreatedAt + "|" + restoredAt + "|" + releasedAt.map(Instant::toString).orElse("") + "|" + releasedBy;
    }

    public boolean paused() {
        return releasedAt.isEmpty();
    }
}
