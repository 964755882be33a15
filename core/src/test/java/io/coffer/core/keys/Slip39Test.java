package io.coffer.core.keys;

import static io.coffer.core.keys.Vectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class Slip39Test {
    private static final char[] TREZOR = "TREZOR".toCharArray();

    /**
     * The official SLIP-0039 vectors (github.com/trezor/python-shamir-mnemonic vectors.json): every valid
     * set recovers its master secret and BIP-32 root key; every invalid one is refused.
     */
    @Test
    void officialVectors() {
        JsonNode vectors = Vectors.load("slip39-vectors.json");
        assertEquals(45, vectors.size());
        int valid = 0;
        int invalid = 0;
        for (JsonNode v : vectors) {
            String description = v.get(0).asText();
            List<char[]> mnemonics = new ArrayList<>();
            v.get(1).forEach(m -> mnemonics.add(m.asText().toCharArray()));
            String secret = v.get(2).asText();
            if (secret.isEmpty()) {
                try {
                    Slip39.combine(mnemonics, TREZOR);
                    fail("accepted: " + description);
                } catch (MnemonicException expected) {
                    assertFalse(expected.getMessage().contains(new String(mnemonics.get(0)).split(" ")[0] + " "),
                            "no words in the message: " + expected.getMessage());
                    invalid++;
                }
            } else {
                byte[] ms = Slip39.combine(mnemonics, TREZOR);
                assertEquals(secret, hex(ms), description);
                assertEquals(v.get(3).asText(), ExtendedKey.fromSeed(ms).serialize(KeyVersion.XPRV), description);
                // Decoding and re-encoding every share gives back its exact words.
                for (char[] m : mnemonics) {
                    assertEquals(new String(m), new String(Slip39.encode(Slip39.decode(m))), description);
                }
                valid++;
            }
        }
        assertEquals(45, valid + invalid);
    }

    @Test
    void anyKOfNRecoverAndKMinusOneDoNot() {
        SecureRandom r = new SecureRandom();
        byte[] ms = new byte[32];
        r.nextBytes(ms);
        List<char[]> shares = Slip39.split(ms, new char[0], 1, List.of(new Slip39.Group(3, 5)), true, 0, r).get(0);
        assertEquals(5, shares.size());
        assertEquals(33, Bip39.split(shares.get(0)).size(), "256-bit secrets give 33-word shares");
        for (int a = 0; a < 5; a++) {
            for (int b = a + 1; b < 5; b++) {
                for (int c = b + 1; c < 5; c++) {
                    assertArrayEquals(ms, Slip39.combine(List.of(shares.get(a), shares.get(b), shares.get(c)), new char[0]));
                }
                MnemonicException tooFew = assertThrows(MnemonicException.class,
                        () -> Slip39.combine(List.of(shares.get(0), shares.get(1)), new char[0]));
                assertEquals("SHARES_INSUFFICIENT", tooFew.code());
                assertEquals("not enough shares: 2 of the 3 shares needed", tooFew.getMessage(), "what a custodian can act on");
            }
        }
    }

    @Test
    void sharesOfTwoCeremoniesNeverCombine() {
        SecureRandom r = new SecureRandom();
        byte[] ms1 = new byte[16];
        byte[] ms2 = new byte[16];
        r.nextBytes(ms1);
        r.nextBytes(ms2);
        List<char[]> one = Slip39.split(ms1, new char[0], 1, List.of(new Slip39.Group(2, 3)), true, 0, r).get(0);
        List<char[]> two = Slip39.split(ms2, new char[0], 1, List.of(new Slip39.Group(2, 3)), true, 0, r).get(0);
        MnemonicException e = assertThrows(MnemonicException.class, () -> Slip39.combine(List.of(one.get(0), two.get(1)), new char[0]));
        assertEquals("SHARE_MISMATCH", e.code());
    }

    @Test
    void aWrongPassphraseGivesAnotherSecretNotAnError() {
        // SLIP-39 passphrases are plausible-deniability by design: every passphrase decrypts to something.
        SecureRandom r = new SecureRandom();
        byte[] ms = new byte[16];
        r.nextBytes(ms);
        List<char[]> s = Slip39.split(ms, "right".toCharArray(), 1, List.of(new Slip39.Group(2, 2)), true, 0, r).get(0);
        assertArrayEquals(ms, Slip39.combine(s, "right".toCharArray()));
        assertFalse(java.util.Arrays.equals(ms, Slip39.combine(s, "wrong".toCharArray())));
        assertEquals("PASSPHRASE_INVALID", assertThrows(MnemonicException.class,
                () -> Slip39.combine(s, "caf\u00e9".toCharArray())).code());
    }

    @Test
    void twoLevelSharing() {
        SecureRandom r = new SecureRandom();
        byte[] ms = new byte[32];
        r.nextBytes(ms);
        List<List<char[]>> groups = Slip39.split(ms, TREZOR, 2,
                List.of(new Slip39.Group(1, 1), new Slip39.Group(2, 3), new Slip39.Group(3, 5)), false, 1, r);
        assertArrayEquals(ms, Slip39.combine(List.of(groups.get(0).get(0), groups.get(2).get(4), groups.get(2).get(0),
                groups.get(2).get(2)), TREZOR));
        assertArrayEquals(ms, Slip39.combine(List.of(groups.get(1).get(1), groups.get(1).get(2), groups.get(0).get(0)), TREZOR));
        assertEquals("SHARES_INSUFFICIENT", assertThrows(MnemonicException.class,
                () -> Slip39.combine(List.of(groups.get(1).get(1), groups.get(2).get(2), groups.get(0).get(0)), TREZOR)).code());
    }

    @Test
    void splitRefusesUnsafeParameters() {
        SecureRandom r = new SecureRandom();
        byte[] ms = new byte[16];
        assertThrows(IllegalArgumentException.class, () -> Slip39.split(ms, new char[0], 1, List.of(new Slip39.Group(1, 3)), true, 0, r));
        assertThrows(IllegalArgumentException.class, () -> Slip39.split(ms, new char[0], 1, List.of(new Slip39.Group(4, 3)), true, 0, r));
        assertThrows(IllegalArgumentException.class, () -> Slip39.split(ms, new char[0], 1, List.of(new Slip39.Group(2, 17)), true, 0, r));
        assertThrows(IllegalArgumentException.class, () -> Slip39.split(new byte[15], new char[0], 1, List.of(new Slip39.Group(2, 3)), true, 0, r));
    }
}
