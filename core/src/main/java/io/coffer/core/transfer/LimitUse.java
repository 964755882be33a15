package io.coffer.core.transfer;

import io.coffer.core.chain.AssetId;
import io.coffer.core.store.Batch;
import io.coffer.core.store.Derivation;
import io.coffer.core.store.Reader;
import io.coffer.core.store.Store;
import io.coffer.core.store.Table;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a tenant's transfers that count against its limits moved, by asset and creation time: a row per counting transfer
 * ({@link TransferTables#COUNTING}), their amounts summed per second, per minute, per hour and per day of creation
 * ({@link TransferTables#COUNTED}), and the refund rows among them by payment request ({@link TransferTables#REFUNDING}: a refund
 * checks what that request's refunds add up to, not every transfer the tenant ever made).
 * The rolling 24 h limit and the velocity rule sum a window from these — its whole days, the hours, minutes and seconds at its
 * two ends, and the rows of its two end seconds — instead of reading every transfer the window holds (each with its
 * withdrawal) under the lock every CreateTransfer waits for: a tenant making a transfer a second read 86,400 of them a call.
 * The seconds keep the ends' rows few at any rate: with minutes the smallest sum, a tenant sending 100 transfers a second for a
 * day read the up to 12,000 rows of the window's two end minutes at every check, under that lock.
 *
 * <p>Kept in the batches that write transfers and withdrawals (a store {@link Derivation}). A transfer counts from its creation
 * until it is rejected or fails, or the withdrawal it is shown with fails ({@link TransferStatus#countsAgainstLimits}); all of
 * those are final, so a transfer leaves the sums at most once and never comes back: removing its row, when there is one, is
 * the whole decision.
 */
final class LimitUse implements Derivation {
    static final String NAME = "transfers counting against limits";
    static final int SECOND = 1_000;
    static final int MINUTE = 60_000;
    static final int HOUR = 3_600_000;
    static final int DAY = 86_400_000;
    /** The spans summed, shortest first; each a whole number of the one before. */
    private static final int[] SPANS = {SECOND, MINUTE, HOUR, DAY};

    @Override
    public Set<Table<?, ?>> reads() {
        return Set.of(TransferTables.TRANSFERS, TransferTables.WITHDRAWALS);
    }

    @Override
    public void derive(Batch batch, Reader before) {
        Change change = new Change(batch, before);
        Map<String, Optional<TenantTransfer>> transfers = batch.changes(TransferTables.TRANSFERS);
        for (Map.Entry<String, Optional<TenantTransfer>> e : transfers.entrySet()) {
            Optional<TenantTransfer> was = before.get(TransferTables.TRANSFERS, e.getKey());
            Optional<TenantTransfer> is = e.getValue();
            if (was.isEmpty() && is.isPresent() && countsByItself(is.get())) {
                change.add(is.get());
            } else if (was.isPresent() && (is.isEmpty() || !countsByItself(is.get()))) {
                change.remove(was.get());
            }
        }
        for (Map.Entry<TransferTables.ChainKey, Optional<Withdrawal>> e : batch.changes(TransferTables.WITHDRAWALS).entrySet()) {
            Withdrawal w = e.getValue().orElse(null);
            if (w == null || w.status() != WithdrawalStatus.FAILED
                    || before.get(TransferTables.WITHDRAWALS, e.getKey()).map(x -> x.status() == WithdrawalStatus.FAILED).orElse(false)) {
                continue;
            }
            // A transfer's withdrawal is made with the transfer's id as its idempotency key.
            String id = w.idempotencyKey();
            Optional<TenantTransfer> t = transfers.containsKey(id) ? transfers.get(id) : before.get(TransferTables.TRANSFERS, id);
            t.filter(x -> shownWith(x, e.getKey().chain(), w)).ifPresent(change::remove);
        }
        change.sums();
    }

    /** Whether {@code t}'s own state lets it count (a withdrawal it is shown with may still fail). */
    private static boolean countsByItself(TenantTransfer t) {
        return t.state() != TenantTransfer.State.REJECTED && t.state() != TenantTransfer.State.FAILED;
    }

    /** Whether the transfer's status is {@code w}'s (on {@code chain}): as {@code TransferService} shows a transfer. */
    private static boolean shownWith(TenantTransfer t, String chain, Withdrawal w) {
        if (t.account() != w.account() || !AssetId.chainOf(t.asset()).equals(chain)) {
            return false;
        }
        return t.state() == TenantTransfer.State.SUBMITTING && w.idempotencyKey().equals(t.id())
                || t.state() == TenantTransfer.State.SUBMITTED && w.id().equals(t.withdrawalId());
    }

    /** One batch's changes: rows decided, and what each minute's and hour's sum moves by. */
    private static final class Change {
        private final Batch batch;
        private final Reader before;
        /** Rows this batch writes (true) or deletes (false). */
        private final Map<TransferTables.CountingTransfer, Boolean> rows = new HashMap<>();
        private final Map<TransferTables.CountedSpan, BigInteger> moves = new LinkedHashMap<>();

        Change(Batch batch, Reader before) {
            this.batch = batch;
            this.before = before;
        }

        void add(TenantTransfer t) {
            rows.put(putRows(batch, t), true);
            move(t, t.amount());
        }

        void remove(TenantTransfer t) {
            TransferTables.CountingTransfer row = row(t);
            Boolean here = rows.get(row);
            boolean present = here != null ? here : before.get(TransferTables.COUNTING, row).isPresent();
            if (present) {
                rows.put(row, false);
                batch.delete(TransferTables.COUNTING, row);
                if (!t.refundOf().isEmpty()) {
                    batch.delete(TransferTables.REFUNDING, refund(t));
                }
                move(t, t.amount().negate());
            }
        }

        private void move(TenantTransfer t, BigInteger by) {
            long at = t.createdAt().toEpochMilli();
            for (int span : SPANS) {
                moves.merge(new TransferTables.CountedSpan(t.tenant(), t.asset(), span, floor(at, span)), by, BigInteger::add);
            }
        }

        /** Writes each moved sum (a sum back at zero is deleted). */
        void sums() {
            moves.forEach((span, by) -> {
                if (by.signum() != 0) {
                    BigInteger now = before.get(TransferTables.COUNTED, span).orElse(BigInteger.ZERO).add(by);
                    if (now.signum() == 0) {
                        batch.delete(TransferTables.COUNTED, span);
                    } else {
                        batch.put(TransferTables.COUNTED, span, now);
                    }
                }
            });
        }
    }

    /** Writes {@code t}'s row (and its refund row, if it refunds a payment request); returns the row's key. */
    private static TransferTables.CountingTransfer putRows(Batch batch, TenantTransfer t) {
        TransferTables.CountingTransfer row = row(t);
        batch.put(TransferTables.COUNTING, row, t.amount());
        if (!t.refundOf().isEmpty()) {
            batch.put(TransferTables.REFUNDING, refund(t), t.amount());
        }
        return row;
    }

    private static TransferTables.RefundTransfer refund(TenantTransfer t) {
        return new TransferTables.RefundTransfer(t.tenant(), t.refundOf(), t.id());
    }

    /** What the tenant's refunds of {@code paymentRequestId} that count (not rejected, not failed) add up to. */
    static BigInteger refunded(Store store, String tenant, String paymentRequestId) {
        byte[] prefix = io.coffer.core.store.KeyWriter.key().string(tenant).string(paymentRequestId).build();
        return TransferTables.sum(store, TransferTables.REFUNDING, TransferTables.REFUNDING.prefix(prefix));
    }

    private static TransferTables.CountingTransfer row(TenantTransfer t) {
        return new TransferTables.CountingTransfer(t.tenant(), t.asset(), t.createdAt().toEpochMilli(), t.id());
    }

    /**
     * What the tenant's transfers of {@code asset} that count against limits moved, created in [from, to) (millis; {@code to}
     * may be {@link Long#MAX_VALUE}): whole days from their sums, the hours, minutes and seconds at either end from theirs, the
     * rest from rows — at most ~30 day sums, 46 hour sums, 118 minute sums, 118 second sums and two seconds' rows for the
     * velocity rule's month. An open end (the 24 h limit's) is five ranges: the rows up to the first whole second, then the
     * seconds, minutes and hours up to the first whole one of the next span, and the days from there.
     */
    static BigInteger sum(Store store, String tenant, String asset, long from, long to) {
        return from >= to ? BigInteger.ZERO : within(store, tenant, asset, from, to, 0);
    }

    /**
     * [from, to) from the sums of {@code SPANS[level]} and longer where they fit whole, the parts before the first whole one
     * and after the last from the span below (rows below the shortest).
     */
    private static BigInteger within(Store store, String tenant, String asset, long from, long to, int level) {
        int span = SPANS[level];
        long first = ceil(from, span);
        long last = to == Long.MAX_VALUE ? to : floor(to, span);
        if (first >= last) {
            return below(store, tenant, asset, from, to, level);
        }
        BigInteger whole = level + 1 < SPANS.length ? within(store, tenant, asset, first, last, level + 1)
                : spans(store, tenant, asset, span, first, last);
        return below(store, tenant, asset, from, first, level).add(whole).add(below(store, tenant, asset, last, to, level));
    }

    /** [from, to), shorter than a whole {@code SPANS[level]}: from the span below's sums, or from rows below the shortest. */
    private static BigInteger below(Store store, String tenant, String asset, long from, long to, int level) {
        return level == 0 ? rows(store, tenant, asset, from, to) : spans(store, tenant, asset, SPANS[level - 1], from, to);
    }

    /**
     * The schema's migration to day sums: each day's written from the rows of the transfers that count (those are exact: kept
     * with every change, as the hours were), so a store kept before gets the day sums a life with them would have kept.
     */
    static void indexDays(Store store, Batch batch) {
        sumsFromRows(store, batch, DAY);
    }

    /** The schema's migration to second sums: each second's written from the rows, as {@link #indexDays} the days'. */
    static void indexSeconds(Store store, Batch batch) {
        sumsFromRows(store, batch, SECOND);
    }

    /**
     * Writes the sums of {@code spans} from the rows of the transfers that count, as the rows come. They come in key order —
     * tenant, asset, then time — so one span's sums end one after the other and only the open one of each is held: a
     * migration's memory does not grow with the history (a map of every second's sum took ~380 MiB at 1,000,000 transfers).
     * Puts only, each a sum of rows: run again over its own earlier parts, the same records.
     */
    private static void sumsFromRows(Store store, Batch batch, int... spans) {
        TransferTables.CountedSpan[] open = new TransferTables.CountedSpan[spans.length];
        BigInteger[] sums = new BigInteger[spans.length];
        store.forEach(TransferTables.COUNTING.all(), TransferTables.COUNTING, (row, amount) -> {
            for (int i = 0; i < spans.length; i++) {
                TransferTables.CountedSpan span = new TransferTables.CountedSpan(row.tenant(), row.asset(), spans[i],
                        floor(row.createdMillis(), spans[i]));
                if (!span.equals(open[i])) {
                    putSum(batch, open[i], sums[i]);
                    open[i] = span;
                    sums[i] = BigInteger.ZERO;
                }
                sums[i] = sums[i].add(amount);
            }
        });
        for (int i = 0; i < spans.length; i++) {
            putSum(batch, open[i], sums[i]);
        }
    }

    /** A migration's sum, left out at zero (as the kept sums leave it). */
    private static void putSum(Batch batch, TransferTables.CountedSpan span, BigInteger sum) {
        if (span != null && sum.signum() != 0) {
            batch.put(TransferTables.COUNTED, span, sum);
        }
    }

    /** When the tenant's first transfer of {@code asset} that counts against limits was created in [from, to), if any. */
    static Optional<Long> first(Store store, String tenant, String asset, long from, long to) {
        if (from >= to) {
            return Optional.empty();
        }
        var first = store.list(TransferTables.COUNTING, TransferTables.COUNTING.between(
                new TransferTables.CountingTransfer(tenant, asset, from, ""), new TransferTables.CountingTransfer(tenant, asset, to, "")), 1);
        return first.isEmpty() ? Optional.empty() : Optional.of(first.get(0).getKey().createdMillis());
    }

    private static BigInteger rows(Store store, String tenant, String asset, long from, long to) {
        return from >= to ? BigInteger.ZERO : TransferTables.sum(store, TransferTables.COUNTING, TransferTables.COUNTING.between(
                new TransferTables.CountingTransfer(tenant, asset, from, ""), new TransferTables.CountingTransfer(tenant, asset, to, "")));
    }

    private static BigInteger spans(Store store, String tenant, String asset, int span, long from, long to) {
        return from >= to ? BigInteger.ZERO : TransferTables.sum(store, TransferTables.COUNTED, TransferTables.COUNTED.between(
                new TransferTables.CountedSpan(tenant, asset, span, from), new TransferTables.CountedSpan(tenant, asset, span, to)));
    }

    private static long floor(long t, int span) {
        return t - Math.floorMod(t, span);
    }

    private static long ceil(long t, int span) {
        long f = floor(t, span);
        return f == t ? t : f + span;
    }

    /**
     * Writes the rows and sums of the transfers recorded so far (the schema's migration to them): each transfer counts as
     * {@code TransferService} shows it — by its own state, else by the withdrawal it is shown with. The rows first, as the
     * transfers come; then, once they are written, every span's sums from them.
     */
    static void index(Store store, Batch batch) {
        store.forEach(TransferTables.TRANSFERS.all(), TransferTables.TRANSFERS, (id, t) -> {
            if (countsByItself(t) && !shownWithdrawal(store, t).map(w -> w.status() == WithdrawalStatus.FAILED).orElse(false)) {
                putRows(batch, t);
            }
        });
        batch.commit(); // the rows' last part: the sums are read from them
        sumsFromRows(store, batch, SPANS);
    }

    /** The withdrawal {@code t} is shown with, if it has one. */
    private static Optional<Withdrawal> shownWithdrawal(Store store, TenantTransfer t) {
        String chain = AssetId.chainOf(t.asset());
        if (t.state() == TenantTransfer.State.SUBMITTED) {
            return store.get(TransferTables.WITHDRAWALS, new TransferTables.ChainKey(chain, t.withdrawalId()));
        }
        if (t.state() == TenantTransfer.State.SUBMITTING) {
            return store.get(TransferTables.IDEMPOTENCY, new TransferTables.ChainKey(chain, t.id()))
                    .flatMap(id -> store.get(TransferTables.WITHDRAWALS, new TransferTables.ChainKey(chain, id)));
        }
        return Optional.empty();
    }
}
