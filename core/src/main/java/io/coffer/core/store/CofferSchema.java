package io.coffer.core.store;

import java.util.List;

/**
 * The schema this build of Coffer writes. Each capability adds its tables here (with their documented
 * layouts) and bumps {@link #VERSION} with a migration when it changes the meaning of existing data.
 *
 * <p>Version 1: the store's metadata only ({@code 0x00 | "schema-version" -> int32}).
 */
public final class CofferSchema {
    public static final int VERSION = 1;

    private CofferSchema() {
    }

    public static Schema current() {
        return Schema.of(VERSION, List.of());
    }
}
