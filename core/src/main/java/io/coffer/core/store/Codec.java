package io.coffer.core.store;

/**
 * Turns values into bytes and back. Value codecs need not preserve order; key codecs must (see
 * {@link KeyCodec}). Decoding bytes that the codec did not produce throws {@link StoreException}.
 */
public interface Codec<T> {
    byte[] encode(T value);

    T decode(byte[] bytes);
}
