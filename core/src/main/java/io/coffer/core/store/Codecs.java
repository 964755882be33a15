package io.coffer.core.store;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/** Stock codecs. Every key codec here is order-preserving (see {@link KeyWriter}). */
public final class Codecs {
    private Codecs() {
    }

    /** A whole key that is one string component. */
    public static KeyCodec<String> stringKey() {
        return new KeyCodec<>() {
            @Override
            public byte[] encode(String value) {
                return KeyWriter.key().string(value).build();
            }

            @Override
            public String decode(byte[] bytes) {
                KeyReader r = new KeyReader(bytes);
                String s = r.string();
                r.end();
                return s;
            }
        };
    }

    /** A whole key that is one non-negative long (heights, sequences). */
    public static KeyCodec<Long> u64Key() {
        return new KeyCodec<>() {
            @Override
            public byte[] encode(Long value) {
                return KeyWriter.key().u64(value).build();
            }

            @Override
            public Long decode(byte[] bytes) {
                KeyReader r = new KeyReader(bytes);
                long v = r.u64();
                r.end();
                return v;
            }
        };
    }

    /** Plain UTF-8 value. */
    public static Codec<String> utf8() {
        return new Codec<>() {
            @Override
            public byte[] encode(String value) {
                return value.getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public String decode(byte[] bytes) {
                return new String(bytes, StandardCharsets.UTF_8);
            }
        };
    }

    /** Raw bytes value (copied, so callers can wipe their arrays). */
    public static Codec<byte[]> bytes() {
        return new Codec<>() {
            @Override
            public byte[] encode(byte[] value) {
                return value.clone();
            }

            @Override
            public byte[] decode(byte[] bytes) {
                return bytes.clone();
            }
        };
    }

    /** A long value, 8 bytes big-endian. */
    public static Codec<Long> int64() {
        return new Codec<>() {
            @Override
            public byte[] encode(Long value) {
                return KeyWriter.key().i64(value).build();
            }

            @Override
            public Long decode(byte[] bytes) {
                if (bytes.length != 8) {
                    throw new StoreException("corrupt value: int64 needs 8 bytes, got " + bytes.length);
                }
                return new KeyReader(bytes).i64();
            }
        };
    }

    /**
     * An amount in base units. Stored as its two's-complement bytes; a negative amount is refused
     * here because no stored amount in Coffer may be negative (debits are separate records).
     */
    public static Codec<BigInteger> amount() {
        return new Codec<>() {
            @Override
            public byte[] encode(BigInteger value) {
                if (value.signum() < 0) {
                    throw new IllegalArgumentException("a stored amount must not be negative");
                }
                return value.toByteArray();
            }

            @Override
            public BigInteger decode(byte[] bytes) {
                if (bytes.length == 0) {
                    throw new StoreException("corrupt value: empty amount");
                }
                return new BigInteger(bytes);
            }
        };
    }
}
