package io.coffer.cli;

import io.coffer.core.CofferSchema;
import io.coffer.core.audit.AuditLog;
import io.coffer.core.custody.Ceremony;
import io.coffer.core.custody.SeedFile;
import io.coffer.core.keys.Bip39;
import io.coffer.core.keys.Secrets;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code coffer ceremony ...}: the key ceremony, run on the node's machine while the node is stopped
 * (the data dir's lock refuses it otherwise). Nothing secret is written to the data dir except, when
 * asked, the passphrase-encrypted seed file.
 */
@Command(name = "ceremony", description = "Create, check or restore the wallet's master secret (node stopped).",
        subcommands = {CeremonyCommand.Init.class, CeremonyCommand.Verify.class, CeremonyCommand.Recover.class,
            CeremonyCommand.WatchOnly.class})
final class CeremonyCommand {

    /** Options shared by the ceremony commands. */
    static final class DataDir {
        @Option(names = "--data-dir", required = true, description = "The node's data dir (the node must be stopped).")
        Path dataDir;

        @Option(names = "--slip39-passphrase-file", description = "File holding the SLIP-39 passphrase (printable ASCII);"
                + " every unseal then needs it too. Default: none.")
        Path slip39PassphraseFile;

        char[] slip39Passphrase() {
            return slip39PassphraseFile == null ? new char[0] : Terminal.readSecretFile(slip39PassphraseFile);
        }

        <T> T withStore(StoreAction<T> action) throws Exception {
            try (Store store = LevelDbStore.openAndUpgrade(dataDir, CofferSchema.current())) {
                AuditLog audit = new AuditLog(store, Clock.systemUTC());
                return action.run(new Ceremony(store, store.directory(), audit, new SecureRandom(), Clock.systemUTC()));
            }
        }
    }

    @FunctionalInterface
    interface StoreAction<T> {
        T run(Ceremony ceremony) throws Exception;
    }

    /** How the new shares are handed out. */
    static final class Output {
        @Option(names = "--out-dir", description = "Non-interactive: write one file per share (mode 0600) into this new or"
                + " empty directory, to be handed to each custodian and then deleted.")
        Path outDir;

        @Option(names = "--interactive", description = "Show each custodian their share on this terminal, one at a time,"
                + " with a confirmation and a screen clear in between (default when no --out-dir).")
        boolean interactive;
    }

    /** Options of a new split. */
    static final class SplitOptions {
        @Option(names = "--shares", required = true, description = "Number of shares (custodians), 1..16.")
        int shares;

        @Option(names = "--threshold", required = true, description = "Shares needed to unseal, 1..shares (2+ when shares > 1).")
        int threshold;

        @Option(names = "--seed-passphrase-file", description = "Also keep the secret in the data dir encrypted under this"
                + " passphrase (scrypt + AES-256-GCM), so one operator holding it can unseal. Default: shares only.")
        Path seedPassphraseFile;

        Ceremony.Split split(char[] slip39Passphrase) {
            char[] seedPass = seedPassphraseFile == null ? null : Terminal.readSecretFile(seedPassphraseFile);
            if (seedPass != null && seedPass.length < 12) {
                throw new IllegalArgumentException("the seed passphrase must have at least 12 characters");
            }
            return new Ceremony.Split(shares, threshold, slip39Passphrase, seedPass, SeedFile.DEFAULT_KDF);
        }
    }

    static void handOut(Ceremony.Result r, int threshold, Output output, PrintWriter out) throws IOException {
        try {
            if (output.outDir != null) {
                writeShareFiles(r, threshold, output.outDir);
                out.printf("Wrote %d shares to %s (one file each, mode 0600). Any %d unseal the node.%n", r.shares().size(),
                        output.outDir, threshold);
            } else {
                showInteractively(r, threshold, out);
            }
            out.printf("Wallet fingerprint: %s (every custodian should note it next to their share)%n", r.fingerprintHex());
        } finally {
            r.shares().forEach(Secrets::wipe);
        }
    }

    private static void writeShareFiles(Ceremony.Result r, int threshold, Path dir) throws IOException {
        Files.createDirectories(dir);
        try (var existing = Files.list(dir)) {
            if (existing.findAny().isPresent()) {
                throw new IllegalArgumentException("--out-dir " + dir + " is not empty; shares are never written over other files");
            }
        }
        int n = r.shares().size();
        for (int i = 0; i < n; i++) {
            Path f = dir.resolve("share-" + (i + 1) + "-of-" + n + ".txt");
            Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            String header = "# Coffer SLIP-39 share " + (i + 1) + " of " + n + "; any " + threshold + " unseal wallet "
                    + r.fingerprintHex() + "\n";
            byte[] body = (header + new String(r.shares().get(i)) + "\n").getBytes(StandardCharsets.UTF_8);
            Files.write(f, body);
            Secrets.wipe(body);
        }
    }

    private static void showInteractively(Ceremony.Result r, int threshold, PrintWriter out) {
        Console console = Terminal.console();
        int n = r.shares().size();
        SecureRandom random = new SecureRandom();
        out.printf("Key ceremony: %d shares, any %d unseal the node. Wallet fingerprint %s.%n", n, threshold, r.fingerprintHex());
        for (int i = 0; i < n; i++) {
            List<String> words = Bip39.split(r.shares().get(i));
            while (true) {
                out.printf("%nCustodian %d of %d: make sure nobody else can see this screen, then press Enter.", i + 1, n);
                out.flush();
                console.readLine();
                out.printf("%nShare %d of %d (%d words):%n", i + 1, n, words.size());
                for (int w = 0; w < words.size(); w++) {
                    out.printf("%3d. %-12s%s", w + 1, words.get(w), (w + 1) % 4 == 0 ? "\n" : "");
                }
                out.printf("%n%nWrite it down, then press Enter.");
                out.flush();
                console.readLine();
                Terminal.clear(out);
                int a = random.nextInt(words.size());
                int b = (a + 1 + random.nextInt(words.size() - 1)) % words.size();
                String wa = console.readLine("Confirm: word #%d of your share: ", a + 1);
                String wb = console.readLine("Confirm: word #%d of your share: ", b + 1);
                if (words.get(a).equalsIgnoreCase(wa == null ? "" : wa.strip()) && words.get(b).equalsIgnoreCase(wb == null ? "" : wb.strip())) {
                    Terminal.clear(out);
                    out.printf("Share %d confirmed.%n", i + 1);
                    break;
                }
                Terminal.clear(out);
                out.println("That does not match the share. It will be shown again.");
            }
        }
    }

    @Command(name = "init", mixinStandardHelpOptions = true, description = "Create a new master secret and split it into SLIP-39 shares.")
    static final class Init implements Callable<Integer> {
        @Mixin
        DataDir data = new DataDir();
        @ArgGroup(exclusive = false, multiplicity = "1")
        SplitOptions split;
        @ArgGroup(exclusive = true)
        Output output = new Output();
        @Option(names = "--operator", description = {"A first operator, NAME=ROLE[+ROLE...]:PUBLIC-KEY-HEX (the key from its 'coffer operator",
                "keygen'; roles custodian, admin, approver, auditor); repeat for each. Later operators are added by the admins' quorum."})
        List<String> operators = List.of();
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        /** An operator given at the ceremony. */
        private record FirstOperator(String name, java.util.Set<io.coffer.core.operator.OperatorRole> roles, byte[] publicKey) {
        }

        private List<FirstOperator> firstOperators() {
            List<FirstOperator> out = new java.util.ArrayList<>();
            for (String spec : operators) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("([^=]+)=([a-z+]+):([0-9a-fA-F]{64})").matcher(spec.strip());
                if (!m.matches()) {
                    throw new picocli.CommandLine.ParameterException(this.spec.commandLine(), "--operator takes NAME=ROLE[+ROLE]:PUBLIC-KEY-HEX,"
                            + " e.g. alice=admin+auditor:<64 hex digits>");
                }
                java.util.Set<io.coffer.core.operator.OperatorRole> roles = java.util.EnumSet.noneOf(io.coffer.core.operator.OperatorRole.class);
                for (String role : m.group(2).split("\\+")) {
                    try {
                        roles.add(io.coffer.core.operator.OperatorRole.valueOf(role.toUpperCase(java.util.Locale.ROOT)));
                    } catch (IllegalArgumentException e) {
                        throw new picocli.CommandLine.ParameterException(this.spec.commandLine(), "unknown role '" + role
                                + "': custodian, admin, approver or auditor");
                    }
                }
                out.add(new FirstOperator(m.group(1), roles, java.util.HexFormat.of().parseHex(m.group(3))));
            }
            return out;
        }

        @Override
        public Integer call() throws Exception {
            List<FirstOperator> first = firstOperators(); // refused before any secret exists
            Ceremony.Split s = split.split(data.slip39Passphrase());
            if (output.outDir == null) {
                Terminal.console(); // refuse early, before any secret exists, when there is no terminal
            }
            Ceremony.Result r = data.withStore(c -> c.init(s, "cli"));
            if (!first.isEmpty()) {
                try (Store store = LevelDbStore.openAndUpgrade(data.dataDir, CofferSchema.current())) {
                    var ops = new io.coffer.core.operator.OperatorService(store, new AuditLog(store, Clock.systemUTC()),
                            io.coffer.core.operator.SecretBox.open(store.directory(), new SecureRandom()), Clock.systemUTC(), 1);
                    for (FirstOperator o : first) {
                        ops.add(io.coffer.core.operator.OperatorService.CEREMONY, o.name(), o.roles(), o.publicKey());
                        spec.commandLine().getOut().printf("Operator %s added (%s).%n", o.name(), o.roles().stream()
                                .map(io.coffer.core.operator.OperatorRole::label).sorted().collect(java.util.stream.Collectors.joining(", ")));
                    }
                }
            }
            Secrets.wipe(s.slip39Passphrase());
            Secrets.wipe(s.seedFilePassphrase());
            handOut(r, split.threshold, output, spec.commandLine().getOut());
            spec.commandLine().getOut().printf("The node in %s starts sealed; unseal it with 'coffer unseal'.%n", data.dataDir);
            return Exits.OK;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check that shares recover this data dir's wallet (prints fingerprints, never the secret).")
    static final class Verify implements Callable<Integer> {
        @Mixin
        DataDir data = new DataDir();
        @Option(names = "--share-file", required = true, description = "A file holding one share; repeat for each share.")
        List<Path> shareFiles;
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            List<char[]> shares = Terminal.readSecretFiles(shareFiles);
            char[] pass = data.slip39Passphrase();
            try {
                record Check(int recovered, int expected) {
                }
                Check c = data.withStore(ceremony -> {
                    int fp = ceremony.verify(shares, pass, "cli");
                    return new Check(fp, ceremony.fingerprint());
                });
                PrintWriter out = spec.commandLine().getOut();
                out.printf("Shares recover wallet %08x; this data dir holds wallet %08x.%n", c.recovered(), c.expected());
                if (c.recovered() != c.expected()) {
                    out.println("MISMATCH: these shares (or this passphrase) do not unseal this node.");
                    return Exits.INVALID_SECRET;
                }
                out.println("OK: these shares unseal this node.");
                return Exits.OK;
            } finally {
                shares.forEach(Secrets::wipe);
                Secrets.wipe(pass);
            }
        }
    }

    @Command(name = "recover", mixinStandardHelpOptions = true,
            description = "Restore a wallet into an empty data dir: from SLIP-39 shares (they keep working), or migrate a BIP-39 mnemonic"
                    + " (split into new shares).")
    static final class Recover implements Callable<Integer> {
        @Mixin
        DataDir data = new DataDir();
        @Option(names = "--share-file", description = "A file holding one existing share; repeat up to the threshold.")
        List<Path> shareFiles;
        @Option(names = "--bip39-file", description = "A file holding a BIP-39 mnemonic to migrate.")
        Path bip39File;
        @Option(names = "--bip39-passphrase-file", description = "The BIP-39 passphrase of that mnemonic, if it had one.")
        Path bip39PassphraseFile;
        @Option(names = "--seed-passphrase-file", description = "As for init: also keep a passphrase-encrypted seed file.")
        Path seedPassphraseFile;
        @Option(names = "--shares", description = "BIP-39 migration: number of new shares.")
        Integer shares;
        @Option(names = "--threshold", description = "BIP-39 migration: shares needed to unseal.")
        Integer threshold;
        @ArgGroup(exclusive = true)
        Output output = new Output();
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if ((shareFiles == null) == (bip39File == null)) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "give either --share-file ... or --bip39-file");
            }
            char[] seedPass = seedPassphraseFile == null ? null : Terminal.readSecretFile(seedPassphraseFile);
            PrintWriter out = spec.commandLine().getOut();
            if (shareFiles != null) {
                List<char[]> s = Terminal.readSecretFiles(shareFiles);
                char[] pass = data.slip39Passphrase();
                try {
                    int fp = data.withStore(c -> c.recoverFromShares(s, pass, seedPass, SeedFile.DEFAULT_KDF, "cli"));
                    out.printf("Restored wallet %08x into %s. The same shares unseal it.%n", fp, data.dataDir);
                } finally {
                    s.forEach(Secrets::wipe);
                    Secrets.wipe(pass);
                    Secrets.wipe(seedPass);
                }
                return Exits.OK;
            }
            if (shares == null || threshold == null) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "BIP-39 migration needs --shares and --threshold");
            }
            char[] mnemonic = Terminal.readSecretFile(bip39File);
            char[] bip39Pass = bip39PassphraseFile == null ? new char[0] : Terminal.readSecretFile(bip39PassphraseFile);
            if (output.outDir == null) {
                Terminal.console();
            }
            Ceremony.Split split = new Ceremony.Split(shares, threshold, data.slip39Passphrase(), seedPass, SeedFile.DEFAULT_KDF);
            try {
                Ceremony.Result r = data.withStore(c -> c.recoverFromBip39(mnemonic, bip39Pass, split, "cli"));
                handOut(r, threshold, output, out);
            } finally {
                Secrets.wipe(mnemonic);
                Secrets.wipe(bip39Pass);
                Secrets.wipe(seedPass);
            }
            return Exits.OK;
        }
    }

    @Command(name = "watch-only", mixinStandardHelpOptions = true,
            description = "Set up a watch-only node from account xpubs (it can never sign).")
    static final class WatchOnly implements Callable<Integer> {
        @Option(names = "--data-dir", required = true, description = "The node's data dir (the node must be stopped).")
        Path dataDir;
        @Option(names = "--bitcoin-xpub", description = "Account key at m/84'/coin'/account' (zpub/xpub mainnet, vpub/tpub test networks).")
        String bitcoinXpub;
        @Option(names = "--evm-xpub", description = "Account key at m/44'/60'/account'.")
        String evmXpub;
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            DataDir d = new DataDir();
            d.dataDir = dataDir;
            d.withStore(c -> {
                c.initWatchOnly(bitcoinXpub, evmXpub, "cli");
                return null;
            });
            spec.commandLine().getOut().printf("Watch-only wallet set up in %s.%n", dataDir);
            return Exits.OK;
        }
    }
}
