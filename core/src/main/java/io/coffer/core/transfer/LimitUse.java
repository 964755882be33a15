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
 * ({@link TransferTables#COUNTING}), their amounts summed per minute, per hour and per day of creation ({@link TransferTables#COUNTED}), and
 * the refund rows among them by payment request ({@link TransferTables#REFUNDING}: a refund checks what that request's refunds
 * add up to, not every transfer the tenant ever made).
 * The rolling 24 h limit and the velocity rule sum a window from these — its whole days, the hours and minutes at its two
 * ends, and the rows of its two end minutes — instead of reading every transfer the window holds (each with its withdrawal)
 * under the lock every CreateTransfer waits for: a tenant making a transfer a second read 86,400 of them a call.
 *
 * <p>Kept in the batches that write transfers and withdrawals (a store {@link Derivation}). A transfer counts from its creation
 * until it is rejected or fails, or the withdrawal it is shown with fails ({@link TransferStatus#countsAgainstLimits}); all of
 * those are final, so a transfer leaves the sums at most once and never comes back: removing its row, when there is one, is
 * the whole decision.
 */
final class LimitUse implements Derivation {
    static final String NAME = "transfers counting against limits";
    static final int MINUTE = 60_000;
    static final int HOUR = 3_600_000;
    static final int DAY = 86_400_000;

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
            TransferTables.CountingTransfer row = row(t);
            rows.put(row, true);
            batch.put(TransferTables.COUNTING, row, t.amount());
            if (!t.refundOf().isEmpty()) {
                batch.put(TransferTables.REFUNDING, refund(t), t.amount());
            }
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
            for (int span : new int[] {MINUTE, HOUR, DAY}) {
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
     * may be {@link Long#MAX_VALUE}): whole days from their sums, the hours at either end from theirs, the minutes at either end
     * from theirs, the rest from rows — at most ~30 day sums, 46 hour sums, 118 minute sums and two minutes' rows for the
     * velocity rule's month, where hours alone were up to 720 sums a call. An open end (the 24 h limit's) is four ranges: the
     * rows up to the first whole minute, the minutes up to the first whole hour, the hours up to the first whole day, and the
     * days from there.
     */
    static BigInteger sum(Store store, String tenant, String asset, long from, long to) {
        if (from >= to) {
            return BigInteger.ZERO;
        }
        long m0 = ceil(from, MINUTE);
        if (to == Long.MAX_VALUE) { // open-ended (the 24 h limit's): the start's rows, minutes, hours, then every day after
            long h0 = ceil(from, HOUR);
            long d0 = ceil(from, DAY);
            return rows(store, tenant, asset, from, m0).add(spans(store, tenant, asset, MINUTE, m0, h0))
                    .add(spans(store, tenant, asset, HOUR, h0, d0)).add(spans(store, tenant, asset, DAY, d0, to));
        }
        long m1 = floor(to, MINUTE);
        if (m0 >= m1) {
            return rows(store, tenant, asset, from, to);
        }
        BigInteger sum = rows(store, tenant, asset, from, m0).add(rows(store, tenant, asset, m1, to));
        long h0 = ceil(from, HOUR);
        long h1 = floor(to, HOUR);
        if (h0 >= h1) {
            return sum.add(spans(store, tenant, asset, MINUTE, m0, m1));
        }
        sum = sum.add(spans(store, tenant, asset, MINUTE, m0, h0)).add(spans(store, tenant, asset, MINUTE, h1, m1));
        long d0 = ceil(from, DAY);
        long d1 = floor(to, DAY);
        if (d0 >= d1) {
            return sum.add(spans(store, tenant, asset, HOUR, h0, h1));
        }
        return sum.add(spans(store, tenant, asset, HOUR, h0, d0)).add(spans(store, tenant, asset, DAY, d0, d1))
                .add(spans(store, tenant, asset, HOUR, d1, h1));
    }

    /**
     * The schema's migration to day sums: each day's sum written from its hours' (those are exact: kept with every change), so
     * a store whose hour sums were kept before gets the same day sums a life with them would have kept.
     */
    static void indexDays(Store store, Batch batch) {
        Map<TransferTables.CountedSpan, BigInteger> days = new LinkedHashMap<>();
        for (var e : store.list(TransferTables.COUNTED, TransferTables.COUNTED.all(), Integer.MAX_VALUE)) {
            TransferTables.CountedSpan hour = e.getKey();
            if (hour.spanMillis() == HOUR) {
                days.merge(new TransferTables.CountedSpan(hour.tenant(), hour.asset(), DAY, floor(hour.startMillis(), DAY)), e.getValue(),
                        BigInteger::add);
            }
        }
        days.forEach((day, sum) -> {
            if (sum.signum() != 0) {
                batch.put(TransferTables.COUNTED, day, sum);
            }
        });
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
     * {@code TransferService} shows it — by its own state, else by the withdrawal it is shown with.
     */
    static void index(Store store, Batch batch) {
        Change change = new Change(batch, store); // the kept tables are empty before it: each sum is what the transfers add
        for (var e : store.list(TransferTables.TRANSFERS, TransferTables.TRANSFERS.all(), Integer.MAX_VALUE)) {
            TenantTransfer t = e.getValue();
            if (countsByItself(t) && !shownWithdrawal(store, t).map(w -> w.status() == WithdrawalStatus.FAILED).orElse(false)) {
                change.add(t);
            }
        }
        change.sums();
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
