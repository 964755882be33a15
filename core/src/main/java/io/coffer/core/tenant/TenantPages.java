package io.coffer.core.tenant;

import io.coffer.core.store.Cursor;
import io.coffer.core.store.KeyRangePages;
import io.coffer.core.store.Store;
import io.coffer.core.store.Table;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Pages of a tenant's records, newest first, read from a {@code tenant | created millis | id} index by key range: a page
 * starts right below the key the previous page ended at (a cursor, not an offset), so records added meanwhile neither shift
 * nor repeat what a client pages through, and no list is ever read whole into memory.
 *
 * <p>A filter the index cannot answer (a status, an asset) is applied while scanning; each page scans at most
 * {@link #SCAN_LIMIT} index entries, so a page costs the same whatever the tenant's history holds. A page may therefore
 * hold fewer records than asked, even none, with a cursor to go on from — the API says so (keep paging until the token is
 * empty).
 */
public final class TenantPages {
    /** Index entries one page may scan for a filter before it answers with what it found and a cursor. */
    public static final int SCAN_LIMIT = 5_000;

    private TenantPages() {
    }

    /**
     * One page.
     *
     * @param next where the next page starts (exclusive), empty at the end of the range
     */
    public record Page<T>(List<T> items, Optional<TenantTables.TenantTime> next) {
    }

    /**
     * Up to {@code size} records of {@code tenant} created in {@code [from, to)}, newest first, below {@code after} when given
     * (a cursor from the previous page), loaded by id with {@code load} and kept when {@code keep} says so.
     */
    public static <T> Page<T> newestFirst(Store store, Table<TenantTables.TenantTime, String> index, String tenant, Instant from,
            Instant to, Optional<TenantTables.TenantTime> after, int size, Function<String, Optional<T>> load, Predicate<T> keep) {
        if (after.isPresent() && !after.get().tenant().equals(tenant)) {
            throw new IllegalArgumentException("a cursor of another tenant");
        }
        TenantTables.TenantTime low = new TenantTables.TenantTime(tenant, millis(from), "");
        TenantTables.TenantTime high = after.orElse(new TenantTables.TenantTime(tenant, millis(to), ""));
        KeyRangePages.Page<T, TenantTables.TenantTime> page = KeyRangePages.descending(store, index, low, high, size, SCAN_LIMIT,
                (key, empty) -> load.apply(key.id()).filter(keep));
        return new Page<>(page.items(), page.next());
    }

    /**
     * Every record of {@code tenant} created in {@code [from, to)}, oldest first, handed to {@code each} as the index is read
     * (a report streams them; nothing is collected).
     */
    public static <T> void oldestFirst(Store store, Table<TenantTables.TenantTime, String> index, String tenant, Instant from, Instant to,
            Function<String, Optional<T>> load, java.util.function.Consumer<T> each) {
        TenantTables.TenantTime low = new TenantTables.TenantTime(tenant, millis(from), "");
        TenantTables.TenantTime high = new TenantTables.TenantTime(tenant, millis(to), "");
        if (!TenantTables.sortsBefore(low, high)) {
            return;
        }
        try (Cursor<TenantTables.TenantTime, String> c = store.scan(index.between(low, high), index)) {
            while (c.hasNext()) {
                load.apply(c.next().getKey().id()).ifPresent(each);
            }
        }
    }

    /** Times in index keys are unsigned milliseconds: the open ends of a range ({@code Instant.MIN/MAX}) clamp to what can be stored. */
    public static long millis(Instant t) {
        if (!t.isAfter(Instant.EPOCH)) {
            return 0;
        }
        try {
            return t.toEpochMilli();
        } catch (ArithmeticException far) {
            return Long.MAX_VALUE;
        }
    }
}
