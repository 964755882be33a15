package io.coffer.core.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The compact watched set against a plain map of the same entries. */
class WatchTableTest {

    @Test
    void findsEveryKeyItWasGivenWithItsPlaceAndNoOther() {
        WatchTable table = new WatchTable();
        Map<String, AddressInfo> expected = new HashMap<>();
        Random rnd = new Random(7);
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < 60_000; i++) {
            byte[] key = new byte[new int[] {20, 22, 25, 34, 42}[i % 5]]; // EVM, P2WPKH, P2PKH, P2TR scripts, address text
            rnd.nextBytes(key);
            AddressInfo info = new AddressInfo(i % 3 == 0 ? "evm" : "bip84-test", rnd.nextInt(Integer.MAX_VALUE), i & 1,
                    i % 7 == 0 ? Integer.MAX_VALUE - i : i);
            table.put(key, info);
            keys.add(key);
            expected.put(HexFormat.of().formatHex(key), info);
        }
        assertEquals(expected.size(), table.size());
        for (byte[] key : keys) {
            assertTrue(table.contains(key));
            assertEquals(expected.get(HexFormat.of().formatHex(key)), table.get(key));
        }
        for (int i = 0; i < 60_000; i++) {
            byte[] other = keys.get(i).clone();
            other[other.length - 1] ^= 1;
            if (!expected.containsKey(HexFormat.of().formatHex(other))) {
                assertFalse(table.contains(other));
                assertNull(table.get(other));
            }
            assertFalse(table.contains(java.util.Arrays.copyOf(keys.get(i), keys.get(i).length - 1)), "a prefix is another key");
        }
    }

    @Test
    void aKeyAddedTwiceKeepsItsFirstPlaceAndOnlyBIP32BranchesAreTaken() {
        WatchTable table = new WatchTable();
        byte[] key = {0, 20, 1, 2, 3};
        table.put(key, new AddressInfo("bip84-test", 0, 0, 5));
        table.put(key.clone(), new AddressInfo("bip84-test", 0, 1, 9));
        assertEquals(1, table.size());
        assertEquals(new AddressInfo("bip84-test", 0, 0, 5), table.get(key));
        assertThrows(IllegalArgumentException.class, () -> table.put(new byte[] {1}, new AddressInfo("evm", 0, 2, 0)));
        assertThrows(IllegalArgumentException.class, () -> table.put(new byte[] {1}, new AddressInfo("evm", -1, 0, 0)));
        assertFalse(table.contains(new byte[] {1}), "a refused entry is not half added");
    }

    @Test
    void readersFindWhatWasAddedBeforeThemWhileTheTableGrows() throws Exception {
        WatchTable table = new WatchTable();
        int total = 200_000;
        AtomicInteger added = new AtomicInteger();
        Thread writer = new Thread(() -> {
            for (int i = 0; i < total; i++) {
                table.put(key(i), new AddressInfo("evm", 0, 0, i));
                added.set(i + 1);
            }
        });
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        Runnable reader = () -> {
            Random rnd = new Random();
            while (added.get() < total) {
                int n = added.get();
                if (n == 0) {
                    continue;
                }
                int i = rnd.nextInt(n);
                AddressInfo info = table.get(key(i));
                if (info == null || info.index() != i) {
                    failures.add(new AssertionError("entry " + i + " of " + n + " read as " + info));
                    return;
                }
            }
        };
        Thread r1 = new Thread(reader);
        Thread r2 = new Thread(reader);
        writer.start();
        r1.start();
        r2.start();
        writer.join();
        r1.join();
        r2.join();
        assertEquals(List.of(), failures);
        assertEquals(total, table.size());
    }

    private static byte[] key(int i) {
        byte[] k = new byte[22];
        k[1] = 20;
        k[2] = (byte) i;
        k[3] = (byte) (i >>> 8);
        k[4] = (byte) (i >>> 16);
        return k;
    }
}
