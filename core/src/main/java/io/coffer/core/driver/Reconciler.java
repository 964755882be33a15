package io.coffer.core.driver;

import io.coffer.core.alert.Alert;
import io.coffer.core.alert.AlertKind;
import io.coffer.core.alert.AlertService;
import io.coffer.core.error.CofferException;
import io.coffer.core.error.ErrorKind;
import io.coffer.core.store.Codecs;
import io.coffer.core.store.Store;
import io.coffer.core.store.Table;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Continuous reconciliation: every N blocks a chain's follower processes, the ledger's view is compared with the chain's (the
 * wallet's coins and nonces spent by transactions the ledger did not make; an address's nonce ahead of the ledger's). Rows not
 * yet accepted become one RECONCILIATION alert with the exact rows (logged as a warning, counted in metrics); while it is open,
 * that chain's outgoing transfers are refused (CHAIN_PAUSED) when so configured. An operator's acknowledgement accepts its rows:
 * found again, they are not raised again.
 */
public final class Reconciler {
    private static final Logger LOG = Logger.getLogger(Reconciler.class.getName());

    // reconciled: 0x93 | chain|row string -> what was accepted (rows an operator acknowledged: not raised again)
    public static final Table<String, String> ACCEPTED = Table.of(0x93, "reconciled", "chain|row string -> the row's text when accepted",
            Codecs.stringKey(), Codecs.utf8());

    private final Store store;
    private final AlertService alerts;
    private final int everyBlocks;
    private final boolean pause;
    private final Map<String, Long> lastRunAt = new ConcurrentHashMap<>();

    /**
     * @param everyBlocks how many processed blocks between two comparisons of a chain
     * @param pause       whether an open reconciliation alert pauses the chain's outgoing transfers
     */
    public Reconciler(Store store, AlertService alerts, int everyBlocks, boolean pause) {
        this.store = store;
        this.alerts = alerts;
        this.everyBlocks = everyBlocks;
        this.pause = pause;
        alerts.onAck(AlertKind.RECONCILIATION, (alert, batch) -> alert.details().keySet().forEach(row ->
                batch.put(ACCEPTED, alert.subject() + "|" + row, alert.details().get(row))));
    }

    public static List<Table<?, ?>> tables() {
        return List.of(ACCEPTED);
    }

    /** Compares {@code m}'s chain when it has processed {@code everyBlocks} more blocks since the last comparison (the first: at once). */
    void afterRound(ChainModule m, long processedHeight) {
        Long last = lastRunAt.get(m.chain());
        if (last == null || processedHeight - last >= everyBlocks || processedHeight < last) {
            lastRunAt.put(m.chain(), processedHeight);
            run(m);
        }
    }

    /** Compares the chain now; the alert raised (or still open) for rows not accepted yet, if any. */
    public Optional<Alert> run(ChainModule m) {
        Map<String, String> rows = new TreeMap<>(m.withdrawals().mismatches());
        rows.keySet().removeIf(row -> store.get(ACCEPTED, m.chain() + "|" + row).isPresent());
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        String fingerprint = Integer.toHexString(String.join("\n", rows.keySet()).hashCode());
        long before = alerts.lastId();
        Alert a = alerts.raise(AlertKind.RECONCILIATION, m.chain(), fingerprint, rows.size() + " difference(s) between the ledger and chain "
                + m.chain() + (pause ? "; its outgoing transfers are paused until an operator acknowledges" : ""), rows);
        if (a.id() > before) { // a new finding (the same rows found again are the open alert, logged once)
            LOG.warning("chain " + m.chain() + ": reconciliation: " + a.summary() + " (alert " + a.id() + "): " + rows);
        }
        return Optional.of(a);
    }

    /** Accepts every row found now on {@code m}'s chain (the operator checked them: a release after a restore). */
    public void acceptCurrent(ChainModule m) {
        var b = store.batch();
        m.withdrawals().mismatches().forEach((row, text) -> b.put(ACCEPTED, m.chain() + "|" + row, text));
        b.commit();
    }

    /**
     * Refuses while {@code chain} has an open reconciliation alert (when pausing is configured).
     *
     * @throws CofferException FAILED_PRECONDITION CHAIN_PAUSED
     */
    public void requireOpen(String chain) {
        if (pause && alerts.anyOpen(AlertKind.RECONCILIATION, chain)) {
            throw new CofferException(ErrorKind.FAILED_PRECONDITION, "CHAIN_PAUSED", "asset", "outgoing transfers on " + chain
                    + " are paused: the ledger and the chain disagree (see 'coffer alerts list'); an operator's acknowledgement resumes them",
                    Map.of("chain", chain), null);
        }
    }
}
