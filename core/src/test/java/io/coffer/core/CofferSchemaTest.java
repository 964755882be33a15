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

/** A data directory written by schema 1 (before events) is upgraded to today's: every index the new code reads is built. */
class CofferSchemaTest {
    @TempDir
    Path dir;

    @Test
    void aVersionOneStoreGetsItsPaymentRequestAndDepositIndexes() {
        Instant t = Instant.parse("2026-11-01T00:00:00Z");
        PaymentRequest pr = new PaymentRequest("pr_1", "tn_1", 0, "bitcoin/BTC", BigInteger.valueOf(1000), "bcrt1qaddr", "bitcoin:bcrt1qaddr",
                1, t, t.plusSeconds(3600), "", Map.of(), "", "k", null, "");
        Deposit d = new Deposit("bitcoin", new DepositId("ab".repeat(32), 1), "bcrt1qaddr", 0, "bitcoin/BTC", BigInteger.valueOf(1000),
                DepositStatus.CONFIRMED, 101, "00".repeat(32), 1, t, t, List.of());
        io.coffer.core.transfer.Withdrawal w = new io.coffer.core.transfer.Withdrawal("wd_1", "bitcoin", 0, "bcrt1qdest", BigInteger.TEN,
                BigInteger.ONE, 1000, io.coffer.core.transfer.WithdrawalStatus.CONFIRMED, "cd".repeat(32), new byte[] {1}, List.of(), 1,
                List.of("ef".repeat(32)), "tr_1", 1, "", t, t, "bitcoin/BTC", "");
        try (Store v1 = LevelDbStore.open(dir, Schema.of(1, CofferSchema.current().tables()))) {
            Batch b = v1.batch();
            b.put(PaymentTables.REQUESTS, pr.id(), pr);
            b.put(ChainTables.DEPOSITS, new ChainTables.ChainDeposit("bitcoin", d.id()), d);
            b.put(io.coffer.core.transfer.TransferTables.WITHDRAWALS, new io.coffer.core.transfer.TransferTables.ChainKey("bitcoin", w.id()), w);
            for (var state : List.of(io.coffer.core.transfer.TenantTransfer.State.AWAITING_APPROVAL, io.coffer.core.transfer.TenantTransfer.State.SUBMITTED)) {
                String id = "tt_" + state.ordinal();
                b.put(io.coffer.core.transfer.TransferTables.TRANSFERS, id, new io.coffer.core.transfer.TenantTransfer(id, "tn_1", 0, "bitcoin/BTC",
                        "bcrt1qdest", BigInteger.valueOf(700 + state.ordinal()), io.coffer.core.transfer.FeePriority.NORMAL, java.util.Optional.empty(),
                        "", "", "key-" + id, "ak_1", List.of(), state, "", "", t, t));
            }
            // Version 8: a rejected transfer and one whose withdrawal failed do not count against limits; a refund does.
            io.coffer.core.transfer.Withdrawal failed = new io.coffer.core.transfer.Withdrawal("wd_2", "bitcoin", 0, "bcrt1qdest", BigInteger.TEN,
                    BigInteger.ONE, 1000, io.coffer.core.transfer.WithdrawalStatus.FAILED, "aa".repeat(32), new byte[] {1}, List.of(), 1,
                    List.of(), "tt_failed", 0, "", t, t, "bitcoin/BTC", "");
            b.put(io.coffer.core.transfer.TransferTables.WITHDRAWALS, new io.coffer.core.transfer.TransferTables.ChainKey("bitcoin", "wd_2"), failed);
            b.put(io.coffer.core.transfer.TransferTables.TRANSFERS, "tt_failed", transfer("tt_failed", 5,
                    io.coffer.core.transfer.TenantTransfer.State.SUBMITTED, "wd_2", "", t));
            b.put(io.coffer.core.transfer.TransferTables.TRANSFERS, "tt_rejected", transfer("tt_rejected", 7,
                    io.coffer.core.transfer.TenantTransfer.State.REJECTED, "", "", t));
            b.put(io.coffer.core.transfer.TransferTables.TRANSFERS, "tt_refund", transfer("tt_refund", 11,
                    io.coffer.core.transfer.TenantTransfer.State.SUBMITTING, "", "pr_1", t.plusSeconds(3600 + 61)));
            // Version 9: the destinations paid, filed by look-alike signature (a short one has none).
            var paid = io.coffer.core.transfer.TransferTables.PAID_DESTINATIONS;
            b.put(paid, new io.coffer.core.transfer.TransferTables.TenantDestination("tn_1", "bitcoin", "bcrt1qaaaa00000000zzzz"), at(t));
            b.put(paid, new io.coffer.core.transfer.TransferTables.TenantDestination("tn_1", "ethereum", "0xAbCd00000000000000000000000000000000Ef12"), at(t));
            b.put(paid, new io.coffer.core.transfer.TransferTables.TenantDestination("tn_1", "bitcoin", "short"), at(t));
            // Version 11: of two spends recorded, the one by a transaction of no withdrawal is filed as foreign (written here as
            // version 4 on wrote them: a spent-outputs row, nothing else).
            b.put(ChainTables.SPENT_OUTPUTS, new ChainTables.ChainDeposit("bitcoin", d.id()), new ChainTables.SpentOutput("ef".repeat(32), 102));
            b.put(ChainTables.SPENT_OUTPUTS, new ChainTables.ChainDeposit("bitcoin", new DepositId("bc".repeat(32), 0)),
                    new ChainTables.SpentOutput("99".repeat(32), 103));
            // Version 14: two coins kept with the balances (as version 6 on wrote them), filed by amount.
            b.put(io.coffer.core.transfer.LedgerBalances.COINS, new io.coffer.core.transfer.LedgerBalances.CoinKey("bitcoin", 0, d.id()),
                    BigInteger.valueOf(1000));
            b.put(io.coffer.core.transfer.LedgerBalances.COINS, new io.coffer.core.transfer.LedgerBalances.CoinKey("bitcoin", 0,
                    new DepositId("01".repeat(32), 0)), BigInteger.valueOf(250_000));
            b.commit();
        }
        try (Store now = LevelDbStore.openAndUpgrade(dir, CofferSchema.current())) {
            assertEquals(CofferSchema.VERSION, now.schemaVersion());
            assertEquals("pr_1", now.get(PaymentTables.BY_ADDRESS, new io.coffer.core.chain.ChainTables.ChainAddress("bitcoin", "bcrt1qaddr")).orElseThrow());
            assertTrue(now.get(PaymentTables.EXPIRING, new PaymentTables.Expiry(pr.expiresAt().toEpochMilli(), "pr_1")).isPresent());
            assertTrue(now.get(ChainTables.DEPOSITS_BY_ADDRESS, new ChainTables.ChainAddressDeposit("bitcoin", "bcrt1qaddr", d.id())).isPresent());
            // Version 5: the account's history and the wallet's own transaction ids (the replaced one too).
            assertTrue(now.get(ChainTables.ACCOUNT_ACTIVITY, ChainTables.activityOf(d)).isPresent());
            assertTrue(now.get(ChainTables.ACCOUNT_ACTIVITY, new ChainTables.AccountActivity(0, t.toEpochMilli(), "bitcoin",
                    ChainTables.ActivityKind.WITHDRAWAL, "wd_1")).isPresent());
            assertEquals("wd_1", now.get(ChainTables.OWN_TXIDS, new ChainTables.ChainAddress("bitcoin", "cd".repeat(32))).orElseThrow());
            assertEquals("wd_1", now.get(ChainTables.OWN_TXIDS, new ChainTables.ChainAddress("bitcoin", "ef".repeat(32))).orElseThrow());
            // Version 7: the transfers awaiting approval, by tenant and asset (the submitted one is not).
            assertEquals(List.of(Map.entry(new io.coffer.core.transfer.TransferTables.TenantAssetTransfer("tn_1", "bitcoin/BTC", "tt_0"),
                    BigInteger.valueOf(700))), now.list(io.coffer.core.transfer.TransferTables.AWAITING,
                    io.coffer.core.transfer.TransferTables.AWAITING.all(), 10));
            var counting = io.coffer.core.transfer.TransferTables.COUNTING;
            assertEquals(List.of("tt_0", "tt_2", "tt_refund"), now.list(counting, counting.all(), 10).stream().map(e -> e.getKey().id()).toList());
            var counted = io.coffer.core.transfer.TransferTables.COUNTED;
            long at = t.toEpochMilli();
            assertEquals(List.of(
                    // Version 13: the seconds' sums.
                    Map.entry(new io.coffer.core.transfer.TransferTables.CountedSpan("tn_1", "bitcoin/BTC", 1_000, at), BigInteger.valueOf(1402)),
                    Map.entry(new io.coffer.core.transfer.TransferTables.CountedSpan("tn_1", "bitcoin/BTC", 1_000, at + 3_661_000), BigInteger.valueOf(11)),
                    Map.entry(new io.coffer.core.transfer.TransferTables.CountedSpan("tn_1", "bitcoin/BTC", 60_000, at), BigInteger.valueOf(1402)),
                    Map.entry(new io.coffer.core.transfer.TransferTables.CountedSpan("tn_1", "bitcoin/BTC", 60_000, at + 3_660_000), BigInteger.valueOf(11)),
                    Map.entry(new io.coffer.core.transfer.TransferTables.CountedSpan("tn_1", "bitcoin/BTC", 3_600_000, at), BigInteger.valueOf(1402)),
                    Map.entry(new io.coffer.core.transfer.TransferTables.CountedSpan("tn_1", "bitcoin/BTC", 3_600_000, at + 3_600_000), BigInteger.valueOf(11)),
                    // Version 10: the day's sum (t starts a UTC day).
                    Map.entry(new io.coffer.core.transfer.TransferTables.CountedSpan("tn_1", "bitcoin/BTC", 86_400_000, at), BigInteger.valueOf(1413))),
                    now.list(counted, counted.all(), 10));
            var refunding = io.coffer.core.transfer.TransferTables.REFUNDING;
            assertEquals(List.of(Map.entry(new io.coffer.core.transfer.TransferTables.RefundTransfer("tn_1", "pr_1", "tt_refund"), BigInteger.valueOf(11))),
                    now.list(refunding, refunding.all(), 10));
            var lookalikes = io.coffer.core.transfer.TransferTables.PAID_LOOKALIKES;
            assertEquals(List.of(new io.coffer.core.transfer.TransferTables.PaidLookalike("tn_1", "bitcoin", "aaaa.zzzz", "bcrt1qaaaa00000000zzzz"),
                    new io.coffer.core.transfer.TransferTables.PaidLookalike("tn_1", "ethereum", "abcd.ef12", "0xAbCd00000000000000000000000000000000Ef12")),
                    now.list(lookalikes, lookalikes.all(), 10).stream().map(Map.Entry::getKey).toList());
            assertEquals(List.of(new ChainTables.ChainDeposit("bitcoin", new DepositId("bc".repeat(32), 0))),
                    now.list(ChainTables.FOREIGN_SPENDS, ChainTables.FOREIGN_SPENDS.all(), 10).stream().map(Map.Entry::getKey).toList());
            // Version 12: the transfer stored but not sent (SUBMITTING), which a start resumes.
            assertEquals(List.of("tt_refund"), now.list(io.coffer.core.transfer.TransferTables.SUBMITTING,
                    io.coffer.core.transfer.TransferTables.SUBMITTING.all(), 10).stream().map(Map.Entry::getKey).toList());
            var byAmount = io.coffer.core.transfer.LedgerBalances.COINS_BY_AMOUNT;
            assertEquals(List.of(new io.coffer.core.transfer.LedgerBalances.CoinByAmount("bitcoin", 0, BigInteger.valueOf(250_000),
                            new DepositId("01".repeat(32), 0)),
                    new io.coffer.core.transfer.LedgerBalances.CoinByAmount("bitcoin", 0, BigInteger.valueOf(1000), d.id())),
                    now.list(byAmount, byAmount.all(), 10).stream().map(Map.Entry::getKey).toList(), "largest first");
            assertEquals(3, new io.coffer.core.transfer.AccountHistory(now).page(0, Instant.MIN, Instant.MAX, "", java.util.Optional.empty(), 50)
                    .items().size());
        }
    }

    private static Long at(Instant t) {
        return t.toEpochMilli();
    }

    private static io.coffer.core.transfer.TenantTransfer transfer(String id, long amount, io.coffer.core.transfer.TenantTransfer.State state,
            String withdrawalId, String refundOf, Instant at) {
        return new io.coffer.core.transfer.TenantTransfer(id, "tn_1", 0, "bitcoin/BTC", "bcrt1qdest", BigInteger.valueOf(amount),
                io.coffer.core.transfer.FeePriority.NORMAL, java.util.Optional.empty(), "", refundOf, "key-" + id, "ak_1", List.of(), state,
                withdrawalId, "", at, at);
    }
}
