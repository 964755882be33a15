package io.coffer.core.payment;

import io.coffer.core.chain.ChainFollower;
import io.coffer.core.chain.ChainTables;
import io.coffer.core.chain.Deposit;
import io.coffer.core.chain.DepositChange;
import io.coffer.core.chain.DepositId;
import io.coffer.core.chain.DepositSink;
import io.coffer.core.event.EventOutbox;
import io.coffer.core.event.EventType;
import io.coffer.core.event.NewEvent;
import io.coffer.core.store.Batch;
import io.coffer.core.store.KeyWriter;
import io.coffer.core.store.Store;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * Turns deposit changes and payment request changes into tenant events, in the batch of the change.
 *
 * <p>As a follower's {@link DepositSink}: each deposit to a tenant's (external) address that is first seen or changes notably becomes
 * DEPOSIT_SEEN / DEPOSIT_UPDATED; each payment request paid to by a deposit whose change can move it
 * ({@link PaymentStatusRule#mayChange}: not a confirmation more that stays on one side of its required number) is re-evaluated
 * with the batch's deposits (not yet in the store) and becomes PAYMENT_REQUEST_UPDATED when its published state — status, sums, finality, late
 * payments — differs from the last one published. Comparing with the last published state, rather than with the state
 * before the batch, is what makes a reorg that moves a request back and forth publish each step exactly once.
 */
public final class PaymentEvents implements DepositSink {
    /** Renders subjects as proto3 JSON objects (the API layer owns the wire format). */
    public interface Renderer {
        String paymentRequest(PaymentRequestService.View view);

        /** {@code paymentRequestId} "" when the deposit pays none. */
        String deposit(Deposit deposit, String paymentRequestId);
    }

    private final Store store;
    private final EventOutbox outbox;
    private final Renderer renderer;
    private final IntFunction<Optional<String>> tenantOfAccount;
    private final BiPredicate<String, String> internal;
    private final Clock clock;

    /**
     * @param tenantOfAccount the tenant owning an HD account, empty for accounts no tenant owns (the node's own)
     * @param internal        whether (chain, address) is one of the wallet's internal addresses (change, the EVM hot address):
     *                        what arrives there is the wallet's own money moving (change of a withdrawal, a sweep), not a deposit
     */
    public PaymentEvents(Store store, EventOutbox outbox, Renderer renderer, IntFunction<Optional<String>> tenantOfAccount,
                         BiPredicate<String, String> internal, Clock clock) {
        this.store = store;
        this.internal = internal;
        this.clock = clock;
        this.outbox = outbox;
        this.renderer = renderer;
        this.tenantOfAccount = tenantOfAccount;
    }

    EventOutbox outbox() {
        return outbox;
    }

    @Override
    public void commit(Batch batch, ChainFollower follower, List<DepositChange> changes, boolean settled) {
        byte[] chainPrefix = KeyWriter.key().string(follower.chain()).build();
        if (changes.isEmpty() && (!settled || store.list(PaymentTables.DEFERRED, PaymentTables.DEFERRED.prefix(chainPrefix), 1).isEmpty())) {
            batch.commit();
            return;
        }
        outbox.commit(batch, () -> events(batch, follower, changes, settled));
    }

    private List<NewEvent> events(Batch batch, ChainFollower follower, List<DepositChange> changes, boolean settled) {
        List<Pending> out = new ArrayList<>();
        Map<String, Map<DepositId, Deposit>> overlay = new java.util.HashMap<>(); // by address
        Set<String> touched = new LinkedHashSet<>();
        Map<String, PaymentRequest> read = new java.util.HashMap<>(); // the requests read here, not read again below
        for (DepositChange c : changes) {
            Deposit d = c.after();
            overlay.computeIfAbsent(d.address(), a -> new LinkedHashMap<>()).put(d.id(), d);
            Optional<String> tenant = tenantOfAccount.apply(d.account());
            if (tenant.isEmpty() || internal.test(d.chain(), d.address())) {
                continue;
            }
            Optional<PaymentRequest> pr = store.get(PaymentTables.BY_ADDRESS, new ChainTables.ChainAddress(d.chain(), d.address()))
                    .flatMap(id -> request(read, id))
                    .filter(p -> p.asset().equals(d.asset()));
            pr.ifPresent(p -> read.put(p.id(), p));
            pr.filter(p -> PaymentStatusRule.mayChange(c.before(), d, p.requiredConfirmations())).ifPresent(p -> touched.add(p.id()));
            if (c.before() == null || c.notable()) {
                String requestId = pr.map(PaymentRequest::id).orElse("");
                out.add(new Pending(tenant.get(), c.before() == null ? EventType.DEPOSIT_SEEN : EventType.DEPOSIT_UPDATED,
                        d.id().publicId(), () -> renderer.deposit(d, requestId), requestId));
            }
        }
        byte[] chainPrefix = KeyWriter.key().string(follower.chain()).build();
        if (!settled) {
            // A reorg is being walked through: the request's status is decided once the chain's final state is reached.
            touched.forEach(id -> batch.put(PaymentTables.DEFERRED, new PaymentTables.ChainRequest(follower.chain(), id), ""));
            return rendered(out);
        }
        for (var e : store.list(PaymentTables.DEFERRED, PaymentTables.DEFERRED.prefix(chainPrefix), Integer.MAX_VALUE)) {
            touched.add(e.getKey().requestId());
            batch.delete(PaymentTables.DEFERRED, e.getKey());
        }
        for (String id : touched) {
            PaymentRequest pr = request(read, id).orElseThrow();
            List<Deposit> deposits = follower.depositsTo(pr.address(), overlay.getOrDefault(pr.address(), Map.of()));
            var view = new PaymentRequestService.View(pr, PaymentStatusRule.evaluate(pr, deposits, clock.instant()));
            pendingUpdate(batch, view).ifPresent(out::add);
        }
        return rendered(out);
    }

    /** The request {@code id}: as already read in this batch's decision, else from the store. */
    private Optional<PaymentRequest> request(Map<String, PaymentRequest> read, String id) {
        PaymentRequest kept = read.get(id);
        return kept != null ? Optional.of(kept) : store.get(PaymentTables.REQUESTS, id);
    }

    /** From how many events a batch's subjects are rendered side by side. */
    private static final int RENDER_IN_PARALLEL = 32;

    /** An event whose subject is yet to be rendered (to JSON, the slow part of an event: ~0.1 ms). */
    private record Pending(String tenant, EventType type, String subjectId, Supplier<String> subject, String paymentRequestId) {
        NewEvent render() {
            return new NewEvent(tenant, type, subjectId, subject.get(), paymentRequestId);
        }
    }

    /**
     * The events with their subjects rendered, in order. A block paying hundreds of requests renders twice as many subjects,
     * each on its own: on every core (the subjects are read-only by now; the batch is written by this thread alone).
     */
    private static List<NewEvent> rendered(List<Pending> pending) {
        return pending.size() < RENDER_IN_PARALLEL ? pending.stream().map(Pending::render).toList()
                : pending.parallelStream().map(Pending::render).toList();
    }

    /** The CREATED event of a new request; records its state as published. */
    NewEvent created(Batch batch, PaymentRequestService.View view) {
        batch.put(PaymentTables.PUBLISHED, view.request().id(), fingerprint(view.evaluation()));
        return new NewEvent(view.request().tenantId(), EventType.PAYMENT_REQUEST_CREATED, view.request().id(), renderer.paymentRequest(view));
    }

    /** An UPDATED event when the request's state differs from the last published one (recorded in {@code batch}). */
    Optional<NewEvent> updated(Batch batch, PaymentRequestService.View view) {
        return pendingUpdate(batch, view).map(Pending::render);
    }

    private Optional<Pending> pendingUpdate(Batch batch, PaymentRequestService.View view) {
        String now = fingerprint(view.evaluation());
        String id = view.request().id();
        if (store.get(PaymentTables.PUBLISHED, id).filter(now::equals).isPresent()) {
            return Optional.empty();
        }
        batch.put(PaymentTables.PUBLISHED, id, now);
        return Optional.of(new Pending(view.request().tenantId(), EventType.PAYMENT_REQUEST_UPDATED, id, () -> renderer.paymentRequest(view), id));
    }

    /** What a merchant sees change: status, sums, finality, number of counted and late payments. */
    static String fingerprint(PaymentStatusRule.Evaluation e) {
        return e.status() + "|" + e.paid() + "|" + e.confirmed() + "|" + e.overpaid() + "|" + e.isFinal() + "|" + e.counted().size() + "|"
                + e.late().size();
    }
}
