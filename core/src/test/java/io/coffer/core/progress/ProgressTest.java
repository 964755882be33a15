package io.coffer.core.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Rate, time left and the log throttle, on a clock the test moves. */
class ProgressTest {
    @Test
    void theRateIsSinceTheStartAndTheTimeLeftIsWhatRemainsAtThatRate() {
        AtomicLong clock = new AtomicLong();
        Progress p = new Progress("catching up", "blocks", 1_000, 5_000, clock::get);
        assertEquals(Optional.empty(), p.at(1_000).eta(), "nothing done yet: no rate, no estimate");
        clock.addAndGet(Duration.ofSeconds(10).toNanos());
        Progress.Report r = p.at(2_000);
        assertEquals(100, r.rate(), 1e-9);
        assertEquals(Optional.of(Duration.ofSeconds(30)), r.eta());
        assertEquals("catching up: 2,000 of 5,000 blocks (40.0%), 100 blocks/s, about 30 s left", r.line());
        p.total(8_000); // the tip moved on meanwhile
        assertEquals(Optional.of(Duration.ofSeconds(60)), p.at(2_000).eta());
        assertEquals(1.0, new Progress("x", "records", 0, 0, clock::get).at(0).fraction(), "nothing to do is done");
        assertEquals("12 min 5 s", Progress.Report.human(Duration.ofSeconds(725)));
        assertEquals("0.7 s", Progress.Report.human(Duration.ofMillis(700)));
        assertEquals("3 h 20 min", Progress.Report.human(Duration.ofMinutes(200)));
    }

    @Test
    void aLineIsDueOncePerInterval() {
        AtomicLong clock = new AtomicLong();
        Progress p = new Progress("backup", "records", 0, 10, clock::get);
        assertFalse(p.due(Duration.ofSeconds(10)), "not at once");
        clock.addAndGet(Duration.ofSeconds(10).toNanos());
        assertTrue(p.due(Duration.ofSeconds(10)));
        assertFalse(p.due(Duration.ofSeconds(10)));
        clock.addAndGet(Duration.ofSeconds(9).toNanos());
        assertFalse(p.due(Duration.ofSeconds(10)));
        clock.addAndGet(Duration.ofSeconds(1).toNanos());
        assertTrue(p.due(Duration.ofSeconds(10)));
    }
}
