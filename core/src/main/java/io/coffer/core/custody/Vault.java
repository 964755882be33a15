package io.coffer.core.custody;

import io.coffer.core.audit.AuditLog;
import io.coffer.core.error.ErrorKind;
import io.coffer.core.keys.ExtendedKey;
import io.coffer.core.keys.KeyVersion;
import io.coffer.core.keys.MnemonicException;
import io.coffer.core.keys.Secrets;
import io.coffer.core.keys.Slip39;
import io.coffer.core.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The node's custody state machine ({@link CustodyState}). It loads the public key ring at start (so
 * deposits are watched while sealed), collects unseal shares one at a time from different custodians,
 * and holds the {@link Signer} while unsealed. All transitions go through {@link #moveTo}.
 *
 * <p>Shares handed in are decoded and checked at once (a mistyped share is refused on its own, naming
 * the rule), then kept in memory until the threshold is reached; the combined secret must reproduce the
 * stored master fingerprint and every stored account xpub (so a tampered key ring, or a wrong SLIP-39
 * passphrase, is refused rather than silently giving another wallet). Shares and secrets are wiped as
 * soon as they are used, and on {@link #resetUnseal}.
 */
public final class Vault implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Vault.class.getName());
    public static final String SEED_FILE = "seed.enc";

    private final Store store;
    private final Path dataDir;
    private final AuditLog audit;
    private CustodyState state;
    private CustodyTables.KeyringInfo keyring;
    private PublicKeyRing publicKeys;
    private Signer signer;
    private final List<Slip39.Share> pending = new ArrayList<>();
    private char[] pendingPassphrase;

    /** Unseal progress and identity; never anything secret. */
    public record Status(CustodyState state, int threshold, int shareCount, int progress, int masterFingerprint) {
        public String fingerprintHex() {
            return String.format("%08x", masterFingerprint);
        }
    }

    public Vault(Store store, Path dataDir, AuditLog audit) {
        this.store = store;
        this.dataDir = dataDir;
        this.audit = audit;
        reload();
    }

    /** Re-reads the key ring from the store (after a ceremony wrote it). */
    public synchronized void reload() {
        Optional<CustodyTables.KeyringInfo> k = store.get(CustodyTables.KEYRING, "keyring");
        closeSigner();
        if (k.isEmpty()) {
            keyring = null;
            publicKeys = null;
            state = CustodyState.UNINITIALIZED;
            return;
        }
        keyring = k.get();
        publicKeys = loadPublicKeys(store);
        state = keyring.watchOnly() ? CustodyState.WATCH_ONLY : CustodyState.SEALED;
    }

    static PublicKeyRing loadPublicKeys(Store store) {
        Map<CustodyTables.AccountKey, ExtendedKey> accounts = new HashMap<>();
        for (var e : store.list(CustodyTables.ACCOUNT_KEYS, CustodyTables.ACCOUNT_KEYS.all(), Integer.MAX_VALUE)) {
            accounts.put(e.getKey(), ExtendedKey.parse(e.getValue()).key());
        }
        return new PublicKeyRing(accounts);
    }

    public synchronized CustodyState state() {
        return state;
    }

    public synchronized Status status() {
        if (keyring == null) {
            return new Status(state, 0, 0, 0, 0);
        }
        return new Status(state, keyring.threshold(), keyring.shareCount(), pending.size(), keyring.masterFingerprint());
    }

    /** The public key ring; available sealed, unsealed and watch-only. */
    public synchronized PublicKeyRing publicKeys() {
        if (publicKeys == null) {
            throw CustodyException.state("UNINITIALIZED", "no wallet in this data dir: run the key ceremony first");
        }
        return publicKeys;
    }

    /**
     * The signer.
     *
     * @throws CustodyException FAILED_PRECONDITION {@code SEALED}, {@code WATCH_ONLY} or {@code UNINITIALIZED}
     */
    public synchronized Signer signer() {
        return switch (state) {
            case UNSEALED -> signer;
            case SEALED -> throw CustodyException.state("SEALED", "the node is sealed: unseal it with a quorum of shares");
            case WATCH_ONLY -> throw CustodyException.state("WATCH_ONLY", "this node is watch-only: it holds no keys and cannot sign");
            case UNINITIALIZED -> throw CustodyException.state("UNINITIALIZED", "no wallet in this data dir: run the key ceremony first");
        };
    }

    /**
     * Hands in one SLIP-39 share. At the threshold the node unseals.
     *
     * @param passphrase the SLIP-39 passphrase (empty if none); must be the same for every share of one unseal
     * @throws MnemonicException INVALID_ARGUMENT when the share is malformed or from another ceremony
     * @throws CustodyException  FAILED_PRECONDITION when not sealed, or when the shares recover another wallet
     */
    public synchronized Status submitShare(char[] mnemonic, char[] passphrase, String actor) {
        requireSealed();
        Slip39.Share share = Slip39.decode(mnemonic);
        if (share.identifier() != keyring.slip39Identifier()) {
            Secrets.wipe(share.value());
            audit.append(actor, "unseal.share_rejected", "", Map.of("reason", "other ceremony"));
            throw new MnemonicException("SHARE_MISMATCH", "this share belongs to another ceremony (identifier differs)");
        }
        for (Slip39.Share p : pending) {
            if (p.groupIndex() == share.groupIndex() && p.memberIndex() == share.memberIndex()) {
                Secrets.wipe(share.value());
                throw new MnemonicException("SHARE_DUPLICATE", "share " + (share.memberIndex() + 1) + " was already given");
            }
            if (!p.sameSplitAs(share)) {
                Secrets.wipe(share.value());
                throw new MnemonicException("SHARE_MISMATCH", "this share does not match the shares already given");
            }
        }
        char[] pass = passphrase == null ? new char[0] : passphrase.clone();
        if (pendingPassphrase != null && !java.util.Arrays.equals(pendingPassphrase, pass)) {
            Secrets.wipe(share.value());
            Secrets.wipe(pass);
            throw new MnemonicException("PASSPHRASE_MISMATCH", "every share of one unseal needs the same passphrase; reset to start over");
        }
        Secrets.wipe(pendingPassphrase);
        pendingPassphrase = pass;
        pending.add(share);
        audit.append(actor, "unseal.share_accepted", "", Map.of("member", Integer.toString(share.memberIndex() + 1),
                "progress", pending.size() + "/" + keyring.threshold()));
        if (pending.size() < keyring.threshold()) {
            return status();
        }
        byte[] ms;
        try {
            ms = Slip39.combineShares(pending, pendingPassphrase);
        } catch (MnemonicException e) {
            if ("SHARES_INSUFFICIENT".equals(e.code())) {
                return status(); // multi-group splits may need more shares than the member threshold
            }
            clearPending();
            audit.append(actor, "unseal.failed", "", Map.of("reason", e.code()));
            throw e;
        }
        clearPending();
        unsealWith(ms, actor, "shares");
        return status();
    }

    /** Unseals with the passphrase of the seed file (single-operator or dev set-ups). */
    public synchronized Status unsealWithPassphrase(char[] passphrase, String actor) {
        requireSealed();
        if (!keyring.seedFile()) {
            throw CustodyException.state("NO_SEED_FILE", "this wallet has no passphrase-encrypted seed file; unseal with shares");
        }
        byte[] ms;
        try {
            ms = SeedFile.read(dataDir.resolve(SEED_FILE), passphrase);
        } catch (RuntimeException e) {
            audit.append(actor, "unseal.failed", "", Map.of("reason", e instanceof io.coffer.core.error.CofferException c ? c.code() : "error"));
            throw e;
        }
        unsealWith(ms, actor, "passphrase");
        return status();
    }

    private void unsealWith(byte[] ms, String actor, String method) {
        ExtendedKey root;
        try {
            root = ExtendedKey.fromSeed(ms);
        } finally {
            Secrets.wipe(ms);
        }
        Signer candidate = new Signer(root);
        try {
            if (candidate.fingerprint() != keyring.masterFingerprint()) {
                audit.append(actor, "unseal.failed", "", Map.of("reason", "fingerprint mismatch", "method", method));
                throw CustodyException.state("WRONG_WALLET", "the " + method + " recover another wallet (fingerprint "
                        + String.format("%08x", candidate.fingerprint()) + ", expected " + String.format("%08x", keyring.masterFingerprint())
                        + "): wrong passphrase, or shares of another wallet");
            }
            for (var e : store.list(CustodyTables.ACCOUNT_KEYS, CustodyTables.ACCOUNT_KEYS.all(), Integer.MAX_VALUE)) {
                KeyVersion v = ExtendedKey.parse(e.getValue()).version();
                String derived = candidate.accountXpub(e.getKey().scheme(), e.getKey().account()).serialize(v);
                if (!derived.equals(e.getValue())) {
                    audit.append(actor, "unseal.failed", "", Map.of("reason", "keyring tampered", "scheme", e.getKey().scheme().id(),
                            "account", Integer.toString(e.getKey().account())));
                    throw new CustodyException(ErrorKind.FAILED_PRECONDITION, "KEYRING_TAMPERED", "the stored xpub of account "
                            + e.getKey().account() + " (" + e.getKey().scheme().id() + ") does not derive from this wallet:"
                            + " the key ring was modified; refusing to unseal");
                }
            }
        } catch (RuntimeException e) {
            candidate.close();
            throw e;
        }
        signer = candidate;
        moveTo(CustodyState.UNSEALED);
        audit.append(actor, "unseal.completed", "", Map.of("method", method, "fingerprint", String.format("%08x", keyring.masterFingerprint())));
        LOG.info("custody: unsealed (" + method + ")");
    }

    /** Drops the shares given so far. */
    public synchronized Status resetUnseal(String actor) {
        clearPending();
        audit.append(actor, "unseal.reset", "", Map.of());
        return status();
    }

    /** Drops the signer and wipes the secret; deposits are still watched. */
    public synchronized Status seal(String actor) {
        if (state != CustodyState.UNSEALED) {
            throw CustodyException.state("NOT_UNSEALED", "the node is " + state.name().toLowerCase() + ", not unsealed");
        }
        closeSigner();
        moveTo(CustodyState.SEALED);
        audit.append(actor, "seal", "", Map.of());
        LOG.info("custody: sealed");
        return status();
    }

    private void requireSealed() {
        switch (state) {
            case SEALED -> { }
            case UNSEALED -> throw CustodyException.state("NOT_SEALED", "the node is already unsealed");
            case WATCH_ONLY -> throw CustodyException.state("WATCH_ONLY", "this node is watch-only: there is nothing to unseal");
            case UNINITIALIZED -> throw CustodyException.state("UNINITIALIZED", "no wallet in this data dir: run the key ceremony first");
        }
    }

    private void moveTo(CustodyState next) {
        if (!state.canMoveTo(next)) {
            throw new IllegalStateException("custody cannot move from " + state + " to " + next);
        }
        state = next;
    }

    private void clearPending() {
        pending.forEach(s -> Secrets.wipe(s.value()));
        pending.clear();
        Secrets.wipe(pendingPassphrase);
        pendingPassphrase = null;
    }

    private void closeSigner() {
        if (signer != null) {
            signer.close();
            signer = null;
        }
        clearPending();
    }

    /** True when a seed file exists in the data dir. */
    public boolean hasSeedFile() {
        return Files.exists(dataDir.resolve(SEED_FILE));
    }

    /** Seals (wiping the secret) when the node stops. */
    @Override
    public synchronized void close() {
        closeSigner();
        if (state == CustodyState.UNSEALED) {
            state = CustodyState.SEALED;
        }
    }

}
