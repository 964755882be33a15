package io.coffer.core.operator;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.time.Instant;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Time-based one-time passwords, RFC 6238 over RFC 4226's HOTP: 30-second steps from the Unix epoch, dynamic truncation, the
 * HMAC an authenticator app is told in its {@code otpauth://} URI (SHA-1 by default; SHA-256 and SHA-512 as the RFC defines).
 */
public final class Totp {
    /** Seconds per step. */
    public static final int STEP_SECONDS = 30;
    /** Digits of the codes operators type. */
    public static final int DIGITS = 6;

    private Totp() {
    }

    /** The step {@code t} falls in. */
    public static long step(Instant t) {
        return Math.floorDiv(t.getEpochSecond(), STEP_SECONDS);
    }

    /** The code of {@code step}, {@code digits} long, zero-padded; {@code algorithm} "HmacSHA1", "HmacSHA256" or "HmacSHA512". */
    public static String code(byte[] secret, long step, int digits, String algorithm) {
        byte[] h;
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(secret, algorithm));
            h = mac.doFinal(ByteBuffer.allocate(8).putLong(step).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " unavailable", e);
        }
        int offset = h[h.length - 1] & 0x0f;
        int binary = (h[offset] & 0x7f) << 24 | (h[offset + 1] & 0xff) << 16 | (h[offset + 2] & 0xff) << 8 | (h[offset + 3] & 0xff);
        long mod = (long) Math.pow(10, digits);
        return String.format("%0" + digits + "d", binary % mod);
    }

    /** The operators' codes: SHA-1, six digits. */
    public static String code(byte[] secret, long step) {
        return code(secret, step, DIGITS, "HmacSHA1");
    }

    /**
     * The step within one of {@code now}'s (the one before, now, the one after: clocks drift) whose code is {@code code}, or -1.
     * Compares every candidate in full (no early exit on the first mismatching digit).
     */
    public static long matchingStep(byte[] secret, String code, Instant now) {
        if (code == null || code.length() != DIGITS || !code.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        long current = step(now);
        long found = -1;
        for (long s = current - 1; s <= current + 1; s++) {
            if (java.security.MessageDigest.isEqual(code(secret, s).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                    code.getBytes(java.nio.charset.StandardCharsets.US_ASCII))) {
                found = s;
            }
        }
        return found;
    }

    /** The {@code otpauth://} URI an authenticator app reads (from the QR the CLI prints). */
    public static String uri(String issuer, String account, byte[] secret) {
        String label = enc(issuer) + ":" + enc(account);
        return "otpauth://totp/" + label + "?secret=" + Base32.encode(secret) + "&issuer=" + enc(issuer) + "&algorithm=SHA1&digits="
                + DIGITS + "&period=" + STEP_SECONDS;
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** RFC 4648 base32 without padding, as authenticator apps take secrets. */
    public static final class Base32 {
        private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

        private Base32() {
        }

        public static String encode(byte[] data) {
            StringBuilder out = new StringBuilder((data.length * 8 + 4) / 5);
            int buffer = 0;
            int bits = 0;
            for (byte b : data) {
                buffer = buffer << 8 | (b & 0xff);
                bits += 8;
                while (bits >= 5) {
                    out.append(ALPHABET.charAt(buffer >> (bits - 5) & 31));
                    bits -= 5;
                }
            }
            if (bits > 0) {
                out.append(ALPHABET.charAt(buffer << (5 - bits) & 31));
            }
            return out.toString();
        }

        public static byte[] decode(String text) {
            String s = text.replace("=", "").replace(" ", "").toUpperCase(java.util.Locale.ROOT);
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(s.length() * 5 / 8);
            int buffer = 0;
            int bits = 0;
            for (char c : s.toCharArray()) {
                int v = ALPHABET.indexOf(c);
                if (v < 0) {
                    throw new IllegalArgumentException("not base32: " + c);
                }
                buffer = buffer << 5 | v;
                bits += 5;
                if (bits >= 8) {
                    out.write(buffer >> (bits - 8) & 0xff);
                    bits -= 8;
                }
            }
            return out.toByteArray();
        }
    }
}
