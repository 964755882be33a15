package io.coffer.core.backup;

import io.coffer.core.config.BackupSchedule;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Backups the node takes by itself ({@code coffer.backup.*}): one a minute after start, then every interval, each written under a
 * temporary name, read back whole, then named {@code coffer-<UTC time>.backup}; the newest {@code keep} are kept. Each is
 * audited (actor {@code node:schedule}); a failure is logged and retried at the next interval, and the age of the last good
 * one is a metric to alert on.
 */
public final class BackupScheduler implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BackupScheduler.class.getName());
    static final String ACTOR = "node:schedule";
    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final Pattern OURS = Pattern.compile("coffer-\\d{8}T\\d{6}Z\\.backup");

    private final BackupService service;
    private final BackupSchedule schedule;
    private final Clock clock;
    private final Instant started;
    private volatile Instant lastSuccess;
    private volatile boolean running = true;
    private Thread thread;

    public BackupScheduler(BackupService service, BackupSchedule schedule, Clock clock) {
        this.service = service;
        this.schedule = schedule;
        this.clock = clock;
        this.started = clock.instant();
        this.lastSuccess = newest().orElse(null);
    }

    public void start() {
        thread = Thread.ofPlatform().name("coffer-backups").daemon(true).start(this::loop);
        LOG.info(() -> "backups: every " + schedule.every() + " into " + schedule.directory() + ", the newest " + schedule.keep() + " kept");
    }

    private void loop() {
        long wait = Math.min(Duration.ofMinutes(1).toMillis(), schedule.every().toMillis());
        while (running) {
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                return; // close()
            }
            wait = schedule.every().toMillis();
            try {
                runOnce();
            } catch (RuntimeException | IOException e) {
                LOG.log(Level.SEVERE, "backups: the scheduled backup failed (next try in " + schedule.every() + "): " + e.getMessage());
            }
        }
    }

    /** Takes one backup now; the path of the new file. */
    public Path runOnce() throws IOException {
        char[] pass = BackupFile.passphraseFile(schedule.passphraseFile());
        Path dir = Files.createDirectories(schedule.directory());
        Instant at = clock.instant();
        Path target = dir.resolve("coffer-" + NAME.format(at) + ".backup");
        Path tmp = Files.createTempFile(dir, ".coffer-", ".part", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            BackupFile.Summary s;
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE)) {
                s = service.backup(out, pass, ACTOR);
            }
            try (InputStream in = Files.newInputStream(tmp)) {
                BackupFile.read(in, pass, (k, v) -> { }); // what gets the name can be restored
            }
            try (FileChannel f = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                f.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            }
            lastSuccess = at;
            LOG.info(() -> "backups: wrote " + target + " (" + s.records() + " records)");
            prune(dir);
            return target;
        } finally {
            Arrays.fill(pass, '\0');
            Files.deleteIfExists(tmp);
        }
    }

    /** Seconds since the last good backup (since the node started when there was none yet): alert when it passes twice the interval. */
    public long ageSeconds() {
        Instant last = lastSuccess;
        return Duration.between(last == null ? started : last, clock.instant()).toSeconds();
    }

    public Optional<Instant> lastSuccess() {
        return Optional.ofNullable(lastSuccess);
    }

    private void prune(Path dir) throws IOException {
        List<Path> ours;
        try (Stream<Path> files = Files.list(dir)) {
            ours = files.filter(p -> OURS.matcher(p.getFileName().toString()).matches()).sorted().toList();
        }
        for (int i = 0; i < ours.size() - schedule.keep(); i++) {
            Files.deleteIfExists(ours.get(i));
            Path gone = ours.get(i);
            LOG.info(() -> "backups: removed " + gone + " (more than " + schedule.keep() + " kept)");
        }
    }

    private Optional<Instant> newest() {
        if (!Files.isDirectory(schedule.directory())) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(schedule.directory())) {
            return files.map(p -> p.getFileName().toString()).filter(n -> OURS.matcher(n).matches()).sorted()
                    .reduce((a, b) -> b).map(n -> NAME.parse(n.substring(7, 23), Instant::from));
        } catch (IOException e) {
            return Optional.empty();
        }
    }


    @Override
    public void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(30_000); // a backup being written finishes (or fails) first
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
