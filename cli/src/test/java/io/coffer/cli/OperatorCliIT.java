package io.coffer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.api.CofferNode;
import io.coffer.api.NodeConfiguration;
import io.coffer.core.operator.Totp;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.Devnet;
import io.coffer.testkit.WithDevnet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An operator's life through the CLI: a key made on its machine (sealed, 0600), added with the break-glass token, its calls
 * signed, its second factor enrolled from the printed QR/URI and confirmed, then an operator added with its code; a wrong
 * passphrase and a missing code refused with clear errors.
 */
@WithDevnet
class OperatorCliIT {
    @TempDir
    Path dir;

    @Test
    void anOperatorMakesAKeyIsAddedEnrollsItsSecondFactorAndAddsAnother(BitcoindNode btc, AnvilNode anvil) throws Exception {
        Path config = dir.resolve("coffer.yaml");
        Files.writeString(config, Devnet.nodeYaml(dir.resolve("data"), btc.rpcUrl(), anvil.rpcUrl(), true)
                + "  operators:\n    quorum: 1\n");
        Path pass = Files.writeString(dir.resolve("alice.pass"), "alice's long passphrase\n");
        Path key = dir.resolve("alice.key");
        CliIT.Result keygen = CliIT.run("operator", "keygen", "--out", key.toString(), "--passphrase-file", pass.toString());
        assertEquals(0, keygen.exit(), keygen.err());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        String publicKey = keygen.out().lines().filter(l -> l.startsWith("public key ")).findFirst().orElseThrow().substring(11);
        assertFalse(Files.readString(key).contains(publicKey.substring(0, 8) + "\nsealed " + publicKey), "only the public half in clear");
        assertEquals(2, CliIT.run("operator", "keygen", "--out", key.toString(), "--passphrase-file", pass.toString()).exit(),
                "never overwritten");

        try (CofferNode node = CofferNode.start(NodeConfiguration.load(config, Map.of()))) {
            addr = "127.0.0.1:" + node.port();
            String data = dir.resolve("data").toString();
            CliIT.Result added = CliIT.run("--node", addr, "operator", "add", "alice", "--role", "admin", "--role", "auditor",
                    "--public-key", publicKey, "--data-dir", data);
            assertEquals(0, added.exit(), added.err());
            assertTrue(added.out().startsWith("added: alice admin,auditor totp no created "), added.out());
            String[] as = {"--operator", "alice", "--operator-key", key.toString(), "--operator-passphrase-file", pass.toString()};

            CliIT.Result list = CliIT.run(concat(as, "operator", "list"));
            assertEquals(0, list.exit(), list.err());
            assertTrue(list.out().contains("alice admin,auditor totp no") && list.out().contains("by breakglass"), list.out());
            CliIT.Result wrong = CliIT.run("--node", addr, "operator", "list", "--operator", "alice", "--operator-key", key.toString(),
                    "--operator-passphrase-file", Files.writeString(dir.resolve("wrong.pass"), "not alice's passphrase\n").toString());
            assertEquals(2, wrong.exit());
            assertTrue(wrong.err().contains("wrong passphrase"), wrong.err());

            CliIT.Result enroll = CliIT.run(concat(as, "operator", "totp", "enroll"));
            assertEquals(0, enroll.exit(), enroll.err());
            assertTrue(enroll.out().contains("\u2588"), "a QR code in the terminal");
            String uri = enroll.out().lines().filter(l -> l.startsWith("otpauth://totp/Coffer:alice?")).findFirst().orElseThrow();
            byte[] secret = Totp.Base32.decode(uri.replaceAll(".*[?&]secret=([A-Z2-7]+).*", "$1"));
            long step = Totp.step(Instant.now()); // this step and the next stay in the node's window whenever the call arrives
            CliIT.Result confirmed = CliIT.run(concat(as, "operator", "totp", "confirm", Totp.code(secret, step)));
            assertEquals(0, confirmed.exit(), confirmed.err());
            assertTrue(confirmed.out().contains("totp yes"), confirmed.out());

            CliIT.Result noCode = CliIT.run(concat(as, "operator", "add", "bob", "--role", "approver", "--public-key", "00".repeat(32)));
            assertEquals(Exits.UNAUTHENTICATED, noCode.exit());
            assertTrue(noCode.err().contains("TOTP code"), noCode.err());
            CliIT.Result bob = CliIT.run(concat(as, "operator", "add", "bob", "--role", "approver", "--public-key", "11".repeat(32),
                    "--totp", Totp.code(secret, step + 1)));
            assertEquals(0, bob.exit(), bob.err());
            assertTrue(bob.out().startsWith("added: bob approver totp no created ") && bob.out().contains(" by op:alice "), bob.out());
            CliIT.Result audit = CliIT.run("--node", addr, "audit", "--data-dir", data);
            assertTrue(audit.out().contains("op:alice") && audit.out().contains("operator.add") && audit.out().contains("breakglass"),
                    audit.out());
        }
    }

    /** {@code --node addr}, the command, then the operator's options (they belong to the command). */
    private String[] concat(String[] auth, String... command) {
        java.util.List<String> out = new java.util.ArrayList<>(java.util.List.of("--node", addr));
        out.addAll(java.util.List.of(command));
        out.addAll(java.util.List.of(auth));
        return out.toArray(String[]::new);
    }

    private String addr;
}
