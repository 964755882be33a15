package io.coffer.api.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The gRPC message prefixes of a request body followed across HTTP/2 frames of any size. */
class MessageFramingTest {
    private static byte[] message(int flag, int length) {
        byte[] m = new byte[5 + length];
        m[0] = (byte) flag;
        m[1] = (byte) (length >>> 24);
        m[2] = (byte) (length >>> 16);
        m[3] = (byte) (length >>> 8);
        m[4] = (byte) length;
        Arrays.fill(m, 5, m.length, (byte) 0x78);
        return m;
    }

    private static MessageFraming.Verdict feed(byte[] body, int frame, long max) {
        MessageFraming f = new MessageFraming(max);
        for (int i = 0; i < body.length; i += frame) {
            MessageFraming.Verdict v = f.accept(Arrays.copyOfRange(body, i, Math.min(body.length, i + frame)));
            if (v != MessageFraming.Verdict.OK) {
                return v;
            }
        }
        return MessageFraming.Verdict.OK;
    }

    @Test
    void messagesUpToTheLimitPassWhateverTheFrameSize() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(message(0, 100));
        body.writeBytes(message(0, 0));
        body.writeBytes(message(0, 1000));
        for (int frame : new int[] {1, 2, 3, 4, 5, 6, 7, 104, 105, 1000, 1 << 14}) {
            assertEquals(MessageFraming.Verdict.OK, feed(body.toByteArray(), frame, 1000), "frames of " + frame);
        }
    }

    @Test
    void aPrefixOverTheLimitIsCaughtEvenWhenSplitAcrossFrames() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(message(0, 10));
        body.writeBytes(Arrays.copyOf(message(0, 1001), 5)); // only its prefix arrives
        for (int frame : new int[] {1, 2, 3, 14, 15, 16, 1 << 14}) {
            assertEquals(MessageFraming.Verdict.TOO_LARGE, feed(body.toByteArray(), frame, 1000), "frames of " + frame);
        }
        MessageFraming f = new MessageFraming(1000);
        f.accept(new byte[] {0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
        assertEquals(0xFFFFFFFFL, f.lastLength(), "the length is unsigned");
    }

    @Test
    void aCompressedMessageIsCaught() {
        assertEquals(MessageFraming.Verdict.COMPRESSED, feed(message(1, 10), 3, 1000));
    }
}
