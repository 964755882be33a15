package io.coffer.core.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.core.CofferSchema;
import io.coffer.core.store.Batch;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventOutboxTest {
    @TempDir
    Path dir;

    private static NewEvent event(String tenant, String subject) {
        return new NewEvent(tenant, EventType.PAYMENT_REQUEST_CREATED, subject, "{\"id\":\"" + subject + "\"}");
    }

    @Test
    void concurrentWritersGiveEachTenantGaplessSequencesAndReadersNeverSeeAHole() throws Exception {
        try (Store store = LevelDbStore.open(dir, CofferSchema.current())) {
            EventOutbox outbox = new EventOutbox(store, Clock.systemUTC());
            int writers = 8;
            int perWriter = 100;
            AtomicBoolean done = new AtomicBoolean();
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            // A reader that resumes "after the last sequence it saw", as a stream does; a hole would be skipped for good. It reads
            // mostly from the outbox's memory of recent events, which must give exactly what the store holds.
            List<StoredEvent> seen = java.util.Collections.synchronizedList(new ArrayList<>());
            outbox.await("a", Long.MAX_VALUE - 1, 0); // a tenant that streams: its newest events are kept in memory
            Thread reader = Thread.ofPlatform().start(() -> {
                long cursor = 0;
                while (!done.get() || cursor < outbox.latest("a")) {
                    for (StoredEvent e : outbox.after("a", cursor, 50)) {
                        if (e.sequence() != cursor + 1) {
                            problems.add("after " + cursor + " came " + e.sequence());
                        }
                        cursor = e.sequence();
                        seen.add(e);
                    }
                }
            });
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int id = w;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < perWriter; i++) {
                        String s = "s" + id + "-" + i;
                        boolean both = i % 3 == 0;
                        List<NewEvent> events = both ? List.of(event("a", s), event("b", s)) : List.of(event("a", s));
                        if (id % 4 == 0) {
                            // Appends: numbered and queued under the lock, their fsyncs shared outside it.
                            outbox.append(store.batch(), events);
                        } else if (id % 4 == 2) {
                            // Queued decisions (a withdrawal's transfer): decided, numbered and queued under the lock, awaited outside.
                            outbox.queue(store.batch(), () -> events).await();
                        } else {
                            // Decisions: what they read includes every append and queued decision numbered before them.
                            long[] inStore = new long[1];
                            List<StoredEvent> wrote = outbox.commit(store.batch(), () -> {
                                var last = store.list(EventTables.EVENTS,
                                        EventTables.EVENTS.prefix(io.coffer.core.store.KeyWriter.key().string("a").build()).reversed(), 1);
                                inStore[0] = last.isEmpty() ? 0 : last.get(0).getKey().sequence();
                                return events;
                            });
                            if (wrote.get(0).sequence() != inStore[0] + 1) {
                                problems.add("a decision read " + inStore[0] + " and wrote " + wrote.get(0).sequence());
                            }
                        }
                    }
                }));
            }
            start.countDown();
            for (Thread t : threads) {
                t.join();
            }
            done.set(true);
            reader.join();
            assertTrue(problems.isEmpty(), problems.toString());
            assertEquals(store.list(EventTables.EVENTS, EventTables.EVENTS.prefix(io.coffer.core.store.KeyWriter.key().string("a").build()),
                    10_000).stream().map(java.util.Map.Entry::getValue).toList(), seen, "what the reader got is what the store holds");
            int forB = writers * ((perWriter + 2) / 3);
            assertEquals(writers * perWriter, outbox.latest("a"));
            assertEquals(forB, outbox.latest("b"));
            List<StoredEvent> b = outbox.after("b", 0, 10_000);
            assertEquals(forB, b.size());
            for (int i = 0; i < b.size(); i++) {
                assertEquals(i + 1, b.get(i).sequence());
                assertEquals(b.get(i), outbox.byId("b", b.get(i).id()).orElseThrow());
                assertTrue(outbox.byId("a", b.get(i).id()).isEmpty(), "another tenant's event is not found");
            }
        }
        // A new outbox on the same data continues where the last one stopped.
        try (Store store = LevelDbStore.open(dir, CofferSchema.current())) {
            EventOutbox outbox = new EventOutbox(store, Clock.systemUTC());
            assertEquals(801, outbox.commit(store.batch(), () -> List.of(event("a", "again"))).get(0).sequence());
        }
    }

    /**
     * A tenant's streams read a whole commit of new events from memory, however many it holds (a block paying 300 requests is one
     * commit of 600 events), and afterwards only the newest few hundred are kept. Seen by removing the records from the store
     * behind the outbox's back: what is still returned came from memory.
     */
    @Test
    void aStreamingTenantsLatestCommitIsReadFromMemoryWhole() throws Exception {
        try (Store store = LevelDbStore.open(dir, CofferSchema.current())) {
            EventOutbox outbox = new EventOutbox(store, Clock.systemUTC());
            outbox.append(store.batch(), List.of(event("a", "first")));
            assertTrue(outbox.await("a", 0, 30_000), "the tenant streams from now on");
            List<NewEvent> block = new ArrayList<>();
            for (int i = 0; i < 600; i++) {
                block.add(event("a", "block-" + i));
            }
            List<StoredEvent> committed = outbox.commit(store.batch(), () -> block);
            Batch gone = store.batch();
            for (StoredEvent e : committed) {
                gone.delete(EventTables.EVENTS, new EventTables.TenantSeq("a", e.sequence()));
            }
            gone.commit();

            List<StoredEvent> read = new ArrayList<>();
            long cursor = 1;
            while (read.size() < committed.size()) {
                List<StoredEvent> page = outbox.after("a", cursor, 200);
                assertTrue(!page.isEmpty(), "events after " + cursor + " not kept in memory");
                read.addAll(page);
                cursor = page.get(page.size() - 1).sequence();
            }
            assertEquals(committed, read);

            // The next commit keeps its own events and the newest 256 in all: the rest of the big one is the store's again.
            outbox.append(store.batch(), List.of(event("a", "after")));
            assertEquals(List.of(602L), outbox.after("a", 1, 200).stream().map(StoredEvent::sequence).toList(),
                    "sequences 2 to 346 are no longer kept: read from the store, which has only 602 after them");
            assertEquals(256, outbox.after("a", 602 - 256, 1000).size());
        }
    }

    /**
     * A stream's wait: over at once when the tenant has a newer event, woken by the tenant's next commit (not by another
     * tenant's, which leaves it to time out), and released by {@link EventOutbox#wake()} once its stop condition holds. The
     * waits are long, so a wake that never came would show as a time-out, not as a slow test passing.
     */
    @Test
    void aWaitEndsWithTheTenantsNextEventOrAWakeAndNotWithAnotherTenants() throws Exception {
        try (Store store = LevelDbStore.open(dir, CofferSchema.current())) {
            EventOutbox outbox = new EventOutbox(store, Clock.systemUTC());
            outbox.append(store.batch(), List.of(event("a", "first")));
            assertTrue(outbox.await("a", 0, 30_000), "an event above 0 is there");

            java.util.concurrent.atomic.AtomicReference<Boolean> got = new java.util.concurrent.atomic.AtomicReference<>();
            long[] took = new long[1];
            Thread waiter = Thread.ofPlatform().start(() -> {
                long t0 = System.nanoTime();
                try {
                    got.set(outbox.await("a", 1, 30_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                took[0] = System.nanoTime() - t0;
            });
            outbox.append(store.batch(), List.of(event("a", "second")));
            waiter.join();
            assertEquals(Boolean.TRUE, got.get());
            assertTrue(took[0] < 25_000_000_000L, "woken by the commit, not by its time-out");

            Thread other = Thread.ofPlatform().start(() -> {
                try {
                    got.set(outbox.await("a", 2, 300));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            outbox.append(store.batch(), List.of(event("b", "elsewhere")));
            other.join();
            assertEquals(Boolean.FALSE, got.get(), "another tenant's event is not this one's");

            AtomicBoolean stop = new AtomicBoolean();
            Thread released = Thread.ofPlatform().start(() -> {
                long t0 = System.nanoTime();
                try {
                    outbox.await("a", 2, 30_000, stop::get);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                took[0] = System.nanoTime() - t0;
            });
            stop.set(true);
            outbox.wake();
            released.join();
            assertTrue(took[0] < 25_000_000_000L, "released by the wake, not by its time-out");
        }
    }

    /**
     * SIGKILL while eight threads commit events (half appending with shared fsyncs, half deciding under the lock): after each
     * kill, every event a thread was told is written is there with the record of its batch, each tenant's sequences have no
     * hole, and no batch is half there.
     */
    @Test
    void aKillDuringGroupCommitsLosesNoAcknowledgedEvent() throws Exception {
        java.util.Map<String, String> acked = new java.util.HashMap<>(); // subject -> "tenant seq"
        java.util.Random random = new java.util.Random();
        for (int round = 0; round < 3; round++) {
            String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process child = new ProcessBuilder(javaBin, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    OutboxChild.class.getName(), dir.toString(), "r" + round).redirectErrorStream(true).start();
            java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8));
            int seen = 0;
            StringBuilder other = new StringBuilder();
            String line;
            int killAfter = 300 + random.nextInt(300); // a kill lands at a different point of the load each round
            while ((line = out.readLine()) != null) {
                String[] f = line.split(" ");
                if (f.length == 4 && f[0].equals("acked")) {
                    acked.put(f[1], f[2] + " " + f[3]);
                    if (++seen == killAfter) {
                        // SIGKILL (through the handle: Process.destroyForcibly would also close the pipe still being read)
                        child.toHandle().destroyForcibly();
                    }
                } else if (other.length() < 2000) {
                    other.append(line).append('\n');
                }
            }
            child.waitFor();
            assertTrue(seen >= killAfter, "the child acknowledged only " + seen + ":\n" + other);
            try (Store store = LevelDbStore.open(dir, CofferSchema.current())) {
                EventOutbox outbox = new EventOutbox(store, Clock.systemUTC());
                java.util.Map<String, String> found = new java.util.HashMap<>();
                for (String tenant : List.of("a", "b")) {
                    List<StoredEvent> events = outbox.after(tenant, 0, 1_000_000);
                    for (int i = 0; i < events.size(); i++) {
                        assertEquals(i + 1, events.get(i).sequence(), "tenant " + tenant + " has no hole");
                        found.put(events.get(i).subjectId(), tenant + " " + events.get(i).sequence());
                        assertTrue(store.get(io.coffer.core.payment.PaymentTables.PUBLISHED, events.get(i).subjectId()).isPresent(),
                                "the event's batch is whole: " + events.get(i).subjectId());
                    }
                }
                for (var a : acked.entrySet()) {
                    assertEquals(a.getValue(), found.get(a.getKey()), "acknowledged, so durable: " + a.getKey());
                }
                assertEquals(found.size(), store.list(io.coffer.core.payment.PaymentTables.PUBLISHED,
                        io.coffer.core.payment.PaymentTables.PUBLISHED.all(), Integer.MAX_VALUE).size(), "no record without its event");
            }
        }
    }

    @Test
    void aFailedDecisionWritesNothingAndTheBodyIsTheEventEnvelope() {
        try (Store store = LevelDbStore.open(dir, CofferSchema.current())) {
            EventOutbox outbox = new EventOutbox(store, Clock.systemUTC());
            Batch b = store.batch();
            assertThrows(IllegalStateException.class, () -> outbox.commit(b, () -> {
                throw new IllegalStateException("refused");
            }));
            assertEquals(0, outbox.latest("t"));
            StoredEvent e = outbox.commit(store.batch(), () -> List.of(new NewEvent("t", EventType.DEPOSIT_SEEN, "dep_x:0", "{\"txid\":\"x\"}")))
                    .get(0);
            assertEquals(1, e.sequence());
            assertTrue(e.id().matches("ev_[0-9a-f]{24}"), e.id());
            assertEquals("{\"id\":\"" + e.id() + "\",\"sequence\":\"1\",\"type\":\"EVENT_TYPE_DEPOSIT_SEEN\",\"createdAt\":\"" + e.createdAt()
                    + "\",\"deposit\":{\"txid\":\"x\"}}", e.body());
        }
    }

    @Test
    void retriesDoubleUpToTheCapAndLastMoreThanADayByDefault() {
        WebhookService.Settings s = WebhookService.Settings.DEFAULT;
        assertEquals(Duration.ofSeconds(10), s.backoff(1));
        assertEquals(Duration.ofSeconds(20), s.backoff(2));
        assertEquals(Duration.ofSeconds(2560), s.backoff(9));
        assertEquals(Duration.ofHours(1), s.backoff(10));
        assertEquals(Duration.ofHours(1), s.backoff(1000));
        Duration elapsed = Duration.ZERO;
        int attempts = 1;
        while (elapsed.plus(s.backoff(attempts)).compareTo(s.giveUpAfter()) <= 0) {
            elapsed = elapsed.plus(s.backoff(attempts));
            attempts++;
        }
        assertTrue(elapsed.compareTo(Duration.ofHours(24)) >= 0, "last retry after " + elapsed);
        assertEquals(33, attempts);
    }
}
