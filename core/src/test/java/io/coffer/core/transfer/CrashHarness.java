package io.coffer.core.transfer;

import io.coffer.core.audit.AuditLog;
import io.coffer.core.custody.Ceremony;
import io.coffer.core.custody.SeedFile;
import io.coffer.core.custody.Vault;
import io.coffer.core.store.Store;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;

/**
 * What every chain's withdrawal crash harness (a wallet process the crash tests SIGKILL) shares: the wallet of its data dir,
 * made by the {@code setup} command and unsealed by passphrase, and crash points that stop the process dead at the one
 * named, printing {@code CRASHPOINT <point>} so the test knows when to kill it. Shared through core's test-jar.
 */
public final class CrashHarness {
    private static final char[] PASS = "harness passphrase".toCharArray();

    private CrashHarness() {
    }

    /** The vault of {@code dir}; {@code setup} makes a fresh 1-of-1 wallet there first (fast KDF parameters: a test). */
    public static Vault wallet(Store store, Path dir, String command) {
        AuditLog audit = new AuditLog(store, Clock.systemUTC());
        if (command.equals("setup")) {
            new Ceremony(store, dir, audit, new SecureRandom(), Clock.systemUTC())
                    .init(new Ceremony.Split(1, 1, new char[0], PASS, new SeedFile.KdfParams(10, 8, 1)), "harness");
        }
        return new Vault(store, dir, audit);
    }

    /** Unseals {@code vault} with the harness passphrase. */
    public static void unseal(Vault vault) {
        vault.unsealWithPassphrase(PASS, "harness");
    }

    /** Crash points that hang the process at {@code crashAt} (empty: never) after saying so on standard output. */
    public static WithdrawalLedger.CrashPoints stopAt(String crashAt) {
        return p -> {
            if (p.equals(crashAt)) {
                System.out.println("CRASHPOINT " + p);
                System.out.flush();
                try {
                    Thread.sleep(600_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }
}
