package io.coffer.core.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.coffer.core.CofferSchema;
import io.coffer.core.audit.AuditLog;
import io.coffer.core.config.BackupSchedule;
import io.coffer.core.payment.PaymentTables;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scheduled backups: named by time, readable, the newest kept, audited, and their age known. */
class BackupSchedulerTest {
    @TempDir
    Path dir;

    /** A clock the test moves. */
    private static final class Hands extends Clock {
        Instant now = Instant.parse("2026-11-30T10:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    @Test
    void eachRunWritesAReadableBackupAndKeepsTheNewest() throws Exception {
        Hands clock = new Hands();
        Path pass = Files.writeString(dir.resolve("backup.pass"), "scheduled passphrase\nsecond line: not part of it\n");
        Path out = dir.resolve("backups");
        Files.createDirectories(out);
        Files.writeString(out.resolve("notes.txt"), "not ours: never removed");
        try (Store store = LevelDbStore.open(dir.resolve("data"), CofferSchema.current())) {
            AuditLog audit = new AuditLog(store, clock);
            BackupScheduler s = new BackupScheduler(new BackupService(store, audit, clock, "test"),
                    new BackupSchedule(out, Duration.ofHours(6), 2, pass), clock);
            clock.now = clock.now.plusSeconds(90);
            assertEquals(90, s.ageSeconds(), "none yet: counted from the start");
            for (int i = 0; i < 3; i++) {
                store.batch().put(PaymentTables.PUBLISHED, "pr_" + i, "x").commit();
                Path written = s.runOnce();
                try (var in = Files.newInputStream(written)) {
                    long[] requests = {0};
                    assertEquals("scheduled passphrase", new String(BackupFile.passphraseFile(pass)), "the first line: as the CLI reads it");
                    BackupFile.read(in, BackupFile.passphraseFile(pass), (k, v) -> requests[0] += k[0] == 0x54 ? 1 : 0);
                    assertEquals(i + 1, requests[0], "readable with the file's passphrase, holding what was written before it");
                }
                assertEquals(0, s.ageSeconds());
                clock.now = clock.now.plus(Duration.ofHours(6));
            }
            try (Stream<Path> files = Files.list(out)) {
                assertEquals(List.of("coffer-20261130T160130Z.backup", "coffer-20261130T220130Z.backup", "notes.txt"),
                        files.map(p -> p.getFileName().toString()).sorted().toList(), "the newest two, nothing else touched");
            }
            assertEquals(6 * 3600, s.ageSeconds());
            assertEquals(3, audit.list(0, 100).stream().filter(e -> e.action().equals("backup.create")
                    && e.actor().equals(BackupScheduler.ACTOR)).count(), "each one audited");
            // A node restarted knows its last backup from the directory.
            assertEquals(Instant.parse("2026-11-30T22:01:30Z"), new BackupScheduler(new BackupService(store, audit, clock, "test"),
                    new BackupSchedule(out, Duration.ofHours(6), 2, pass), clock).lastSuccess().orElseThrow());
        }
    }
}
