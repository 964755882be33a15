package io.coffer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.api.CofferNode;
import io.coffer.api.NodeConfiguration;
import io.coffer.core.custody.AccountScheme;
import io.coffer.core.custody.CustodyException;
import io.coffer.core.custody.CustodyState;
import io.coffer.core.keys.ExtendedKey;
import io.coffer.core.keys.Hashes;
import io.coffer.core.keys.KeyVersion;
import io.coffer.core.keys.Slip39;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.Devnet;
import io.coffer.testkit.JavaProcess;
import io.coffer.testkit.WithDevnet;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The custody story end to end, with the real CLI as a separate process: ceremony 3-of-5 → node starts
 * sealed → three custodians unseal over gRPC → the signer exists → seal → gone → a restart is sealed.
 * Throughout, every log line, CLI output and the whole data dir are checked for the secret.
 */
@WithDevnet
class CustodyEndToEndIT {
    @TempDir
    Path dir;
    private final StringBuilder transcript = new StringBuilder();

    record Run(int exit, String out) {
    }

    private Run cli(String... args) throws Exception {
        Process p = JavaProcess.start(CofferCli.class, args);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        p.getInputStream().transferTo(buf);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String out = buf.toString(StandardCharsets.UTF_8);
        transcript.append("$ coffer ").append(String.join(" ", args)).append('\n').append(out);
        return new Run(p.exitValue(), out);
    }

    private Path config(BitcoindNode btc, AnvilNode anvil, Path data) throws Exception {
        Path file = dir.resolve("coffer.yaml");
        Files.writeString(file, Devnet.nodeYaml(data, btc.rpcUrl(), anvil.rpcUrl(), false));
        return file;
    }

    @Test
    void ceremonySealedStartQuorumUnsealSealRestart(BitcoindNode btc, AnvilNode anvil) throws Exception {
        Path data = dir.resolve("data");
        Path sharesDir = dir.resolve("shares");
        StringBuilder logs = new StringBuilder();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                logs.append(r.getLevel()).append(' ').append(r.getLoggerName()).append(' ').append(r.getMessage()).append('\n');
                for (Throwable t = r.getThrown(); t != null; t = t.getCause()) {
                    logs.append(t).append('\n');
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger root = Logger.getLogger("");
        root.addHandler(capture);
        Level before = root.getLevel();
        root.setLevel(Level.ALL);
        try {
            Run init = cli("ceremony", "init", "--data-dir", data.toString(), "--shares", "5", "--threshold", "3",
                    "--out-dir", sharesDir.toString());
            assertEquals(0, init.exit(), init.out());
            assertTrue(init.out().contains("Wrote 5 shares"), init.out());
            List<Path> shareFiles;
            try (Stream<Path> s = Files.list(sharesDir)) {
                shareFiles = s.sorted().toList();
            }
            assertEquals(5, shareFiles.size());
            for (Path f : shareFiles) {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
            }
            Run again = cli("ceremony", "init", "--data-dir", data.toString(), "--shares", "3", "--threshold", "2",
                    "--out-dir", dir.resolve("shares2").toString());
            assertEquals(Exits.STATE, again.exit(), "a ceremony never replaces a wallet: " + again.out());

            Path config = config(btc, anvil, data);
            try (CofferNode node = CofferNode.start(NodeConfiguration.load(config, Map.of()))) {
                String addr = "127.0.0.1:" + node.port();
                // While the node runs, its data dir is locked: an offline ceremony is refused (exit 3).
                assertEquals(Exits.DATA_DIR, cli("ceremony", "verify", "--data-dir", data.toString(),
                        "--share-file", shareFiles.get(0).toString()).exit());

                Run status = cli("--node", addr, "status", "--data-dir", data.toString());
                assertEquals(0, status.exit(), status.out());
                assertTrue(status.out().contains("custody: sealed") && status.out().contains("0 of 3 shares (of 5)"), status.out());
                assertEquals(Exits.UNAUTHENTICATED, cli("--node", addr, "status", "--token-file", sharesDir.resolve("share-1-of-5.txt").toString()).exit());
                assertEquals("SEALED", assertThrows(CustodyException.class, () -> node.vault().signer()).code());

                Path broken = dir.resolve("broken.txt");
                // The last (checksum) word changed to another word: never to itself (1 share in 1,024 ends in "academic").
                String share = Files.readString(shareFiles.get(0)).strip();
                String last = share.substring(share.lastIndexOf(' ') + 1);
                Files.writeString(broken, share.replaceFirst("\\S+$", last.equals("academic") ? "acid" : "academic"));
                Run bad = cli("--node", addr, "unseal", "--data-dir", data.toString(), "--share-file", broken.toString());
                assertEquals(Exits.INVALID_SECRET, bad.exit(), bad.out());

                assertTrue(cli("--node", addr, "unseal", "--data-dir", data.toString(), "--share-file", shareFiles.get(1).toString())
                        .out().contains("1 of 3"));
                assertTrue(cli("--node", addr, "unseal", "--data-dir", data.toString(), "--share-file", shareFiles.get(4).toString())
                        .out().contains("2 of 3"));
                Run third = cli("--node", addr, "unseal", "--data-dir", data.toString(), "--share-file", shareFiles.get(2).toString());
                assertTrue(third.out().contains("custody: unsealed"), third.out());
                assertEquals(CustodyState.UNSEALED, node.vault().state());
                byte[] sig = io.coffer.core.keys.Ecdsa.compact(node.vault().signer().sign(
                        AccountScheme.BIP84_TEST.accountPath(0).child(0).child(0), Hashes.sha256("x".getBytes())));
                assertEquals(64, sig.length, "the signer is available");

                Run sealed = cli("--node", addr, "seal", "--data-dir", data.toString());
                assertTrue(sealed.out().contains("custody: sealed"), sealed.out());
                assertEquals("SEALED", assertThrows(CustodyException.class, () -> node.vault().signer()).code());

                Run audit = cli("--node", addr, "audit", "--data-dir", data.toString());
                for (String action : List.of("ceremony.init", "unseal.share_accepted", "unseal.completed", "seal")) {
                    assertTrue(audit.out().contains(action), audit.out());
                }
            }
            try (CofferNode restarted = CofferNode.start(NodeConfiguration.load(config, Map.of()))) {
                assertEquals(CustodyState.SEALED, restarted.vault().state(), "a restart comes up sealed");
            }
            Run verify = cli("ceremony", "verify", "--data-dir", data.toString(), "--share-file", shareFiles.get(0).toString(),
                    "--share-file", shareFiles.get(3).toString(), "--share-file", shareFiles.get(4).toString());
            assertEquals(0, verify.exit(), verify.out());
            assertTrue(verify.out().contains("OK: these shares unseal this node."));

            assertNoSecretAnywhere(shareFiles, data, logs.toString() + transcript);
        } finally {
            root.removeHandler(capture);
            root.setLevel(before);
        }
    }

    /** The master secret, root key, a private key and the share words appear in no log, output or data file. */
    private static void assertNoSecretAnywhere(List<Path> shareFiles, Path data, String text) throws Exception {
        List<char[]> shares = new ArrayList<>();
        for (Path f : shareFiles.subList(0, 3)) {
            shares.add(Terminal.readSecretFile(f));
        }
        byte[] ms = Slip39.combine(shares, new char[0]);
        ExtendedKey root = ExtendedKey.fromSeed(ms);
        byte[] priv = root.derive(AccountScheme.BIP84_TEST.accountPath(0).child(0).child(0)).privateKey();
        List<String> needles = new ArrayList<>(List.of(HexFormat.of().formatHex(ms), root.serialize(KeyVersion.XPRV),
                root.serialize(KeyVersion.TPRV), HexFormat.of().formatHex(priv)));
        for (Path f : shareFiles) {
            String words = Terminal.readSecretFile(f).length > 0 ? new String(Terminal.readSecretFile(f)) : "";
            needles.add(String.join(" ", List.of(words.split(" ")).subList(4, 10)));
        }
        for (String n : needles) {
            assertFalse(text.contains(n), "a secret appears in the logs or CLI output");
        }
        List<byte[]> binary = List.of(ms, priv);
        try (Stream<Path> files = Files.walk(data)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                byte[] content = Files.readAllBytes(f);
                String asText = new String(content, StandardCharsets.ISO_8859_1);
                for (String n : needles) {
                    assertFalse(asText.contains(n), "secret text in " + f);
                }
                for (byte[] b : binary) {
                    assertFalse(asText.contains(new String(b, StandardCharsets.ISO_8859_1)), "secret bytes in " + f);
                }
            }
        }
        StringWriter sw = new StringWriter();
        new PrintWriter(sw).print(root);
        assertFalse(sw.toString().contains(HexFormat.of().formatHex(ms)));
    }
}
