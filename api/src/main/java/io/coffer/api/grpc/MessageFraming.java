package io.coffer.api.grpc;

/**
 * Follows the gRPC length-prefixed messages of a request body as it arrives in pieces (each message: one flag byte, 1 when
 * compressed, then a 4-byte big-endian length, then that many bytes), judging each prefix as soon as it is complete.
 * Pure: no I/O, so its edge cases (a prefix split across frames, several messages in one frame) are unit-tested.
 */
final class MessageFraming {
    enum Verdict {
        OK,
        TOO_LARGE,
        COMPRESSED
    }

    private final long max;
    private final byte[] prefix = new byte[5];
    private int prefixFill;
    private long remaining;
    private long lastLength;

    MessageFraming(long max) {
        this.max = max;
    }

    /** Takes the next piece of the body; the first refusal is final (nothing after it is looked at). */
    Verdict accept(byte[] piece) {
        int i = 0;
        while (i < piece.length) {
            if (remaining > 0) {
                int chunk = (int) Math.min(remaining, piece.length - i);
                i += chunk;
                remaining -= chunk;
                continue;
            }
            prefix[prefixFill++] = piece[i++];
            if (prefixFill == prefix.length) {
                prefixFill = 0;
                lastLength = ((prefix[1] & 0xFFL) << 24) | ((prefix[2] & 0xFFL) << 16) | ((prefix[3] & 0xFFL) << 8) | (prefix[4] & 0xFFL);
                if (lastLength > max) {
                    return Verdict.TOO_LARGE;
                }
                if (prefix[0] != 0) {
                    return Verdict.COMPRESSED;
                }
                remaining = lastLength;
            }
        }
        return Verdict.OK;
    }

    /** The length announced by the last complete prefix. */
    long lastLength() {
        return lastLength;
    }
}
