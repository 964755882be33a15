package io.coffer.core.store;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * Builds order-preserving, prefix-free composite keys.
 *
 * <ul>
 *   <li>{@link #u64(long)}: 8 bytes big-endian, for non-negative numbers (heights, sequences).</li>
 *   <li>{@link #i64(long)}: 8 bytes big-endian with the sign bit flipped, so negatives sort first.</li>
 *   <li>{@link #string(String)}: UTF-8 with {@code 0x00} escaped as {@code 0x00 0xFF} and a
 *       {@code 0x00 0x01} terminator, so "a" &lt; "a\0" &lt; "ab" and no string is a prefix of a longer
 *       component sequence.</li>
 *   <li>{@link #fixed(byte[])}: raw bytes for fixed-length fields (hashes); the caller guarantees the
 *       length is the same for every key of the table.</li>
 * </ul>
 */
public final class KeyWriter {
    private final ByteSink out = new ByteSink(48);

    public static KeyWriter key() {
        return new KeyWriter();
    }

    public KeyWriter u64(long value) {
        if (value < 0) {
            throw new IllegalArgumentException("u64 key component must not be negative: " + value);
        }
        return raw64(value);
    }

    public KeyWriter i64(long value) {
        return raw64(value ^ Long.MIN_VALUE);
    }

    /** Unsigned 32-bit component (account indexes, output indexes). */
    public KeyWriter u32(int value) {
        out.write(value >>> 24);
        out.write(value >>> 16);
        out.write(value >>> 8);
        out.write(value);
        return this;
    }

    private KeyWriter raw64(long v) {
        for (int shift = 56; shift >= 0; shift -= 8) {
            out.write((int) (v >>> shift));
        }
        return this;
    }

    public KeyWriter string(String value) {
        if (ascii(value)) { // ids, addresses, chain names: no encoding and no 0 to escape
            out.writeAscii(value);
            out.write(0x00);
            out.write(0x01);
            return this;
        }
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            out.write(b);
            if (b == 0) {
                out.write(0xFF);
            }
        }
        out.write(0x00);
        out.write(0x01);
        return this;
    }

    private static boolean ascii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0 || c >= 0x80) {
                return false;
            }
        }
        return true;
    }

    public KeyWriter fixed(byte[] bytes) {
        out.write(bytes, 0, bytes.length);
        return this;
    }

    /** A non-negative big integer as length-prefixed magnitude, ordered numerically. */
    public KeyWriter bigUnsigned(BigInteger value) {
        if (value.signum() < 0) {
            throw new IllegalArgumentException("bigUnsigned key component must not be negative");
        }
        byte[] mag = value.toByteArray();
        int start = mag.length > 1 && mag[0] == 0 ? 1 : 0;
        int len = mag.length - start;
        if (len > 255) {
            throw new IllegalArgumentException("bigUnsigned key component too large");
        }
        out.write(len);
        out.write(mag, start, len);
        return this;
    }

    public byte[] build() {
        return out.toByteArray();
    }
}
