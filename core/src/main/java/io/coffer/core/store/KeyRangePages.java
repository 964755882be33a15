package io.coffer.core.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * Pages read from an index by key range, top down: a page starts right below the key the previous one ended at (a cursor, not an
 * offset), so rows added meanwhile neither shift nor repeat what a client pages through, and nothing is read whole into memory.
 * Each page scans at most a bounded number of index keys, so its cost does not grow with the index: a filter that skips many
 * rows gives a short (even empty) page with a cursor to go on from. Tenant lists and account history both page this way.
 */
public final class KeyRangePages {
    private KeyRangePages() {
    }

    /**
     * One page.
     *
     * @param next where the next page starts (exclusive), empty at the end of the range
     */
    public record Page<T, K>(List<T> items, Optional<K> next) {
    }

    /**
     * Up to {@code size} items from the keys of {@code index} in {@code [low, high)}, highest key first, each turned into an item
     * by {@code load} from its key and value (empty: skipped, e.g. filtered out), scanning at most {@code scanLimit} keys.
     */
    public static <K, V, T> Page<T, K> descending(Store store, Table<K, V> index, K low, K high, int size, int scanLimit,
            BiFunction<K, V, Optional<T>> load) {
        List<T> items = new ArrayList<>();
        if (Arrays.compareUnsigned(index.keys().encode(low), index.keys().encode(high)) >= 0) {
            return new Page<>(items, Optional.empty());
        }
        int scanned = 0;
        try (Cursor<K, V> c = store.scan(index.between(low, high).reversed(), index)) {
            while (c.hasNext()) {
                var row = c.next();
                K key = row.getKey();
                scanned++;
                load.apply(key, row.getValue()).ifPresent(items::add);
                if (items.size() == size || scanned == scanLimit) {
                    return new Page<>(items, c.hasNext() ? Optional.of(key) : Optional.empty());
                }
            }
        }
        return new Page<>(items, Optional.empty());
    }
}
