package io.coffer.core.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.core.CofferSchema;
import io.coffer.core.MovableClock;
import io.coffer.core.payment.PaymentRequest;
import io.coffer.core.payment.PaymentRequestService;
import io.coffer.core.payment.PaymentRequestStatus;
import io.coffer.core.payment.PaymentTables;
import io.coffer.core.store.Batch;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import io.coffer.core.transfer.TenantTransfer;
import io.coffer.core.transfer.TransferService;
import io.coffer.core.transfer.TransferTables;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Paging through 25,000 payment requests and 25,000 transfers of one tenant (beside another tenant's), with each filter:
 * newest first, every record once, none of the other tenant's, and records added while paging neither shift nor repeat the
 * pages. The records are written straight into the real tables (a LevelDB store); the chain behind them is not needed to read.
 */
class TenantPagesTest {
    private static final int MANY = 25_000;
    private static final Instant BASE = Instant.parse("2026-01-01T00:00:00Z");
    @TempDir
    Path dir;
    Store store;
    final MovableClock clock = new MovableClock(BASE.plus(Duration.ofDays(30)));

    @BeforeEach
    void open() {
        store = LevelDbStore.open(dir, CofferSchema.current());
    }

    @AfterEach
    void close() {
        store.close();
    }

    /** Three records per millisecond, so ties on the time are broken by id as stored. */
    private static Instant created(int i) {
        return BASE.plusMillis(i / 3);
    }

    private static String id(String prefix, int i) {
        return prefix + String.format("%016x", (long) i * 2_654_435_761L & 0xFFFFFFFFFFFFL);
    }

    private PaymentRequest request(String tenant, int i) {
        // Every 7th request expired at creation + 1 h (EXPIRED now); the rest never expire (PENDING).
        Instant created = created(i);
        return new PaymentRequest(id("pr_", i) + tenant.charAt(tenant.length() - 1), tenant, 0, i % 2 == 0 ? "bitcoin/BTC" : "ethereum/ETH",
                BigInteger.valueOf(1000 + i), "addr-" + i, "uri", 1, created, i % 7 == 0 ? created.plusSeconds(3600) : null,
                "order-" + (i % 100), Map.of(), "", "key-" + i, null, "");
    }

    private PaymentRequestService payments() {
        PaymentRequestService.Receiving chains = new io.coffer.core.payment.ReadOnlyReceiving();
        return new PaymentRequestService(store, chains, null, clock, null);
    }

    private void writeRequests(String tenant, int from, int to) {
        Batch b = store.batch();
        for (int i = from; i < to; i++) {
            PaymentRequest pr = request(tenant, i);
            b.put(PaymentTables.REQUESTS, pr.id(), pr);
            b.put(PaymentTables.BY_TENANT, new TenantTables.TenantTime(tenant, pr.createdAt().toEpochMilli(), pr.id()), "");
        }
        b.commit();
    }

    /** Every page of a query, each checked: never over the size, and a token unless it is the last. */
    private static <T> List<T> all(int size, Function<Optional<TenantTables.TenantTime>, TenantPages.Page<T>> page) {
        List<T> out = new ArrayList<>();
        Optional<TenantTables.TenantTime> cursor = Optional.empty();
        int pages = 0;
        do {
            TenantPages.Page<T> p = page.apply(cursor);
            assertTrue(p.items().size() <= size);
            out.addAll(p.items());
            cursor = p.next();
            assertTrue(++pages < 10_000, "paging ends");
        } while (cursor.isPresent());
        return out;
    }

    private static <T> void newestFirstOnceEach(List<T> got, List<T> expected, Function<T, String> id, String what) {
        assertEquals(expected.size(), got.size(), what + ": every record, once");
        assertEquals(new HashSet<>(got.stream().map(id).toList()).size(), got.size(), what + ": no duplicates");
        assertEquals(expected.stream().map(id).toList(), got.stream().map(id).toList(), what + ": newest first, in stored order");
    }

    @Test
    void paymentRequestsPageThroughEveryRecordWithEachFilter() {
        writeRequests("tn_a", 0, MANY);
        writeRequests("tn_b", 0, 1_000);
        PaymentRequestService service = payments();
        Comparator<PaymentRequest> newestFirst = Comparator.comparing(PaymentRequest::createdAt).thenComparing(PaymentRequest::id).reversed();
        List<PaymentRequest> mine = new ArrayList<>();
        for (int i = 0; i < MANY; i++) {
            mine.add(request("tn_a", i));
        }
        mine.sort(newestFirst);
        Map<String, PaymentRequestService.ListQuery> queries = Map.of(
                "everything", new PaymentRequestService.ListQuery(Instant.MIN, Instant.MAX, Set.of(), "", ""),
                "status EXPIRED", new PaymentRequestService.ListQuery(Instant.MIN, Instant.MAX, Set.of(PaymentRequestStatus.EXPIRED), "", ""),
                "asset", new PaymentRequestService.ListQuery(Instant.MIN, Instant.MAX, Set.of(), "ethereum/ETH", ""),
                "order id", new PaymentRequestService.ListQuery(Instant.MIN, Instant.MAX, Set.of(), "", "order-42"),
                "time range", new PaymentRequestService.ListQuery(created(3_000), created(9_000), Set.of(), "", ""),
                "all filters", new PaymentRequestService.ListQuery(created(300), created(20_000), Set.of(PaymentRequestStatus.PENDING),
                        "bitcoin/BTC", "order-8"));
        Map<String, Predicate<PaymentRequest>> expected = Map.of(
                "everything", pr -> true,
                "status EXPIRED", pr -> pr.expiresAt() != null,
                "asset", pr -> pr.asset().equals("ethereum/ETH"),
                "order id", pr -> pr.orderId().equals("order-42"),
                "time range", pr -> !pr.createdAt().isBefore(created(3_000)) && pr.createdAt().isBefore(created(9_000)),
                "all filters", pr -> !pr.createdAt().isBefore(created(300)) && pr.createdAt().isBefore(created(20_000))
                        && pr.expiresAt() == null && pr.asset().equals("bitcoin/BTC") && pr.orderId().equals("order-8"));
        for (var q : queries.entrySet()) {
            int size = q.getKey().equals("everything") ? 500 : 97;
            List<PaymentRequest> got = all(size, c -> service.page("tn_a", q.getValue(), c, size)).stream().map(v -> v.request()).toList();
            newestFirstOnceEach(got, mine.stream().filter(expected.get(q.getKey())).toList(), PaymentRequest::id, q.getKey());
        }
    }

    @Test
    void recordsAddedWhilePagingNeitherShiftNorRepeatThePages() {
        writeRequests("tn_a", 0, 1_000);
        PaymentRequestService service = payments();
        PaymentRequestService.ListQuery everything = new PaymentRequestService.ListQuery(Instant.MIN, Instant.MAX, Set.of(), "", "");
        List<String> seen = new ArrayList<>();
        Optional<TenantTables.TenantTime> cursor = Optional.empty();
        int added = 1_000;
        do {
            var page = service.page("tn_a", everything, cursor, 50);
            page.items().forEach(v -> seen.add(v.request().id()));
            cursor = page.next();
            writeRequests("tn_a", added, added + 20); // newer than every page already read
            added += 20;
        } while (cursor.isPresent());
        assertEquals(1_000, seen.size(), "exactly the records there when paging began");
        assertEquals(1_000, new HashSet<>(seen).size());
    }

    private TenantTransfer transfer(String tenant, int i) {
        TenantTransfer.State state = switch (i % 3) {
            case 0 -> TenantTransfer.State.AWAITING_APPROVAL;
            case 1 -> TenantTransfer.State.REJECTED;
            default -> TenantTransfer.State.FAILED;
        };
        Instant created = created(i);
        return new TenantTransfer(id("tr_", i) + tenant.charAt(tenant.length() - 1), tenant, 0, i % 2 == 0 ? "bitcoin/BTC" : "ethereum/USDC",
                "dest", BigInteger.valueOf(1 + i), io.coffer.core.transfer.FeePriority.NORMAL, java.util.Optional.empty(), "", "", "k-" + i, "ak_x", List.of(), state, "", "", created, created);
    }

    @Test
    void transfersPageThroughEveryRecordWithEachFilter() {
        for (String tenant : List.of("tn_a", "tn_b")) {
            Batch b = store.batch();
            for (int i = 0; i < (tenant.equals("tn_a") ? MANY : 1_000); i++) {
                TenantTransfer t = transfer(tenant, i);
                b.put(TransferTables.TRANSFERS, t.id(), t);
                b.put(TransferTables.TRANSFERS_BY_TENANT, new TenantTables.TenantTime(tenant, t.createdAt().toEpochMilli(), t.id()), "");
            }
            b.commit();
        }
        // Transfers without a withdrawal: reading them never reaches a chain.
        TransferService.Sending chains = (TransferService.Sending) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {TransferService.Sending.class}, (proxy, m, args) -> {
                    throw new UnsupportedOperationException(m.getName());
                });
        TransferService service = new TransferService(store, chains, null, null, null, null, clock, Duration.ZERO);
        List<TenantTransfer> mine = new ArrayList<>();
        for (int i = 0; i < MANY; i++) {
            mine.add(transfer("tn_a", i));
        }
        mine.sort(Comparator.comparing(TenantTransfer::createdAt).thenComparing(TenantTransfer::id).reversed());
        Map<String, TransferService.ListQuery> queries = Map.of(
                "everything", new TransferService.ListQuery(Instant.MIN, Instant.MAX, Set.of(), ""),
                "statuses", new TransferService.ListQuery(Instant.MIN, Instant.MAX, Set.of(io.coffer.core.transfer.TransferStatus.REJECTED, io.coffer.core.transfer.TransferStatus.FAILED), ""),
                "asset", new TransferService.ListQuery(Instant.MIN, Instant.MAX, Set.of(), "ethereum/USDC"),
                "time range", new TransferService.ListQuery(created(100), created(24_000), Set.of(), ""),
                "nothing matches", new TransferService.ListQuery(Instant.MIN, Instant.MAX, Set.of(io.coffer.core.transfer.TransferStatus.CONFIRMED), ""));
        Map<String, Predicate<TenantTransfer>> expected = Map.of(
                "everything", t -> true,
                "statuses", t -> t.state() != TenantTransfer.State.AWAITING_APPROVAL,
                "asset", t -> t.asset().equals("ethereum/USDC"),
                "time range", t -> !t.createdAt().isBefore(created(100)) && t.createdAt().isBefore(created(24_000)),
                "nothing matches", t -> false);
        for (var q : queries.entrySet()) {
            int size = q.getKey().equals("everything") ? 500 : 50;
            List<TenantTransfer> got = all(size, c -> service.page("tn_a", q.getValue(), c, size)).stream().map(v -> v.transfer()).toList();
            newestFirstOnceEach(got, mine.stream().filter(expected.get(q.getKey())).toList(), TenantTransfer::id, q.getKey());
        }
        // A filter that matches nothing still answers page by page, each reading a bounded stretch.
        var first = service.page("tn_a", queries.get("nothing matches"), Optional.empty(), 50);
        assertEquals(0, first.items().size());
        assertTrue(first.next().isPresent(), "an empty page with a cursor: keep paging");
    }
}
