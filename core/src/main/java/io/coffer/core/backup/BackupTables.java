package io.coffer.core.backup;

import io.coffer.core.store.Codecs;
import io.coffer.core.store.Table;
import java.util.List;

/** What the store records about backups taken and restored. */
public final class BackupTables {
    private BackupTables() {
    }

    /** The one key of {@link #RESTORED}. */
    public static final String RESTORE = "restore";

    // restored: 0x70 | "restore" -> RestoreMark (written by a restore; present: outgoing payments paused until released)
    public static final Table<String, String> RESTORED = Table.of(0x70, "restored",
            "\"restore\" -> backup-created-at ISO-8601 | restored-at ISO-8601 | released-at ISO-8601 or empty | released-by",
            Codecs.stringKey(), Codecs.utf8());

    public static List<Table<?, ?>> all() {
        return List.of(RESTORED);
    }
}
