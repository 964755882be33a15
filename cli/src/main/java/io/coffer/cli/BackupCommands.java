package io.coffer.cli;

import io.coffer.core.backup.BackupFile;
import io.coffer.core.backup.BackupService;
import io.coffer.proto.v1.BackupChunk;
import io.coffer.proto.v1.CreateBackupRequest;
import io.coffer.proto.v1.ReleaseRestoreRequest;
import io.coffer.proto.v1.RestoreStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code coffer backup} (online, through the node), {@code coffer backup verify} and {@code coffer restore} (offline). */
final class BackupCommands {
    private BackupCommands() {
    }

    /** The passphrase from a file (first line), else asked twice (when {@code confirm}) on the terminal. */
    static char[] passphrase(Path file, boolean confirm) {
        if (file != null) {
            try {
                return BackupFile.passphraseFile(file); // read as the node reads its scheduled backups' passphrase file
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + file + ": " + e.getClass().getSimpleName());
            }
        }
        char[] first = Terminal.readHidden("Backup passphrase: ");
        if (confirm) {
            char[] again = Terminal.readHidden("Again: ");
            boolean same = Arrays.equals(first, again);
            Arrays.fill(again, '\0');
            if (!same) {
                Arrays.fill(first, '\0');
                throw new IllegalArgumentException("the passphrases differ");
            }
        }
        return first;
    }

    @Command(name = "backup", mixinStandardHelpOptions = true, subcommands = Verify.class,
            description = {"Writes an encrypted backup of the running node's whole ledger (one moment, taken while it serves) to a"
                    + " file. Never holds the master secret. Audited.", "Restore it with 'coffer restore'; check it with 'coffer backup verify'."})
    static final class Create implements Callable<Integer> {
        @Mixin
        OperatorAuth auth = new OperatorAuth();
        // Not "required" for picocli: that would demand it of 'backup verify' too.
        @Option(names = "--out", description = "The backup file to write (created 0600; never overwritten). Required.")
        Path out;
        @Option(names = "--passphrase-file", description = "File whose first line is the passphrase (12 characters or more); "
                + "default: asked twice on the terminal.")
        Path passphraseFile;
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            if (out == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "Missing required option: '--out=<file>'");
            }
            if (Files.exists(out)) {
                throw new CommandLine.ParameterException(spec.commandLine(), out + " exists: a backup never overwrites a file");
            }
            char[] pass = passphrase(passphraseFile, true);
            Path parent = out.toAbsolutePath().getParent();
            Path tmp = Files.createTempFile(parent, "." + out.getFileName() + ".", ".part",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            long[] bytes = {0};
            ProgressPrinter shown = new ProgressPrinter(spec.commandLine().getErr());
            try {
                CofferCli cli = (CofferCli) spec.root().userObject();
                try (OutputStream o = Files.newOutputStream(tmp, StandardOpenOption.WRITE)) {
                    var interceptor = auth.interceptor();
                    var ch = cli.channel();
                    try {
                        // No deadline: a large ledger takes as long as it takes; the node's stream ends it.
                        Iterator<BackupChunk> it = io.coffer.proto.v1.AdminGrpc.newBlockingStub(ch).withInterceptors(interceptor)
                                .createBackup(CreateBackupRequest.newBuilder().setPassphrase(new String(pass)).build());
                        while (it.hasNext()) {
                            BackupChunk chunk = it.next();
                            byte[] data = chunk.getData().toByteArray();
                            o.write(data);
                            bytes[0] += data.length;
                            if (chunk.hasProgress()) {
                                shown.show(ProgressLine.of("backup", chunk.getProgress()),
                                        chunk.getProgress().getDone() >= chunk.getProgress().getTotal());
                            }
                        }
                    } finally {
                        CofferCli.close(ch);
                    }
                }
                // Read back before it takes the final name: what is there can be restored.
                BackupFile.Summary s;
                try (InputStream in = shown.measured(tmp, "verifying")) {
                    s = BackupFile.read(in, pass, (k, v) -> { });
                }
                try (var f = java.nio.channels.FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    f.force(true);
                }
                Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
                PrintWriter w = spec.commandLine().getOut();
                w.println("wrote " + out + ": " + bytes[0] + " bytes, " + s.records() + " records, taken " + s.header().createdAt()
                        + " (schema " + s.header().schemaVersion() + "), verified");
                w.flush();
                return Exits.OK;
            } finally {
                Arrays.fill(pass, '\0');
                Files.deleteIfExists(tmp);
            }
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Checks a backup without restoring it: passphrase, every chunk, its end, and each table's count and checksum.")
    static final class Verify implements Callable<Integer> {
        @Parameters(index = "0", description = "The backup file.")
        Path file;
        @Option(names = "--passphrase-file", description = "File whose first line is the passphrase; default: asked on the terminal.")
        Path passphraseFile;
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            char[] pass = passphrase(passphraseFile, false);
            try (InputStream in = new ProgressPrinter(spec.commandLine().getErr()).measured(file, "verifying")) {
                BackupFile.Summary s = BackupFile.read(in, pass, (k, v) -> { });
                print(spec.commandLine().getOut(), "ok", s);
                return Exits.OK;
            } finally {
                Arrays.fill(pass, '\0');
            }
        }
    }

    static void print(PrintWriter w, String verdict, BackupFile.Summary s) {
        w.println(verdict + ": backup taken " + s.header().createdAt() + " by Coffer " + s.header().nodeVersion() + ", schema "
                + s.header().schemaVersion() + ", " + s.records() + " records");
        for (Map.Entry<Integer, Long> t : s.tables().entrySet()) {
            w.println(String.format("  table 0x%02x: %d records", t.getKey(), t.getValue()));
        }
        w.flush();
    }

    @Command(name = "restore", mixinStandardHelpOptions = true, subcommands = {Status.class, Release.class},
            description = {"Restores a backup into a new or empty data directory (offline; the file is checked whole first).",
                    "The restored node sends nothing (transfers, fee bumps, sweeps) until an operator runs 'coffer restore release'"
                            + " after checking the chain for transfers made after the backup. Unseal it with the custodians' shares as before."})
    static final class Restore implements Callable<Integer> {
        // Neither is "required" for picocli: that would demand them of 'restore release' too.
        @Parameters(index = "0", arity = "0..1", description = "The backup file.")
        Path file;
        @Option(names = "--data-dir", description = "The new data directory (absent or empty). Required.")
        Path dataDir;
        @Option(names = "--passphrase-file", description = "File whose first line is the passphrase; default: asked on the terminal.")
        Path passphraseFile;
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            if (file == null || dataDir == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "give the backup file and --data-dir <new directory>");
            }
            char[] pass = passphrase(passphraseFile, false);
            try {
                ProgressPrinter shown = new ProgressPrinter(spec.commandLine().getErr());
                BackupFile.Summary s = BackupService.restore(file, pass, dataDir, Clock.systemUTC(), "cli:" + System.getProperty("user.name", "?"),
                        shown::show);
                print(spec.commandLine().getOut(), "restored into " + dataDir, s);
                spec.commandLine().getOut().println("outgoing payments are paused: check the chain for transfers made after "
                        + s.header().createdAt() + ", then run 'coffer restore release'");
                spec.commandLine().getOut().flush();
                return Exits.OK;
            } finally {
                Arrays.fill(pass, '\0');
            }
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Whether the node was restored and is paused, and the wallet's coins spent on chain by transactions its "
                    + "ledger does not know (after a restore: the transfers made after the backup). Check them before 'release'.")
    static final class Status implements Callable<Integer> {
        @Mixin
        OperatorAuth auth = new OperatorAuth();
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            CofferCli cli = (CofferCli) spec.root().userObject();
            RestoreStatus s = CustodyCommands.call(cli, auth, a -> a.getRestoreStatus(io.coffer.proto.v1.GetRestoreStatusRequest
                    .getDefaultInstance()));
            PrintWriter w = spec.commandLine().getOut();
            if (!s.getRestored()) {
                w.println("not restored from a backup");
            } else {
                w.println("restored " + instant(s.getRestoredAt()) + " from a backup taken " + instant(s.getBackupCreatedAt()) + ": "
                        + (s.hasReleasedAt() ? "released by " + s.getReleasedBy() + " " + instant(s.getReleasedAt()) : "outgoing payments paused"));
            }
            w.println(s.getForeignSpendsCount() + " of the wallet's coins or nonces spent by transactions this ledger did not make"
                    + (s.getForeignSpendsCount() == 0 ? "" : ":"));
            for (var f : s.getForeignSpendsList()) {
                w.println("  " + f.getChain() + " " + f.getCoin() + " " + f.getAmount().getValue() + " " + f.getAmount().getAsset()
                        + (f.hasFee() ? " (fee " + f.getFee().getValue() + " " + f.getFee().getAsset() + ")" : "")
                        + " spent by " + f.getSpentByTxid() + " at height " + f.getHeight());
            }
            w.flush();
            return Exits.OK;
        }

        private static java.time.Instant instant(com.google.protobuf.Timestamp t) {
            return java.time.Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
        }
    }

    @Command(name = "release", mixinStandardHelpOptions = true,
            description = "Lets a node restored from a backup send again (after you checked the chain for transfers made after the backup). Audited.")
    static final class Release implements Callable<Integer> {
        @Mixin
        OperatorAuth auth = new OperatorAuth();
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            CofferCli cli = (CofferCli) spec.root().userObject();
            RestoreStatus s = CustodyCommands.call(cli, auth, a -> a.releaseRestore(ReleaseRestoreRequest.getDefaultInstance()));
            spec.commandLine().getOut().println("released by " + s.getReleasedBy() + ": the node sends again");
            spec.commandLine().getOut().flush();
            return Exits.OK;
        }
    }
}
