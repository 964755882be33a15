package io.coffer.core.event;

import io.coffer.core.store.Batch;
import io.coffer.core.store.KeyWriter;
import io.coffer.core.store.Store;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * Writes tenant events in the batch of the change they describe, and reads them back in order.
 *
 * <p>{@link #commit} runs the caller's decision (which events, if any) and the commit under one lock: the read-compare-write
 * of a caller (a payment request's last published state, say) cannot interleave with another's, and sequences become
 * visible in order. Without that, a reader could see sequence 7 committed before 6 and, resuming after 7, never see 6.
 */
public final class EventOutbox {
    /** Told about each event inside the committing batch (webhook deliveries are queued this way). */
    public interface Hook {
        void written(Batch batch, StoredEvent event);
    }

    private final Store store;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    /**
     * The newest durable sequence per tenant (what readers may wait for), loaded on first use. Counters, moved without a lock:
     * every commit moves its tenant's, and a map's merge locks the key's bin for every commit of the tenant.
     */
    private final Map<String, java.util.concurrent.atomic.AtomicLong> heads = new ConcurrentHashMap<>();
    /** The newest sequence handed out per tenant, durable or still queued; guarded by the outbox lock. */
    private final Map<String, Long> assigned = new HashMap<>();
    /** Appends queued and not yet durable; decisions wait for them. Guarded by the outbox lock. */
    private int appending;
    /** The batches of those appends (under this monitor), which a decision waiting for them hurries. */
    private final java.util.Set<Batch.Queued> queuedNotWritten = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    /** Decisions waiting for the lock's appends to be written; new appends wait for them. Guarded by the outbox lock. */
    private int deciders;
    private final List<Hook> hooks = new CopyOnWriteArrayList<>();
    private final List<java.util.function.Consumer<List<NewEvent>>> listeners = new CopyOnWriteArrayList<>();
    /**
     * Per tenant, what its waiting streams wait on: completed (and replaced) when the tenant's newest sequence moves, or by
     * {@link #wake()}. A future, not a monitor: a thousand streams woken by one event would otherwise each re-take one lock in
     * turn before reading it (measured: most of a fan-out's 300 ms to 2,000 streams).
     */
    private final Map<String, java.util.concurrent.CompletableFuture<Void>> changed = new ConcurrentHashMap<>();
    /**
     * The newest published (durable) events of each tenant that has had a stream waiting: a tenant's open streams read a new
     * event from here instead of each from the store. The last {@link #RECENT}, and every event of the tenant's latest commit
     * up to {@link #RECENT_COMMIT} (a block paying 300 of its requests is one commit of 600 events: with only the last 256 kept,
     * a stream read the first 344 of them back from the store while the next poll ran). Kept only for tenants that stream, and
     * read only when it holds every sequence asked for, in a row.
     */
    private final Map<String, java.util.concurrent.ConcurrentSkipListMap<Long, StoredEvent>> recent = new ConcurrentHashMap<>();
    private static final int RECENT = 256;
    private static final int RECENT_COMMIT = 4096;

    public EventOutbox(Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    public void addHook(Hook hook) {
        hooks.add(hook);
    }

    /**
     * Runs {@code listener} after every commit that wrote events, with them (outside the lock, on the committing thread: it must
     * only hand them on). Live checkout pages learn this way which payment requests moved, without waking for every event, and
     * the webhook sender whether a commit queued a delivery.
     */
    public void addListener(java.util.function.Consumer<List<NewEvent>> listener) {
        listeners.add(listener);
    }

    /**
     * Runs {@code decide} (which may add to {@code batch} and returns the events the change makes), writes the events with
     * their sequences into the batch and commits it — all under the outbox lock, after every {@link #append} queued before it
     * is written (so what {@code decide} reads includes them).
     *
     * @return the events written, in sequence order
     */
    public List<StoredEvent> commit(Batch batch, Supplier<List<NewEvent>> decide) {
        List<StoredEvent> written;
        List<NewEvent> events;
        Map<String, Long> next;
        synchronized (this) {
            deciders++;
            try {
                // An append may be held for company (an outcome its caller was told): what is decided here waits for it, so it
                // goes now, not at the end of its hold (nothing queued behind it until this decision is made).
                queuedNotWritten.forEach(Batch.Queued::hurry);
                waitWhile(() -> appending > 0);
                events = decide.get();
                next = new HashMap<>();
                written = number(batch, events, next);
                batch.commit();
                assigned.putAll(next);
            } finally {
                deciders--;
                notifyAll();
            }
        }
        published(written, events, next);
        return written;
    }

    /**
     * Commits a change whose events were decided without reading anything another commit may be changing (a new payment
     * request's CREATED event): the events are numbered and the batch queued under the outbox lock, in sequence order, and the
     * wait for the disk happens outside it, so concurrent callers share one synced write. Returns once the batch is durable.
     *
     * @return the events written, in sequence order
     */
    public List<StoredEvent> append(Batch batch, List<NewEvent> events) {
        Queued q = enqueue(batch, () -> events);
        q.await();
        return q.written();
    }

    /**
     * Queues a change whose events {@code decide} makes from records no batch queued before it may still be changing (a
     * withdrawal's transfer, whose earlier changes were each awaited): decided, numbered and queued under the outbox lock, in
     * sequence order; the returned handle waits for the disk outside it and then publishes the events. The caller must await it
     * (until then a {@link #commit} waits, as behind an {@link #append}).
     */
    public Batch.Queued queue(Batch batch, Supplier<List<NewEvent>> decide) {
        return enqueue(batch, decide);
    }

    /** A queued change of the outbox: awaiting it waits for the disk, then publishes its events. */
    private final class Queued implements Batch.Queued {
        private final Batch.Queued batch;
        private final List<StoredEvent> written;
        private final List<NewEvent> events;
        private final Map<String, Long> next;

        Queued(Batch.Queued batch, List<StoredEvent> written, List<NewEvent> events, Map<String, Long> next) {
            this.batch = batch;
            this.written = written;
            this.events = events;
            this.next = next;
        }

        List<StoredEvent> written() {
            return written;
        }

        @Override
        public void hurry() {
            batch.hurry();
        }

        @Override
        public void await() {
            try {
                batch.await();
            } finally {
                synchronized (EventOutbox.this) {
                    appending--;
                    queuedNotWritten.remove(batch);
                    EventOutbox.this.notifyAll();
                }
            }
            published(written, events, next);
        }
    }

    private Queued enqueue(Batch batch, Supplier<List<NewEvent>> decide) {
        synchronized (this) {
            waitWhile(() -> deciders > 0); // a decision waiting for the appends before it: not starved by new ones
            List<NewEvent> events = decide.get();
            Map<String, Long> next = new HashMap<>();
            List<StoredEvent> written = number(batch, events, next);
            Batch.Queued queued = batch.queue();
            assigned.putAll(next);
            appending++;
            queuedNotWritten.add(queued);
            return new Queued(queued, written, events, next);
        }
    }

    /** Numbers {@code events} per tenant after the sequences already assigned and puts them into {@code batch}. Under the lock. */
    private List<StoredEvent> number(Batch batch, List<NewEvent> events, Map<String, Long> next) {
        List<StoredEvent> written = new ArrayList<>();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        for (NewEvent e : events) {
            long seq = next.compute(e.tenant(), (t, s) -> (s == null ? assignedHead(t) : s) + 1);
            String id = "ev_" + hex(12);
            String body = "{\"id\":\"" + id + "\",\"sequence\":\"" + seq + "\",\"type\":\"" + e.type().protoName() + "\",\"createdAt\":\""
                    + now + "\",\"" + e.type().subjectField() + "\":" + e.subjectJson() + "}";
            StoredEvent stored = new StoredEvent(id, e.tenant(), seq, e.type(), now, e.subjectId(), body);
            batch.put(EventTables.EVENTS, new EventTables.TenantSeq(e.tenant(), seq), stored);
            batch.put(EventTables.EVENT_IDS, id, new EventTables.TenantSeq(e.tenant(), seq));
            for (Hook h : hooks) {
                h.written(batch, stored);
            }
            written.add(stored);
        }
        return written;
    }

    /**
     * Makes durable events known to readers: the newest sequence per tenant only grows (queued batches are written in order,
     * so when sequence n is durable every lower one is too), then wakes waiters and listeners.
     */
    private void published(List<StoredEvent> written, List<NewEvent> events, Map<String, Long> next) {
        if (written.isEmpty()) {
            return;
        }
        Map<String, Long> firstOfCommit = new HashMap<>();
        for (StoredEvent e : written) { // before the heads move: a reader seeing the new head mostly finds its events here
            var ring = recent.get(e.tenant());
            if (ring != null) {
                ring.put(e.sequence(), e);
                firstOfCommit.putIfAbsent(e.tenant(), e.sequence());
            }
        }
        firstOfCommit.forEach((tenant, first) -> {
            long newest = next.get(tenant);
            recent.get(tenant).headMap(Math.max(newest - RECENT_COMMIT + 1, Math.min(first, newest - RECENT + 1))).clear();
        });
        next.forEach((t, seq) -> head(t).accumulateAndGet(seq, Math::max));
        for (String tenant : next.keySet()) { // after the heads moved: a woken stream reads the new head
            var f = changed.remove(tenant);
            if (f != null) {
                f.complete(null);
            }
        }
        List<NewEvent> made = List.copyOf(events);
        listeners.forEach(l -> l.accept(made));
    }

    private long assignedHead(String tenant) {
        Long a = assigned.get(tenant);
        return a != null ? a : latest(tenant);
    }

    /** Waits on the outbox lock (held) while {@code condition}; an interrupt does not bend the order, it is kept for later. */
    private void waitWhile(java.util.function.BooleanSupplier condition) {
        io.coffer.core.concurrent.Monitors.waitWhile(this, condition);
    }

    /** The tenant's newest sequence, 0 before its first event. */
    public long latest(String tenant) {
        return head(tenant).get();
    }

    /** The tenant's head, loaded from the store the first time. */
    private java.util.concurrent.atomic.AtomicLong head(String tenant) {
        var known = heads.get(tenant); // read first: computeIfAbsent locks the key's bin
        return known != null ? known : heads.computeIfAbsent(tenant, t -> {
            var last = store.list(EventTables.EVENTS, EventTables.EVENTS.prefix(KeyWriter.key().string(t).build()).reversed(), 1);
            return new java.util.concurrent.atomic.AtomicLong(last.isEmpty() ? 0L : last.get(0).getKey().sequence());
        });
    }

    /** Up to {@code limit} of the tenant's events with a sequence above {@code after}, in order. */
    public List<StoredEvent> after(String tenant, long after, int limit) {
        if (after >= latest(tenant)) {
            return List.of(); // nothing published after it: no store read for each idle stream's check
        }
        var ring = recent.get(tenant);
        if (ring != null) {
            List<StoredEvent> kept = new ArrayList<>();
            long want = after + 1;
            for (StoredEvent e : ring.tailMap(want).values()) {
                if (e.sequence() != want || kept.size() == limit) {
                    break;
                }
                kept.add(e);
                want++;
            }
            // Served from memory only when nothing is missing: the first asked for was kept, and the run reaches the limit or
            // the newest published event (a gap, from commits published out of order, is read from the store).
            if (!kept.isEmpty() && (kept.size() == limit || want > latest(tenant))) {
                return kept;
            }
        }
        List<StoredEvent> out = new ArrayList<>();
        for (var e : store.list(EventTables.EVENTS, EventTables.EVENTS.from(new EventTables.TenantSeq(tenant, after + 1)), limit)) {
            if (!e.getKey().tenant().equals(tenant)) {
                break;
            }
            out.add(e.getValue());
        }
        return out;
    }

    /** The tenant's event {@code id}; empty when unknown or another tenant's. */
    public Optional<StoredEvent> byId(String tenant, String id) {
        return store.get(EventTables.EVENT_IDS, id).filter(k -> k.tenant().equals(tenant)).flatMap(k -> store.get(EventTables.EVENTS, k));
    }

    /** Waits until the tenant has an event above {@code after}, at most {@code maxMillis}; true when it has. */
    public boolean await(String tenant, long after, long maxMillis) throws InterruptedException {
        return await(tenant, after, maxMillis, () -> false);
    }

    /**
     * As {@link #await(String, long, long)}, also returning (false) as soon as {@code stop} is true after a {@link #wake()}: how
     * a stream whose client left is released at once instead of at its next event or time-out.
     */
    public boolean await(String tenant, long after, long maxMillis, java.util.function.BooleanSupplier stop) throws InterruptedException {
        long until = System.nanoTime() + maxMillis * 1_000_000;
        recent.computeIfAbsent(tenant, t -> new java.util.concurrent.ConcurrentSkipListMap<>()); // this tenant streams: keep its newest
        while (true) {
            // The future first, then the check: a publish after the check completes this very future (it moves the head first).
            var f = changed.computeIfAbsent(tenant, t -> new java.util.concurrent.CompletableFuture<>());
            if (latest(tenant) > after || stop.getAsBoolean()) {
                return true;
            }
            long left = until - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                f.get(left, java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                return latest(tenant) > after || stop.getAsBoolean();
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(e); // never completed exceptionally
            }
        }
    }

    /** Wakes every waiter so it re-checks its stop condition. */
    public void wake() {
        for (String tenant : List.copyOf(changed.keySet())) {
            var f = changed.remove(tenant);
            if (f != null) {
                f.complete(null);
            }
        }
    }

    private String hex(int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
