package io.coffer.core.custody;

import io.coffer.core.audit.AuditLog;
import io.coffer.core.error.CofferException;
import io.coffer.core.keys.Bip39;
import io.coffer.core.keys.ExtendedKey;
import io.coffer.core.keys.KeyVersion;
import io.coffer.core.keys.Secrets;
import io.coffer.core.keys.Slip39;
import io.coffer.core.store.Batch;
import io.coffer.core.store.Store;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * The key ceremony: creating the master secret, splitting it among custodians, checking a set of shares,
 * and restoring a wallet into an empty data dir. It writes only public data to the store (fingerprint,
 * share metadata, account xpubs) plus, when asked, the passphrase-encrypted {@link SeedFile}.
 */
public final class Ceremony {
    /** Accounts (tenants) whose xpubs are derived up front, so that many tenants work while sealed. */
    public static final int ACCOUNTS = 32;

    private final Store store;
    private final Path dataDir;
    private final AuditLog audit;
    private final SecureRandom random;
    private final Clock clock;

    public Ceremony(Store store, Path dataDir, AuditLog audit, SecureRandom random, Clock clock) {
        this.store = store;
        this.dataDir = dataDir;
        this.audit = audit;
        this.random = random;
        this.clock = clock;
    }

    /**
     * What a ceremony produced. The shares are the caller's to hand out, one per custodian, and to wipe.
     *
     * @param shares            one mnemonic per custodian, in member order
     * @param masterFingerprint the BIP-32 master fingerprint, for everyone to write down next to their share
     */
    public record Result(List<char[]> shares, int masterFingerprint) {
        public String fingerprintHex() {
            return String.format("%08x", masterFingerprint);
        }
    }

    /** The options of a new split. */
    public record Split(int shareCount, int threshold, char[] slip39Passphrase, char[] seedFilePassphrase,
                        SeedFile.KdfParams kdf) {
        public Split {
            if (threshold < 1 || shareCount < threshold || shareCount > 16) {
                throw new IllegalArgumentException("shares: 1 <= threshold <= shares <= 16");
            }
            if (threshold == 1 && shareCount > 1) {
                throw new IllegalArgumentException("a threshold of 1 with several shares would let any one custodian sign;"
                        + " use --shares 1, or a threshold of 2 or more");
            }
        }
    }

    /** Creates a new 256-bit master secret and splits it. Refuses if the data dir already holds a wallet. */
    public Result init(Split split, String actor) {
        requireEmpty();
        byte[] ms = new byte[32];
        random.nextBytes(ms);
        try {
            return store(ms, split, actor, "ceremony.init");
        } finally {
            Secrets.wipe(ms);
        }
    }

    /**
     * Restores from existing SLIP-39 shares into an empty data dir. The same shares keep working: they
     * are not re-split, so nothing has to be handed out again.
     */
    public int recoverFromShares(List<char[]> shares, char[] slip39Passphrase, char[] seedFilePassphrase,
                                 SeedFile.KdfParams kdf, String actor) {
        requireEmpty();
        List<Slip39.Share> decoded = shares.stream().map(Slip39::decode).toList();
        byte[] ms = Slip39.combineShares(decoded, slip39Passphrase);
        try {
            Slip39.Share any = decoded.get(0);
            return writeKeyring(ms, any.identifier(), any.memberThreshold(), countOf(decoded), seedFilePassphrase, kdf, actor,
                    "ceremony.recover", Map.of("from", "slip39"));
        } finally {
            Secrets.wipe(ms);
            decoded.forEach(s -> Secrets.wipe(s.value()));
        }
    }

    private static int countOf(List<Slip39.Share> decoded) {
        // The share count is not encoded in a share; record the highest member number seen.
        return decoded.stream().mapToInt(s -> s.memberIndex() + 1).max().orElse(1);
    }

    /**
     * Migrates a BIP-39 wallet: its seed (mnemonic + optional BIP-39 passphrase) becomes the master secret,
     * split into new SLIP-39 shares (longer ones: the seed has 64 bytes). Addresses stay those of the BIP-39 wallet.
     */
    public Result recoverFromBip39(char[] mnemonic, char[] bip39Passphrase, Split split, String actor) {
        requireEmpty();
        byte[] seed = Bip39.toSeed(mnemonic, bip39Passphrase);
        try {
            return store(seed, split, actor, "ceremony.recover_bip39");
        } finally {
            Secrets.wipe(seed);
        }
    }

    /**
     * Whether {@code shares} recover this data dir's wallet. Returns the recovered fingerprint (never the
     * secret) so the operator can compare.
     */
    public int verify(List<char[]> shares, char[] slip39Passphrase, String actor) {
        CustodyTables.KeyringInfo k = store.get(CustodyTables.KEYRING, "keyring")
                .orElseThrow(() -> CustodyException.state("UNINITIALIZED", "no wallet in this data dir"));
        byte[] ms = Slip39.combine(shares, slip39Passphrase);
        int fp;
        try {
            ExtendedKey root = ExtendedKey.fromSeed(ms);
            fp = root.fingerprint();
            root.wipe();
        } finally {
            Secrets.wipe(ms);
        }
        audit.append(actor, "ceremony.verify", "", Map.of("match", Boolean.toString(fp == k.masterFingerprint()),
                "shares", Integer.toString(shares.size())));
        return fp;
    }

    /**
     * Sets up a watch-only node from account xpubs (account 0): zpub/xpub for mainnet Bitcoin, vpub/tpub
     * for test networks, xpub at m/44'/60'/0' for EVM chains. Any may be null; at least one is needed.
     */
    public void initWatchOnly(String bitcoinXpub, String evmXpub, String actor) {
        if (bitcoinXpub == null && evmXpub == null) {
            throw CofferException.invalid("bitcoin_xpub", "XPUB_MISSING", "a watch-only node needs at least one account xpub");
        }
        ExtendedKey.Parsed btc = bitcoinXpub == null ? null : parseAccount(bitcoinXpub, "bitcoin_xpub");
        ExtendedKey.Parsed evm = evmXpub == null ? null : parseAccount(evmXpub, "evm_xpub");
        requireEmpty();
        Batch b = store.batch();
        int accounts = 0;
        if (btc != null) {
            AccountScheme scheme = btc.version().isMainnet() ? AccountScheme.BIP84_MAIN : AccountScheme.BIP84_TEST;
            b.put(CustodyTables.ACCOUNT_KEYS, new CustodyTables.AccountKey(scheme, 0), btc.key().serialize(btc.version()));
            accounts++;
        }
        if (evm != null) {
            b.put(CustodyTables.ACCOUNT_KEYS, new CustodyTables.AccountKey(AccountScheme.EVM, 0), evm.key().serialize(evm.version()));
            accounts++;
        }
        b.put(CustodyTables.KEYRING, "keyring", new CustodyTables.KeyringInfo(true, 0, 0, 0, 0, false, clock.instant(), 1));
        audit.append(b, actor, "ceremony.watch_only", "", Map.of("bitcoin", Boolean.toString(bitcoinXpub != null),
                "evm", Boolean.toString(evmXpub != null)));
        b.commit();
    }

    private static ExtendedKey.Parsed parseAccount(String text, String field) {
        ExtendedKey.Parsed p;
        try {
            p = ExtendedKey.parse(text);
        } catch (IllegalArgumentException e) {
            throw CofferException.invalid(field, "XPUB_INVALID", e.getMessage());
        }
        if (p.key().isPrivate()) {
            p.key().wipe();
            throw CofferException.invalid(field, "XPUB_PRIVATE", "a private key was given; a watch-only node takes public keys only");
        }
        if (p.key().depth() != 3) {
            throw CofferException.invalid(field, "XPUB_NOT_ACCOUNT", "an account key (depth 3, e.g. m/84'/0'/0') is needed, this one has depth "
                    + p.key().depth());
        }
        return p;
    }

    private Result store(byte[] ms, Split split, String actor, String action) {
        List<List<char[]>> groups = Slip39.split(ms, split.slip39Passphrase(), 1,
                List.of(new Slip39.Group(split.threshold(), split.shareCount())), true, 1, random);
        List<char[]> shares = groups.get(0);
        int identifier = Slip39.decode(shares.get(0)).identifier();
        int fp = writeKeyring(ms, identifier, split.threshold(), split.shareCount(), split.seedFilePassphrase(), split.kdf(),
                actor, action, Map.of());
        return new Result(shares, fp);
    }

    private int writeKeyring(byte[] ms, int identifier, int threshold, int shareCount, char[] seedFilePassphrase,
                             SeedFile.KdfParams kdf, String actor, String action, Map<String, String> extra) {
        ExtendedKey root = ExtendedKey.fromSeed(ms);
        Signer s = new Signer(root);
        try {
            int fp = s.fingerprint();
            boolean seedFile = seedFilePassphrase != null && seedFilePassphrase.length > 0;
            if (seedFile) {
                SeedFile.write(dataDir.resolve(Vault.SEED_FILE), ms, fp, seedFilePassphrase, kdf, random);
            }
            Batch b = store.batch();
            for (AccountScheme scheme : AccountScheme.values()) {
                KeyVersion v = scheme == AccountScheme.BIP84_TEST ? KeyVersion.TPUB : KeyVersion.XPUB;
                for (int a = 0; a < ACCOUNTS; a++) {
                    b.put(CustodyTables.ACCOUNT_KEYS, new CustodyTables.AccountKey(scheme, a), s.accountXpub(scheme, a).serialize(v));
                }
            }
            b.put(CustodyTables.KEYRING, "keyring", new CustodyTables.KeyringInfo(false, fp, identifier, threshold, shareCount,
                    seedFile, clock.instant(), ACCOUNTS));
            Map<String, String> details = new java.util.LinkedHashMap<>(extra);
            details.put("fingerprint", String.format("%08x", fp));
            details.put("threshold", Integer.toString(threshold));
            details.put("shares", Integer.toString(shareCount));
            details.put("seed_file", Boolean.toString(seedFile));
            audit.append(b, actor, action, "", details);
            b.commit();
            return fp;
        } finally {
            s.close();
        }
    }

    /** The master fingerprint of the wallet in this data dir. */
    public int fingerprint() {
        return store.get(CustodyTables.KEYRING, "keyring")
                .orElseThrow(() -> CustodyException.state("UNINITIALIZED", "no wallet in this data dir"))
                .masterFingerprint();
    }

    private void requireEmpty() {
        if (store.get(CustodyTables.KEYRING, "keyring").isPresent()) {
            throw CustodyException.state("ALREADY_INITIALIZED", "this data dir already holds a wallet; a ceremony never replaces one");
        }
    }
}
