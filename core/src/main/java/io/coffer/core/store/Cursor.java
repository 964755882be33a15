package io.coffer.core.store;

import java.util.Iterator;
import java.util.Map;

/**
 * An open range scan. It holds a native iterator and must be closed (try-with-resources). It reads a
 * consistent snapshot taken when the scan started: batches committed later are not seen.
 */
public interface Cursor<K, V> extends Iterator<Map.Entry<K, V>>, AutoCloseable {
    @Override
    void close();
}
