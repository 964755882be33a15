package io.coffer.core.store;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A value codec for records written field by field with {@link DataOutputStream}: compact, versionable
 * (write a version byte first), and readable without reflection.
 */
public final class RecordCodec<T> implements Codec<T> {
    /** Writes one value's fields. */
    @FunctionalInterface
    public interface Writer<T> {
        void write(T value, DataOutputStream out) throws IOException;
    }

    /** Reads one value's fields in the order they were written. */
    @FunctionalInterface
    public interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private final Writer<T> writer;
    private final Reader<T> reader;

    private RecordCodec(Writer<T> writer, Reader<T> reader) {
        this.writer = writer;
        this.reader = reader;
    }

    public static <T> RecordCodec<T> of(Writer<T> writer, Reader<T> reader) {
        return new RecordCodec<>(writer, reader);
    }

    @Override
    public byte[] encode(T value) {
        ByteSink bytes = new ByteSink(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writer.write(value, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    @Override
    public T decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteSource(bytes))) {
            T v = reader.read(in);
            if (in.available() > 0) {
                throw new StoreException("corrupt value: " + in.available() + " trailing bytes");
            }
            return v;
        } catch (IOException e) {
            throw new StoreException("corrupt value: " + e.getMessage(), e);
        }
    }

}
