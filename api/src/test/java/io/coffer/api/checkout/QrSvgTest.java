package io.coffer.api.checkout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.coffer.api.CheckoutITSupport;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Every code the node draws reads back as what it encodes (BIP-21 and EIP-681 URIs of every length a page can show). */
class QrSvgTest {
    @Test
    void everyCodeReadsBackAsItsText() throws Exception {
        Random random = new Random(42);
        for (int i = 0; i < 200; i++) {
            String address = "bcrt1q" + Long.toString(Math.abs(random.nextLong()), 36) + Long.toString(Math.abs(random.nextLong()), 36);
            String uri = i % 2 == 0 ? "bitcoin:" + address + "?amount=0." + random.nextInt(1_000_000) + "&message=" + "x".repeat(random.nextInt(60))
                    : "ethereum:0x" + Long.toHexString(random.nextLong()) + "@31337/transfer?address=0x" + Long.toHexString(random.nextLong())
                    + "&uint256=" + Math.abs(random.nextLong());
            assertEquals(uri, CheckoutITSupport.decodeQr(QrSvg.of(uri)), uri);
        }
    }
}
