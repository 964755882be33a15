package io.coffer.core.store;

import java.io.InputStream;

/**
 * Reads a byte array: {@link java.io.ByteArrayInputStream} without its lock (each of its reads takes its monitor, and a record
 * is decoded a field at a time). One of these never leaves the thread that made it.
 */
final class ByteSource extends InputStream {
    private final byte[] buf;
    private int pos;

    ByteSource(byte[] buf) {
        this.buf = buf;
    }

    @Override
    public int read() {
        return pos < buf.length ? buf[pos++] & 0xFF : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (pos >= buf.length) {
            return -1;
        }
        int n = Math.min(len, buf.length - pos);
        System.arraycopy(buf, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public long skip(long n) {
        long k = Math.max(0, Math.min(n, buf.length - pos));
        pos += (int) k;
        return k;
    }

    @Override
    public int available() {
        return buf.length - pos;
    }
}
