package io.coffer.core.chain;

/**
 * The transaction ids of every deposit a follower has recorded, as 64-bit fingerprints in one open-addressing table: whether an
 * input of a block can spend one of the wallet's outputs is answered here for almost every input (a mainnet block has thousands,
 * nearly none of them the wallet's), and only a fingerprint present costs a store read. A fingerprint is never removed (deposits
 * are not deleted) and an id added for a batch that then fails is merely a false positive: "absent" is always true, "present"
 * means "read the store". About 16 bytes a deposit. Used by the follower's thread only.
 */
final class TxidFilter {
    private long[] slots = new long[1024];
    private int size;

    /** 64-bit FNV-1a over the id's characters, never 0 (0 marks an empty slot). */
    static long fingerprint(String txid) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < txid.length(); i++) {
            h ^= txid.charAt(i);
            h *= 0x100000001b3L;
        }
        return h == 0 ? 1 : h;
    }

    void add(String txid) {
        long f = fingerprint(txid);
        if ((size + 1) * 2 > slots.length) {
            grow();
        }
        if (insert(slots, f)) {
            size++;
        }
    }

    /** False: no deposit of this transaction was ever recorded here. True: perhaps one was. */
    boolean mightContain(String txid) {
        long f = fingerprint(txid);
        int mask = slots.length - 1;
        for (int i = mix(f) & mask; ; i = (i + 1) & mask) {
            long s = slots[i];
            if (s == 0) {
                return false;
            }
            if (s == f) {
                return true;
            }
        }
    }

    int size() {
        return size;
    }

    private static boolean insert(long[] table, long f) {
        int mask = table.length - 1;
        for (int i = mix(f) & mask; ; i = (i + 1) & mask) {
            if (table[i] == 0) {
                table[i] = f;
                return true;
            }
            if (table[i] == f) {
                return false;
            }
        }
    }

    private void grow() {
        long[] bigger = new long[slots.length * 2];
        for (long s : slots) {
            if (s != 0) {
                insert(bigger, s);
            }
        }
        slots = bigger;
    }

    private static int mix(long f) {
        return (int) ((f * 0x9E3779B97F4A7C15L) >>> 32); // the well-mixed high half
    }
}
