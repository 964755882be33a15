package io.coffer.core.keys;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.generators.PKCS5S2ParametersGenerator;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * BIP-39 mnemonics (English word list). Coffer creates 24-word mnemonics (256 bits of entropy) and
 * reads any valid length (12 to 24 words) for migration.
 */
public final class Bip39 {
    private static final Wordlist WORDS = Wordlist.load("bip39-english.txt", 2048);

    private Bip39() {
    }

    /** A new 24-word mnemonic from {@code random}. The returned array is the caller's to wipe. */
    public static char[] generate(SecureRandom random) {
        byte[] entropy = new byte[32];
        random.nextBytes(entropy);
        try {
            return fromEntropy(entropy);
        } finally {
            Secrets.wipe(entropy);
        }
    }

    /** The mnemonic of {@code entropy} (16, 20, 24, 28 or 32 bytes). */
    public static char[] fromEntropy(byte[] entropy) {
        int bits = entropy.length * 8;
        if (bits < 128 || bits > 256 || bits % 32 != 0) {
            throw new IllegalArgumentException("BIP-39 entropy has 128 to 256 bits in steps of 32");
        }
        byte[] hash = Hashes.sha256(entropy);
        int checksumBits = bits / 32;
        int words = (bits + checksumBits) / 11;
        StringBuilder out = new StringBuilder();
        for (int w = 0; w < words; w++) {
            int idx = 0;
            for (int b = 0; b < 11; b++) {
                int bit = w * 11 + b;
                int v = bit < bits ? bitAt(entropy, bit) : bitAt(hash, bit - bits);
                idx = (idx << 1) | v;
            }
            if (w > 0) {
                out.append(' ');
            }
            out.append(WORDS.word(idx));
        }
        char[] chars = new char[out.length()];
        out.getChars(0, out.length(), chars, 0);
        out.setLength(0);
        return chars;
    }

    /**
     * The entropy of a mnemonic, after checking its words and checksum.
     *
     * @throws MnemonicException {@code MNEMONIC_LENGTH}, {@code MNEMONIC_UNKNOWN_WORD} (with its position),
     *                           or {@code MNEMONIC_CHECKSUM}
     */
    public static byte[] toEntropy(char[] mnemonic) {
        List<String> words = split(mnemonic);
        int n = words.size();
        if (n < 12 || n > 24 || n % 3 != 0) {
            throw new MnemonicException("MNEMONIC_LENGTH", "a BIP-39 mnemonic has 12, 15, 18, 21 or 24 words, this one has " + n);
        }
        int totalBits = n * 11;
        int checksumBits = totalBits / 33;
        int entropyBits = totalBits - checksumBits;
        byte[] all = new byte[(totalBits + 7) / 8];
        for (int w = 0; w < n; w++) {
            int idx = WORDS.indexOf(words.get(w));
            if (idx < 0) {
                throw new MnemonicException("MNEMONIC_UNKNOWN_WORD", "word " + (w + 1) + " is not in the BIP-39 English list");
            }
            for (int b = 0; b < 11; b++) {
                if (((idx >> (10 - b)) & 1) != 0) {
                    int bit = w * 11 + b;
                    all[bit / 8] |= (byte) (0x80 >>> (bit % 8));
                }
            }
        }
        byte[] entropy = java.util.Arrays.copyOf(all, entropyBits / 8);
        byte[] hash = Hashes.sha256(entropy);
        for (int i = 0; i < checksumBits; i++) {
            if (bitAt(all, entropyBits + i) != bitAt(hash, i)) {
                Secrets.wipe(entropy);
                Secrets.wipe(all);
                throw new MnemonicException("MNEMONIC_CHECKSUM", "the mnemonic's checksum does not match (a word is wrong or out of order)");
            }
        }
        Secrets.wipe(all);
        return entropy;
    }

    /**
     * The 64-byte BIP-39 seed: PBKDF2-HMAC-SHA512 over the NFKD-normalized mnemonic with salt
     * "mnemonic" + NFKD(passphrase), 2048 iterations. Checks the mnemonic first.
     */
    public static byte[] toSeed(char[] mnemonic, char[] passphrase) {
        Secrets.wipe(toEntropy(mnemonic));
        byte[] pw = nfkd(mnemonic);
        byte[] salt = nfkd(concat("mnemonic".toCharArray(), passphrase == null ? new char[0] : passphrase));
        try {
            PKCS5S2ParametersGenerator gen = new PKCS5S2ParametersGenerator(new SHA512Digest());
            gen.init(pw, salt, 2048);
            return ((KeyParameter) gen.generateDerivedParameters(512)).getKey();
        } finally {
            Secrets.wipe(pw);
            Secrets.wipe(salt);
        }
    }

    private static char[] concat(char[] a, char[] b) {
        char[] c = new char[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static byte[] nfkd(char[] chars) {
        // Normalizer needs a CharSequence; the String is short-lived and never logged.
        String s = Normalizer.normalize(java.nio.CharBuffer.wrap(chars), Normalizer.Form.NFKD);
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The words of a mnemonic, lower-cased, whatever whitespace separates them. */
    public static List<String> split(char[] mnemonic) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        for (char c : mnemonic) {
            if (Character.isWhitespace(c)) {
                if (!w.isEmpty()) {
                    out.add(w.toString().toLowerCase(java.util.Locale.ROOT));
                    w.setLength(0);
                }
            } else {
                w.append(c);
            }
        }
        if (!w.isEmpty()) {
            out.add(w.toString().toLowerCase(java.util.Locale.ROOT));
        }
        return out;
    }

    private static int bitAt(byte[] data, int bit) {
        return (data[bit / 8] >> (7 - bit % 8)) & 1;
    }
}
