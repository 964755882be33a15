package io.coffer.core.keys;

import java.math.BigInteger;
import java.util.Arrays;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.math.ec.ECAlgorithms;
import org.bouncycastle.math.ec.ECPoint;

/**
 * Deterministic ECDSA on secp256k1 (RFC 6979 nonces with HMAC-SHA256), low-S normalized as Bitcoin
 * (BIP-62/146) and Ethereum (EIP-2) require, with the recovery id Ethereum signatures carry.
 * Deterministic nonces mean a signature never depends on the quality of a random generator.
 */
public final class Ecdsa {
    private Ecdsa() {
    }

    /**
     * A signature.
     *
     * @param r          the r value
     * @param s          the s value, at most n/2
     * @param recoveryId 0..3: which of the candidate public keys produced it (Ethereum's v - 27 or v - 35 - 2*chainId)
     */
    public record Signature(BigInteger r, BigInteger s, int recoveryId) {
        /** DER encoding, as Bitcoin scripts carry it (without the sighash byte). */
        public byte[] der() {
            byte[] rb = r.toByteArray();
            byte[] sb = s.toByteArray();
            byte[] out = new byte[6 + rb.length + sb.length];
            out[0] = 0x30;
            out[1] = (byte) (4 + rb.length + sb.length);
            out[2] = 0x02;
            out[3] = (byte) rb.length;
            System.arraycopy(rb, 0, out, 4, rb.length);
            out[4 + rb.length] = 0x02;
            out[5 + rb.length] = (byte) sb.length;
            System.arraycopy(sb, 0, out, 6 + rb.length, sb.length);
            return out;
        }
    }

    /** Signs a 32-byte hash with a 32-byte private key; the caller keeps (and wipes) the key. */
    public static Signature sign(byte[] privateKey, byte[] hash32) {
        if (hash32.length != 32) {
            throw new IllegalArgumentException("ECDSA signs a 32-byte hash, got " + hash32.length);
        }
        BigInteger d = new BigInteger(1, privateKey);
        ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
        signer.init(true, new ECPrivateKeyParameters(d, Secp256k1.DOMAIN));
        BigInteger[] rs = signer.generateSignature(hash32);
        BigInteger r = rs[0];
        BigInteger s = rs[1];
        if (s.compareTo(Secp256k1.HALF_N) > 0) {
            s = Secp256k1.N.subtract(s);
        }
        ECPoint q = Secp256k1.point(d);
        for (int rec = 0; rec < 4; rec++) {
            ECPoint candidate = recover(hash32, r, s, rec);
            if (candidate != null && candidate.equals(q)) {
                return new Signature(r, s, rec);
            }
        }
        throw new IllegalStateException("no recovery id reproduces the signing key");
    }

    /** Verifies a signature over a 32-byte hash against a public key (compressed or not). */
    public static boolean verify(byte[] publicKey, byte[] hash32, BigInteger r, BigInteger s) {
        ECDSASigner v = new ECDSASigner();
        v.init(false, new ECPublicKeyParameters(Secp256k1.decode(publicKey), Secp256k1.DOMAIN));
        return v.verifySignature(hash32, r, s);
    }

    /** The public key that made a signature (SEC 1 §4.1.6), or null when none for this recovery id. */
    public static ECPoint recover(byte[] hash32, BigInteger r, BigInteger s, int recoveryId) {
        BigInteger n = Secp256k1.N;
        BigInteger x = r.add(BigInteger.valueOf(recoveryId / 2).multiply(n));
        BigInteger p = Secp256k1.DOMAIN.getCurve().getField().getCharacteristic();
        if (x.compareTo(p) >= 0) {
            return null;
        }
        byte[] enc = new byte[33];
        enc[0] = (byte) ((recoveryId & 1) == 1 ? 0x03 : 0x02);
        byte[] xb = Secp256k1.bytes32(x);
        System.arraycopy(xb, 0, enc, 1, 32);
        ECPoint bigR;
        try {
            bigR = Secp256k1.DOMAIN.getCurve().decodePoint(enc);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (!bigR.multiply(n).isInfinity()) {
            return null;
        }
        BigInteger e = new BigInteger(1, hash32);
        BigInteger rInv = r.modInverse(n);
        BigInteger u1 = e.negate().mod(n).multiply(rInv).mod(n);
        BigInteger u2 = s.multiply(rInv).mod(n);
        ECPoint q = ECAlgorithms.sumOfTwoMultiplies(Secp256k1.DOMAIN.getG(), u1, bigR, u2).normalize();
        return q.isInfinity() ? null : q;
    }

    /** The 64-byte r||s form. */
    public static byte[] compact(Signature sig) {
        byte[] out = Arrays.copyOf(Secp256k1.bytes32(sig.r()), 64);
        System.arraycopy(Secp256k1.bytes32(sig.s()), 0, out, 32, 32);
        return out;
    }
}
