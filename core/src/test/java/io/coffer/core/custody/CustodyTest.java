package io.coffer.core.custody;

import io.coffer.core.audit.AuditLog;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.core.CofferSchema;
import io.coffer.core.error.CofferException;
import io.coffer.core.keys.Bip39;
import io.coffer.core.keys.DerivationPath;
import io.coffer.core.keys.Ecdsa;
import io.coffer.core.keys.ExtendedKey;
import io.coffer.core.keys.Hashes;
import io.coffer.core.keys.KeyVersion;
import io.coffer.core.keys.MnemonicException;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CustodyTest {
    /** Cheap scrypt for tests; production files use {@link SeedFile#DEFAULT_KDF}. */
    static final SeedFile.KdfParams FAST = new SeedFile.KdfParams(10, 8, 1);
    private static final char[] NONE = new char[0];

    @TempDir
    Path dir;
    Store store;
    AuditLog audit;
    Ceremony ceremony;

    @BeforeEach
    void open() {
        store = LevelDbStore.open(dir, CofferSchema.current());
        audit = new AuditLog(store, Clock.systemUTC());
        ceremony = new Ceremony(store, dir, audit, new SecureRandom(), Clock.systemUTC());
    }

    @AfterEach
    void close() {
        store.close();
    }

    private Ceremony.Result init3of5(char[] seedPassphrase) {
        return ceremony.init(new Ceremony.Split(5, 3, NONE, seedPassphrase, FAST), "cli");
    }

    @Test
    void sealedStartQuorumUnsealSignSealAndRestartSealed() {
        Ceremony.Result r = init3of5(null);
        assertEquals(5, r.shares().size());
        Vault vault = new Vault(store, dir, audit);
        assertEquals(CustodyState.SEALED, vault.state());
        assertEquals(r.masterFingerprint(), vault.status().masterFingerprint());

        // Sealed: addresses work, signing does not.
        PublicKeyRing keys = vault.publicKeys();
        PublicKeyRing.DerivedKey deposit = keys.derive(AccountScheme.BIP84_TEST, 0, 0, 7);
        assertEquals("m/84'/1'/0'/0/7", deposit.path().toString());
        assertEquals("SEALED", assertThrows(CustodyException.class, vault::signer).code());

        assertEquals(1, vault.submitShare(r.shares().get(4), NONE, "custodian-e").progress());
        assertEquals(2, vault.submitShare(r.shares().get(1), NONE, "custodian-b").progress());
        assertEquals(CustodyState.SEALED, vault.state());
        Vault.Status done = vault.submitShare(r.shares().get(2), NONE, "custodian-c");
        assertEquals(CustodyState.UNSEALED, done.state());
        assertEquals(0, done.progress());

        Signer signer = vault.signer();
        byte[] hash = Hashes.sha256("payout".getBytes());
        Ecdsa.Signature sig = signer.sign(deposit.path(), hash);
        assertTrue(Ecdsa.verify(deposit.publicKey(), hash, sig.r(), sig.s()), "signed with the key behind the sealed-derived address");
        assertArrayEquals(deposit.publicKey(), signer.publicKey(deposit.path()));
        Ecdsa.Recoverable rec = signer.signRecoverable(deposit.path(), hash);
        assertEquals(sig, rec.signature(), "the same signature, with its recovery id");
        assertArrayEquals(deposit.publicKey(), Ecdsa.recover(hash, rec.r(), rec.s(), rec.recoveryId()).getEncoded(true),
                "the recovery id names the key");
        // Through the signer's cached branch keys, every index of both branches still signs with its own key.
        for (int change = 0; change < 2; change++) {
            for (int i = 0; i < 25; i++) {
                PublicKeyRing.DerivedKey k = keys.derive(AccountScheme.BIP84_TEST, 0, change, i);
                Ecdsa.Signature s = signer.sign(k.path(), hash);
                assertTrue(Ecdsa.verify(k.publicKey(), hash, s.r(), s.s()), k.path().toString());
            }
        }

        vault.seal("cli");
        assertEquals(CustodyState.SEALED, vault.state());
        assertTrue(signer.isClosed());
        assertThrows(IllegalStateException.class, () -> signer.sign(deposit.path(), hash));
        assertEquals("SEALED", assertThrows(CustodyException.class, vault::signer).code());

        // A restart (new vault over the same store) comes up sealed.
        assertEquals(CustodyState.SEALED, new Vault(store, dir, audit).state());
    }

    @Test
    void badSharesAreRefusedOneByOneWithoutLosingProgress() {
        Ceremony.Result r = init3of5(null);
        Vault vault = new Vault(store, dir, audit);
        vault.submitShare(r.shares().get(0), NONE, "a");

        // The last word changed to another word (a share whose checksum already ends in "academic", 1 in 1,024,
        // would otherwise come back unchanged and be accepted).
        String share = new String(r.shares().get(1));
        String last = share.substring(share.lastIndexOf(' ') + 1);
        char[] typo = share.replaceFirst("\\S+$", last.equals("academic") ? "acid" : "academic").toCharArray();
        MnemonicException bad = assertThrows(MnemonicException.class, () -> vault.submitShare(typo, NONE, "b"));
        assertTrue(bad.code().startsWith("SHARE_"), bad.code());
        assertEquals("SHARE_DUPLICATE", assertThrows(MnemonicException.class,
                () -> vault.submitShare(r.shares().get(0), NONE, "a")).code());

        // A share from another ceremony (another data dir) is refused as such.
        Path other = dir.resolve("other");
        try (Store s2 = LevelDbStore.open(other, CofferSchema.current())) {
            Ceremony.Result foreign = new Ceremony(s2, other, new AuditLog(s2, Clock.systemUTC()), new SecureRandom(), Clock.systemUTC())
                    .init(new Ceremony.Split(5, 3, NONE, null, FAST), "cli");
            assertEquals("SHARE_MISMATCH", assertThrows(MnemonicException.class,
                    () -> vault.submitShare(foreign.shares().get(1), NONE, "b")).code());
        }
        assertEquals(1, vault.status().progress(), "refused shares do not count and do not reset");
        vault.submitShare(r.shares().get(3), NONE, "b");
        assertEquals(CustodyState.UNSEALED, vault.submitShare(r.shares().get(2), NONE, "c").state());
        assertEquals("NOT_SEALED", assertThrows(CustodyException.class, () -> vault.submitShare(r.shares().get(4), NONE, "d")).code());
    }

    @Test
    void aWrongSlip39PassphraseIsAWrongWalletAndStartsOver() {
        Ceremony.Result r = ceremony.init(new Ceremony.Split(3, 2, "correct horse".toCharArray(), null, FAST), "cli");
        Vault vault = new Vault(store, dir, audit);
        vault.submitShare(r.shares().get(0), "wrong".toCharArray(), "a");
        CustodyException e = assertThrows(CustodyException.class, () -> vault.submitShare(r.shares().get(1), "wrong".toCharArray(), "b"));
        assertEquals("WRONG_WALLET", e.code());
        assertEquals(CustodyState.SEALED, vault.state());
        assertEquals(0, vault.status().progress());
        vault.submitShare(r.shares().get(2), "correct horse".toCharArray(), "a");
        assertEquals(CustodyState.UNSEALED, vault.submitShare(r.shares().get(1), "correct horse".toCharArray(), "b").state());
    }

    @Test
    void aTamperedKeyRingIsRefusedAtUnseal() {
        Ceremony.Result r = init3of5(null);
        // An attacker with write access swaps account 3's xpub for one of their own wallet.
        ExtendedKey attacker = ExtendedKey.fromSeed(new byte[32]).derive(AccountScheme.BIP84_TEST.accountPath(3)).neuter();
        store.batch().put(CustodyTables.ACCOUNT_KEYS, new CustodyTables.AccountKey(AccountScheme.BIP84_TEST, 3),
                attacker.serialize(KeyVersion.TPUB)).commit();
        Vault vault = new Vault(store, dir, audit);
        vault.submitShare(r.shares().get(0), NONE, "a");
        vault.submitShare(r.shares().get(1), NONE, "b");
        CustodyException e = assertThrows(CustodyException.class, () -> vault.submitShare(r.shares().get(2), NONE, "c"));
        assertEquals("KEYRING_TAMPERED", e.code());
        assertTrue(e.getMessage().contains("account 3"), e.getMessage());
        assertEquals(CustodyState.SEALED, vault.state());
    }

    @Test
    void seedFileUnsealAndItsFailureModes() throws Exception {
        Ceremony.Result r = init3of5("operator passphrase".toCharArray());
        Path file = dir.resolve(Vault.SEED_FILE);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(r.masterFingerprint(), SeedFile.fingerprint(file));

        Vault vault = new Vault(store, dir, audit);
        assertEquals("SEED_FILE_DECRYPT", assertThrows(CofferException.class,
                () -> vault.unsealWithPassphrase("guess".toCharArray(), "cli")).code());
        assertEquals(CustodyState.UNSEALED, vault.unsealWithPassphrase("operator passphrase".toCharArray(), "cli").state());
        vault.seal("cli");

        byte[] good = Files.readAllBytes(file);
        byte[] flipped = good.clone();
        flipped[flipped.length - 20] ^= 1;
        assertFileFails(file, flipped, "SEED_FILE_DECRYPT");
        byte[] kdfChanged = good.clone();
        kdfChanged[8] = 11; // log2 N, authenticated as associated data
        assertFileFails(file, kdfChanged, "SEED_FILE_DECRYPT");
        byte[] newer = good.clone();
        newer[6] = 2;
        assertFileFails(file, newer, "SEED_FILE_VERSION");
        assertFileFails(file, java.util.Arrays.copyOf(good, 40), "SEED_FILE_CORRUPT");
        assertFileFails(file, "not a seed".getBytes(), "SEED_FILE_CORRUPT");
        Files.write(file, good);

        CofferException exists = assertThrows(CofferException.class,
                () -> SeedFile.write(file, new byte[32], 1, "x".toCharArray(), FAST, new SecureRandom()));
        assertEquals("SEED_FILE_EXISTS", exists.code());
        assertArrayEquals(good, Files.readAllBytes(file), "never overwritten");
    }

    private void assertFileFails(Path file, byte[] content, String code) throws Exception {
        Files.write(file, content);
        CofferException e = assertThrows(CofferException.class, () -> SeedFile.read(file, "operator passphrase".toCharArray()));
        assertEquals(code, e.code(), e.getMessage());
        assertFalse(e.getMessage().contains("operator passphrase"));
    }

    @Test
    void watchOnlyDerivesButNeverSigns() {
        // The BIP-84 test wallet's account xpub (abandon ... about, m/84'/0'/0').
        ExtendedKey account = ExtendedKey.fromSeed(Bip39.toSeed(
                "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about".toCharArray(), NONE))
                .derive(DerivationPath.parse("m/84'/0'/0'")).neuter();
        ceremony.initWatchOnly(account.serialize(KeyVersion.ZPUB), null, "cli");
        Vault vault = new Vault(store, dir, audit);
        assertEquals(CustodyState.WATCH_ONLY, vault.state());
        assertEquals("0330d54fd0dd420a6e5f8d3624f5f3482cae350f79d5f0753bf5beef9c2d91af3c",
                HexFormat.of().formatHex(vault.publicKeys().derive(AccountScheme.BIP84_MAIN, 0, 0, 0).publicKey()));
        assertEquals("WATCH_ONLY", assertThrows(CustodyException.class, vault::signer).code());
        assertEquals("WATCH_ONLY", assertThrows(CustodyException.class,
                () -> vault.unsealWithPassphrase("x".toCharArray(), "cli")).code());
        CofferException nonsense = assertThrows(CofferException.class, () -> new Ceremony(store, dir, audit, new SecureRandom(),
                Clock.systemUTC()).initWatchOnly("nonsense", null, "cli"));
        assertEquals("bitcoin_xpub", nonsense.field());
    }

    @Test
    void watchOnlyRefusesPrivateOrNonAccountKeys() {
        ExtendedKey root = ExtendedKey.fromSeed(new byte[32]);
        CofferException priv = assertThrows(CofferException.class,
                () -> ceremony.initWatchOnly(root.derive(DerivationPath.parse("m/84'/0'/0'")).serialize(KeyVersion.ZPRV), null, "cli"));
        assertTrue(priv.getMessage().contains("private key"));
        CofferException depth = assertThrows(CofferException.class,
                () -> ceremony.initWatchOnly(root.neuter().serialize(KeyVersion.XPUB), null, "cli"));
        assertTrue(depth.getMessage().contains("depth 0"));
    }

    @Test
    void recoverFromSharesAndFromBip39() {
        Ceremony.Result r = init3of5(null);
        String xpub = store.get(CustodyTables.ACCOUNT_KEYS, new CustodyTables.AccountKey(AccountScheme.EVM, 5)).orElseThrow();
        assertEquals(r.masterFingerprint(), ceremony.verify(List.of(r.shares().get(0), r.shares().get(3), r.shares().get(4)), NONE, "cli"));
        assertEquals("ALREADY_INITIALIZED", assertThrows(CustodyException.class, () -> init3of5(null)).code());

        Path fresh = dir.resolve("restored");
        try (Store s2 = LevelDbStore.open(fresh, CofferSchema.current())) {
            AuditLog a2 = new AuditLog(s2, Clock.systemUTC());
            Ceremony c2 = new Ceremony(s2, fresh, a2, new SecureRandom(), Clock.systemUTC());
            int fp = c2.recoverFromShares(List.of(r.shares().get(1), r.shares().get(2), r.shares().get(4)), NONE, null, FAST, "cli");
            assertEquals(r.masterFingerprint(), fp);
            assertEquals(xpub, s2.get(CustodyTables.ACCOUNT_KEYS, new CustodyTables.AccountKey(AccountScheme.EVM, 5)).orElseThrow());
            // The old shares unseal the restored node.
            Vault v2 = new Vault(s2, fresh, a2);
            v2.submitShare(r.shares().get(0), NONE, "a");
            v2.submitShare(r.shares().get(1), NONE, "b");
            assertEquals(CustodyState.UNSEALED, v2.submitShare(r.shares().get(2), NONE, "c").state());
        }

        Path migrated = dir.resolve("migrated");
        try (Store s3 = LevelDbStore.open(migrated, CofferSchema.current())) {
            Ceremony c3 = new Ceremony(s3, migrated, new AuditLog(s3, Clock.systemUTC()), new SecureRandom(), Clock.systemUTC());
            Ceremony.Result m = c3.recoverFromBip39(
                    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about".toCharArray(), NONE,
                    new Ceremony.Split(3, 2, NONE, null, FAST), "cli");
            assertEquals(59, Bip39.split(m.shares().get(0)).size(), "a 64-byte BIP-39 seed gives 59-word shares");
            Vault v3 = new Vault(s3, migrated, new AuditLog(s3, Clock.systemUTC()));
            // The same first receive key as the BIP-39 wallet (BIP-84 vector).
            assertEquals("0330d54fd0dd420a6e5f8d3624f5f3482cae350f79d5f0753bf5beef9c2d91af3c",
                    HexFormat.of().formatHex(v3.publicKeys().derive(AccountScheme.BIP84_MAIN, 0, 0, 0).publicKey()));
        }
    }

    @Test
    void everyCustodyActionIsAuditedWithoutSecrets() {
        Ceremony.Result r = init3of5("pp".toCharArray());
        Vault vault = new Vault(store, dir, audit);
        vault.submitShare(r.shares().get(0), NONE, "alice");
        vault.resetUnseal("alice");
        vault.submitShare(r.shares().get(0), NONE, "alice");
        vault.submitShare(r.shares().get(1), NONE, "bob");
        vault.submitShare(r.shares().get(2), NONE, "carol");
        vault.seal("cli");
        List<AuditLog.Entry> log = audit.list(0, 100);
        List<String> actions = log.stream().map(AuditLog.Entry::action).toList();
        assertEquals(List.of("ceremony.init", "unseal.share_accepted", "unseal.reset", "unseal.share_accepted", "unseal.share_accepted",
                "unseal.share_accepted", "unseal.completed", "seal"), actions);
        assertEquals("carol", log.get(5).actor());
        for (int i = 0; i < log.size(); i++) {
            assertEquals(i + 1, log.get(i).sequence());
        }
        String all = log.toString();
        for (char[] share : r.shares()) {
            String firstWords = new String(share).substring(0, new String(share).indexOf(' ', 12));
            assertFalse(all.contains(firstWords), "no share words in the audit log");
        }
        assertEquals(2, audit.list(6, 100).size());
        assertNotEquals(0, r.masterFingerprint());
    }
}
