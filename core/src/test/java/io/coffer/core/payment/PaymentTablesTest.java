package io.coffer.core.payment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PaymentTablesTest {
    @Test
    void requestsStoredBeforeRedirectUrlsReadBackWithoutOne() {
        PaymentRequest now = new PaymentRequest("pr_1", "tn_1", 0, "bitcoin/BTC", BigInteger.TEN, "bcrt1qx", "bitcoin:bcrt1qx", 1,
                Instant.ofEpochMilli(1_000), null, "o-1", Map.of("k", "v"), "d", "key", null, "https://shop.example/thanks");
        byte[] v2 = PaymentTables.REQUESTS.values().encode(now);
        assertEquals(now, PaymentTables.REQUESTS.values().decode(v2));
        // The same record as version 1 wrote it: no redirect field at the end (an empty UTF string is two zero bytes).
        PaymentRequest without = new PaymentRequest("pr_1", "tn_1", 0, "bitcoin/BTC", BigInteger.TEN, "bcrt1qx", "bitcoin:bcrt1qx", 1,
                Instant.ofEpochMilli(1_000), null, "o-1", Map.of("k", "v"), "d", "key", null, "");
        byte[] v1 = Arrays.copyOf(PaymentTables.REQUESTS.values().encode(without), v2.length - 2 - "https://shop.example/thanks".length());
        v1[0] = 1;
        assertEquals(without, PaymentTables.REQUESTS.values().decode(v1));
    }
}
