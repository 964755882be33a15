package io.coffer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The offline ceremony commands, run through the real command line (no node needed). */
class CeremonyCliTest {
    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = CofferCli.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    private static String fingerprint(String out) {
        Matcher m = Pattern.compile("wallet:? (?:fingerprint: )?([0-9a-f]{8})|[Ww]allet fingerprint: ([0-9a-f]{8})|wallet ([0-9a-f]{8})").matcher(out);
        assertTrue(m.find(), out);
        return m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
    }

    @Test
    void initThenRecoverFromSharesGivesTheSameWallet() {
        Result init = run("ceremony", "init", "--data-dir", dir.resolve("a").toString(), "--shares", "3", "--threshold", "2",
                "--out-dir", dir.resolve("shares").toString());
        assertEquals(0, init.exit(), init.err());
        String fp = fingerprint(init.out());
        Result recover = run("ceremony", "recover", "--data-dir", dir.resolve("b").toString(),
                "--share-file", dir.resolve("shares/share-3-of-3.txt").toString(),
                "--share-file", dir.resolve("shares/share-1-of-3.txt").toString());
        assertEquals(0, recover.exit(), recover.err());
        assertEquals(fp, fingerprint(recover.out()));
        // Shares of another wallet do not verify against this one.
        run("ceremony", "init", "--data-dir", dir.resolve("c").toString(), "--shares", "2", "--threshold", "2",
                "--out-dir", dir.resolve("other").toString());
        Result mismatch = run("ceremony", "verify", "--data-dir", dir.resolve("a").toString(),
                "--share-file", dir.resolve("other/share-1-of-2.txt").toString(), "--share-file", dir.resolve("other/share-2-of-2.txt").toString());
        assertEquals(Exits.INVALID_SECRET, mismatch.exit(), mismatch.out() + mismatch.err());
        assertTrue(mismatch.out().contains("MISMATCH"));
        Result mixed = run("ceremony", "verify", "--data-dir", dir.resolve("a").toString(),
                "--share-file", dir.resolve("other/share-1-of-2.txt").toString(), "--share-file", dir.resolve("shares/share-2-of-3.txt").toString());
        assertEquals(Exits.INVALID_SECRET, mixed.exit());
        assertTrue(mixed.err().contains("different splits"), mixed.err());
    }

    @Test
    void bip39MigrationAndWatchOnly() throws Exception {
        Files.writeString(dir.resolve("mnemonic.txt"),
                "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about\n");
        Result migrate = run("ceremony", "recover", "--data-dir", dir.resolve("m").toString(), "--bip39-file",
                dir.resolve("mnemonic.txt").toString(), "--shares", "3", "--threshold", "2", "--out-dir", dir.resolve("ms").toString());
        assertEquals(0, migrate.exit(), migrate.err());
        // The BIP-84 test wallet's master fingerprint is 73c5da0a.
        assertEquals("73c5da0a", fingerprint(migrate.out()));

        String zpub = "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs";
        Result wo = run("ceremony", "watch-only", "--data-dir", dir.resolve("w").toString(), "--bitcoin-xpub", zpub);
        assertEquals(0, wo.exit(), wo.err());
        Result twice = run("ceremony", "init", "--data-dir", dir.resolve("w").toString(), "--shares", "2", "--threshold", "2",
                "--out-dir", dir.resolve("x").toString());
        assertEquals(Exits.STATE, twice.exit());
        Result privateKey = run("ceremony", "watch-only", "--data-dir", dir.resolve("w2").toString(), "--bitcoin-xpub",
                "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi");
        assertEquals(Exits.INVALID_SECRET, privateKey.exit());
        assertFalse(privateKey.err().contains("xprv9s21"), "the key is not echoed");
    }

    @Test
    void usageErrorsAndNoTerminal() {
        assertEquals(Exits.USAGE, run("ceremony", "init", "--data-dir", dir.toString(), "--shares", "3").exit());
        assertEquals(Exits.USAGE, run("ceremony", "init", "--data-dir", dir.toString(), "--shares", "3", "--threshold", "1",
                "--out-dir", dir.resolve("s").toString()).exit(), "any single custodian could sign");
        assertEquals(Exits.USAGE, run("ceremony", "recover", "--data-dir", dir.toString()).exit());
        Result noTty = run("ceremony", "init", "--data-dir", dir.resolve("t").toString(), "--shares", "2", "--threshold", "2");
        assertEquals(Exits.USAGE, noTty.exit());
        assertTrue(noTty.err().contains("no interactive terminal"), noTty.err());
        // Nothing was created: the ceremony can run again properly.
        assertEquals(0, run("ceremony", "init", "--data-dir", dir.resolve("t").toString(), "--shares", "2", "--threshold", "2",
                "--out-dir", dir.resolve("t-shares").toString()).exit());
    }

    @Test
    void theCeremonyAddsTheFirstOperators() throws Exception {
        String alice = "ab".repeat(32);
        assertEquals(Exits.USAGE, run("ceremony", "init", "--data-dir", dir.resolve("o").toString(), "--shares", "1", "--threshold", "1",
                "--out-dir", dir.resolve("o-shares").toString(), "--operator", "alice=boss:" + alice).exit(), "an unknown role: nothing made");
        assertTrue(!java.nio.file.Files.exists(dir.resolve("o-shares")), "refused before any secret exists");
        Result init = run("ceremony", "init", "--data-dir", dir.resolve("o").toString(), "--shares", "1", "--threshold", "1",
                "--out-dir", dir.resolve("o-shares").toString(), "--operator", "alice=admin+custodian:" + alice,
                "--operator", "bob=auditor:" + "cd".repeat(32));
        assertEquals(0, init.exit(), init.err());
        assertTrue(init.out().contains("Operator alice added (admin, custodian).") && init.out().contains("Operator bob added (auditor)."),
                init.out());
        try (io.coffer.core.store.Store store = io.coffer.core.store.LevelDbStore.open(dir.resolve("o"), io.coffer.core.CofferSchema.current())) {
            var a = store.get(io.coffer.core.operator.OperatorTables.OPERATORS, "alice").orElseThrow();
            assertEquals(java.util.Set.of(io.coffer.core.operator.OperatorRole.ADMIN, io.coffer.core.operator.OperatorRole.CUSTODIAN), a.roles());
            assertEquals(alice, java.util.HexFormat.of().formatHex(a.publicKey()));
            assertEquals("ceremony", a.createdBy());
            assertTrue(new io.coffer.core.audit.AuditLog(store, java.time.Clock.systemUTC()).list(0, 100).stream()
                    .anyMatch(e -> e.action().equals("operator.add") && e.subject().equals("bob") && e.actor().equals("ceremony")));
        }
    }
}
