package io.coffer.core.alert;

/** What an alert is about. */
public enum AlertKind {
    /**
     * The ledger and the chain disagree (coins or nonces spent by transactions the ledger did not make, a nonce ahead of the
     * ledger's): outgoing transfers of that chain are paused until an operator acknowledges, when so configured.
     */
    RECONCILIATION,
    /** A transfer held for approval by an anomaly rule (new destination, look-alike address, unusual volume). */
    ANOMALY,
    /** Repeated failed authentications with one API key: the key is locked for a while. */
    AUTH_FAILURES;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
