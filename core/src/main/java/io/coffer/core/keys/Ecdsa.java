package io.coffer.core.keys;

import java.math.BigInteger;
import java.util.Arrays;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.math.ec.ECAlgorithms;
import org.bouncycastle.math.ec.ECPoint;

/**
 * Deterministic ECDSA on secp256k1 (RFC 6979 nonces with HMAC-SHA256), low-S normalized as Bitcoin
 * (BIP-62/146) and Ethereum (EIP-2) require, with the recovery id Ethereum signatures carry when asked for it. The point
 * arithmetic runs on libsecp256k1 where it loads ({@link CurveEngine}).
 * Deterministic nonces mean a signature never depends on the quality of a random generator.
 */
public final class Ecdsa {
    private Ecdsa() {
    }

    /**
     * A signature.
     *
     * @param r the r value
     * @param s the s value, at most n/2
     */
    public record Signature(BigInteger r, BigInteger s) {
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

    /**
     * A signature with the recovery id Ethereum transactions carry instead of the public key.
     *
     * @param signature  the signature
     * @param recoveryId 0..3: which of the candidate public keys produced it (Ethereum's v - 27 or v - 35 - 2*chainId)
     */
    public record Recoverable(Signature signature, int recoveryId) {
        public BigInteger r() {
            return signature.r();
        }

        public BigInteger s() {
            return signature.s();
        }
    }

    /**
     * Signs a 32-byte hash with a 32-byte private key (Bitcoin's kind: no recovery id); the caller keeps (and wipes) the key.
     * libsecp256k1's own signing where it loaded.
     */
    public static Signature sign(byte[] privateKey, byte[] hash32) {
        requireHash(hash32);
        byte[] rs = CurveEngines.CURRENT.sign(privateKey, hash32);
        return new Signature(new BigInteger(1, Arrays.copyOfRange(rs, 0, 32)), new BigInteger(1, Arrays.copyOfRange(rs, 32, 64)));
    }

    /** Signs as {@link #sign} does (the same r and s), with the recovery id. */
    public static Recoverable signRecoverable(byte[] privateKey, byte[] hash32) {
        return signRecoverable(CurveEngines.CURRENT, privateKey, hash32);
    }

    /**
     * RFC 6979 signing with the nonce point R made by {@code engine}, the rest here. The recovery id comes from R while
     * signing: bit 0 is R.y's parity, bit 1 whether R.x overflowed n (so r = R.x - n), and low-S normalisation
     * (s -> n - s, the signature of -R) flips bit 0. libsecp256k1's binding signs without telling R, and searching for the id
     * afterwards costs a public key and up to four recoveries: more than the signature itself.
     */
    static Recoverable signRecoverable(CurveEngine engine, byte[] privateKey, byte[] hash32) {
        requireHash(hash32);
        BigInteger n = Secp256k1.N;
        BigInteger d = new BigInteger(1, privateKey);
        BigInteger e = new BigInteger(1, hash32); // a 256-bit hash for a 256-bit order: no truncation (SEC 1 4.1.3 step 5)
        HMacDSAKCalculator nonces = new HMacDSAKCalculator(new SHA256Digest());
        nonces.init(n, d, hash32);
        while (true) {
            BigInteger k = nonces.nextK();
            byte[] kb = Secp256k1.bytes32(k);
            byte[] bigR;
            try {
                bigR = engine.multiplyBase(kb);
            } finally {
                Secrets.wipe(kb);
            }
            BigInteger x = new BigInteger(1, Arrays.copyOfRange(bigR, 1, 33));
            BigInteger r = x.mod(n);
            if (r.signum() == 0) {
                continue;
            }
            BigInteger s = k.modInverse(n).multiply(e.add(d.multiply(r))).mod(n);
            if (s.signum() == 0) {
                continue;
            }
            int recoveryId = (bigR[0] == 0x03 ? 1 : 0) | (x.compareTo(n) >= 0 ? 2 : 0);
            if (s.compareTo(Secp256k1.HALF_N) > 0) {
                s = n.subtract(s);
                recoveryId ^= 1;
            }
            return new Recoverable(new Signature(r, s), recoveryId);
        }
    }

    private static void requireHash(byte[] hash32) {
        if (hash32.length != 32) {
            throw new IllegalArgumentException("ECDSA signs a 32-byte hash, got " + hash32.length);
        }
    }

    /** Verifies a signature over a 32-byte hash against a public key (compressed or not). */
    public static boolean verify(byte[] publicKey, byte[] hash32, BigInteger r, BigInteger s) {
        ECDSASigner v = new ECDSASigner();
        v.init(false, new ECPublicKeyParameters(Secp256k1.decode(publicKey), Secp256k1.DOMAIN));
        return v.verifySignature(hash32, r, s);
    }

    /**
     * The public key (uncompressed, 65 bytes) that made {@code sig} over {@code hash32}, or null when its recovery id yields
     * none: what an Ethereum node does to find a transaction's sender. libsecp256k1's own recovery where it loaded.
     */
    public static byte[] recoverPublicKey(byte[] hash32, Recoverable sig) {
        requireHash(hash32);
        return CurveEngines.CURRENT.recover(compact(sig.signature()), hash32, sig.recoveryId());
    }

    /** The public key that made a signature (SEC 1 §4.1.6), or null when none for this recovery id (Bouncy Castle). */
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
        // secp256k1's cofactor is 1: every point decodePoint accepts (it checks the curve equation) has order n.
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
