package io.coffer.core.keys;

import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.KeccakDigest;
import org.bouncycastle.crypto.digests.RIPEMD160Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;

/** The hash functions the key formats need, on Bouncy Castle. */
public final class Hashes {
    private Hashes() {
    }

    public static byte[] sha256(byte[]... parts) {
        return digest(new SHA256Digest(), parts);
    }

    public static byte[] sha256d(byte[] data) {
        return sha256(sha256(data));
    }

    /** RIPEMD-160(SHA-256(data)): Bitcoin's key hash and BIP-32's fingerprint. */
    public static byte[] hash160(byte[] data) {
        return digest(new RIPEMD160Digest(), sha256(data));
    }

    public static byte[] keccak256(byte[] data) {
        return digest(new KeccakDigest(256), data);
    }

    public static byte[] hmacSha512(byte[] key, byte[]... parts) {
        return hmac(new SHA512Digest(), key, parts);
    }

    public static byte[] hmacSha256(byte[] key, byte[]... parts) {
        return hmac(new SHA256Digest(), key, parts);
    }

    private static byte[] hmac(Digest d, byte[] key, byte[]... parts) {
        HMac mac = new HMac(d);
        mac.init(new KeyParameter(key));
        for (byte[] p : parts) {
            mac.update(p, 0, p.length);
        }
        byte[] out = new byte[mac.getMacSize()];
        mac.doFinal(out, 0);
        return out;
    }

    private static byte[] digest(Digest d, byte[]... parts) {
        for (byte[] p : parts) {
            d.update(p, 0, p.length);
        }
        byte[] out = new byte[d.getDigestSize()];
        d.doFinal(out, 0);
        return out;
    }
}
