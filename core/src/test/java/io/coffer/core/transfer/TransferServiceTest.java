package io.coffer.core.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.core.CofferSchema;
import io.coffer.core.MovableClock;
import io.coffer.core.audit.AuditLog;
import io.coffer.core.error.CofferException;
import io.coffer.core.error.ErrorKind;
import io.coffer.core.event.EventOutbox;
import io.coffer.core.store.Batch;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The money-out rules of {@link TransferService} on a real store with a fake chain ({@link FakeTransferChains}): idempotency
 * (also under concurrent identical calls), per-transfer and rolling 24 h limits, the allowlist and its delay, approvals and
 * their quorum, reservations, refunds bounded by what was paid, and a refusal at send that ends the transfer once.
 */
class TransferServiceTest {
    private static final String DEST = "bcrt1qdestination000";
    private static final String OTHER = "bcrt1qotheraddress000";
    private static final Duration DELAY = Duration.ofHours(24);
    @TempDir
    Path dir;
    Store store;
    /** {@link #store}, counting what is read through it. */
    io.coffer.core.store.ReadCountingStore counted;
    final MovableClock clock = new MovableClock(Instant.parse("2026-03-01T12:00:00Z"));
    final FakeTransferChains chains = new FakeTransferChains();
    final Map<String, Map.Entry<String, BigInteger>> paidRequests = new ConcurrentHashMap<>();
    TransferService service;
    final TransferService.Caller clerk = new TransferService.Caller("tn_shop", 0, "ak_clerk");
    final TransferService.Caller boss = new TransferService.Caller("tn_shop", 0, "ak_boss");
    final TransferService.Caller owner = new TransferService.Caller("tn_shop", 0, "ak_owner");

    @BeforeEach
    void open() {
        counted = new io.coffer.core.store.ReadCountingStore(LevelDbStore.open(dir, CofferSchema.current()));
        store = counted;
        service = newService();
        chains.fund(0, FakeTransferChains.BTC, 10_000_000);
    }

    /** The service as a (re)started process builds it over the same store. */
    private TransferService newService() {
        return new TransferService(store, chains, (tenant, id) -> Optional.ofNullable(paidRequests.get(tenant + "|" + id)),
                new EventOutbox(store, clock), v -> "{\"id\":\"" + v.transfer().id() + "\",\"status\":\"" + v.status() + "\"}",
                new AuditLog(store, clock), clock, DELAY);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static TransferService.Create send(String amount, String key) {
        return new TransferService.Create(FakeTransferChains.BTC, DEST, amount, null, Optional.empty(), key, "", "");
    }

    private static void refused(ErrorKind kind, String code, Executable call) {
        CofferException e = assertThrows(CofferException.class, call);
        assertEquals(kind, e.kind(), e.getMessage());
        assertEquals(code, e.code(), e.getMessage());
    }

    private void policy(TransferPolicy.Limits limits, int quorum, List<TransferPolicy.AllowEntry> allow) {
        service.setPolicy(new TransferPolicy("tn_shop", limits == null ? Map.of() : Map.of(FakeTransferChains.BTC, limits), allow, quorum),
                "operator");
    }

    @Test
    void theSameKeyIsTheSameTransferAndAnotherBodyIsRefused() {
        TransferService.View first = service.create(clerk, send("5000", "order-1"));
        assertEquals(io.coffer.core.transfer.TransferStatus.BROADCAST, first.status());
        assertEquals(first.transfer().id(), service.create(clerk, send("5000", "order-1")).transfer().id());
        refused(ErrorKind.ALREADY_EXISTS, "IDEMPOTENCY_KEY_REUSED", () -> service.create(clerk, send("5001", "order-1")));
        assertEquals(1, chains.sends(first.transfer().id()), "one withdrawal, whatever the retries");
        // Another tenant may use the same key: keys are per tenant.
        TransferService.Caller other = new TransferService.Caller("tn_other", 1, "ak_other");
        chains.fund(1, FakeTransferChains.BTC, 10_000);
        assertTrue(!service.create(other, send("5000", "order-1")).transfer().id().equals(first.transfer().id()));
    }

    @Test
    void twentyConcurrentIdenticalCallsMakeOneTransfer() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(20);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<String>> calls = new java.util.ArrayList<>();
            for (int i = 0; i < 20; i++) {
                calls.add(pool.submit(() -> {
                    go.await();
                    return service.create(clerk, send("7000", "same")).transfer().id();
                }));
            }
            go.countDown();
            Set<String> ids = new java.util.HashSet<>();
            for (Future<String> f : calls) {
                ids.add(f.get());
            }
            assertEquals(1, ids.size());
            assertEquals(1, chains.sends(ids.iterator().next()));
            assertEquals(1, chains.withdrawals());
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Decisions are taken one at a time but written side by side (the wait for the disk is outside the lock), so what the
     * transfers queued and not yet written change must count before the store shows it. Sixteen threads make 48 calls with
     * distinct keys against each bound in turn, and exactly as many pass as the bound allows: the rolling 24 h limit (10 of
     * 1,000), the funds reserved by transfers awaiting approval (4 of 2,000,000), and the amount paid to a request that refunds
     * may return (5 of 1,000); every other call is refused before anything is stored. Against the funds alone (9 of 1,000,000
     * once 10,000 are spent) at most that many pass: this fake takes a withdrawal's amount off the funds before its batch is
     * written (without a sink, before its send returns), and until then the transfer's amount counts as being sent too — a
     * refusal in that moment, never a promise beyond the funds. (The ledger's balance shows a withdrawal once its batch is
     * written, and the amount stops counting as being sent right after: aSendsAmountCountsOnceFromTheWriteOfItsWithdrawal.)
     */
    @Test
    void concurrentCallersWithDistinctKeysAreHeldToEachBoundExactly() throws Exception {
        policy(new TransferPolicy.Limits(null, BigInteger.valueOf(10_000), null), 0, List.of());
        assertEquals(10, passing(i -> send("1000", "limit-" + i), ErrorKind.FAILED_PRECONDITION, "LIMIT_EXCEEDED"));

        clock.advance(Duration.ofHours(25));
        policy(null, 0, List.of());
        int funded = passing(i -> send("1000000", "funds-" + i), ErrorKind.FAILED_PRECONDITION, "INSUFFICIENT_FUNDS");
        assertTrue(funded >= 1 && funded <= 9, funded + " passed");

        chains.fund(0, FakeTransferChains.BTC, 8_000_000 - chains.spendable(0, FakeTransferChains.BTC).longValueExact());
        policy(new TransferPolicy.Limits(null, null, BigInteger.ONE), 1, List.of());
        assertEquals(4, passing(i -> send("2000000", "awaiting-" + i), ErrorKind.FAILED_PRECONDITION, "INSUFFICIENT_FUNDS"));
        assertEquals(10 + funded, chains.withdrawals(), "those awaiting approval sent nothing");

        policy(null, 0, List.of());
        chains.fund(0, FakeTransferChains.BTC, 1_000_000);
        paidRequests.put("tn_shop|pr_9", Map.entry(FakeTransferChains.BTC, BigInteger.valueOf(5_000)));
        assertEquals(5, passing(i -> new TransferService.Create(FakeTransferChains.BTC, DEST, "1000", null, Optional.empty(), "refund-" + i,
                "pr_9", ""), ErrorKind.FAILED_PRECONDITION, "REFUND_EXCEEDS_PAYMENT"));
        assertEquals(15 + funded, chains.withdrawals());
    }

    /** 48 calls from 16 threads at once; how many made a transfer (every other one refused with {@code kind} and {@code code}). */
    private int passing(java.util.function.IntFunction<TransferService.Create> call, ErrorKind kind, String code) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Boolean>> calls = new java.util.ArrayList<>();
            for (int i = 0; i < 48; i++) {
                TransferService.Create c = call.apply(i);
                calls.add(pool.submit(() -> {
                    go.await();
                    try {
                        service.create(clerk, c);
                        return true;
                    } catch (CofferException e) {
                        assertEquals(kind, e.kind(), e.getMessage());
                        assertEquals(code, e.code(), e.getMessage());
                        assertTrue(service.byIdempotencyKey("tn_shop", c.idempotencyKey()).isEmpty(), "refused before anything was stored");
                        return false;
                    }
                }));
            }
            go.countDown();
            int passed = 0;
            for (Future<Boolean> f : calls) {
                passed += f.get() ? 1 : 0;
            }
            return passed;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void perTransferAndRolling24HourLimits() {
        policy(new TransferPolicy.Limits(BigInteger.valueOf(5_000), BigInteger.valueOf(8_000), null), 0, List.of());
        refused(ErrorKind.FAILED_PRECONDITION, "LIMIT_EXCEEDED", () -> service.create(clerk, send("5001", "big")));
        service.create(clerk, send("5000", "a"));
        clock.advance(Duration.ofHours(23));
        refused(ErrorKind.FAILED_PRECONDITION, "LIMIT_EXCEEDED", () -> service.create(clerk, send("3001", "b")));
        service.create(clerk, send("3000", "c")); // exactly at the rolling limit
        clock.advance(Duration.ofHours(1).plusMillis(1)); // "a" is now older than 24 h
        service.create(clerk, send("5000", "d"));
        refused(ErrorKind.FAILED_PRECONDITION, "LIMIT_EXCEEDED", () -> service.create(clerk, send("1", "e")));
        assertEquals(3, chains.withdrawals(), "refused transfers sent nothing");
    }

    @Test
    void anAllowlistedAddressCountsOnlyAfterTheDelay() {
        policy(null, 0, List.of(new TransferPolicy.AllowEntry("bitcoin", DEST, "cold wallet", null)));
        refused(ErrorKind.FAILED_PRECONDITION, "DESTINATION_NOT_ALLOWED", () -> service.create(clerk, send("1000", "early")));
        refused(ErrorKind.FAILED_PRECONDITION, "DESTINATION_NOT_ALLOWED",
                () -> service.create(clerk, new TransferService.Create(FakeTransferChains.BTC, OTHER, "1000", null, Optional.empty(), "other", "", "")));
        clock.advance(DELAY.minusMillis(1));
        refused(ErrorKind.FAILED_PRECONDITION, "DESTINATION_NOT_ALLOWED", () -> service.create(clerk, send("1000", "almost")));
        clock.advance(Duration.ofMillis(1));
        assertEquals(io.coffer.core.transfer.TransferStatus.BROADCAST, service.create(clerk, send("1000", "on-time")).status());
        // Setting the same policy again keeps the entry's time: re-saving must not restart the delay.
        policy(null, 0, List.of(new TransferPolicy.AllowEntry("bitcoin", DEST, "cold wallet", null)));
        assertEquals(io.coffer.core.transfer.TransferStatus.BROADCAST, service.create(clerk, send("1000", "still")).status());
    }

    @Test
    void aboveTheThresholdATransferWaitsForItsQuorumOfOtherKeys() {
        policy(new TransferPolicy.Limits(null, null, BigInteger.valueOf(100_000)), 2, List.of());
        TransferService.View waiting = service.create(clerk, send("6000000", "payout"));
        assertEquals(io.coffer.core.transfer.TransferStatus.AWAITING_APPROVAL, waiting.status());
        assertEquals(0, chains.withdrawals(), "nothing is sent before the quorum");
        String id = waiting.transfer().id();
        refused(ErrorKind.FAILED_PRECONDITION, "SELF_APPROVAL", () -> service.approve(clerk, id));
        assertEquals(io.coffer.core.transfer.TransferStatus.AWAITING_APPROVAL, service.approve(boss, id).status());
        refused(ErrorKind.FAILED_PRECONDITION, "ALREADY_APPROVED", () -> service.approve(boss, id));
        // The waiting amount is reserved: another transfer may not spend it meanwhile.
        refused(ErrorKind.FAILED_PRECONDITION, "INSUFFICIENT_FUNDS", () -> service.create(clerk, send("4000001", "meanwhile")));
        TransferService.View sent = service.approve(owner, id);
        assertEquals(io.coffer.core.transfer.TransferStatus.BROADCAST, sent.status());
        assertEquals(1, chains.sends(id));
        refused(ErrorKind.FAILED_PRECONDITION, "NOT_AWAITING_APPROVAL", () -> service.approve(owner, id));
        refused(ErrorKind.FAILED_PRECONDITION, "NOT_AWAITING_APPROVAL", () -> service.reject(boss, id, "too late"));
    }

    @Test
    void aRejectedTransferReleasesItsReservationAndSendsNothing() {
        policy(new TransferPolicy.Limits(null, null, BigInteger.valueOf(5_000_000)), 1, List.of());
        String id = service.create(clerk, send("9000000", "big-payout")).transfer().id();
        refused(ErrorKind.FAILED_PRECONDITION, "INSUFFICIENT_FUNDS", () -> service.create(clerk, send("2000000", "small")));
        assertEquals(io.coffer.core.transfer.TransferStatus.REJECTED, service.reject(boss, id, "unexpected").status());
        assertEquals(io.coffer.core.transfer.TransferStatus.BROADCAST, service.create(clerk, send("2000000", "small-again")).status());
        assertEquals(0, chains.sends(id));
        assertEquals(io.coffer.core.transfer.TransferStatus.REJECTED, service.create(clerk, send("9000000", "big-payout")).status(), "its key answers with it");
    }

    @Test
    void refundsNeverExceedWhatWasPaidToTheRequest() {
        paidRequests.put("tn_shop|pr_1", Map.entry(FakeTransferChains.BTC, BigInteger.valueOf(10_000)));
        TransferService.Create refund = new TransferService.Create(FakeTransferChains.BTC, DEST, "6000", null, Optional.empty(), "r-1", "pr_1", "refund");
        assertEquals(io.coffer.core.transfer.TransferStatus.BROADCAST, service.create(clerk, refund).status());
        refused(ErrorKind.FAILED_PRECONDITION, "REFUND_EXCEEDS_PAYMENT", () -> service.create(clerk,
                new TransferService.Create(FakeTransferChains.BTC, DEST, "4001", null, Optional.empty(), "r-2", "pr_1", "")));
        service.create(clerk, new TransferService.Create(FakeTransferChains.BTC, DEST, "4000", null, Optional.empty(), "r-3", "pr_1", ""));
        refused(ErrorKind.INVALID_ARGUMENT, "REFUND_ASSET_MISMATCH", () -> service.create(clerk,
                new TransferService.Create(FakeTransferChains.ETH, "0x" + "ab".repeat(20), "1", null, Optional.empty(), "r-4", "pr_1", "")));
        refused(ErrorKind.NOT_FOUND, "PAYMENT_REQUEST_NOT_FOUND", () -> service.create(clerk,
                new TransferService.Create(FakeTransferChains.BTC, DEST, "1", null, Optional.empty(), "r-5", "pr_other", "")));
    }

    @Test
    void aRefusalAtSendEndsTheTransferOnceAndItsKeyAnswersWithIt() {
        chains.refuseNextSend(new CofferException(ErrorKind.FAILED_PRECONDITION, "FEE_TOO_HIGH", "the fee would exceed the amount"));
        refused(ErrorKind.FAILED_PRECONDITION, "FEE_TOO_HIGH", () -> service.create(clerk, send("1000", "doomed")));
        TransferService.View again = service.create(clerk, send("1000", "doomed"));
        assertEquals(io.coffer.core.transfer.TransferStatus.FAILED, again.status());
        assertEquals("the fee would exceed the amount", again.failureReason());
        assertEquals(0, chains.withdrawals(), "nothing was signed, and the retry sent nothing either");
    }

    private List<String> submittingFiled() {
        return store.list(TransferTables.SUBMITTING, TransferTables.SUBMITTING.all(), Integer.MAX_VALUE).stream().map(Map.Entry::getKey)
                .toList();
    }

    @Test
    void aSealedWalletRefusesBeforeAnythingIsWritten() {
        chains.sealed(true);
        refused(ErrorKind.FAILED_PRECONDITION, "SEALED", () -> service.create(clerk, send("1000", "sealed")));
        assertTrue(service.byIdempotencyKey("tn_shop", "sealed").isEmpty(), "no transfer stored");
        chains.sealed(false);
        assertEquals(io.coffer.core.transfer.TransferStatus.BROADCAST, service.create(clerk, send("1000", "sealed")).status());
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(FakeTransferChains.CrashPoint.class)
    void aTransferCutOffAtEitherCrashPointIsSentOnceAfterTheRestart(FakeTransferChains.CrashPoint at) {
        chains.dieAtNextSend(at);
        assertThrows(FakeTransferChains.ProcessDied.class, () -> service.create(clerk, send("1000", "cut-off")));
        TenantTransfer stored = service.byIdempotencyKey("tn_shop", "cut-off").orElseThrow().transfer();
        assertEquals(TenantTransfer.State.SUBMITTING, stored.state(), "stored before the chain was asked");
        assertEquals(at == FakeTransferChains.CrashPoint.AFTER_THE_CHAIN_STORES ? 1 : 0, chains.sends(stored.id()));
        assertEquals(List.of(stored.id()), submittingFiled(), "filed for the start to resume");

        TransferService restarted = newService();
        restarted.resume();
        restarted.resume(); // a second start finds nothing left to do
        TransferService.View v = restarted.get("tn_shop", stored.id());
        assertEquals(TransferStatus.BROADCAST, v.status());
        assertEquals(List.of(), submittingFiled(), "sent: no longer filed");
        assertEquals(1, chains.sends(stored.id()), "one withdrawal for the transfer, whichever point the process died at");
        assertEquals(1, chains.withdrawals());
        assertEquals(stored.id(), restarted.create(clerk, send("1000", "cut-off")).transfer().id(), "the key still answers with it");
        assertEquals(1, chains.withdrawals());
        assertEquals(BigInteger.valueOf(10_000_000 - 1000), chains.spendable(0, FakeTransferChains.BTC), "paid once");
    }

    /**
     * With the withdrawal's signed batch written through the transfer service (as the ledger writes it), the transfer is
     * SUBMITTED with its withdrawal in that very batch: a crash right after it leaves nothing to resume, and a send that
     * throws after it (here a refusal the ledger would only raise before signing) no longer marks the transfer FAILED — its
     * withdrawal is stored and sent, and only the chain decides its fate now.
     */
    @Test
    void aTransferIsSubmittedInItsWithdrawalsBatchAndAFailureAfterItChangesNothing() {
        chains.writesThrough(service, store);
        chains.dieAtNextSend(FakeTransferChains.CrashPoint.AFTER_THE_CHAIN_STORES);
        assertThrows(FakeTransferChains.ProcessDied.class, () -> service.create(clerk, send("1000", "crashed")));
        TenantTransfer crashed = service.byIdempotencyKey("tn_shop", "crashed").orElseThrow().transfer();
        assertEquals(TenantTransfer.State.SUBMITTED, crashed.state(), "moved in the withdrawal's own batch");
        assertEquals(chains.withdrawalByKey(FakeTransferChains.BTC, crashed.id()).orElseThrow().id(), crashed.withdrawalId());

        chains.refuseAfterStoring(new CofferException(ErrorKind.FAILED_PRECONDITION, "INSUFFICIENT_FUNDS", "amount", "late", Map.of(), null));
        refused(ErrorKind.FAILED_PRECONDITION, "INSUFFICIENT_FUNDS", () -> service.create(clerk, send("2000", "late")));
        TransferService.View late = service.byIdempotencyKey("tn_shop", "late").orElseThrow();
        assertEquals(TenantTransfer.State.SUBMITTED, late.transfer().state(), "not FAILED: its withdrawal exists");
        assertEquals(TransferStatus.BROADCAST, late.status());
        assertEquals(late.transfer().id(), service.create(clerk, send("2000", "late")).transfer().id(), "the key answers with it");
        assertEquals(1, chains.sends(late.transfer().id()));

        TransferService restarted = newService();
        restarted.resume();
        assertEquals(2, chains.withdrawals(), "nothing left to resume: each sent once");
        assertEquals(BigInteger.valueOf(10_000_000 - 3000), chains.spendable(0, FakeTransferChains.BTC));
    }

    @Test
    void aSendsAmountCountsOnceFromTheWriteOfItsWithdrawal() throws Exception {
        chains.writesThrough(service, store);
        BigInteger all = chains.spendable(0, FakeTransferChains.BTC);
        BigInteger first = all.multiply(BigInteger.valueOf(3)).divide(BigInteger.valueOf(5));
        java.util.concurrent.CountDownLatch stored = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        chains.pauseAfterStoring(stored, go);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var a = pool.submit(() -> service.create(clerk, send(first.toString(), "a")));
            assertTrue(stored.await(30, java.util.concurrent.TimeUnit.SECONDS));
            // A's withdrawal is written (the balance shows its debit) and its send has not returned: the rest is spendable, once.
            assertEquals(all.subtract(first), chains.spendable(0, FakeTransferChains.BTC));
            var b = pool.submit(() -> service.create(clerk, send(all.subtract(first).toString(), "b")));
            long until = System.nanoTime() + 30_000_000_000L;
            while (service.byIdempotencyKey("tn_shop", "b").isEmpty() && !b.isDone()) { // b's send then waits for a's
                assertTrue(System.nanoTime() < until, "b neither decided nor ended");
                Thread.sleep(1);
            }
            assertTrue(service.byIdempotencyKey("tn_shop", "b").isPresent(), () -> "refused while a was being sent: " + failure(b));
            // Now a is debited and b is being sent: nothing is left, and one more unit is refused.
            refused(ErrorKind.FAILED_PRECONDITION, "INSUFFICIENT_FUNDS", () -> service.create(clerk, send("1", "c")));
            assertTrue(service.byIdempotencyKey("tn_shop", "c").isEmpty(), "a refused transfer is not stored");
            go.countDown();
            assertEquals(TransferStatus.BROADCAST, a.get(30, java.util.concurrent.TimeUnit.SECONDS).status());
            assertEquals(TransferStatus.BROADCAST, b.get(30, java.util.concurrent.TimeUnit.SECONDS).status());
            assertEquals(BigInteger.ZERO, chains.spendable(0, FakeTransferChains.BTC));
            refused(ErrorKind.FAILED_PRECONDITION, "INSUFFICIENT_FUNDS", () -> service.create(clerk, send("1", "d")));
        } finally {
            go.countDown();
            pool.shutdownNow();
        }
    }

    private static String failure(java.util.concurrent.Future<?> f) {
        try {
            f.get();
            return "not refused";
        } catch (Exception e) {
            return String.valueOf(e.getCause());
        }
    }

    /**
     * The look-alike rule against transfers decided and not yet written: in each of six rounds, 48 calls from 16 threads, each
     * to another address sharing the round's first and last four characters. Whatever the order, the first decided is sent and
     * every later one resembles it (written or still queued): exactly one sent a round, 47 held with the reason, none refused.
     * (Whether a later decision meets the first one still queued depends on timing: without the queued ones counted, some
     * round sends two in most runs.)
     */
    @Test
    void lookAlikesOfADestinationBeingPaidAreHeldWhateverTheOrder() throws Exception {
        service.setPolicy(new TransferPolicy("tn_shop", Map.of(), List.of(), 0, true, 0), "operator");
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            for (String ends : List.of("qqqq", "pppp", "rrrr", "yyyy", "9999", "xxxx")) {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<TransferService.View>> calls = new java.util.ArrayList<>();
                for (int i = 0; i < 48; i++) {
                    String destination = "bcrt1q" + ends + bech32(new java.util.Random(i), 24) + ends;
                    String key = "poison-" + ends + "-" + i;
                    calls.add(pool.submit(() -> {
                        go.await();
                        return service.create(clerk, sendTo(destination, "1000", key));
                    }));
                }
                go.countDown();
                Map<TransferStatus, Integer> by = new java.util.EnumMap<>(TransferStatus.class);
                for (Future<TransferService.View> f : calls) {
                    TransferService.View v = f.get(30, java.util.concurrent.TimeUnit.SECONDS);
                    by.merge(v.status(), 1, Integer::sum);
                    if (v.status() == TransferStatus.AWAITING_APPROVAL) {
                        assertTrue(v.holdReason().startsWith("look-alike destination"), v.holdReason());
                    }
                }
                assertEquals(Map.of(TransferStatus.BROADCAST, 1, TransferStatus.AWAITING_APPROVAL, 47), by, ends);
            }
            assertEquals(6, chains.withdrawals());
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The anomaly rules read what they ask about, not the tenant's history: with 3,000 destinations paid, a transfer to a new
     * one reads the paid destinations once or twice and the few sharing its signature, whether it resembles one (held, naming
     * it) or not (sent).
     */
    @Test
    void theLookAlikeRuleReadsTheFewDestinationsSharingASignature() {
        service.setPolicy(new TransferPolicy("tn_shop", Map.of(), List.of(), 0, true, 0), "operator");
        java.util.Random random = new java.util.Random(7);
        List<String> paid = new java.util.ArrayList<>();
        Batch b = store.batch();
        for (int i = 0; i < 3000; i++) {
            String address = "bcrt1q" + bech32(random, 32);
            paid.add(address);
            PaidDestinations.record(b, "tn_shop", "bitcoin", address, 1);
        }
        b.commit();
        String target = paid.get(1777);
        String poison = target.substring(0, 10) + bech32(random, 24) + target.substring(target.length() - 4);

        counted.reset();
        TransferService.View held = service.create(clerk, sendTo(poison, "1000", "poison"));
        assertEquals(TransferStatus.AWAITING_APPROVAL, held.status());
        assertTrue(held.holdReason().contains("resembles " + target), held.holdReason());
        assertTrue(counted.reads(TransferTables.PAID_DESTINATIONS) <= 2, counted.reads(TransferTables.PAID_DESTINATIONS) + " read");
        assertTrue(counted.reads(TransferTables.PAID_LOOKALIKES) <= 1, counted.reads(TransferTables.PAID_LOOKALIKES) + " read");

        counted.reset();
        assertEquals(TransferStatus.BROADCAST, service.create(clerk, sendTo("bcrt1q" + bech32(random, 32), "1000", "fresh")).status());
        assertTrue(counted.reads(TransferTables.PAID_DESTINATIONS) <= 2, counted.reads(TransferTables.PAID_DESTINATIONS) + " read");
        assertEquals(0, counted.reads(TransferTables.PAID_LOOKALIKES));
    }

    /** {@code n} characters of the bech32 alphabet (which has no '1': the separator stays the last one). */
    private static String bech32(java.util.Random random, int n) {
        String alphabet = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    /** A batch writing several withdrawals (settled ones' confirmations, recorded together) carries each transfer's event. */
    @Test
    void aBatchOfSeveralWithdrawalsCarriesEachTransfersEvent() {
        chains.writesThrough(service, store);
        List<TransferService.View> made = List.of(service.create(clerk, send("1000", "a")), service.create(clerk, send("2000", "b")));
        long before = new EventOutbox(store, clock).latest("tn_shop"); // a reader of the store (its heads are cached once read)
        List<Withdrawal> confirmed = made.stream().map(v -> chains.withdrawal(FakeTransferChains.BTC, v.transfer().withdrawalId())
                .orElseThrow().with(WithdrawalStatus.CONFIRMED, 3, "", clock.instant())).toList();
        service.commitAll(store.batch(), confirmed, store::batch);
        List<io.coffer.core.event.StoredEvent> after = new EventOutbox(store, clock).after("tn_shop", before, 10);
        assertEquals(made.stream().map(v -> v.transfer().id()).toList(), after.stream().map(io.coffer.core.event.StoredEvent::subjectId).toList());
        for (io.coffer.core.event.StoredEvent e : after) {
            assertEquals(io.coffer.core.event.EventType.TRANSFER_UPDATED, e.type());
            assertTrue(e.body().contains("\"status\":\"CONFIRMED\""), e.body());
        }
        service.commitAll(store.batch(), confirmed, store::batch);
        assertEquals(before + 2, new EventOutbox(store, clock).latest("tn_shop"), "unchanged views publish nothing");
    }

    private static TransferService.Create sendTo(String destination, String amount, String key) {
        return new TransferService.Create(FakeTransferChains.BTC, destination, amount, null, Optional.empty(), key, "", "");
    }

    @Test
    void anomalyRulesHoldATransferForApprovalWithTheReasonRecorded() {
        java.util.List<String> alerted = new java.util.ArrayList<>();
        service.onHeld((t, reasons) -> alerted.add(t.id() + " " + reasons));
        service.setPolicy(new TransferPolicy("tn_shop", Map.of(FakeTransferChains.BTC, new TransferPolicy.Limits(null, null, null,
                BigInteger.valueOf(50_000))), List.of(), 0, true, 3), "op:alice");
        String known = "bcrt1qaaaa00000000000000000000000000000zzzz";
        // Small to a new address: sent; the address is now known.
        assertEquals(TransferStatus.BROADCAST, service.create(clerk, sendTo(known, "40000", "small")).status());
        // Above the threshold to a new address: held, with the reason; its alert raised.
        TransferService.View held = service.create(clerk, sendTo(DEST, "60000", "new-dest"));
        assertEquals(TransferStatus.AWAITING_APPROVAL, held.status());
        assertTrue(held.holdReason().startsWith("new destination: 60000 bitcoin/BTC"), held.holdReason());
        assertEquals(1, alerted.size());
        // The same amount to the known address: sent (the rule is about new destinations only).
        assertEquals(TransferStatus.BROADCAST, service.create(clerk, sendTo(known, "60000", "known-dest")).status());
        // A look-alike of the known address (same first and last four characters after "bcrt1q"), even small: held.
        TransferService.View poisoned = service.create(clerk, sendTo("bcrt1qaaaaxxxxxxxxxxxxxxxxxxxxxxxxxxxxxzzzz", "1000", "poison"));
        assertEquals(TransferStatus.AWAITING_APPROVAL, poisoned.status());
        assertTrue(poisoned.holdReason().contains("look-alike destination") && poisoned.holdReason().contains(known), poisoned.holdReason());
        // An operator's approval (quorum 0: one approval) sends it, and the reason stays on record until then.
        assertEquals(TransferStatus.BROADCAST, service.approve(new TransferService.Caller("tn_shop", 0, "op:dee"), poisoned.transfer().id())
                .status());
        assertTrue(PaidDestinations.lookAlike("0xAbCd000000000000000000000000000000001234", "0xabcd999999999999999999999999999999991234"));
        assertFalse(PaidDestinations.lookAlike("0xabcd000000000000000000000000000000001234", "0xabcd000000000000000000000000000000001234"));
        assertFalse(PaidDestinations.lookAlike("bcrt1qaaaa00000000000000000000000000000zzzz", "bcrt1qaaab00000000000000000000000000000zzzz"));
    }

    @Test
    void aDayFarAboveTheTenantsUsualVolumeIsHeld() {
        service.setPolicy(new TransferPolicy("tn_shop", Map.of(), List.of(), 0, false, 3), "op:alice");
        // No history yet: nothing to compare with, sent.
        assertEquals(TransferStatus.BROADCAST, service.create(clerk, send("30000", "d0")).status());
        // A month of 30,000 a day: an average day of about 30,000.
        for (int day = 1; day < 30; day++) {
            clock.advance(Duration.ofDays(1));
            assertEquals(TransferStatus.BROADCAST, service.create(clerk, send("30000", "d" + day)).status());
        }
        clock.advance(Duration.ofDays(1));
        assertEquals(TransferStatus.BROADCAST, service.create(clerk, send("60000", "usual")).status(), "twice the usual day: under 3x");
        TransferService.View spike = service.create(clerk, send("40000", "spike"));
        assertEquals(TransferStatus.AWAITING_APPROVAL, spike.status(), "130,000 in 24 hours: over 3 times the average day");
        assertTrue(spike.holdReason().startsWith("velocity: 130000 bitcoin/BTC in 24 hours, over 3 times the average day of 30000"),
                spike.holdReason());
    }
}
