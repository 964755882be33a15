package io.coffer.core.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * libsecp256k1 and Bouncy Castle must be interchangeable: byte-identical signatures (RFC 6979 leaves no freedom), public
 * keys and child keys, for thousands of random keys and hashes. The published RFC 6979 secp256k1 vectors run on the chosen
 * engine in {@link HdKeysTest}; here they run on both.
 */
class CurveEnginesTest {
    private static final NativeCurve NATIVE = CurveEngines.loadNative();
    private static final BouncyCurve BOUNCY = BouncyCurve.INSTANCE;

    @Test
    void libsecp256k1LoadsHereAndIsTheEngineInUse() {
        assertNotNull(NATIVE, "libsecp256k1 must load on the machines Coffer runs on (linux x86_64/aarch64)");
        assertSame(NativeCurve.class, CurveEngines.CURRENT.getClass());
        assertEquals("libsecp256k1 (native)", Secp256k1.engine());
    }

    @Test
    void bothEnginesSignByteForByteAlikeAndAgreeOnKeys() {
        Random random = new Random(20261201);
        byte[] priv = new byte[32];
        byte[] hash = new byte[32];
        for (int i = 0; i < 5_000; i++) {
            random.nextBytes(priv);
            random.nextBytes(hash);
            if (i % 4 == 0) {
                priv[0] &= 0x0f; // short keys too: leading zero bytes
            }
            if (!Secp256k1.isValidPrivateKey(priv)) {
                continue;
            }
            byte[] privBefore = priv.clone();
            byte[] nativeSig = NATIVE.sign(priv, hash);
            assertArrayEquals(privBefore, priv, "the key handed in is left as it was");
            assertArrayEquals(BOUNCY.sign(priv, hash), nativeSig, "signature " + i);
            Ecdsa.Recoverable viaNative = Ecdsa.signRecoverable(NATIVE, priv, hash);
            assertEquals(Ecdsa.signRecoverable(BOUNCY, priv, hash), viaNative, "recoverable signature " + i);
            assertArrayEquals(nativeSig, Ecdsa.compact(viaNative.signature()), "libsecp256k1's own r, s " + i);
            byte[] pub = NATIVE.multiplyBase(priv);
            assertArrayEquals(BOUNCY.multiplyBase(priv), pub, "public key " + i);
            assertEquals(Secp256k1.decode(pub), Ecdsa.recover(hash, viaNative.r(), viaNative.s(), viaNative.recoveryId()), "recovery " + i);
            byte[] compact = Ecdsa.compact(viaNative.signature());
            assertArrayEquals(BOUNCY.uncompressed(pub), NATIVE.recover(compact, hash, viaNative.recoveryId()), "native recovery " + i);
            assertArrayEquals(BOUNCY.recover(compact, hash, viaNative.recoveryId() ^ 1), NATIVE.recover(compact, hash,
                    viaNative.recoveryId() ^ 1), "the other parity recovers the same other key " + i);
            byte[] pubBefore = pub.clone();
            assertArrayEquals(BOUNCY.addBaseMultiple(pub, hash), NATIVE.addBaseMultiple(pub, hash), "public child " + i);
            assertArrayEquals(pubBefore, pub, "the parent key handed in is left as it was");
            assertArrayEquals(BOUNCY.uncompressed(pub), NATIVE.uncompressed(pub), "uncompressed " + i);
        }
    }

    /** RFC 6979 secp256k1 vectors (as published with python-ecdsa and Trezor's test suite), on both engines. */
    @Test
    void publishedVectorsOnBothEngines() {
        String[][] vectors = {
            {"1", "Satoshi Nakamoto",
                "934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d8", "2442ce9d2b916064108014783e923ec36b49743e2ffa1c4496f01a512aafd9e5"},
            {"fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140", "Satoshi Nakamoto",
                "fd567d121db66e382991534ada77a6bd3106f0a1098c231e47993447cd6af2d0", "6b39cd0eb1bc8603e159ef5c20a5c8ad685a45b06ce9bebed3f153d10d93bed5"},
            {"f8b8af8ce3c7cca5e300d33939540c10d45ce001b8f252bfbc57ba0342904181", "Alan Turing",
                "7063ae83e7f62bbb171798131b4a0564b956930092b33b07b395615d9ec7e15c", "58dfcc1e00a35e1572f366ffe34ba0fc47db1e7189759b9fb233c5b05ab388ea"},
        };
        for (String[] v : vectors) {
            byte[] priv = Secp256k1.bytes32(new BigInteger(v[0], 16));
            byte[] hash = Hashes.sha256(v[1].getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            for (CurveEngine engine : new CurveEngine[] {NATIVE, BOUNCY}) {
                assertEquals(v[2] + v[3], HexFormat.of().formatHex(engine.sign(priv, hash)), engine.name() + ": " + v[1]);
                Ecdsa.Recoverable r = Ecdsa.signRecoverable(engine, priv, hash);
                assertEquals(v[2] + v[3], HexFormat.of().formatHex(Ecdsa.compact(r.signature())), engine.name() + ": " + v[1]);
            }
        }
    }

    @Test
    void bothRefuseAlikeAtTheEdges() {
        byte[] priv = Secp256k1.bytes32(BigInteger.valueOf(12345));
        byte[] pub = Secp256k1.publicKey(priv);
        byte[] minus = Secp256k1.bytes32(Secp256k1.N.subtract(BigInteger.valueOf(12345)));
        for (CurveEngine engine : new CurveEngine[] {NATIVE, BOUNCY}) {
            assertThrows(IllegalStateException.class, () -> engine.addBaseMultiple(pub, minus), engine.name() + ": P + (-p)G is infinity");
            assertArrayEquals(pub, engine.addBaseMultiple(pub, new byte[32]), engine.name() + ": P + 0G is P");
            byte[] notAPoint = new byte[33];
            notAPoint[0] = 0x02;
            notAPoint[32] = 5; // x = 5: x^3 + 7 = 132 is not a square mod p
            assertThrows(IllegalArgumentException.class, () -> engine.uncompressed(notAPoint), engine.name());
            assertTrue(engine.uncompressed(pub).length == 65);
        }
    }
}
