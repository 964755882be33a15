package io.coffer.core.store;

/**
 * A codec whose encoding sorts, as unsigned bytes, in the same order as the keys it encodes, so that
 * range scans in byte order are scans in key order. Composite keys are built with {@link KeyWriter}
 * and read back with {@link KeyReader}, whose components are prefix-free.
 */
public interface KeyCodec<T> extends Codec<T> {
}
