package io.coffer.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.core.chain.ChainTables;
import io.coffer.core.chain.Deposit;
import io.coffer.core.chain.DepositId;
import io.coffer.core.chain.DepositStatus;
import io.coffer.core.payment.PaymentRequest;
import io.coffer.core.payment.PaymentTables;
import io.coffer.core.store.Batch;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Schema;
import io.coffer.core.store.Store;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A data directory written by schema 1 (before events) is upgraded to today's: the indexes the new code reads are built. */
class CofferSchemaTest {
    @TempDir
    Path dir;

    @Test
    void aVersionOneStoreGetsItsPaymentRequestAndDepositIndexes() {
        Instant t = Instant.parse("2026-11-01T00:00:00Z");
        PaymentRequest pr = new PaymentRequest("pr_1", "tn_1", 0, "bitcoin/BTC", BigInteger.valueOf(1000), "bcrt1qaddr", "bitcoin:bcrt1qaddr",
                1, t, t.plusSeconds(3600), "", Map.of(), "", "k", null);
        Deposit d = new Deposit("bitcoin", new DepositId("ab".repeat(32), 1), "bcrt1qaddr", 0, "bitcoin/BTC", BigInteger.valueOf(1000),
                DepositStatus.CONFIRMED, 101, "00".repeat(32), 1, t, t, List.of());
        try (Store v1 = LevelDbStore.open(dir, Schema.of(1, CofferSchema.current().tables()))) {
            Batch b = v1.batch();
            b.put(PaymentTables.REQUESTS, pr.id(), pr);
            b.put(ChainTables.DEPOSITS, new ChainTables.ChainDeposit("bitcoin", d.id()), d);
            b.commit();
        }
        try (Store now = LevelDbStore.openAndUpgrade(dir, CofferSchema.current())) {
            assertEquals(CofferSchema.VERSION, now.schemaVersion());
            assertEquals("pr_1", now.get(PaymentTables.BY_ADDRESS, new io.coffer.core.chain.ChainTables.ChainAddress("bitcoin", "bcrt1qaddr")).orElseThrow());
            assertTrue(now.get(PaymentTables.EXPIRING, new PaymentTables.Expiry(pr.expiresAt().toEpochMilli(), "pr_1")).isPresent());
            assertTrue(now.get(ChainTables.DEPOSITS_BY_ADDRESS, new ChainTables.ChainAddressDeposit("bitcoin", "bcrt1qaddr", d.id())).isPresent());
        }
    }
}
