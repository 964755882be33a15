package io.coffer.core.keys;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A BIP-32 extended key: a private key (32 bytes) or public key (33 bytes, compressed) with its chain
 * code and position in the tree. Instances are immutable except for {@link #wipe()}, which zeroes a
 * private key's secret bytes once the holder is done with it.
 */
public final class ExtendedKey {
    private static final byte[] SEED_KEY = "Bitcoin seed".getBytes(StandardCharsets.US_ASCII);

    private final byte[] key;
    private final byte[] chainCode;
    private final int depth;
    private final int parentFingerprint;
    private final int childNumber;
    private final boolean isPrivate;

    private ExtendedKey(byte[] key, byte[] chainCode, int depth, int parentFingerprint, int childNumber, boolean isPrivate) {
        this.key = key;
        this.chainCode = chainCode;
        this.depth = depth;
        this.parentFingerprint = parentFingerprint;
        this.childNumber = childNumber;
        this.isPrivate = isPrivate;
    }

    /** The master key of a BIP-32 seed (16 to 64 bytes). The caller still owns and wipes {@code seed}. */
    public static ExtendedKey fromSeed(byte[] seed) {
        if (seed.length < 16 || seed.length > 64) {
            throw new IllegalArgumentException("a BIP-32 seed has 16 to 64 bytes, got " + seed.length);
        }
        byte[] i = Hashes.hmacSha512(SEED_KEY, seed);
        try {
            byte[] k = Arrays.copyOfRange(i, 0, 32);
            if (!Secp256k1.isValidPrivateKey(k)) {
                Secrets.wipe(k);
                throw new IllegalArgumentException("this seed gives an invalid master key (probability 2^-127)");
            }
            return new ExtendedKey(k, Arrays.copyOfRange(i, 32, 64), 0, 0, 0, true);
        } finally {
            Secrets.wipe(i);
        }
    }

    /** Derives the child at {@code index} (hardened when bit 31 is set; needs a private key). */
    public ExtendedKey child(int index) {
        boolean hardened = DerivationPath.isHardened(index);
        if (hardened && !isPrivate) {
            throw new IllegalArgumentException("a hardened child needs the private key");
        }
        ByteBuffer data = ByteBuffer.allocate(37);
        byte[] pub = publicKey();
        if (hardened) {
            data.put((byte) 0).put(key);
        } else {
            data.put(pub);
        }
        data.putInt(index);
        byte[] d = data.array();
        byte[] i = Hashes.hmacSha512(chainCode, d);
        Secrets.wipe(d);
        try {
            byte[] il = Arrays.copyOfRange(i, 0, 32);
            BigInteger ilInt = new BigInteger(1, il);
            Secrets.wipe(il);
            if (ilInt.compareTo(Secp256k1.N) >= 0) {
                throw new IllegalStateException("invalid child " + (index & 0x7FFFFFFF) + " (probability 2^-127); use the next index");
            }
            byte[] cc = Arrays.copyOfRange(i, 32, 64);
            int fp = fingerprint();
            if (isPrivate) {
                BigInteger k = ilInt.add(new BigInteger(1, key)).mod(Secp256k1.N);
                if (k.signum() == 0) {
                    throw new IllegalStateException("invalid child " + (index & 0x7FFFFFFF) + "; use the next index");
                }
                return new ExtendedKey(Secp256k1.bytes32(k), cc, depth + 1, fp, index, true);
            }
            byte[] tweak = Arrays.copyOfRange(i, 0, 32);
            byte[] child;
            try {
                child = CurveEngines.CURRENT.addBaseMultiple(point(), tweak);
            } catch (IllegalStateException e) {
                throw new IllegalStateException("invalid child " + index + "; use the next index");
            }
            return new ExtendedKey(child, cc, depth + 1, fp, index, false);
        } finally {
            Secrets.wipe(i);
        }
    }

    /** Derives along {@code path} from this key (which must be the path's root). */
    public ExtendedKey derive(DerivationPath path) {
        ExtendedKey k = this;
        for (int step : path.steps()) {
            ExtendedKey next = k.child(step);
            if (k != this) {
                k.wipe();
            }
            k = next;
        }
        return k;
    }

    /** The public extended key of this key. */
    public ExtendedKey neuter() {
        return isPrivate ? new ExtendedKey(publicKey(), chainCode.clone(), depth, parentFingerprint, childNumber, false) : this;
    }

    /** Compressed public key (33 bytes). */
    public byte[] publicKey() {
        if (!isPrivate) {
            return key.clone();
        }
        byte[] pub = publicKey;
        if (pub == null) {
            // Not secret, and a point multiplication to compute: every non-hardened child derivation needs the parent's.
            pub = Secp256k1.publicKey(key);
            publicKey = pub;
        }
        return pub.clone();
    }

    /** The public key of a private extended key, computed once. */
    private volatile byte[] publicKey;

    /**
     * A public key's point uncompressed (65 bytes), computed once: a compressed key is a square root away from its point, and a
     * branch key is the parent of every address on its branch (about a third of a child's cost in a profile when recomputed).
     */
    private byte[] point() {
        byte[] p = point;
        if (p == null) {
            p = CurveEngines.CURRENT.uncompressed(key);
            point = p;
        }
        return p;
    }

    private volatile byte[] point;

    /** A copy of the private key (32 bytes); wipe it after use. */
    public byte[] privateKey() {
        if (!isPrivate) {
            throw new IllegalStateException("a public extended key has no private key");
        }
        return key.clone();
    }

    public boolean isPrivate() {
        return isPrivate;
    }

    public int depth() {
        return depth;
    }

    public int childNumber() {
        return childNumber;
    }

    public int parentFingerprint() {
        return parentFingerprint;
    }

    /** BIP-32 fingerprint: the first 4 bytes of hash160 of the public key. */
    public int fingerprint() {
        Integer f = fingerprint;
        if (f == null) {
            f = fingerprintOf(publicKey());
            fingerprint = f; // every child's parent fingerprint: computed once per parent, not per child
        }
        return f;
    }

    private volatile Integer fingerprint;

    private static int fingerprintOf(byte[] pub) {
        return ByteBuffer.wrap(Hashes.hash160(pub)).getInt();
    }

    /** Base58Check serialization with the given version (its privacy must match this key's). */
    public String serialize(KeyVersion version) {
        if (version.isPrivate() != isPrivate) {
            throw new IllegalArgumentException(version + " does not fit a " + (isPrivate ? "private" : "public") + " key");
        }
        ByteBuffer b = ByteBuffer.allocate(78);
        b.putInt(version.bytes()).put((byte) depth).putInt(parentFingerprint).putInt(childNumber).put(chainCode);
        if (isPrivate) {
            b.put((byte) 0);
        }
        b.put(key);
        byte[] raw = b.array();
        try {
            return Base58.encodeCheck(raw);
        } finally {
            Secrets.wipe(raw);
        }
    }

    /** A parsed extended key with the version it was written with. */
    public record Parsed(ExtendedKey key, KeyVersion version) {
    }

    /** @throws IllegalArgumentException naming what is wrong (never echoing the input) */
    public static Parsed parse(String text) {
        byte[] raw;
        try {
            raw = Base58.decodeCheck(text.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an extended key: " + e.getMessage());
        }
        try {
            if (raw.length != 78) {
                throw new IllegalArgumentException("not an extended key: " + raw.length + " bytes instead of 78");
            }
            ByteBuffer b = ByteBuffer.wrap(raw);
            KeyVersion v = KeyVersion.of(b.getInt());
            int depth = b.get() & 0xFF;
            int parent = b.getInt();
            int child = b.getInt();
            byte[] cc = new byte[32];
            b.get(cc);
            byte[] keyData = new byte[33];
            b.get(keyData);
            if (depth == 0 && (parent != 0 || child != 0)) {
                throw new IllegalArgumentException("extended key of depth 0 with a parent");
            }
            if (v.isPrivate()) {
                if (keyData[0] != 0) {
                    throw new IllegalArgumentException("private extended key without its 0x00 prefix");
                }
                byte[] k = Arrays.copyOfRange(keyData, 1, 33);
                Secrets.wipe(keyData);
                if (!Secp256k1.isValidPrivateKey(k)) {
                    throw new IllegalArgumentException("private key out of range");
                }
                return new Parsed(new ExtendedKey(k, cc, depth, parent, child, true), v);
            }
            try {
                Secp256k1.decode(keyData);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("public key is not on secp256k1");
            }
            return new Parsed(new ExtendedKey(keyData, cc, depth, parent, child, false), v);
        } finally {
            Secrets.wipe(raw);
        }
    }

    /** Zeroes the private key; the object must not be used afterwards. */
    public void wipe() {
        if (isPrivate) {
            Secrets.wipe(key);
            Secrets.wipe(chainCode);
        }
    }

    /** Never prints key material. */
    @Override
    public String toString() {
        return "ExtendedKey[" + (isPrivate ? "private" : "public") + ", depth " + depth + ", fingerprint "
                + String.format("%08x", fingerprint()) + "]";
    }
}
