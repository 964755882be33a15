package io.coffer.api;

import io.coffer.core.audit.AuditLog;
import io.coffer.core.custody.Ceremony;
import io.coffer.core.custody.CustodyState;
import io.coffer.core.custody.SeedFile;
import io.coffer.core.custody.Vault;
import io.coffer.core.keys.Secrets;
import io.coffer.core.store.Store;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.logging.Logger;

/**
 * Dev mode only (regtest/anvil, enforced by the config check): creates a wallet on first start and
 * unseals it at every start, with a loud warning. The unseal passphrase sits in clear in the data dir
 * ({@value #FILE}), which is exactly why this is refused on any real network.
 */
final class DevCustody {
    static final String FILE = "dev-unseal.passphrase";
    private static final Logger LOG = Logger.getLogger(DevCustody.class.getName());

    private DevCustody() {
    }

    static void prepare(Store store, Vault vault, AuditLog audit, SecureRandom random) {
        Path dir = store.directory();
        Path file = dir.resolve(FILE);
        if (vault.state() == CustodyState.UNINITIALIZED) {
            byte[] raw = new byte[24];
            random.nextBytes(raw);
            char[] passphrase = HexFormat.of().formatHex(raw).toCharArray();
            Secrets.wipe(raw);
            try {
                Files.writeString(Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
                        new String(passphrase), StandardCharsets.US_ASCII);
                Ceremony.Result r = new Ceremony(store, dir, audit, random, Clock.systemUTC())
                        .init(new Ceremony.Split(1, 1, new char[0], passphrase, SeedFile.DEFAULT_KDF), "node-dev-mode");
                r.shares().forEach(Secrets::wipe);
            } catch (IOException e) {
                throw new UncheckedIOException("dev mode: cannot write " + file, e);
            } finally {
                Secrets.wipe(passphrase);
            }
            vault.reload();
            LOG.warning("DEV MODE: created a new wallet in " + dir + " (fingerprint " + vault.status().fingerprintHex() + ")");
        }
        if (vault.state() == CustodyState.SEALED && Files.exists(file)) {
            char[] passphrase;
            try {
                passphrase = Files.readString(file, StandardCharsets.US_ASCII).trim().toCharArray();
            } catch (IOException e) {
                throw new UncheckedIOException("dev mode: cannot read " + file, e);
            }
            try {
                vault.unsealWithPassphrase(passphrase, "node-dev-mode");
            } finally {
                Secrets.wipe(passphrase);
            }
            LOG.warning("DEV MODE: wallet auto-unsealed with the passphrase stored in clear in " + file
                    + ". Never use dev mode with real funds.");
        }
    }
}
