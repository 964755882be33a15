package io.coffer.bench;

import io.coffer.core.CofferSchema;
import io.coffer.core.payment.PaymentRequest;
import io.coffer.core.payment.PaymentRequestService;
import io.coffer.core.payment.PaymentRequestStatus;
import io.coffer.core.payment.PaymentTables;
import io.coffer.core.store.Batch;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import io.coffer.core.tenant.TenantPages;
import io.coffer.core.tenant.TenantTables;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Time per page of ListPaymentRequests' store read at 25,000 requests as a ratio to 100 requests: the cost of a page must
 * not grow with a tenant's history. Both stores are real LevelDB directories written alike, warmed alike, and read in
 * alternation so the machine's drift hits both sides; each figure is the median of the rounds.
 *
 * <pre>scripts/bench pages [rows, default 25000] [rounds, default 15]</pre>
 */
public final class PagingBenchmark {
    private PagingBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        System.out.print(Figure.table(measure(args.length > 0 ? Integer.parseInt(args[0]) : 25_000, args.length > 1 ? Integer.parseInt(args[1]) : 15)));
    }

    /** Time per page at {@code rows} as a figure against the same page at 100 rows. */
    static List<Figure> measure(int rows, int rounds) throws Exception {
        List<Figure> figures = new java.util.ArrayList<>();
        Path work = Files.createTempDirectory("coffer-bench-pages-");
        Instant base = Instant.parse("2026-01-01T00:00:00Z");
        Clock clock = Clock.fixed(base.plusSeconds(30L * 86_400), ZoneOffset.UTC);
        try (Store small = LevelDbStore.open(work.resolve("small"), CofferSchema.current());
             Store large = LevelDbStore.open(work.resolve("large"), CofferSchema.current())) {
            fill(small, 100, base);
            fill(large, rows, base);
            PaymentRequestService a = service(small, clock);
            PaymentRequestService b = service(large, clock);
            var everything = new PaymentRequestService.ListQuery(Instant.MIN, Instant.MAX, Set.of(), "", "");
            var expired = new PaymentRequestService.ListQuery(Instant.MIN, Instant.MAX, Set.of(PaymentRequestStatus.EXPIRED), "", "");
            // A cursor in the middle of the large history: a deep page, as a client paging far back reads it.
            Optional<TenantTables.TenantTime> deep = Optional.of(new TenantTables.TenantTime("tn_a", base.plusMillis(rows / 2).toEpochMilli(), "pr_"));
            System.out.printf(Locale.ROOT, "paging: %d vs 100 payment requests, pages of 50, %d rounds (median)%n", rows, rounds);
            figures.add(report(rows, "first page, no filter", rounds, () -> a.page("tn_a", everything, Optional.empty(), 50),
                    () -> b.page("tn_a", everything, Optional.empty(), 50)));
            figures.add(report(rows, "a deep page, no filter", rounds, () -> a.page("tn_a", everything, Optional.empty(), 50),
                    () -> b.page("tn_a", everything, deep, 50)));
            // Pages of 10 here, so the small history (15 matches) fills a page too: both sides scan the same ~70 rows.
            figures.add(report(rows, "first page of 10, status EXPIRED (1 in 7)", rounds, () -> a.page("tn_a", expired, Optional.empty(), 10),
                    () -> b.page("tn_a", expired, Optional.empty(), 10)));
            figures.add(report(rows, "a deep page of 10, status EXPIRED", rounds, () -> a.page("tn_a", expired, Optional.empty(), 10),
                    () -> b.page("tn_a", expired, deep, 10)));
        } finally {
            BenchFiles.deleteTree(work);
        }
        return figures;
    }

    private static void fill(Store store, int rows, Instant base) {
        Batch b = store.batch();
        for (int i = 0; i < rows; i++) {
            Instant created = base.plusMillis(i);
            PaymentRequest pr = new PaymentRequest(String.format("pr_%016x", i), "tn_a", 0, "bitcoin/BTC", BigInteger.valueOf(1000 + i),
                    "addr-" + i, "uri", 1, created, i % 7 == 0 ? created.plusSeconds(3600) : null, "order-" + i, Map.of(), "", "k-" + i, null, "");
            b.put(PaymentTables.REQUESTS, pr.id(), pr);
            b.put(PaymentTables.BY_TENANT, new TenantTables.TenantTime("tn_a", created.toEpochMilli(), pr.id()), "");
        }
        b.commit();
    }

    private static PaymentRequestService service(Store store, Clock clock) {
        return new PaymentRequestService(store, new io.coffer.core.payment.ReadOnlyReceiving(), null, clock, null);
    }

    private static Figure report(int rows, String what, int rounds, java.util.function.Supplier<TenantPages.Page<?>> small,
            java.util.function.Supplier<TenantPages.Page<?>> large) {
        int perRound = 400;
        for (int i = 0; i < 2_000; i++) { // warm both alike
            small.get();
            large.get();
        }
        long[] s = new long[rounds];
        long[] l = new long[rounds];
        for (int r = 0; r < rounds; r++) {
            s[r] = time(small, perRound);
            l[r] = time(large, perRound);
        }
        java.util.Arrays.sort(s);
        java.util.Arrays.sort(l);
        double sm = s[rounds / 2] / 1000.0 / perRound;
        double lm = l[rounds / 2] / 1000.0 / perRound;
        System.out.printf(Locale.ROOT, "  %-44s 100 rows %8.1f us/page   large %8.1f us/page   ratio %.2f (goal <= 2)%n", what, sm, lm, lm / sm);
        return Figure.time("pages", what + " at " + rows + " rows", lm, "us/page", "the same page at 100 rows", sm, ">= 0.5 (<= 2x)");
    }

    private static long time(java.util.function.Supplier<TenantPages.Page<?>> page, int n) {
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            if (page.get().items().isEmpty()) {
                throw new IllegalStateException("an empty page");
            }
        }
        return System.nanoTime() - start;
    }
}
