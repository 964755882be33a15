package io.coffer.api.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.util.JsonFormat;
import io.coffer.core.CofferSchema;
import io.coffer.core.chain.Deposit;
import io.coffer.core.chain.DepositId;
import io.coffer.core.chain.DepositStatus;
import io.coffer.core.event.EventOutbox;
import io.coffer.core.event.EventType;
import io.coffer.core.event.NewEvent;
import io.coffer.core.event.StoredEvent;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import io.coffer.proto.v1.Event;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stored events read back as messages: a subject this process rendered is taken as rendered (no parse on the stream's way), and
 * must be exactly what parsing the stored body gives; a body this process did not render (another build's, a restart's) is
 * parsed, unknown fields ignored.
 */
class EventJsonTest {
    @TempDir
    Path dir;

    private static Deposit deposit(int i, DepositStatus status) {
        Instant at = Instant.parse("2026-12-01T10:00:00.123Z");
        return new Deposit("bitcoin", new DepositId("ab".repeat(31) + String.format("%02x", i), i), "bcrt1qexample" + i, 3, "bitcoin/BTC",
                BigInteger.valueOf(1000L * i + 1), status, status == DepositStatus.SEEN ? 0 : 100 + i, "", i % 4, at, at, List.of());
    }

    private static Event parsed(StoredEvent e) throws Exception {
        Event.Builder b = Event.newBuilder();
        JsonFormat.parser().ignoringUnknownFields().merge(e.body(), b);
        return b.build();
    }

    @Test
    void aRenderedSubjectReadsBackAsItsBodyParsesAndAForeignBodyIsParsed() throws Exception {
        EventJson json = new EventJson(null); // deposits need no chain registry
        try (Store store = LevelDbStore.open(dir, CofferSchema.current())) {
            EventOutbox outbox = new EventOutbox(store, Clock.systemUTC());
            List<NewEvent> events = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                Deposit d = deposit(i, DepositStatus.values()[i % DepositStatus.values().length]);
                events.add(new NewEvent("tn_a", i % 2 == 0 ? EventType.DEPOSIT_SEEN : EventType.DEPOSIT_UPDATED, d.id().publicId(),
                        json.deposit(d, i % 3 == 0 ? "pr_" + i : ""), ""));
            }
            // Written by a newer build: a field this one does not know, and whitespace this process never prints.
            events.add(new NewEvent("tn_a", EventType.DEPOSIT_SEEN, "foreign", "{ \"depositId\": \"foreign\", \"futureField\": 7 }", ""));
            List<StoredEvent> stored = outbox.commit(store.batch(), () -> events);
            assertEquals(51, stored.size());
            for (StoredEvent e : stored) {
                assertEquals(!e.subjectId().equals("foreign"), EventJson.kept(e), e.body());
                Event m = EventJson.toProto(e);
                assertEquals(parsed(e), m, e.body());
                assertEquals(e.sequence(), m.getSequence());
                assertEquals(e.id(), m.getId());
            }
            assertEquals("foreign", EventJson.toProto(stored.get(50)).getDeposit().getDepositId());
        }
    }
}
