package io.coffer.core.store;

/**
 * A range of one table's keys in encoded form: {@code start <= key < end} ({@code end == null} means
 * to the end of the table), scanned forwards or, after {@link #reversed()}, backwards (newest first
 * for sequence keys). Built by the {@link Table} methods.
 */
public record KeyRange(Table<?, ?> table, byte[] start, byte[] end, boolean reverse) {

    public KeyRange reversed() {
        return new KeyRange(table, start, end, !reverse);
    }

    /** Full store key where the range starts (inclusive). */
    byte[] storeStart() {
        return table.withPrefix(start);
    }

    /** Full store key where the range ends (exclusive). */
    byte[] storeEnd() {
        if (end != null) {
            return table.withPrefix(end);
        }
        // The end of the table is the first key of the next prefix; for table 0xFF, no bound.
        return table.id() == 255 ? null : new byte[] {(byte) (table.id() + 1)};
    }

    /**
     * The smallest byte string greater than every string starting with {@code prefix}, or
     * {@code null} when none exists (all 0xFF).
     */
    static byte[] successor(byte[] prefix) {
        byte[] s = prefix.clone();
        for (int i = s.length - 1; i >= 0; i--) {
            if (s[i] != (byte) 0xFF) {
                s[i]++;
                byte[] out = new byte[i + 1];
                System.arraycopy(s, 0, out, 0, i + 1);
                return out;
            }
        }
        return null;
    }
}
