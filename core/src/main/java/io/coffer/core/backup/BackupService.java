package io.coffer.core.backup;

import io.coffer.core.CofferSchema;
import io.coffer.core.audit.AuditLog;
import io.coffer.core.error.CofferException;
import io.coffer.core.error.ErrorKind;
import io.coffer.core.progress.Progress;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Taking a backup of a running node, restoring one into a new data directory, and releasing a restored node to send again.
 */
public final class BackupService {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(BackupService.class.getName());
    /** Shortest passphrase a backup is encrypted with. */
    public static final int MIN_PASSPHRASE = 12;

    private final Store store;
    private final AuditLog audit;
    private final Clock clock;
    private final String nodeVersion;
    private final SecureRandom random = new SecureRandom();

    public BackupService(Store store, AuditLog audit, Clock clock, String nodeVersion) {
        this.store = store;
        this.audit = audit;
        this.clock = clock;
        this.nodeVersion = nodeVersion;
    }

    /**
     * Writes a backup of the store as it is at this moment to {@code out}, encrypted with {@code passphrase}, while the node
     * keeps serving (a snapshot: writes made meanwhile are in the next backup). Audited, naming {@code actor}.
     *
     * @throws CofferException INVALID_ARGUMENT {@code PASSPHRASE_TOO_SHORT}
     */
    public BackupFile.Summary backup(OutputStream out, char[] passphrase, String actor) {
        return backup(out, passphrase, actor, r -> { });
    }

    /**
     * {@link #backup(OutputStream, char[], String)}, telling {@code progress} how far it is about once a second and once more when
     * every record is written (before the file's end is); the node's log gets a line every 10 s.
     */
    public BackupFile.Summary backup(OutputStream out, char[] passphrase, String actor, java.util.function.Consumer<Progress.Report> progress) {
        if (passphrase == null || passphrase.length < MIN_PASSPHRASE) {
            throw CofferException.invalid("passphrase", "PASSPHRASE_TOO_SHORT", "at least " + MIN_PASSPHRASE + " characters");
        }
        Instant at = clock.instant();
        BackupFile.Writer w = new BackupFile.Writer(out, passphrase, store.schemaVersion(), nodeVersion, at, BackupFile.DEFAULT_KDF, random);
        // Two clocks of "due": one for the caller (about once a second), one for the node's log (every 10 s).
        Progress records = new Progress("backup", "records", 0, 0);
        Progress log = new Progress("backup", "records", 0, 0);
        long[] done = {0};
        store.copyTo(new io.coffer.core.store.RecordSink() {
            @Override
            public void expect(long total) {
                records.total(total);
            }

            @Override
            public void record(byte[] key, byte[] value) {
                w.record(key, value);
                if ((++done[0] & 0xff) == 0) {
                    if (records.due(java.time.Duration.ofSeconds(1))) {
                        progress.accept(records.at(done[0]));
                    }
                    if (log.due(java.time.Duration.ofSeconds(10))) {
                        LOG.info(records.at(done[0]).line());
                    }
                }
            }
        });
        records.total(done[0]);
        progress.accept(records.at(done[0]));
        BackupFile.Summary s = w.finish();
        audit.append(actor, "backup.create", "store", Map.of("records", Long.toString(s.records()), "created_at", at.toString()));
        return s;
    }

    /**
     * Restores the backup at {@code file} into {@code dataDir} (new or empty), offline: the whole file is checked first (a
     * damaged or cut-off backup writes nothing), then loaded, then marked as restored so the node sends nothing until an
     * operator {@linkplain #release releases} it. On any failure the directory is left empty again.
     *
     * @throws BackupFile.BackupException the backup cannot be read (wrong passphrase, damaged, cut off, newer format)
     * @throws CofferException FAILED_PRECONDITION {@code BACKUP_SCHEMA_NEWER} when a newer Coffer wrote it
     */
    public static BackupFile.Summary restore(Path file, char[] passphrase, Path dataDir, Clock clock, String actor) throws IOException {
        return restore(file, passphrase, dataDir, clock, actor, r -> { });
    }

    /**
     * {@link #restore(Path, char[], Path, Clock, String)}, telling {@code progress} how far each pass over the file is (first
     * "checking", then "restoring") about once a second and at the end of each.
     */
    public static BackupFile.Summary restore(Path file, char[] passphrase, Path dataDir, Clock clock, String actor,
            java.util.function.Consumer<Progress.Report> progress) throws IOException {
        long size = Files.size(file);
        BackupFile.Summary checked;
        try (Pass pass = new Pass(file, "checking", size, progress)) {
            checked = BackupFile.read(pass.in, passphrase, (k, v) -> { });
        }
        if (checked.header().schemaVersion() > CofferSchema.VERSION) {
            throw new CofferException(ErrorKind.FAILED_PRECONDITION, "BACKUP_SCHEMA_NEWER", "the backup has schema version "
                    + checked.header().schemaVersion() + "; this Coffer reads up to " + CofferSchema.VERSION + ": restore with a newer one");
        }
        boolean existed = Files.exists(dataDir);
        if (existed) {
            try (Stream<Path> entries = Files.list(dataDir)) {
                if (entries.findAny().isPresent()) {
                    throw new CofferException(ErrorKind.FAILED_PRECONDITION, "DATA_DIR_NOT_EMPTY", dataDir
                            + " is not empty: restore only into a new or empty directory (never over a node's data)");
                }
            }
        }
        try {
            LevelDbStore.load(dataDir, CofferSchema.current(), sink -> {
                try (Pass pass = new Pass(file, "restoring", size, progress)) {
                    BackupFile.read(pass.in, passphrase, sink);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            try (Store store = LevelDbStore.openAndUpgrade(dataDir, CofferSchema.current())) {
                Instant now = clock.instant();
                RestoreMark mark = new RestoreMark(checked.header().createdAt(), now, Optional.empty(), "");
                var b = store.batch().put(BackupTables.RESTORED, BackupTables.RESTORE, mark.format());
                new AuditLog(store, clock).append(b, actor, "backup.restore", "store", Map.of("backup_created_at",
                        checked.header().createdAt().toString(), "records", Long.toString(checked.records())));
                b.commit();
            }
        } catch (RuntimeException e) {
            empty(dataDir, existed); // it was empty before: nothing half-restored is left to be started by mistake
            throw e;
        }
        return checked;
    }

    /**
     * Lets a restored node send again, after the operator checked the chain for transfers made after the backup (they are
     * unknown to this ledger). Audited, naming {@code actor}.
     *
     * @throws CofferException FAILED_PRECONDITION {@code NOT_RESTORED} when this data directory was not restored or is released
     */
    public RestoreMark release(String actor) {
        RestoreMark m = new RestoreGate(store).mark().filter(RestoreMark::paused).orElseThrow(() -> new CofferException(
                ErrorKind.FAILED_PRECONDITION, "NOT_RESTORED", "this node is not paused after a restore"));
        RestoreMark released = new RestoreMark(m.backupCreatedAt(), m.restoredAt(), Optional.of(clock.instant()), actor);
        var b = store.batch().put(BackupTables.RESTORED, BackupTables.RESTORE, released.format());
        audit.append(b, actor, "backup.release", "store", Map.of("backup_created_at", m.backupCreatedAt().toString()));
        b.commit();
        onRelease.forEach(Runnable::run);
        return released;
    }

    private final java.util.List<Runnable> onRelease = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Runs after a release (the operator checked the spends made after the backup: reconciliation accepts them). */
    public void onRelease(Runnable r) {
        onRelease.add(r);
    }

    /** Where a restored node stands: its restore (empty when it was not restored) and the wallet's coins spent by transactions
     * the ledger does not know (after a restore: the transfers made after the backup, once the follower has caught up). */
    public record Status(Optional<RestoreMark> restore, java.util.List<io.coffer.core.chain.ForeignSpends.Spend> foreignSpends) {
    }

    public Status status() {
        return new Status(new RestoreGate(store).mark(), io.coffer.core.chain.ForeignSpends.find(store));
    }

    /** One pass over a backup file, measured in bytes: told about once a second, and once more at its end. */
    private static final class Pass implements AutoCloseable {
        final InputStream in;
        private final Progress bytes;
        private final long size;
        private final java.util.function.Consumer<Progress.Report> progress;
        private long read;

        Pass(Path file, String what, long size, java.util.function.Consumer<Progress.Report> progress) throws IOException {
            this.bytes = new Progress(what, "bytes", 0, size);
            this.size = size;
            this.progress = progress;
            this.in = new io.coffer.core.progress.CountingInputStream(Files.newInputStream(file), n -> {
                read = n;
                if (bytes.due(java.time.Duration.ofSeconds(1))) {
                    progress.accept(bytes.at(n));
                }
            });
        }

        @Override
        public void close() throws IOException {
            in.close();
            if (read > 0) {
                progress.accept(bytes.at(read));
            }
        }
    }

    private static void empty(Path dir, boolean keepDir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.equals(dir) || !keepDir) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean up " + dir + " after a failed restore", e);
        }
    }
}
