package io.coffer.core.keys;

import java.math.BigInteger;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;

/** The pure-Java engine: Bouncy Castle's curve arithmetic. Used where libsecp256k1 cannot load, and as its reference. */
final class BouncyCurve implements CurveEngine {
    static final BouncyCurve INSTANCE = new BouncyCurve();

    private static final FixedPointCombMultiplier MULTIPLIER = new FixedPointCombMultiplier();

    private BouncyCurve() {
    }

    @Override
    public String name() {
        return "Bouncy Castle";
    }

    @Override
    public byte[] multiplyBase(byte[] scalar32) {
        return MULTIPLIER.multiply(Secp256k1.DOMAIN.getG(), new BigInteger(1, scalar32)).normalize().getEncoded(true);
    }

    @Override
    public byte[] addBaseMultiple(byte[] publicKey, byte[] tweak32) {
        ECPoint p = MULTIPLIER.multiply(Secp256k1.DOMAIN.getG(), new BigInteger(1, tweak32)).add(Secp256k1.decode(publicKey)).normalize();
        if (p.isInfinity()) {
            throw new IllegalStateException("the child key is the point at infinity");
        }
        return p.getEncoded(true);
    }

    @Override
    public byte[] uncompressed(byte[] publicKey) {
        return Secp256k1.decode(publicKey).getEncoded(false);
    }

    @Override
    public byte[] sign(byte[] privateKey, byte[] hash32) {
        return Ecdsa.compact(Ecdsa.signRecoverable(this, privateKey, hash32).signature());
    }

    @Override
    public byte[] recover(byte[] signature64, byte[] hash32, int recoveryId) {
        org.bouncycastle.math.ec.ECPoint q = Ecdsa.recover(hash32, new BigInteger(1, java.util.Arrays.copyOfRange(signature64, 0, 32)),
                new BigInteger(1, java.util.Arrays.copyOfRange(signature64, 32, 64)), recoveryId);
        return q == null ? null : q.getEncoded(false);
    }
}
