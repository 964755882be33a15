package io.coffer.core.alert;

import io.coffer.core.audit.AuditLog;
import io.coffer.core.error.CofferException;
import io.coffer.core.error.ErrorKind;
import io.coffer.core.store.Batch;
import io.coffer.core.store.Store;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Raises, lists and acknowledges alerts. A finding raised again while its alert is open (the same kind, subject and
 * fingerprint: a reconciliation that finds the same rows every N blocks) is not a new alert. Acknowledging is an operator's
 * act, audited with who and the note.
 */
public final class AlertService {
    private final Store store;
    private final AuditLog audit;
    private final Clock clock;
    /** Open alerts by kind|subject|fingerprint (loaded at start; the table is the truth). */
    private final Map<String, Long> open = new ConcurrentHashMap<>();
    private final List<Consumer<Alert>> listeners = new CopyOnWriteArrayList<>();
    private final Map<AlertKind, java.util.function.BiConsumer<Alert, Batch>> onAck = new ConcurrentHashMap<>();
    private long lastId;

    public AlertService(Store store, AuditLog audit, Clock clock) {
        this.store = store;
        this.audit = audit;
        this.clock = clock;
        for (var e : store.list(AlertTables.OPEN, AlertTables.OPEN.all(), Integer.MAX_VALUE)) {
            open.put(e.getKey(), e.getValue());
        }
        var last = store.list(AlertTables.ALERTS, AlertTables.ALERTS.all().reversed(), 1); // the newest, as AuditLog finds its own
        lastId = last.isEmpty() ? 0 : last.get(0).getKey();
    }

    /** Adds to the batch that acknowledges an alert of {@code kind} (e.g. the reconciliation accepts its rows): one write. */
    public void onAck(AlertKind kind, java.util.function.BiConsumer<Alert, Batch> hook) {
        onAck.put(kind, hook);
    }

    /** Called with every new alert, after it is stored (streams, the operators' webhook). */
    public void listen(Consumer<Alert> listener) {
        listeners.add(listener);
    }

    private static String key(AlertKind kind, String subject, String fingerprint) {
        return kind.label() + "|" + subject + "|" + fingerprint;
    }

    /** Raises an alert, or returns the open one of the same finding. Logged by the caller; alerts are stored, not audited. */
    public Alert raise(AlertKind kind, String subject, String fingerprint, String summary, Map<String, String> details) {
        Alert a;
        synchronized (this) {
            Long existing = open.get(key(kind, subject, fingerprint));
            if (existing != null) {
                return get(existing).orElseThrow();
            }
            a = new Alert(lastId + 1, clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS), kind, subject, fingerprint, summary, details, Optional.empty(), Optional.empty(), "");
            Batch b = store.batch();
            b.put(AlertTables.ALERTS, a.id(), a);
            b.put(AlertTables.OPEN, key(kind, subject, fingerprint), a.id());
            b.commit();
            lastId = a.id();
            open.put(key(kind, subject, fingerprint), a.id());
            notifyAll();
        }
        for (Consumer<Alert> l : listeners) {
            l.accept(a);
        }
        return a;
    }

    public Optional<Alert> get(long id) {
        return store.get(AlertTables.ALERTS, id);
    }

    /** Alerts after {@code afterId}, oldest first; only the open ones when {@code openOnly}. */
    public List<Alert> list(long afterId, int limit, boolean openOnly) {
        List<Alert> out = new ArrayList<>();
        for (var e : store.list(AlertTables.ALERTS, AlertTables.ALERTS.from(afterId + 1), openOnly ? Integer.MAX_VALUE : limit)) {
            if (!openOnly || e.getValue().open()) {
                out.add(e.getValue());
                if (out.size() >= limit) {
                    break;
                }
            }
        }
        return out;
    }

    /**
     * Closes an alert (what it paused resumes). Audited, naming {@code actor}.
     *
     * @throws CofferException NOT_FOUND ALERT_NOT_FOUND, FAILED_PRECONDITION ALREADY_ACKNOWLEDGED
     */
    public synchronized Alert ack(long id, String actor, String note) {
        if (note != null && note.length() > 500) {
            throw CofferException.invalid("note", "FIELD_TOO_LONG", "at most 500 characters");
        }
        Alert a = get(id).orElseThrow(() -> new CofferException(ErrorKind.NOT_FOUND, "ALERT_NOT_FOUND", "id", "no alert " + id, Map.of(), null));
        if (!a.open()) {
            throw new CofferException(ErrorKind.FAILED_PRECONDITION, "ALREADY_ACKNOWLEDGED", "id", "alert " + id + " was acknowledged by "
                    + a.ackedBy().orElseThrow(), Map.of(), null);
        }
        Alert acked = new Alert(a.id(), a.at(), a.kind(), a.subject(), a.fingerprint(), a.summary(), a.details(), Optional.of(actor),
                Optional.of(clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)), note == null ? "" : note);
        Batch b = store.batch();
        b.put(AlertTables.ALERTS, id, acked);
        b.delete(AlertTables.OPEN, key(a.kind(), a.subject(), a.fingerprint()));
        audit.append(b, actor, "alert.ack", Long.toString(id), Map.of("kind", a.kind().label(), "subject", a.subject(),
                "note", acked.ackNote()));
        java.util.function.BiConsumer<Alert, Batch> hook = onAck.get(a.kind());
        if (hook != null) {
            hook.accept(acked, b);
        }
        b.commit();
        open.remove(key(a.kind(), a.subject(), a.fingerprint()));
        return acked;
    }

    /** Whether an alert of {@code kind} about {@code subject} is open. */
    public boolean anyOpen(AlertKind kind, String subject) {
        String prefix = kind.label() + "|" + subject + "|";
        return open.keySet().stream().anyMatch(k -> k.startsWith(prefix));
    }

    /** Open alerts by kind (metrics). */
    public Map<AlertKind, Integer> openCounts() {
        Map<AlertKind, Integer> out = new EnumMap<>(AlertKind.class);
        for (AlertKind k : AlertKind.values()) {
            out.put(k, 0);
        }
        open.keySet().forEach(k -> out.merge(AlertKind.valueOf(k.substring(0, k.indexOf('|')).toUpperCase(java.util.Locale.ROOT)), 1,
                Integer::sum));
        return out;
    }

    public synchronized long lastId() {
        return lastId;
    }

    /** Waits until an alert after {@code afterId} exists (true) or {@code maxMillis} passed (false). */
    public synchronized boolean awaitAfter(long afterId, long maxMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + maxMillis;
        while (lastId <= afterId) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    /** Wakes waiting streams (at shutdown, or when a stream is cancelled). */
    public synchronized void wake() {
        notifyAll();
    }
}
