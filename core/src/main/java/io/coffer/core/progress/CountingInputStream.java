package io.coffer.core.progress;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongConsumer;

/** Tells how many bytes have been read so far (to {@link Progress}), after every read. */
public final class CountingInputStream extends FilterInputStream {
    private final LongConsumer read;
    private long count;

    public CountingInputStream(InputStream in, LongConsumer read) {
        super(in);
        this.read = read;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            read.accept(++count);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            count += n;
            read.accept(count);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long s = super.skip(n);
        count += s;
        read.accept(count);
        return s;
    }
}
