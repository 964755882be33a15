package io.coffer.core.audit;

import io.coffer.core.store.Batch;
import io.coffer.core.store.Store;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The append-only record of custody, admin and operator actions (every part of the node writes it, so it is its own package): who, what, on what, when, with non-secret
 * details. Entries are written in the same batch as the change they describe when there is one, so an
 * action and its audit entry land together or not at all. Nothing deletes or rewrites an entry.
 */
public final class AuditLog {
    private final Store store;
    private final Clock clock;
    private final AtomicLong last;

    /**
     * An audit entry.
     *
     * @param sequence 1, 2, 3... in order of writing
     * @param actor    who: "cli", "node", an API key id
     * @param action   a stable verb such as "ceremony.init", "unseal.share_accepted"
     * @param subject  the object acted on, or ""
     */
    public record Entry(long sequence, Instant at, String actor, String action, String subject, Map<String, String> details) {
        public Entry {
            details = Map.copyOf(details);
        }
    }

    public AuditLog(Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
        var newest = store.list(AuditTables.AUDIT, AuditTables.AUDIT.all().reversed(), 1);
        this.last = new AtomicLong(newest.isEmpty() ? 0 : newest.get(0).getKey());
    }

    /** Adds an entry to {@code batch}; it is written when the batch commits. Returns its sequence. */
    public synchronized long append(Batch batch, String actor, String action, String subject, Map<String, String> details) {
        long seq = last.incrementAndGet();
        batch.put(AuditTables.AUDIT, seq, new Entry(seq, clock.instant(), actor, action, subject, details));
        return seq;
    }

    /** Writes one entry on its own. */
    public synchronized long append(String actor, String action, String subject, Map<String, String> details) {
        Batch b = store.batch();
        long seq = append(b, actor, action, subject, details);
        try {
            b.commit();
        } catch (RuntimeException e) {
            last.decrementAndGet();
            throw e;
        }
        return seq;
    }

    /** Entries with a sequence greater than {@code after}, oldest first, at most {@code limit}. */
    public List<Entry> list(long after, int limit) {
        return store.list(AuditTables.AUDIT, AuditTables.AUDIT.from(after + 1), limit).stream()
                .map(e -> new Entry(e.getKey(), e.getValue().at(), e.getValue().actor(), e.getValue().action(),
                        e.getValue().subject(), e.getValue().details()))
                .toList();
    }
}
