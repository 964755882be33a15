package io.coffer.core.keys;

import java.math.BigInteger;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;

/** The secp256k1 curve and the few point operations HD keys need (on the {@link CurveEngine} chosen at start). */
public final class Secp256k1 {
    static final X9ECParameters PARAMS = CustomNamedCurves.getByName("secp256k1");
    public static final ECDomainParameters DOMAIN = new ECDomainParameters(PARAMS.getCurve(), PARAMS.getG(), PARAMS.getN(), PARAMS.getH());
    public static final BigInteger N = PARAMS.getN();
    static final BigInteger HALF_N = N.shiftRight(1);

    private Secp256k1() {
    }

    /** Compressed (33-byte) public key of a 32-byte private key. */
    public static byte[] publicKey(byte[] privateKey) {
        return CurveEngines.CURRENT.multiplyBase(privateKey);
    }

    /** Which engine does the point arithmetic here ("libsecp256k1 (native)" or "Bouncy Castle"), for the start-up log. */
    public static String engine() {
        return CurveEngines.CURRENT.name();
    }

    static ECPoint point(BigInteger k) {
        return new FixedPointCombMultiplier().multiply(DOMAIN.getG(), k).normalize();
    }

    /** Uncompressed (65-byte, 0x04-prefixed) encoding of a compressed or uncompressed public key. */
    public static byte[] uncompressed(byte[] publicKey) {
        return CurveEngines.CURRENT.uncompressed(publicKey);
    }

    static ECPoint decode(byte[] publicKey) {
        return DOMAIN.getCurve().decodePoint(publicKey).normalize();
    }

    /** Whether {@code k} is a valid private key: 0 &lt; k &lt; n. */
    public static boolean isValidPrivateKey(byte[] k) {
        BigInteger v = new BigInteger(1, k);
        return v.signum() > 0 && v.compareTo(N) < 0;
    }

    /** 32-byte big-endian, left-padded. */
    static byte[] bytes32(BigInteger v) {
        byte[] raw = v.toByteArray();
        byte[] out = new byte[32];
        int copy = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - copy, out, 32 - copy, copy);
        return out;
    }
}
