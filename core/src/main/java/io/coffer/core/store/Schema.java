package io.coffer.core.store;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a build of Coffer expects in a data directory: the schema version it writes and every table it
 * uses. A data directory written with a newer version is refused (an older build would misread it);
 * an older one is upgraded by {@link Migration}s, one version step each, the new version written with a step's last part.
 */
public record Schema(int version, List<Table<?, ?>> tables, Map<Integer, Migration> upgradesFrom) {

    /**
     * Changes a store from version {@code v} to {@code v + 1} by adding to the given batch, which is committed in parts as it
     * fills (a long history's records are never all in memory; {@link Batch#commit()} writes the part so far, so that the
     * migration's later reads see it). The version is written with the last part: a crash in the middle leaves version
     * {@code v} and some of the parts, and the migration runs again from the start at the next open. So a migration must
     * leave the same records whether or not its earlier parts are there already: it writes records made from tables it does
     * not write (or from what it wrote itself in an earlier phase of the same run, committed before it reads it), never a sum
     * read from the store and added to.
     */
    @FunctionalInterface
    public interface Migration {
        void migrate(Store store, Batch batch);
    }

    public Schema {
        if (version < 1) {
            throw new IllegalArgumentException("schema version must be >= 1");
        }
        tables = List.copyOf(tables);
        upgradesFrom = Map.copyOf(upgradesFrom);
        Map<Integer, Table<?, ?>> byId = new HashMap<>();
        for (Table<?, ?> t : tables) {
            Table<?, ?> clash = byId.putIfAbsent(t.id(), t);
            if (clash != null) {
                throw new IllegalArgumentException("tables " + clash.name() + " and " + t.name()
                        + " share the key prefix 0x" + Integer.toHexString(t.id()));
            }
        }
        for (int v = 1; v < version; v++) {
            if (!upgradesFrom.containsKey(v)) {
                throw new IllegalArgumentException("schema " + version + " declares no migration from version " + v);
            }
        }
    }

    public static Schema of(int version, List<Table<?, ?>> tables) {
        return new Schema(version, tables, Map.of());
    }
}
