package io.coffer.core.custody;

import io.coffer.core.keys.DerivationPath;
import io.coffer.core.keys.Ecdsa;
import io.coffer.core.keys.ExtendedKey;
import io.coffer.core.keys.Secrets;

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

    /** Signs a 32-byte hash with the key at {@code path}. */
    public synchronized Ecdsa.Signature sign(DerivationPath path, byte[] hash32) {
        ensureOpen();
        requireChildPath(path);
        ExtendedKey k = root.derive(path);
        byte[] priv = k.privateKey();
        try {
            return Ecdsa.sign(priv, hash32);
        } finally {
            Secrets.wipe(priv);
            k.wipe();
        }
    }

    /** The public key at {@code path} (for checks against addresses before signing). */
    public synchronized byte[] publicKey(DerivationPath path) {
        ensureOpen();
        requireChildPath(path);
        ExtendedKey k = root.derive(path);
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
            root.wipe();
        }
    }
}
