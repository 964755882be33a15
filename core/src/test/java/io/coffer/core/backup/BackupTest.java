package io.coffer.core.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.core.CofferSchema;
import io.coffer.core.audit.AuditLog;
import io.coffer.core.error.CofferException;
import io.coffer.core.payment.PaymentTables;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backups of a real store: taken while it is written, checked whole, restored into a new directory, damage refused. */
class BackupTest {
    private static final char[] PASS = "correct horse battery".toCharArray();

    @TempDir
    Path dir;

    private static byte[] backup(Store store) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new BackupService(store, new AuditLog(store, Clock.systemUTC()), Clock.systemUTC(), "test").backup(out, PASS, "op:alice");
        return out.toByteArray();
    }

    @Test
    void aBackupTakenWhileTheStoreIsWrittenIsOneMomentAndRestoresWhole() throws Exception {
        Path live = dir.resolve("live");
        byte[] file;
        try (Store store = LevelDbStore.open(live, CofferSchema.current())) {
            // Over several chunks: 3,000 records of ~1 KiB.
            String filler = "x".repeat(1000);
            for (int i = 0; i < 3000; i += 100) {
                var b = store.batch();
                for (int j = i; j < i + 100; j++) {
                    b.put(PaymentTables.PUBLISHED, "pr_" + j, filler + j);
                }
                b.commit();
            }
            // A writer keeps committing pairs (an "a" and a "b" record in one batch) while the backup is taken: a backup of
            // one moment holds as many of each.
            AtomicBoolean stop = new AtomicBoolean();
            Thread writer = Thread.ofPlatform().start(() -> {
                for (int i = 0; !stop.get(); i++) {
                    store.batch().put(PaymentTables.PUBLISHED, "a-" + i, "1").put(PaymentTables.PUBLISHED, "b-" + i, "1").commit();
                }
            });
            try {
                Thread.sleep(20);
                file = backup(store);
            } finally {
                stop.set(true);
                writer.join();
            }
            assertTrue(new AuditLog(store, Clock.systemUTC()).list(0, 100).stream()
                    .anyMatch(e -> e.action().equals("backup.create") && e.actor().equals("op:alice")), "audited, naming who");
        }
        assertTrue(file.length > 3_000_000, "several chunks of 1 MiB: " + file.length);
        // Markers long enough never to turn up in ciphertext by chance ("pr_1" alone did, one run in ~1,400: 3 MB of random bytes).
        String bytes = new String(file, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(bytes.indexOf("pr_2999") < 0 && bytes.indexOf("x".repeat(32)) < 0, "nothing in clear");

        BackupFile.Summary verified = BackupFile.read(new ByteArrayInputStream(file), PASS, (k, v) -> { });
        assertEquals(CofferSchema.VERSION, verified.header().schemaVersion());
        assertEquals("test", verified.header().nodeVersion());
        assertEquals(BackupFile.header(new ByteArrayInputStream(file)), verified.header(), "the header reads without the passphrase");

        Path backupFile = dir.resolve("coffer.backup");
        Files.write(backupFile, file);
        Path restored = dir.resolve("restored");
        BackupFile.Summary s = BackupService.restore(backupFile, PASS, restored, Clock.systemUTC(), "cli:test");
        assertEquals(verified.records(), s.records());
        try (Store store = LevelDbStore.open(restored, CofferSchema.current())) {
            List<String> a = new ArrayList<>();
            List<String> b = new ArrayList<>();
            long requests = 0;
            for (var e : store.list(PaymentTables.PUBLISHED, PaymentTables.PUBLISHED.all(), Integer.MAX_VALUE)) {
                if (e.getKey().startsWith("a-")) {
                    a.add(e.getKey().substring(2));
                } else if (e.getKey().startsWith("b-")) {
                    b.add(e.getKey().substring(2));
                } else {
                    requests++;
                }
            }
            assertEquals(3000, requests);
            a.sort(null);
            b.sort(null);
            assertEquals(a, b, "every batch whole: the backup is one moment of the store");
            RestoreGate gate = new RestoreGate(store);
            assertTrue(gate.paused(), "a restored node sends nothing until released");
            assertEquals("RESTORED_NOT_RELEASED", assertThrows(CofferException.class, gate::requireOpen).code());
            AuditLog audit = new AuditLog(store, Clock.systemUTC());
            assertTrue(audit.list(0, 1000).stream().anyMatch(e -> e.action().equals("backup.restore")), "the restore is audited");
            RestoreMark released = new BackupService(store, audit, Clock.systemUTC(), "test").release("op:bob");
            assertEquals("op:bob", released.releasedBy());
            gate.requireOpen();
            assertEquals("NOT_RESTORED", assertThrows(CofferException.class,
                    () -> new BackupService(store, audit, Clock.systemUTC(), "test").release("op:bob")).code());
        }
        // Never over existing data.
        assertEquals("DATA_DIR_NOT_EMPTY", assertThrows(CofferException.class,
                () -> BackupService.restore(backupFile, PASS, restored, Clock.systemUTC(), "cli:test")).code());
    }

    @Test
    void aWrongPassphraseADamagedOrCutOffBackupIsRefusedAndRestoresNothing() throws Exception {
        byte[] file;
        try (Store store = LevelDbStore.open(dir.resolve("live"), CofferSchema.current())) {
            var b = store.batch();
            for (int i = 0; i < 2500; i++) {
                b.put(PaymentTables.PUBLISHED, "pr_" + i, "y".repeat(900));
            }
            b.commit();
            assertEquals("PASSPHRASE_TOO_SHORT", assertThrows(CofferException.class, () -> new BackupService(store,
                    new AuditLog(store, Clock.systemUTC()), Clock.systemUTC(), "t").backup(new ByteArrayOutputStream(), "short".toCharArray(), "x"))
                    .code());
            file = backup(store);
        }
        assertEquals("BACKUP_PASSPHRASE", refused(file, "wrong horse battery".toCharArray()));
        assertEquals("BACKUP_TRUNCATED", refused(Arrays.copyOf(file, file.length - 100), PASS));
        assertEquals("BACKUP_TRUNCATED", refused(Arrays.copyOf(file, file.length / 2), PASS));
        byte[] flipped = file.clone();
        flipped[file.length / 2] ^= 1;
        assertEquals("BACKUP_DAMAGED", refused(flipped, PASS));
        byte[] header = file.clone();
        header[20] ^= 1; // inside the authenticated header
        assertTrue(List.of("BACKUP_DAMAGED", "BACKUP_PASSPHRASE").contains(refused(header, PASS)));
        byte[] longer = Arrays.copyOf(file, file.length + 1);
        assertEquals("BACKUP_DAMAGED", refused(longer, PASS));
        assertEquals("BACKUP_NOT_A_BACKUP", refused("hello, world".getBytes(), PASS));

        // A damaged backup restores nothing: the directory is as it was (empty).
        Path bad = dir.resolve("bad.backup");
        Files.write(bad, flipped);
        Path target = Files.createDirectories(dir.resolve("target"));
        assertThrows(BackupFile.BackupException.class, () -> BackupService.restore(bad, PASS, target, Clock.systemUTC(), "cli:test"));
        try (var left = Files.list(target)) {
            assertEquals(0, left.count(), "nothing half-restored");
        }
    }

    private static String refused(byte[] file, char[] pass) {
        return assertThrows(BackupFile.BackupException.class, () -> BackupFile.read(new ByteArrayInputStream(file), pass, (k, v) -> { }))
                .code();
    }
}
