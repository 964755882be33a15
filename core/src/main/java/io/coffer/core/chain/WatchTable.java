package io.coffer.core.chain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The watched addresses as compact binary keys, each with its place in the HD tree: an open-addressing table over primitive
 * arrays, the keys packed one after the other into one byte array. About 50 bytes an address (a P2WPKH script is 22) where a map
 * of address text to {@link AddressInfo} records took about 250 — what lets a million watched addresses fit a small heap.
 *
 * <p>Entries are only ever added (a watched address stays watched). Lookups share a read lock; adding takes the write lock.
 */
final class WatchTable {
    private static final int NONE = -1;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** Scheme ids, interned: an entry keeps the position of its own. */
    private final List<String> schemes = new ArrayList<>();
    /** Entry number + 1 at the slot a key's hash leads to, 0 where empty; a power of two long, at most half full. */
    private int[] slots = new int[1 << 10];
    private int[] hashes = new int[256];
    /** Where each entry's key starts in {@link #keys}; it ends where the next one starts (the last: at {@link #keyBytes}). */
    private int[] keyStart = new int[256];
    private byte[] keys = new byte[256 * 22];
    private int keyBytes;
    /** Account << 1 | change, per entry. */
    private int[] accountChange = new int[256];
    private int[] index = new int[256];
    private byte[] scheme = new byte[256];
    private int size;

    int size() {
        lock.readLock().lock();
        try {
            return size;
        } finally {
            lock.readLock().unlock();
        }
    }

    boolean contains(byte[] key) {
        lock.readLock().lock();
        try {
            return find(key, hash(key)) != NONE;
        } finally {
            lock.readLock().unlock();
        }
    }

    AddressInfo get(byte[] key) {
        lock.readLock().lock();
        try {
            int e = find(key, hash(key));
            return e == NONE ? null : new AddressInfo(schemes.get(scheme[e]), accountChange[e] >>> 1, accountChange[e] & 1, index[e]);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Adds {@code key} with {@code info}; a key already present keeps its first place (an address has one). */
    void put(byte[] key, AddressInfo info) {
        if (info.change() != 0 && info.change() != 1 || info.account() < 0) {
            throw new IllegalArgumentException("not a BIP-32 account's receive or change branch: " + info);
        }
        int h = hash(key);
        lock.writeLock().lock();
        try {
            if (find(key, h) != NONE) {
                return;
            }
            if (size == hashes.length) {
                int n = size + (size >> 1);
                hashes = Arrays.copyOf(hashes, n);
                keyStart = Arrays.copyOf(keyStart, n);
                accountChange = Arrays.copyOf(accountChange, n);
                index = Arrays.copyOf(index, n);
                scheme = Arrays.copyOf(scheme, n);
            }
            if (keyBytes + key.length > keys.length) {
                keys = Arrays.copyOf(keys, Math.max(keyBytes + key.length, keys.length + (keys.length >> 1)));
            }
            int s = schemes.indexOf(info.scheme());
            if (s < 0) {
                schemes.add(info.scheme());
                s = schemes.size() - 1;
            }
            int e = size++;
            System.arraycopy(key, 0, keys, keyBytes, key.length);
            keyStart[e] = keyBytes;
            keyBytes += key.length;
            hashes[e] = h;
            accountChange[e] = info.account() << 1 | info.change();
            index[e] = info.index();
            scheme[e] = (byte) s;
            if (size * 2 > slots.length) {
                int[] bigger = new int[slots.length * 2];
                for (int i = 0; i < size - 1; i++) {
                    place(bigger, i);
                }
                slots = bigger;
            }
            place(slots, e);
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void place(int[] table, int e) {
        int mask = table.length - 1;
        int i = hashes[e] & mask;
        while (table[i] != 0) {
            i = (i + 1) & mask;
        }
        table[i] = e + 1;
    }

    private int find(byte[] key, int h) {
        int mask = slots.length - 1;
        for (int i = h & mask; slots[i] != 0; i = (i + 1) & mask) {
            int e = slots[i] - 1;
            if (hashes[e] == h && sameKey(e, key)) {
                return e;
            }
        }
        return NONE;
    }

    private boolean sameKey(int e, byte[] key) {
        int from = keyStart[e];
        int to = e + 1 < size ? keyStart[e + 1] : keyBytes;
        return Arrays.equals(keys, from, to, key, 0, key.length);
    }

    /** FNV-1a over the key, then mixed: the keys are hashes themselves mostly, but a text key (the default) is not. */
    private static int hash(byte[] key) {
        int h = 0x811c9dc5;
        for (byte b : key) {
            h = (h ^ (b & 0xff)) * 0x01000193;
        }
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        return h ^ (h >>> 13);
    }
}
