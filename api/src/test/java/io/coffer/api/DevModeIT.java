package io.coffer.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.core.custody.CustodyState;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.WithDevnet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dev mode on dev chains: the wallet is created and unsealed at start, every start. */
@WithDevnet
class DevModeIT {
    @TempDir
    Path dir;

    @Test
    void devModeCreatesAndAutoUnsealsTheWallet(BitcoindNode btc, AnvilNode anvil) throws Exception {
        Path file = dir.resolve("coffer.yaml");
        Files.writeString(file, NodeIT.yaml(dir.resolve("data"), btc.rpcUrl(), anvil.rpcUrl(), "").replace(
                "    data-dir: " + dir.resolve("data"), "    data-dir: " + dir.resolve("data") + "\n    dev-mode: true"));
        String fingerprint;
        try (CofferNode node = CofferNode.start(NodeConfiguration.load(file, Map.of()))) {
            assertEquals(CustodyState.UNSEALED, node.vault().state());
            fingerprint = node.vault().status().fingerprintHex();
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("data/dev-unseal.passphrase"))));
        assertTrue(Files.exists(dir.resolve("data/seed.enc")));
        try (CofferNode again = CofferNode.start(NodeConfiguration.load(file, Map.of()))) {
            assertEquals(CustodyState.UNSEALED, again.vault().state());
            assertEquals(fingerprint, again.vault().status().fingerprintHex(), "the same wallet, not a new one");
        }
    }
}
