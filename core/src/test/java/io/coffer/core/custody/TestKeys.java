package io.coffer.core.custody;

import io.coffer.core.audit.AuditLog;
import io.coffer.core.store.Store;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;

/**
 * A wallet for tests: a new 1-of-1 SLIP-39 ceremony over {@code store} with a fast seed-file KDF (scrypt N=2^10), so a test makes
 * one in milliseconds. Shared through core's test-jar by the chain modules' integration tests.
 */
public final class TestKeys {
    private final Vault vault;
    private final Ceremony.Result ceremony;

    private TestKeys(Vault vault, Ceremony.Result ceremony) {
        this.vault = vault;
        this.ceremony = ceremony;
    }

    /** A new wallet in {@code dir}, still sealed. */
    public static TestKeys sealed(Store store, Path dir) {
        AuditLog audit = new AuditLog(store, Clock.systemUTC());
        Ceremony.Result r = new Ceremony(store, dir, audit, new SecureRandom(), Clock.systemUTC())
                .init(new Ceremony.Split(1, 1, new char[0], null, new SeedFile.KdfParams(10, 8, 1)), "test");
        return new TestKeys(new Vault(store, dir, audit), r);
    }

    /** A new wallet in {@code dir}, unsealed: it can sign. */
    public static Vault unsealed(Store store, Path dir) {
        return sealed(store, dir).unseal();
    }

    /** Hands in the one share; returns the vault. */
    public Vault unseal() {
        vault.submitShare(ceremony.shares().get(0), new char[0], "test");
        return vault;
    }

    public Vault vault() {
        return vault;
    }
}
