package io.coffer.core.keys;

import java.security.MessageDigest;
import java.util.Arrays;

/** Handling of secret byte arrays. */
public final class Secrets {
    private Secrets() {
    }

    /** Overwrites {@code secret} with zeros; null-safe. */
    public static void wipe(byte[] secret) {
        if (secret != null) {
            Arrays.fill(secret, (byte) 0);
        }
    }

    /** Overwrites {@code secret} with zeros; null-safe. */
    public static void wipe(char[] secret) {
        if (secret != null) {
            Arrays.fill(secret, '\0');
        }
    }

    /** Constant-time comparison, so that checking a MAC or fingerprint leaks no timing. */
    public static boolean equal(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }
}
