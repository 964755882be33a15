package io.coffer.core.backup;

import io.coffer.core.error.CofferException;
import io.coffer.core.error.ErrorKind;
import io.coffer.core.store.Store;
import java.util.Map;
import java.util.Optional;

/**
 * Whether this node may send: no while it runs on a restored ledger that no operator has released (see {@link RestoreMark}).
 * Read from the store at each check (one small read), so a release takes effect at once and survives restarts.
 */
public final class RestoreGate {
    private final Store store;

    public RestoreGate(Store store) {
        this.store = store;
    }

    /** The restore this data directory came from, if it did. */
    public Optional<RestoreMark> mark() {
        return store.get(BackupTables.RESTORED, BackupTables.RESTORE).map(RestoreMark::parse);
    }

    public boolean paused() {
        return mark().map(RestoreMark::paused).orElse(false);
    }

    /** @throws CofferException FAILED_PRECONDITION {@code RESTORED_NOT_RELEASED} while outgoing payments are paused */
    public void requireOpen() {
        Optional<RestoreMark> m = mark();
        if (m.isPresent() && m.get().paused()) {
            throw new CofferException(ErrorKind.FAILED_PRECONDITION, "RESTORED_NOT_RELEASED", null,
                    "this node runs on a ledger restored from a backup of " + m.get().backupCreatedAt() + ": it sends nothing until an "
                            + "operator has checked the chain for transfers made after the backup and released it (coffer restore release)",
                    Map.of("backup_created_at", m.get().backupCreatedAt().toString()), null);
        }
    }
}
