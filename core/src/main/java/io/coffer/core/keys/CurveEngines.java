package io.coffer.core.keys;

import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Chooses the engine once per JVM: libsecp256k1 unless the system property {@code coffer.secp256k1} says
 * {@code bouncycastle}, or the native library does not load (then Bouncy Castle, with one warning naming why).
 */
final class CurveEngines {
    private static final Logger LOG = Logger.getLogger(CurveEngines.class.getName());

    /** The system property that picks the engine: {@code native} (default) or {@code bouncycastle}. */
    static final String PROPERTY = "coffer.secp256k1";

    static final CurveEngine CURRENT = choose();

    private CurveEngines() {
    }

    private static CurveEngine choose() {
        String wanted = System.getProperty(PROPERTY, "native").trim().toLowerCase(Locale.ROOT);
        if (wanted.equals("bouncycastle")) {
            LOG.info("secp256k1: Bouncy Castle (" + PROPERTY + "=bouncycastle)");
            return BouncyCurve.INSTANCE;
        }
        CurveEngine loaded = loadNative();
        if (loaded == null) {
            return BouncyCurve.INSTANCE;
        }
        LOG.info("secp256k1: " + loaded.name());
        return loaded;
    }

    /** libsecp256k1, or null (logged) when it cannot load here. */
    static NativeCurve loadNative() {
        try {
            return NativeCurve.load();
        } catch (Exception | LinkageError e) { // UnsatisfiedLinkError, an unpacking IOException, a refused native access: "not here"
            String why = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            LOG.log(Level.WARNING, "secp256k1: libsecp256k1 did not load (" + (why.length() > 200 ? why.substring(0, 200) : why)
                    + "); signing and derivation use Bouncy Castle, about four times slower");
            return null;
        }
    }
}
