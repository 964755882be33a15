package io.coffer.core.address;

import io.coffer.core.error.CofferException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.digests.KeccakDigest;

/**
 * A 20-byte EVM account address, always printed with its EIP-55 mixed-case checksum.
 *
 * <p>Parsing follows what wallets do: all-lowercase or all-uppercase hex carries no checksum and is
 * accepted; mixed case must match the EIP-55 checksum exactly, because a mixed-case typo is exactly
 * what the checksum exists to catch.
 */
public record EvmAddress(byte[] bytes) {
    private static final Pattern HEX40 = Pattern.compile("0x[0-9a-fA-F]{40}");

    public EvmAddress {
        if (bytes.length != 20) {
            throw new IllegalArgumentException("an EVM address has 20 bytes, got " + bytes.length);
        }
        bytes = bytes.clone();
    }

    /**
     * Parses {@code text} as an address.
     *
     * @param field the request field or config key named in the error
     * @throws CofferException INVALID_ARGUMENT ({@code ADDRESS_MALFORMED} or {@code ADDRESS_BAD_CHECKSUM})
     */
    public static EvmAddress parse(String field, String text) {
        if (text == null || !HEX40.matcher(text).matches()) {
            throw CofferException.invalid(field, "ADDRESS_MALFORMED", "not an EVM address (0x followed by 40 hex digits)");
        }
        String hex = text.substring(2);
        EvmAddress address = new EvmAddress(HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT)));
        boolean mixed = !hex.equals(hex.toLowerCase(Locale.ROOT)) && !hex.equals(hex.toUpperCase(Locale.ROOT));
        if (mixed && !address.toString().equals(text)) {
            throw CofferException.invalid(field, "ADDRESS_BAD_CHECKSUM", "EIP-55 checksum mismatch (check for a typo)");
        }
        return address;
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    /** The EIP-55 checksummed form, {@code 0x} + 40 hex digits. */
    @Override
    public String toString() {
        String lower = HexFormat.of().formatHex(bytes);
        byte[] hash = keccak256(lower.getBytes(StandardCharsets.US_ASCII));
        StringBuilder out = new StringBuilder("0x");
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            int nibble = (hash[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0xF;
            out.append(nibble >= 8 ? Character.toUpperCase(c) : c);
        }
        return out.toString();
    }

    static byte[] keccak256(byte[] input) {
        KeccakDigest d = new KeccakDigest(256);
        d.update(input, 0, input.length);
        byte[] out = new byte[32];
        d.doFinal(out, 0);
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EvmAddress a && java.util.Arrays.equals(a.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(bytes);
    }
}
