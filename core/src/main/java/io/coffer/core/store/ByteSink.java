package io.coffer.core.store;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * A growable byte array that keys and records are written into: {@link java.io.ByteArrayOutputStream} without its lock.
 * Every write of that class takes its monitor, and keys are written a byte at a time: in a profile of blocks of 300 payments
 * it was a fifth of the chain thread's sampled Java CPU, and writing and reading back a deposit's key (chain, txid, output)
 * took ~1.2 µs against ~0.1 µs this way. One of these never leaves the thread that made it.
 */
final class ByteSink extends OutputStream {
    private byte[] buf;
    private int count;

    ByteSink(int capacity) {
        buf = new byte[capacity];
    }

    private void room(int more) {
        if (count + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + more));
        }
    }

    @Override
    public void write(int b) {
        room(1);
        buf[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        room(len);
        System.arraycopy(b, off, buf, count, len);
        count += len;
    }

    /** Seven-bit characters, one byte each (the caller has checked they are all below 0x80 and none is 0). */
    void writeAscii(String s) {
        int n = s.length();
        room(n);
        for (int i = 0; i < n; i++) {
            buf[count++] = (byte) s.charAt(i);
        }
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, count);
    }
}
