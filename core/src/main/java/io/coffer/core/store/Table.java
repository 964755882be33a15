package io.coffer.core.store;

import java.util.Arrays;
import java.util.Objects;

/**
 * A typed table: every record's key is {@code [id byte] ++ keys.encode(key)}.
 *
 * <p>Declare tables as constants next to the code that owns them, with the layout documented, e.g.
 * <pre>{@code
 * // deposits: 0x10 | txid(32) | vout u32 -> Deposit
 * static final Table<DepositKey, Deposit> DEPOSITS = Table.of(0x10, "deposits", ..., ...);
 * }</pre>
 * A {@link Schema} lists every table so that two tables can never share a prefix.
 *
 * @param id        the one-byte key prefix, 1..255 (0 is the store's metadata)
 * @param name      a short name for logs and errors
 * @param layout    the documented key layout, {@code "key layout -> value"}
 * @param keptInMemory whether an engine may keep its records decoded in memory: see {@link #readOften()}
 */
public record Table<K, V>(int id, String name, String layout, KeyCodec<K> keys, Codec<V> values, boolean keptInMemory) {

    public Table {
        if (id < 1 || id > 255) {
            throw new IllegalArgumentException("table id must be 1..255 (0 is reserved): " + id);
        }
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(values, "values");
    }

    public static <K, V> Table<K, V> of(int id, String name, String layout, KeyCodec<K> keys, Codec<V> values) {
        return new Table<>(id, name, layout, keys, values, false);
    }

    /**
     * The same table, its records read by key on nearly every call and written seldom (API keys, tenants, a chain's cursor, the
     * kept balances): an engine that is the only writer of its data (the embedded one) may keep them decoded in memory, each
     * as fresh as a read, dropped when a batch writes the table. Only for a few thousand records of immutable values: they are
     * handed to every reader.
     */
    public Table<K, V> readOften() {
        return new Table<>(id, name, layout, keys, values, true);
    }

    /** The full store key of {@code key}. */
    byte[] storeKey(K key) {
        return withPrefix(keys.encode(key));
    }

    byte[] withPrefix(byte[] encodedKey) {
        byte[] out = new byte[encodedKey.length + 1];
        out[0] = (byte) id;
        System.arraycopy(encodedKey, 0, out, 1, encodedKey.length);
        return out;
    }

    K decodeKey(byte[] storeKey) {
        return keys.decode(Arrays.copyOfRange(storeKey, 1, storeKey.length));
    }

    /** Every record of the table, in key order. */
    public KeyRange all() {
        return new KeyRange(this, new byte[0], null, false);
    }

    /** Records with {@code from <= key < to}, in key order. */
    public KeyRange between(K from, K to) {
        return new KeyRange(this, keys.encode(from), keys.encode(to), false);
    }

    /** Records with {@code key >= from}, in key order. */
    public KeyRange from(K from) {
        return new KeyRange(this, keys.encode(from), null, false);
    }

    /**
     * Records whose encoded key starts with {@code prefix}, typically the leading components of a
     * composite key written with {@link KeyWriter} (e.g. every sequence of one tenant).
     */
    public KeyRange prefix(byte[] prefix) {
        return new KeyRange(this, prefix.clone(), KeyRange.successor(prefix), false);
    }

    @Override
    public String toString() {
        return name + "(0x" + Integer.toHexString(id) + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Table<?, ?> t && t.id == id && t.name.equals(name);
    }

    @Override
    public int hashCode() {
        return id;
    }
}
