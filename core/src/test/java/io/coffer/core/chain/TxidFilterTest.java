package io.coffer.core.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.HexFormat;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TxidFilterTest {
    /**
     * Every id added is reported (through many growths, added twice counted once); ids never added are reported absent but for
     * fingerprint collisions, which at 64 bits do not happen among a few hundred thousand.
     */
    @Test
    void everyIdAddedIsThereAndOthersAreNot() {
        Random random = new Random(7);
        TxidFilter filter = new TxidFilter();
        Set<String> added = new HashSet<>();
        byte[] txid = new byte[32];
        for (int i = 0; i < 200_000; i++) {
            random.nextBytes(txid);
            String id = HexFormat.of().formatHex(txid);
            filter.add(id);
            added.add(id);
            if (i % 3 == 0) {
                filter.add(id);
            }
        }
        assertEquals(added.size(), filter.size());
        for (String id : added) {
            assertTrue(filter.mightContain(id), id);
        }
        int falsePositives = 0;
        for (int i = 0; i < 200_000; i++) {
            random.nextBytes(txid);
            String id = HexFormat.of().formatHex(txid);
            if (!added.contains(id) && filter.mightContain(id)) {
                falsePositives++;
            }
        }
        assertEquals(0, falsePositives);
        assertTrue(!filter.mightContain("") && !filter.mightContain("0x" + "ab".repeat(32)), "other shapes of id: absent too");
    }
}
