package io.coffer.core.event;

import io.coffer.core.CofferSchema;
import io.coffer.core.payment.PaymentTables;
import io.coffer.core.store.Batch;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * The process {@link EventOutboxTest} SIGKILLs: eight threads commit one event and one record per batch as fast as they can,
 * half by {@link EventOutbox#append} (group commits), half by {@link EventOutbox#commit}, and print {@code acked subject tenant
 * seq} once each returns.
 */
public final class OutboxChild {
    private OutboxChild() {
    }

    public static void main(String[] args) {
        Store store = LevelDbStore.open(Path.of(args[0]), CofferSchema.current());
        EventOutbox outbox = new EventOutbox(store, Clock.systemUTC());
        String round = args[1];
        for (int t = 0; t < 8; t++) {
            int thread = t;
            Thread.ofPlatform().start(() -> {
                for (long i = 0; ; i++) {
                    String subject = round + "-" + thread + "-" + i;
                    String tenant = i % 2 == 0 ? "a" : "b";
                    NewEvent e = new NewEvent(tenant, EventType.PAYMENT_REQUEST_CREATED, subject, "{\"id\":\"" + subject + "\"}");
                    Batch b = store.batch().put(PaymentTables.PUBLISHED, subject, "x");
                    List<StoredEvent> w = thread % 2 == 0 ? outbox.append(b, List.of(e)) : outbox.commit(b, () -> List.of(e));
                    synchronized (System.out) {
                        System.out.println("acked " + subject + " " + tenant + " " + w.get(0).sequence());
                        System.out.flush();
                    }
                }
            });
        }
    }
}
