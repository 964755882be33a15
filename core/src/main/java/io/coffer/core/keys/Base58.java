package io.coffer.core.keys;

import java.math.BigInteger;
import java.util.Arrays;

/** Base58 and Base58Check (as used by BIP-32 extended keys). */
public final class Base58 {
    private static final String ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private static final BigInteger BASE = BigInteger.valueOf(58);

    private Base58() {
    }

    public static String encode(byte[] data) {
        BigInteger n = new BigInteger(1, data);
        StringBuilder sb = new StringBuilder();
        while (n.signum() > 0) {
            BigInteger[] qr = n.divideAndRemainder(BASE);
            sb.append(ALPHABET.charAt(qr[1].intValue()));
            n = qr[0];
        }
        for (int i = 0; i < data.length && data[i] == 0; i++) {
            sb.append('1');
        }
        return sb.reverse().toString();
    }

    /** @throws IllegalArgumentException on a character outside the alphabet */
    public static byte[] decode(String s) {
        BigInteger n = BigInteger.ZERO;
        for (int i = 0; i < s.length(); i++) {
            int digit = ALPHABET.indexOf(s.charAt(i));
            if (digit < 0) {
                throw new IllegalArgumentException("invalid Base58 character at position " + i);
            }
            n = n.multiply(BASE).add(BigInteger.valueOf(digit));
        }
        byte[] body = n.toByteArray();
        if (body.length > 1 && body[0] == 0) {
            body = Arrays.copyOfRange(body, 1, body.length);
        }
        if (n.signum() == 0) {
            body = new byte[0];
        }
        int zeros = 0;
        while (zeros < s.length() && s.charAt(zeros) == '1') {
            zeros++;
        }
        byte[] out = new byte[zeros + body.length];
        System.arraycopy(body, 0, out, zeros, body.length);
        return out;
    }

    public static String encodeCheck(byte[] payload) {
        byte[] check = Hashes.sha256d(payload);
        byte[] all = Arrays.copyOf(payload, payload.length + 4);
        System.arraycopy(check, 0, all, payload.length, 4);
        return encode(all);
    }

    /** @throws IllegalArgumentException when the checksum does not match */
    public static byte[] decodeCheck(String s) {
        byte[] all = decode(s);
        if (all.length < 4) {
            throw new IllegalArgumentException("Base58Check string too short");
        }
        byte[] payload = Arrays.copyOf(all, all.length - 4);
        byte[] check = Hashes.sha256d(payload);
        for (int i = 0; i < 4; i++) {
            if (check[i] != all[payload.length + i]) {
                throw new IllegalArgumentException("Base58Check checksum mismatch");
            }
        }
        return payload;
    }
}
