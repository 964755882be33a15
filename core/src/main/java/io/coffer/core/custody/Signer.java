package io.coffer.core.custody;

import io.coffer.core.keys.DerivationPath;
import io.coffer.core.keys.Ecdsa;
import io.coffer.core.keys.ExtendedKey;
import io.coffer.core.keys.Secrets;
import java.util.List;

/**
 * Signs with keys derived from the master secret, on demand. It exists only while the node is unsealed;
 * {@link #close()} (on seal) wipes the root key. Private keys never leave this class: callers get
 * signatures and public keys.
 */
public final class Signer implements AutoCloseable {
    private final ExtendedKey root;
    private volatile boolean closed;

    Signer(ExtendedKey root) {
        if (!root.isPrivate()) {
            throw new IllegalArgumentException("a signer needs the private root key");
        }
        this.root = root;
    }

    /**
     * The parent keys of the paths signed with (an account's receive or change branch, m/84'/1'/0'/0 say), kept while the
     * signer is open and wiped with it: signing an input then derives one level, not five from the root (each level a point
     * multiplication). They add no exposure: the root they derive from is held here anyway.
     */
    private final java.util.Map<DerivationPath, ExtendedKey> branches = new java.util.HashMap<>();
    private static final int MAX_BRANCHES = 1024;

    /** Signs a 32-byte hash with the key at {@code path} (Bitcoin's kind of signature: no recovery id). */
    public synchronized Ecdsa.Signature sign(DerivationPath path, byte[] hash32) {
        return withKey(path, priv -> Ecdsa.sign(priv, hash32));
    }

    /** Signs as {@link #sign} does, with the recovery id an Ethereum transaction carries. */
    public synchronized Ecdsa.Recoverable signRecoverable(DerivationPath path, byte[] hash32) {
        return withKey(path, priv -> Ecdsa.signRecoverable(priv, hash32));
    }

    private <T> T withKey(DerivationPath path, java.util.function.Function<byte[], T> use) {
        ensureOpen();
        requireChildPath(path);
        ExtendedKey k = derive(path);
        byte[] priv = k.privateKey();
        try {
            return use.apply(priv);
        } finally {
            Secrets.wipe(priv);
            k.wipe();
        }
    }

    /** The public key at {@code path} (for checks against addresses before signing). */
    public synchronized byte[] publicKey(DerivationPath path) {
        ensureOpen();
        requireChildPath(path);
        ExtendedKey k = derive(path);
        try {
            return k.publicKey();
        } finally {
            k.wipe();
        }
    }

    /** The master key fingerprint. */
    public int fingerprint() {
        ensureOpen();
        return root.fingerprint();
    }

    ExtendedKey accountXpub(AccountScheme scheme, int account) {
        ensureOpen();
        ExtendedKey k = root.derive(scheme.accountPath(account));
        try {
            return k.neuter();
        } finally {
            k.wipe();
        }
    }

    private ExtendedKey derive(DerivationPath path) {
        List<Integer> steps = path.steps();
        if (steps.size() < 2) {
            return root.derive(path);
        }
        DerivationPath parent = new DerivationPath(steps.subList(0, steps.size() - 1));
        ExtendedKey branch = branches.get(parent);
        if (branch == null) {
            branch = root.derive(parent);
            if (branches.size() >= MAX_BRANCHES) {
                ExtendedKey k = branch.child(steps.get(steps.size() - 1));
                branch.wipe();
                return k;
            }
            branches.put(parent, branch);
        }
        return branch.child(steps.get(steps.size() - 1));
    }

    /** The master key itself is never used to sign (and deriving "m" would hand out the root to be wiped). */
    private static void requireChildPath(DerivationPath path) {
        if (path.steps().isEmpty()) {
            throw new IllegalArgumentException("refusing to use the master key itself");
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the signer was closed (node sealed)");
        }
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            branches.values().forEach(ExtendedKey::wipe);
            branches.clear();
            root.wipe();
        }
    }
}
