package io.coffer.core.keys;

/**
 * The secp256k1 operations that cost a point multiplication, behind one seam: libsecp256k1 (Bitcoin Core's C library,
 * through ACINQ's JNI binding) when its native library loads, Bouncy Castle otherwise. Both give byte-identical results
 * (RFC 6979 makes signatures deterministic; {@code CurveEnginesTest} compares thousands of random keys), so which one runs
 * changes speed only: libsecp256k1 signs about four times as fast.
 *
 * <p>Keys and nonces are handed over as {@code byte[]} the caller wipes. The JNI binding copies them into native memory
 * for the call, as Bouncy Castle copies them into {@code BigInteger}s that cannot be wiped: neither path keeps a copy
 * after the call returns, neither zeroes the transient one.
 */
sealed interface CurveEngine permits NativeCurve, BouncyCurve {
    /** What the start-up log and {@link Secp256k1#engine()} call it. */
    String name();

    /** k·G compressed (33 bytes), for 0 &lt; k &lt; n. */
    byte[] multiplyBase(byte[] scalar32);

    /**
     * P + t·G compressed (33 bytes): a BIP-32 public child. {@code publicKey} compressed or uncompressed; uncompressed spares
     * the engine a square root (a parent deriving many children keeps its point).
     *
     * @throws IllegalStateException when the sum is the point at infinity (probability 2^-127; BIP-32 skips the index)
     */
    byte[] addBaseMultiple(byte[] publicKey, byte[] tweak32);

    /**
     * A public key (compressed or not) in its uncompressed form (65 bytes, 0x04-prefixed).
     *
     * @throws IllegalArgumentException when the bytes are not a point on the curve
     */
    byte[] uncompressed(byte[] publicKey);

    /** RFC 6979 (HMAC-SHA256) ECDSA over a 32-byte hash, low-S: r || s, 64 bytes. */
    byte[] sign(byte[] privateKey, byte[] hash32);

    /**
     * The public key (uncompressed, 65 bytes) whose signature over {@code hash32} is r || s ({@code signature64}) with
     * recovery id 0..3 (SEC 1 4.1.6), or null when that id yields none.
     */
    byte[] recover(byte[] signature64, byte[] hash32, int recoveryId);
}
