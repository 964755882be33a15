package io.coffer.api.checkout;

import io.coffer.core.event.NewEvent;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Which live pages wait on which payment request: the outbox hands over every committed event with the request it moves, and
 * only the pages of that request wake (not every page of the tenant: a thousand open pages cost nothing while other requests
 * of the same merchant are created and paid).
 */
final class LiveRequests {
    private final ConcurrentHashMap<String, Set<Semaphore>> waiting = new ConcurrentHashMap<>();

    /** A page's wake-up for request {@code id}: released once per batch of events that moved it. */
    Semaphore listen(String id) {
        Semaphore s = new Semaphore(0);
        waiting.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(s);
        return s;
    }

    void stop(String id, Semaphore s) {
        waiting.computeIfPresent(id, (k, set) -> {
            set.remove(s);
            return set.isEmpty() ? null : set;
        });
    }

    /** The outbox's listener: wakes the pages of each request the events moved. */
    void committed(List<NewEvent> events) {
        for (NewEvent e : events) {
            if (!e.paymentRequestId().isEmpty()) {
                Set<Semaphore> pages = waiting.get(e.paymentRequestId());
                if (pages != null) {
                    pages.forEach(Semaphore::release);
                }
            }
        }
    }

    /** Wakes every page (the node is stopping). */
    void wakeAll() {
        waiting.values().forEach(set -> set.forEach(Semaphore::release));
    }
}
