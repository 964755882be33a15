package io.coffer.core.keys;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.PKCS5S2ParametersGenerator;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * SLIP-0039 Shamir's Secret-Sharing for Mnemonic Codes, as Trezor implements it: two-level sharing
 * (groups of members), RS1024 checksums, the 4-round Feistel encryption of the master secret under a
 * passphrase, and the "extendable" backup flag. Shares made here recover on a Trezor and vice versa.
 *
 * <p>The master secret is used directly as the BIP-32 seed (as Trezor does), so a quorum of shares alone
 * restores the whole wallet anywhere.
 */
public final class Slip39 {
    private static final Wordlist WORDS = Wordlist.load("slip39-wordlist.txt", 1024);
    private static final int RADIX_BITS = 10;
    private static final int METADATA_WORDS = 7;
    private static final int MIN_WORDS = 20;
    private static final int DIGEST_LENGTH = 4;
    private static final int SECRET_INDEX = 255;
    private static final int DIGEST_INDEX = 254;
    private static final int BASE_ITERATIONS = 10_000;
    private static final int ROUNDS = 4;
    private static final int MAX_SHARES = 16;
    private static final int[] GEN = {0xE0E040, 0x1C1C080, 0x3838100, 0x7070200, 0xE0E0009, 0x1C0C2412, 0x38086C24,
        0x3090FC48, 0x21B1F890, 0x3F3F120};
    private static final int[] EXP = new int[255];
    private static final int[] LOG = new int[256];

    static {
        int poly = 1;
        for (int i = 0; i < 255; i++) {
            EXP[i] = poly;
            LOG[poly] = i;
            poly = (poly << 1) ^ poly;
            if ((poly & 0x100) != 0) {
                poly ^= 0x11B;
            }
        }
    }

    private Slip39() {
    }

    /**
     * One decoded share.
     *
     * @param value the share value; secret material, wiped by whoever decoded it
     */
    public record Share(int identifier, boolean extendable, int iterationExponent, int groupIndex, int groupThreshold,
                        int groupCount, int memberIndex, int memberThreshold, byte[] value) {
        /** Never prints the share value. */
        @Override
        public String toString() {
            return "Share[id=" + identifier + ", group " + (groupIndex + 1) + " of " + groupCount + " (threshold "
                    + groupThreshold + "), member " + (memberIndex + 1) + " (threshold " + memberThreshold + ")]";
        }

        /** Whether two shares come from the same split (they can be combined). */
        public boolean sameSplitAs(Share o) {
            return identifier == o.identifier && extendable == o.extendable && iterationExponent == o.iterationExponent
                    && groupThreshold == o.groupThreshold && groupCount == o.groupCount && value.length == o.value.length;
        }
    }

    /** A group of the split: {@code threshold} of {@code count} members recover the group's share. */
    public record Group(int threshold, int count) {
    }

    // --- split -------------------------------------------------------------------------------------

    /**
     * Splits {@code masterSecret} (at least 16 bytes, even length) into mnemonic shares: for each group,
     * its members' mnemonics. The returned char arrays are the caller's to hand out and wipe.
     *
     * @param passphrase        printable ASCII, may be empty; needed again to recover
     * @param iterationExponent the PBKDF2 cost: 10000 * 2^e iterations in total
     */
    public static List<List<char[]>> split(byte[] masterSecret, char[] passphrase, int groupThreshold, List<Group> groups,
                                           boolean extendable, int iterationExponent, SecureRandom random) {
        if (masterSecret.length < 16 || masterSecret.length % 2 != 0) {
            throw new IllegalArgumentException("the master secret must have an even number of bytes, at least 16");
        }
        if (groups.isEmpty() || groups.size() > MAX_SHARES) {
            throw new IllegalArgumentException("between 1 and 16 groups");
        }
        if (groupThreshold < 1 || groupThreshold > groups.size()) {
            throw new IllegalArgumentException("the group threshold must be between 1 and the number of groups");
        }
        for (Group g : groups) {
            if (g.count() < 1 || g.count() > MAX_SHARES || g.threshold() < 1 || g.threshold() > g.count()) {
                throw new IllegalArgumentException("each group needs 1 <= threshold <= count <= 16");
            }
            if (g.threshold() == 1 && g.count() > 1) {
                throw new IllegalArgumentException("a member threshold of 1 allows only one member share");
            }
        }
        if (iterationExponent < 0 || iterationExponent > 15) {
            throw new IllegalArgumentException("the iteration exponent is 0..15");
        }
        int identifier = random.nextInt(1 << 15);
        byte[] ems = encrypt(masterSecret, passphrase, iterationExponent, identifier, extendable);
        List<byte[]> groupShares = splitSecret(groupThreshold, groups.size(), ems, random);
        Secrets.wipe(ems);
        List<List<char[]>> out = new ArrayList<>();
        for (int gi = 0; gi < groups.size(); gi++) {
            Group g = groups.get(gi);
            List<byte[]> members = splitSecret(g.threshold(), g.count(), groupShares.get(gi), random);
            List<char[]> mnemonics = new ArrayList<>();
            for (int mi = 0; mi < members.size(); mi++) {
                mnemonics.add(encode(new Share(identifier, extendable, iterationExponent, gi, groupThreshold, groups.size(),
                        mi, g.threshold(), members.get(mi))));
                Secrets.wipe(members.get(mi));
            }
            out.add(mnemonics);
        }
        groupShares.forEach(Secrets::wipe);
        return out;
    }

    private static List<byte[]> splitSecret(int threshold, int count, byte[] secret, SecureRandom random) {
        List<byte[]> out = new ArrayList<>();
        if (threshold == 1) {
            for (int i = 0; i < count; i++) {
                out.add(secret.clone());
            }
            return out;
        }
        int randomCount = threshold - 2;
        List<int[]> xs = new ArrayList<>();
        List<byte[]> base = new ArrayList<>();
        for (int i = 0; i < randomCount; i++) {
            byte[] r = new byte[secret.length];
            random.nextBytes(r);
            out.add(r);
            xs.add(new int[] {i});
            base.add(r);
        }
        byte[] randomPart = new byte[secret.length - DIGEST_LENGTH];
        random.nextBytes(randomPart);
        byte[] digest = Arrays.copyOf(Hashes.hmacSha256(randomPart, secret), DIGEST_LENGTH);
        byte[] digestShare = new byte[secret.length];
        System.arraycopy(digest, 0, digestShare, 0, DIGEST_LENGTH);
        System.arraycopy(randomPart, 0, digestShare, DIGEST_LENGTH, randomPart.length);
        Secrets.wipe(randomPart);
        int[] baseX = new int[threshold];
        byte[][] baseY = new byte[threshold][];
        for (int i = 0; i < randomCount; i++) {
            baseX[i] = i;
            baseY[i] = base.get(i);
        }
        baseX[randomCount] = DIGEST_INDEX;
        baseY[randomCount] = digestShare;
        baseX[randomCount + 1] = SECRET_INDEX;
        baseY[randomCount + 1] = secret;
        for (int i = randomCount; i < count; i++) {
            out.add(interpolate(baseX, baseY, i));
        }
        Secrets.wipe(digestShare);
        return out;
    }

    // --- combine -----------------------------------------------------------------------------------

    /**
     * Recovers the master secret from mnemonics: for {@code groupThreshold} groups, {@code memberThreshold}
     * members each. Extra complete groups or members beyond a threshold are checked and then ignored.
     *
     * @throws MnemonicException naming the rule that failed; never repeating words
     */
    public static byte[] combine(List<char[]> mnemonics, char[] passphrase) {
        if (mnemonics.isEmpty()) {
            throw new MnemonicException("SHARES_MISSING", "no share given");
        }
        List<Share> shares = new ArrayList<>();
        try {
            for (int i = 0; i < mnemonics.size(); i++) {
                try {
                    shares.add(decode(mnemonics.get(i)));
                } catch (MnemonicException e) {
                    throw new MnemonicException(e.code(), "share " + (i + 1) + ": " + e.getMessage());
                }
            }
            return combineShares(shares, passphrase);
        } finally {
            shares.forEach(s -> Secrets.wipe(s.value()));
        }
    }

    /** As {@link #combine}, for shares already decoded (the caller wipes them). */
    public static byte[] combineShares(List<Share> shares, char[] passphrase) {
        Share first = shares.get(0);
        for (Share s : shares) {
            if (s.identifier() != first.identifier() || s.extendable() != first.extendable()) {
                throw new MnemonicException("SHARE_MISMATCH", "the shares come from different splits (identifiers differ)");
            }
            if (s.iterationExponent() != first.iterationExponent()) {
                throw new MnemonicException("SHARE_MISMATCH", "the shares have different iteration exponents");
            }
            if (s.groupThreshold() != first.groupThreshold()) {
                throw new MnemonicException("SHARE_MISMATCH", "the shares have different group thresholds");
            }
            if (s.groupCount() != first.groupCount()) {
                throw new MnemonicException("SHARE_MISMATCH", "the shares have different group counts");
            }
            if (s.value().length != first.value().length) {
                throw new MnemonicException("SHARE_MISMATCH", "the shares have different lengths");
            }
        }
        Map<Integer, Map<Integer, Share>> groups = new LinkedHashMap<>();
        for (Share s : shares) {
            Map<Integer, Share> members = groups.computeIfAbsent(s.groupIndex(), k -> new LinkedHashMap<>());
            Share any = members.values().stream().findFirst().orElse(null);
            if (any != null && any.memberThreshold() != s.memberThreshold()) {
                throw new MnemonicException("SHARE_MISMATCH", "shares of group " + (s.groupIndex() + 1) + " have different member thresholds");
            }
            Share dup = members.putIfAbsent(s.memberIndex(), s);
            if (dup != null) {
                if (!Arrays.equals(dup.value(), s.value())) {
                    throw new MnemonicException("SHARE_DUPLICATE_INDEX", "two different shares have member index "
                            + (s.memberIndex() + 1) + " in group " + (s.groupIndex() + 1));
                }
            }
        }
        List<Integer> completeX = new ArrayList<>();
        List<byte[]> completeY = new ArrayList<>();
        try {
            for (Map.Entry<Integer, Map<Integer, Share>> g : groups.entrySet()) {
                List<Share> members = new ArrayList<>(g.getValue().values());
                int threshold = members.get(0).memberThreshold();
                if (members.size() < threshold || completeX.size() == first.groupThreshold()) {
                    continue;
                }
                List<Share> used = members.subList(0, threshold);
                int[] xs = used.stream().mapToInt(Share::memberIndex).toArray();
                byte[][] ys = used.stream().map(Share::value).toArray(byte[][]::new);
                completeX.add(g.getKey());
                completeY.add(recoverSecret(threshold, xs, ys));
            }
            if (completeX.size() < first.groupThreshold()) {
                // Say what a custodian can act on: in the usual one-group set-up, how many shares are here and how many are needed.
                StringBuilder missing = new StringBuilder();
                for (Map.Entry<Integer, Map<Integer, Share>> g : groups.entrySet()) {
                    int have = g.getValue().size();
                    int need = g.getValue().values().iterator().next().memberThreshold();
                    if (have < need) {
                        missing.append(missing.isEmpty() ? "" : "; ").append(first.groupCount() == 1 ? "" : "group " + (g.getKey() + 1) + ": ")
                                .append(have).append(" of the ").append(need).append(" shares needed");
                    }
                }
                throw new MnemonicException("SHARES_INSUFFICIENT", "not enough shares: " + missing
                        + (first.groupThreshold() > 1 ? " (" + completeX.size() + " of the " + first.groupThreshold() + " groups needed are complete)" : ""));
            }
            byte[] ems = recoverSecret(first.groupThreshold(), completeX.stream().mapToInt(Integer::intValue).toArray(),
                    completeY.toArray(byte[][]::new));
            try {
                return decrypt(ems, passphrase, first.iterationExponent(), first.identifier(), first.extendable());
            } finally {
                Secrets.wipe(ems);
            }
        } finally {
            completeY.forEach(Secrets::wipe);
        }
    }

    private static byte[] recoverSecret(int threshold, int[] xs, byte[][] ys) {
        if (threshold == 1) {
            return ys[0].clone();
        }
        byte[] secret = interpolate(xs, ys, SECRET_INDEX);
        byte[] digestShare = interpolate(xs, ys, DIGEST_INDEX);
        try {
            byte[] randomPart = Arrays.copyOfRange(digestShare, DIGEST_LENGTH, digestShare.length);
            byte[] digest = Arrays.copyOf(Hashes.hmacSha256(randomPart, secret), DIGEST_LENGTH);
            Secrets.wipe(randomPart);
            if (!Secrets.equal(digest, Arrays.copyOf(digestShare, DIGEST_LENGTH))) {
                Secrets.wipe(secret);
                throw new MnemonicException("SHARES_DIGEST", "the shares do not combine: the secret's digest does not match"
                        + " (a share is from another set, or corrupted)");
            }
            return secret;
        } finally {
            Secrets.wipe(digestShare);
        }
    }

    /** Lagrange interpolation over GF(256) of the points (xs, ys) at {@code x}. */
    private static byte[] interpolate(int[] xs, byte[][] ys, int x) {
        for (int i = 0; i < xs.length; i++) {
            if (xs[i] == x) {
                return ys[i].clone();
            }
        }
        int logProd = 0;
        for (int xi : xs) {
            logProd += LOG[xi ^ x];
        }
        byte[] result = new byte[ys[0].length];
        for (int i = 0; i < xs.length; i++) {
            int logBasis = logProd - LOG[xs[i] ^ x];
            for (int j = 0; j < xs.length; j++) {
                if (j != i) {
                    logBasis -= LOG[xs[i] ^ xs[j]];
                }
            }
            logBasis = Math.floorMod(logBasis, 255);
            for (int k = 0; k < result.length; k++) {
                int y = ys[i][k] & 0xFF;
                if (y != 0) {
                    result[k] ^= (byte) EXP[(LOG[y] + logBasis) % 255];
                }
            }
        }
        return result;
    }

    // --- encryption ---------------------------------------------------------------------------------

    static byte[] encrypt(byte[] ms, char[] passphrase, int e, int id, boolean ext) {
        return feistel(ms, passphrase, e, id, ext, true);
    }

    static byte[] decrypt(byte[] ems, char[] passphrase, int e, int id, boolean ext) {
        return feistel(ems, passphrase, e, id, ext, false);
    }

    private static byte[] feistel(byte[] in, char[] passphrase, int e, int id, boolean ext, boolean forward) {
        byte[] pass = passphraseBytes(passphrase);
        int half = in.length / 2;
        byte[] l = Arrays.copyOfRange(in, 0, half);
        byte[] r = Arrays.copyOfRange(in, half, in.length);
        byte[] saltPrefix = ext ? new byte[0] : concat("shamir".getBytes(StandardCharsets.US_ASCII), new byte[] {(byte) (id >> 8), (byte) id});
        try {
            for (int k = 0; k < ROUNDS; k++) {
                int round = forward ? k : ROUNDS - 1 - k;
                byte[] f = roundFunction(round, pass, e, saltPrefix, r);
                byte[] newR = new byte[half];
                for (int j = 0; j < half; j++) {
                    newR[j] = (byte) (l[j] ^ f[j]);
                }
                Secrets.wipe(f);
                Secrets.wipe(l);
                l = r;
                r = newR;
            }
            return concat(r, l);
        } finally {
            Secrets.wipe(l);
            Secrets.wipe(r);
            Secrets.wipe(pass);
        }
    }

    private static byte[] roundFunction(int round, byte[] pass, int e, byte[] saltPrefix, byte[] r) {
        byte[] password = concat(new byte[] {(byte) round}, pass);
        PKCS5S2ParametersGenerator gen = new PKCS5S2ParametersGenerator(new SHA256Digest());
        gen.init(password, concat(saltPrefix, r), (BASE_ITERATIONS << e) / ROUNDS);
        try {
            return ((KeyParameter) gen.generateDerivedParameters(r.length * 8)).getKey();
        } finally {
            Secrets.wipe(password);
        }
    }

    private static byte[] passphraseBytes(char[] passphrase) {
        char[] p = passphrase == null ? new char[0] : passphrase;
        byte[] out = new byte[p.length];
        for (int i = 0; i < p.length; i++) {
            if (p[i] < 32 || p[i] > 126) {
                Secrets.wipe(out);
                throw new MnemonicException("PASSPHRASE_INVALID", "a SLIP-39 passphrase contains printable ASCII characters only");
            }
            out[i] = (byte) p[i];
        }
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    // --- mnemonic encoding -------------------------------------------------------------------------

    /** The mnemonic of one share. */
    public static char[] encode(Share s) {
        List<Integer> idx = new ArrayList<>();
        int head = (s.identifier() << 5) | ((s.extendable() ? 1 : 0) << 4) | s.iterationExponent();
        idx.add(head >> 10);
        idx.add(head & 1023);
        int meta = (s.groupIndex() << 16) | ((s.groupThreshold() - 1) << 12) | ((s.groupCount() - 1) << 8)
                | (s.memberIndex() << 4) | (s.memberThreshold() - 1);
        idx.add(meta >> 10);
        idx.add(meta & 1023);
        int valueWords = (s.value().length * 8 + RADIX_BITS - 1) / RADIX_BITS;
        BigInteger v = new BigInteger(1, s.value());
        int[] vw = new int[valueWords];
        for (int i = valueWords - 1; i >= 0; i--) {
            vw[i] = v.intValue() & 1023;
            v = v.shiftRight(RADIX_BITS);
        }
        for (int w : vw) {
            idx.add(w);
        }
        int[] data = idx.stream().mapToInt(Integer::intValue).toArray();
        int[] checksum = checksum(data, s.extendable());
        StringBuilder sb = new StringBuilder();
        for (int w : data) {
            sb.append(WORDS.word(w)).append(' ');
        }
        for (int i = 0; i < 3; i++) {
            sb.append(WORDS.word(checksum[i]));
            if (i < 2) {
                sb.append(' ');
            }
        }
        char[] out = new char[sb.length()];
        sb.getChars(0, sb.length(), out, 0);
        sb.setLength(0);
        return out;
    }

    /**
     * Decodes and checks one share mnemonic.
     *
     * @throws MnemonicException {@code SHARE_UNKNOWN_WORD}, {@code SHARE_LENGTH}, {@code SHARE_CHECKSUM},
     *                           {@code SHARE_PADDING}, {@code SHARE_INVALID}
     */
    public static Share decode(char[] mnemonic) {
        List<String> words = Bip39.split(mnemonic);
        int[] idx = new int[words.size()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = WORDS.indexOf(words.get(i));
            if (idx[i] < 0) {
                throw new MnemonicException("SHARE_UNKNOWN_WORD", "word " + (i + 1) + " is not in the SLIP-39 word list");
            }
        }
        if (idx.length < MIN_WORDS) {
            throw new MnemonicException("SHARE_LENGTH", "a SLIP-39 share has at least " + MIN_WORDS + " words, this one has " + idx.length);
        }
        int paddingBits = (RADIX_BITS * (idx.length - METADATA_WORDS)) % 16;
        if (paddingBits > 8) {
            throw new MnemonicException("SHARE_LENGTH", "a SLIP-39 share cannot have " + idx.length + " words");
        }
        int head = (idx[0] << 10) | idx[1];
        int identifier = head >> 5;
        boolean extendable = ((head >> 4) & 1) == 1;
        int e = head & 0xF;
        if (!verifyChecksum(idx, extendable)) {
            throw new MnemonicException("SHARE_CHECKSUM", "the share's checksum does not match (a word is wrong or out of order)");
        }
        int meta = (idx[2] << 10) | idx[3];
        int groupIndex = meta >> 16;
        int groupThreshold = ((meta >> 12) & 0xF) + 1;
        int groupCount = ((meta >> 8) & 0xF) + 1;
        int memberIndex = (meta >> 4) & 0xF;
        int memberThreshold = (meta & 0xF) + 1;
        if (groupThreshold > groupCount) {
            throw new MnemonicException("SHARE_INVALID", "the share's group threshold exceeds its group count");
        }
        int valueWords = idx.length - METADATA_WORDS;
        BigInteger v = BigInteger.ZERO;
        for (int i = 4; i < 4 + valueWords; i++) {
            v = v.shiftLeft(RADIX_BITS).or(BigInteger.valueOf(idx[i]));
        }
        int length = (RADIX_BITS * valueWords - paddingBits) / 8;
        if (v.bitLength() > length * 8) {
            throw new MnemonicException("SHARE_PADDING", "the share's padding bits are not zero");
        }
        byte[] raw = v.toByteArray();
        byte[] value = new byte[length];
        int copy = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - copy, value, length - copy, copy);
        Secrets.wipe(raw);
        return new Share(identifier, extendable, e, groupIndex, groupThreshold, groupCount, memberIndex, memberThreshold, value);
    }

    private static int polymod(int[] values) {
        int chk = 1;
        for (int v : values) {
            int b = chk >>> 20;
            chk = ((chk & 0xFFFFF) << 10) ^ v;
            for (int i = 0; i < 10; i++) {
                if (((b >>> i) & 1) != 0) {
                    chk ^= GEN[i];
                }
            }
        }
        return chk;
    }

    private static int[] customization(boolean extendable) {
        return (extendable ? "shamir_extendable" : "shamir").chars().toArray();
    }

    private static int[] checksum(int[] data, boolean extendable) {
        int[] cs = customization(extendable);
        int[] values = new int[cs.length + data.length + 3];
        System.arraycopy(cs, 0, values, 0, cs.length);
        System.arraycopy(data, 0, values, cs.length, data.length);
        int p = polymod(values) ^ 1;
        return new int[] {(p >> 20) & 1023, (p >> 10) & 1023, p & 1023};
    }

    private static boolean verifyChecksum(int[] idx, boolean extendable) {
        int[] cs = customization(extendable);
        int[] values = new int[cs.length + idx.length];
        System.arraycopy(cs, 0, values, 0, cs.length);
        System.arraycopy(idx, 0, values, cs.length, idx.length);
        return polymod(values) == 1;
    }
}
