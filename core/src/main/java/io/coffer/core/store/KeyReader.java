package io.coffer.core.store;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Reads back the components written by {@link KeyWriter}, in the same order. */
public final class KeyReader {
    private final byte[] bytes;
    private int pos;

    public KeyReader(byte[] bytes) {
        this.bytes = bytes;
    }

    public long u64() {
        long v = raw64();
        if (v < 0) {
            throw new StoreException("corrupt key: u64 component out of range");
        }
        return v;
    }

    public long i64() {
        return raw64() ^ Long.MIN_VALUE;
    }

    public int u32() {
        need(4);
        int v = ((bytes[pos] & 0xFF) << 24) | ((bytes[pos + 1] & 0xFF) << 16)
                | ((bytes[pos + 2] & 0xFF) << 8) | (bytes[pos + 3] & 0xFF);
        pos += 4;
        return v;
    }

    private long raw64() {
        need(8);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (bytes[pos++] & 0xFFL);
        }
        return v;
    }

    public String string() {
        // Most strings hold no 0 byte (so no escape): up to the terminator in one piece.
        int end = pos;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        if (end + 1 < bytes.length && bytes[end + 1] == 0x01) {
            String v = new String(bytes, pos, end - pos, StandardCharsets.UTF_8);
            pos = end + 2;
            return v;
        }
        ByteSink out = new ByteSink(64);
        while (true) {
            need(1);
            byte b = bytes[pos++];
            if (b != 0) {
                out.write(b);
                continue;
            }
            need(1);
            byte next = bytes[pos++];
            if (next == 0x01) {
                return new String(out.toByteArray(), StandardCharsets.UTF_8);
            }
            if (next != (byte) 0xFF) {
                throw new StoreException("corrupt key: bad escape in string component");
            }
            out.write(0);
        }
    }

    public byte[] fixed(int length) {
        need(length);
        byte[] v = Arrays.copyOfRange(bytes, pos, pos + length);
        pos += length;
        return v;
    }

    public BigInteger bigUnsigned() {
        need(1);
        int len = bytes[pos++] & 0xFF;
        return new BigInteger(1, fixed(len));
    }

    public boolean atEnd() {
        return pos == bytes.length;
    }

    /** Throws when bytes remain: a key must be read whole, or the codec and the data disagree. */
    public void end() {
        if (!atEnd()) {
            throw new StoreException("corrupt key: " + (bytes.length - pos) + " trailing bytes");
        }
    }

    private void need(int n) {
        if (pos + n > bytes.length) {
            throw new StoreException("corrupt key: truncated component");
        }
    }
}
