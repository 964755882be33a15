package io.coffer.core.custody;

/**
 * Where custody stands. Transitions (checked in {@link Vault}):
 * <pre>
 * UNINITIALIZED --ceremony init / recover--> SEALED
 * UNINITIALIZED --watch-only init---------> WATCH_ONLY
 * SEALED --threshold of shares, or passphrase--> UNSEALED
 * UNSEALED --seal / process stop----------> SEALED
 * </pre>
 * WATCH_ONLY is final: such a node never holds a secret.
 */
public enum CustodyState {
    /** No wallet in this data dir yet: run {@code coffer ceremony init} (or {@code recover}). */
    UNINITIALIZED,
    /** The wallet's public keys are loaded; addresses and deposits work; nothing can be signed. */
    SEALED,
    /** The signer is available. */
    UNSEALED,
    /** Configured with account xpubs only; it can never sign. */
    WATCH_ONLY;

    public boolean isFinal() {
        return this == WATCH_ONLY;
    }

    /** Whether {@code next} may follow this state. */
    public boolean canMoveTo(CustodyState next) {
        return switch (this) {
            case UNINITIALIZED -> next == SEALED || next == WATCH_ONLY;
            case SEALED -> next == UNSEALED;
            case UNSEALED -> next == SEALED;
            case WATCH_ONLY -> false;
        };
    }
}
