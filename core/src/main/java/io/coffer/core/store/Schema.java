package io.coffer.core.store;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a build of Coffer expects in a data directory: the schema version it writes and every table it
 * uses. A data directory written with a newer version is refused (an older build would misread it);
 * an older one is upgraded by {@link Migration}s, one version step each, each in one batch.
 */
public record Schema(int version, List<Table<?, ?>> tables, Map<Integer, Migration> upgradesFrom) {

    /** Changes a store from version {@code v} to {@code v + 1} by adding to the given batch. */
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
