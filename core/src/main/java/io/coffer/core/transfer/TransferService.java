package io.coffer.core.transfer;

import io.coffer.core.chain.AssetId;
import io.coffer.core.audit.AuditLog;
import io.coffer.core.error.CofferException;
import io.coffer.core.error.ErrorKind;
import io.coffer.core.event.EventOutbox;
import io.coffer.core.event.EventType;
import io.coffer.core.event.NewEvent;
import io.coffer.core.store.Batch;
import io.coffer.core.store.Store;
import io.coffer.core.tenant.TenantTables;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * A tenant's transfers: idempotent creation under the tenant's policy, approvals, rejection, fee bumps, and their events.
 *
 * <p>Order of writes: the transfer (with its idempotency key and its CREATED event) is stored first, in SUBMITTING or
 * AWAITING_APPROVAL; then the chain withdrawal is created with the transfer id as its idempotency key, its signed batch
 * moving the transfer to SUBMITTED. A crash between the two is resumed at start with that same key, so a transfer is sent at
 * most once whatever happens. Decisions (idempotency, limits, reservations, approvals) are taken under this service's lock:
 * twenty identical concurrent calls make one transfer. A new transfer's write is queued there and awaited after the lock is
 * let go, and its send happens after that (concurrent transfers share synced writes and broadcasts); until it is written,
 * what it changes counts from memory for the decisions made meanwhile, and a second call with its key waits for it. A retry
 * arriving while the first call still sends answers with the transfer as it stands then (SIGNED until the broadcast is
 * answered); the amounts being sent count against the tenant's funds meanwhile.
 *
 * <p>As the withdrawals' {@link WithdrawalSink}, it publishes a TRANSFER_UPDATED event in the batch of every withdrawal change
 * that changes what the tenant sees (status, txid, fee, confirmations).
 */
public final class TransferService implements WithdrawalSink {
    private static final Logger LOG = Logger.getLogger(TransferService.class.getName());
    private static final Pattern AMOUNT = Pattern.compile("0|[1-9][0-9]{0,77}");
    static final String ID_PREFIX = "tr_";

    /** The chain-specific parts. */
    public interface Sending {
        boolean knows(String asset);

        BigInteger maxAmount(String asset);

        /** Checks and normalises a destination for the asset's chain. @throws CofferException INVALID_ARGUMENT naming destination */
        String destination(String asset, String destination);

        /** The same, for an allowlist entry on chain {@code chain}; {@code field} names the offending field. */
        String destinationOnChain(String chain, String destination, String field);

        boolean knowsChain(String chain);

        /** What the account can spend of the asset now (pending withdrawals already deducted). */
        BigInteger spendable(int account, String asset);

        /** SEALED / WATCH_ONLY refuse here (FAILED_PRECONDITION), before anything is written. */
        void requireSigning();

        /**
         * A chain whose outgoing transfers are paused (the ledger and the chain disagree, until an operator acknowledges) refuses
         * here: FAILED_PRECONDITION CHAIN_PAUSED, before anything is written. None by default.
         */
        default void requireOpen(String asset) {
        }

        Quote quote(int account, String asset, String destination, BigInteger amount, FeePriority priority, Optional<FeeRate> feeRate);

        /** Creates (or returns, by {@code idempotencyKey}) the chain withdrawal: signed, stored, then broadcast. */
        Withdrawal send(int account, String asset, String destination, BigInteger amount, FeePriority priority, Optional<FeeRate> feeRate,
                        String idempotencyKey);

        Optional<Withdrawal> withdrawal(String asset, String id);

        /** The withdrawal made with this idempotency key, if any. */
        Optional<Withdrawal> withdrawalByKey(String asset, String idempotencyKey);

        /** Replaces the withdrawal by a higher-fee version (empty: the chain picks the rate). */
        Withdrawal bump(String asset, String withdrawalId, Optional<FeeRate> feeRate);

        /** Whether the withdrawal is confirmed past the chain's reorg-safety depth. */
        boolean isFinal(String asset, Withdrawal w);
    }

    /**
     * A fee estimate. Bitcoin: {@code satPerVbyte} set, {@code size} in vbytes. EVM: {@code maxFeePerGas} and
     * {@code maxPriorityFeePerGas} (legacy chains: the gas price and null), {@code size} the gas limit.
     */
    public record Quote(String feeAsset, BigInteger fee, long size, String satPerVbyte, BigInteger maxFeePerGas,
                        BigInteger maxPriorityFeePerGas) {
    }

    /** The amount paid to a tenant's payment request, for refunds. */
    public interface Refunds {
        /** The request's asset and everything paid to it (counted and late); empty when not the tenant's. */
        Optional<Map.Entry<String, BigInteger>> paid(String tenant, String paymentRequestId);
    }

    /** Renders a transfer as the proto3 JSON of {@code coffer.v1.Transfer}. */
    public interface Renderer {
        String transfer(View view);
    }

    /**
     * A transfer and its withdrawal (null before it has one).
     *
     * @param isFinal confirmed and deeper than the chain's reorg-safety depth
     */
    /** @param holdReason why anomaly rules hold it for approval, one line per rule (empty: none) */
    public record View(TenantTransfer transfer, Withdrawal withdrawal, boolean isFinal, String holdReason) {
        /** The status the tenant sees. */
        public TransferStatus status() {
            return switch (transfer.state()) {
                case AWAITING_APPROVAL -> TransferStatus.AWAITING_APPROVAL;
                case REJECTED -> TransferStatus.REJECTED;
                case FAILED -> TransferStatus.FAILED;
                case SUBMITTING, SUBMITTED -> withdrawal == null ? TransferStatus.SIGNED : TransferStatus.of(withdrawal.status());
            };
        }

        public String failureReason() {
            return withdrawal != null && !transfer.failureReason().isEmpty() ? transfer.failureReason()
                    : withdrawal != null ? withdrawal.failureReason() : transfer.failureReason();
        }
    }

    /** What a caller asks for; {@code priority} null for NORMAL; {@code feeRate} empty for the priority's estimate. */
    public record Create(String asset, String destination, String amount, FeePriority priority, Optional<FeeRate> feeRate, String idempotencyKey,
                         String refundOf, String memo) {
    }

    /** Who is calling: the tenant, its HD account, the API key. */
    public record Caller(String tenant, int account, String keyId) {
    }

    private final Store store;
    private final io.coffer.core.backup.RestoreGate restore;
    private final Sending chains;
    private final Refunds refunds;
    private final EventOutbox outbox;
    private final Renderer renderer;
    private final AuditLog audit;
    private final Clock clock;
    private final Duration allowlistDelay;
    private final SecureRandom random = new SecureRandom();

    public TransferService(Store store, Sending chains, Refunds refunds, EventOutbox outbox, Renderer renderer, AuditLog audit, Clock clock,
                           Duration allowlistDelay) {
        this.store = store;
        this.restore = new io.coffer.core.backup.RestoreGate(store);
        this.chains = chains;
        this.refunds = refunds;
        this.outbox = outbox;
        this.renderer = renderer;
        this.audit = audit;
        this.clock = clock;
        this.allowlistDelay = allowlistDelay;
        store.derive(AwaitingApproval.NAME, new AwaitingApproval());
        store.derive(LimitUse.NAME, new LimitUse());
        store.derive(SUBMITTING, new Submitting());
    }

    /**
     * Creates a transfer (and sends it, unless it waits for approvals).
     *
     * @throws CofferException INVALID_ARGUMENT naming the field; ALREADY_EXISTS (key reused with other fields); FAILED_PRECONDITION
     *                         (DESTINATION_NOT_ALLOWED, LIMIT_EXCEEDED, INSUFFICIENT_FUNDS, REFUND_EXCEEDS_PAYMENT, SEALED, WATCH_ONLY)
     */
    public View create(Caller caller, Create c) {
        BigInteger amount = validate(c);
        String destination = chains.destination(c.asset(), c.destination());
        FeePriority priority = c.priority() == null ? FeePriority.NORMAL : c.priority();
        TenantTransfer t;
        View created;
        String sendingKey = caller.tenant() + "|" + c.asset();
        // The read-decide of the transfer (key, limits, funds) under the lock, its write queued there; the wait for the disk and
        // the send after it, so concurrent transfers share synced writes and broadcasts. What a queued transfer changes and the
        // store does not show yet counts from memory meanwhile (see Unwritten); until its withdrawal is written (and the balance
        // shows the debit) its amount counts against the tenant's funds.
        TenantTables.TenantKey key = new TenantTables.TenantKey(caller.tenant(), c.idempotencyKey());
        Batch.Queued write;
        boolean needsApproval;
        List<String> held;
        int quorum;
        synchronized (this) {
            io.coffer.core.concurrent.Monitors.waitWhile(this, () -> unwritten.values().stream().anyMatch(u -> u.key().equals(key)));
            Optional<String> existing = store.get(TransferTables.TRANSFER_KEYS, key);
            if (existing.isPresent()) {
                TenantTransfer known = store.get(TransferTables.TRANSFERS, existing.get()).orElseThrow();
                boolean same = known.asset().equals(c.asset()) && known.destination().equals(destination) && known.amount().equals(amount)
                        && known.priority().equals(priority) && known.feeRate().equals(c.feeRate())
                        && known.refundOf().equals(nz(c.refundOf())) && known.memo().equals(nz(c.memo()));
                if (!same) {
                    throw new CofferException(ErrorKind.ALREADY_EXISTS, "IDEMPOTENCY_KEY_REUSED", "idempotency_key",
                            "idempotency_key: already used for another transfer", Map.of("transfer_id", known.id()), null);
                }
                return view(known);
            }
            // A key the restored ledger does not know may be a transfer made after the backup: never a second payment.
            restore.requireOpen();
            Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
            List<Unwritten> queued = unwrittenOf(caller.tenant());
            TransferPolicy policy = policy(caller.tenant());
            checkAllowlist(policy, AssetId.chainOf(c.asset()), destination, now);
            TransferPolicy.Limits limits = policy.limits().get(c.asset());
            if (limits != null && limits.perTransferMax() != null && amount.compareTo(limits.perTransferMax()) > 0) {
                throw new CofferException(ErrorKind.FAILED_PRECONDITION, "LIMIT_EXCEEDED", "amount", "amount: above the per-transfer limit of "
                        + limits.perTransferMax() + " " + c.asset(), Map.of("limit", limits.perTransferMax().toString()), null);
            }
            // What the last 24 h used: read once for the rolling limit and the velocity rule alike (the same sums, twice a call).
            BigInteger used = limits != null && limits.rolling24hMax() != null || policy.velocityFactor() > 0
                    ? usedIn24h(caller.tenant(), c.asset(), now, queued) : null;
            if (limits != null && limits.rolling24hMax() != null) {
                if (used.add(amount).compareTo(limits.rolling24hMax()) > 0) {
                    throw new CofferException(ErrorKind.FAILED_PRECONDITION, "LIMIT_EXCEEDED", "amount", "amount: the rolling 24 h limit of "
                            + limits.rolling24hMax() + " " + c.asset() + " would be exceeded (" + used + " used)",
                            Map.of("limit", limits.rolling24hMax().toString(), "used", used.toString()), null);
                }
            }
            if (!nz(c.refundOf()).isEmpty()) {
                checkRefund(caller.tenant(), c.refundOf(), c.asset(), amount, queued);
            }
            held = anomalies(caller.tenant(), c.asset(), destination, amount, now, policy, limits, queued, used);
            needsApproval = !held.isEmpty() || policy.quorum() > 0 && limits != null && limits.approvalThreshold() != null
                    && amount.compareTo(limits.approvalThreshold()) > 0;
            quorum = Math.max(1, policy.quorum());
            if (!needsApproval) {
                chains.requireSigning();
                chains.requireOpen(c.asset());
            }
            // What is being sent before the balance: a send debits the balance before it leaves `sending` (see debited), so
            // read in this order an amount can count twice for a moment (a refusal at the edge), never not at all.
            BigInteger reserved = awaitingApproval(caller.tenant(), c.asset()).add(beingSent(sendingKey))
                    .add(sum(queued, u -> u.awaiting() && u.transfer().asset().equals(c.asset())));
            BigInteger spendable = chains.spendable(caller.account(), c.asset());
            if (amount.add(reserved).compareTo(spendable) > 0) {
                BigInteger missing = amount.add(reserved).subtract(spendable);
                throw new CofferException(ErrorKind.FAILED_PRECONDITION, "INSUFFICIENT_FUNDS", "amount", "insufficient funds: " + missing
                        + " more " + c.asset() + " needed" + (reserved.signum() > 0 ? " (" + reserved + " reserved by transfers awaiting approval "
                        + "or being sent)" : ""),
                        Map.of("missing", missing.toString()), null);
            }
            t = new TenantTransfer(ID_PREFIX + hex(), caller.tenant(), caller.account(), c.asset(), destination, amount, priority,
                    c.feeRate(), nz(c.memo()), nz(c.refundOf()), c.idempotencyKey(), caller.keyId(), List.of(),
                    needsApproval ? TenantTransfer.State.AWAITING_APPROVAL : TenantTransfer.State.SUBMITTING, "", "", now, now);
            Batch b = store.batch();
            b.put(TransferTables.TRANSFERS, t.id(), t);
            b.put(TransferTables.TRANSFER_KEYS, key, t.id());
            b.put(TransferTables.TRANSFERS_BY_TENANT, new TenantTables.TenantTime(caller.tenant(), now.toEpochMilli(), t.id()), "");
            if (!held.isEmpty()) {
                b.put(TransferTables.HOLDS, t.id(), String.join("\n", held));
            } else if (!needsApproval) {
                paid(b, t, now, queued);
            }
            created = view(t, null, String.join("\n", held));
            List<String> reasons = held;
            write = outbox.queue(b, () -> {
                b.put(TransferTables.TRANSFER_PUBLISHED, t.id(), fingerprint(created));
                if (!reasons.isEmpty()) {
                    audit.append(b, caller.keyId(), "transfer.held", t.id(), Map.of("tenant", t.tenant(), "reasons", String.join("; ", reasons)));
                }
                return List.of(new NewEvent(t.tenant(), EventType.TRANSFER_CREATED, t.id(), renderer.transfer(created)));
            });
            unwritten.put(t.id(), new Unwritten(t, key, needsApproval, held.isEmpty() && !needsApproval));
            if (!needsApproval) {
                sending.put(t.id(), new BeingSent(sendingKey, amount));
            }
        }
        try {
            write.await();
        } catch (RuntimeException e) {
            sending.remove(t.id());
            throw e;
        } finally {
            synchronized (this) {
                unwritten.remove(t.id());
                notifyAll();
            }
        }
        LOG.info(() -> "transfer " + t.id() + " of tenant " + t.tenant() + ": " + amount + " " + c.asset() + " to " + destination
                + (needsApproval ? ", awaiting " + quorum + " approval(s)" : "") + (held.isEmpty() ? "" : "; held by anomaly rules: " + String.join("; ", held)));
        if (!held.isEmpty()) {
            onHeld.accept(t, held);
        }
        if (needsApproval) {
            return created;
        }
        try {
            return submit(t);
        } finally {
            sending.remove(t.id()); // most often gone already: debited when its withdrawal was written
        }
    }

    /** A transfer created to be sent at once, whose amount its account's balance does not show debited yet. */
    private record BeingSent(String tenantAsset, BigInteger amount) {
    }

    /**
     * By transfer id, the transfers created to be sent at once and not yet debited: from the decision until the batch that
     * stores their withdrawal is written (the balance shows the debit from then on, {@link #debited}) or their send ends without
     * one. Concurrent, not under this service's monitor: the withdrawals' batches reach {@link #debited} holding their own lock,
     * which a decision here takes (reading the balance) while holding this one.
     */
    private final Map<String, BeingSent> sending = new java.util.concurrent.ConcurrentHashMap<>();

    /** What the transfers of {@code tenantAsset} ("tenant|asset") being sent hold back and the balance does not show yet. */
    private BigInteger beingSent(String tenantAsset) {
        BigInteger sum = BigInteger.ZERO;
        for (BeingSent s : sending.values()) {
            if (s.tenantAsset().equals(tenantAsset)) {
                sum = sum.add(s.amount());
            }
        }
        return sum;
    }

    /**
     * Transfer {@code id}'s withdrawal is written, so its account's balance shows the debit: its amount no longer counts as being
     * sent. Before this, from the write until the send returned, it counted twice (a spurious INSUFFICIENT_FUNDS at the edge,
     * with the broadcast and the outcome's write in that window); removed before the write, not at all (an over-promise).
     */
    private void debited(String id) {
        sending.remove(id);
    }

    /**
     * A transfer decided and queued for writing, not yet known to be written (under this monitor, by id): its idempotency key (a
     * second call with it waits until the first is written, then finds it), and what it adds to what later decisions read from
     * the store — the amounts against limits, awaiting approval and refunded, the destination it pays first.
     *
     * @param awaiting  whether it waits for approval (its amount is reserved by that, not by a send)
     * @param paysFirst whether it is sent at once (its destination is then one the tenant paid)
     */
    private record Unwritten(TenantTransfer transfer, TenantTables.TenantKey key, boolean awaiting, boolean paysFirst) {
    }

    private final Map<String, Unwritten> unwritten = new java.util.HashMap<>();

    /**
     * The tenant's transfers queued and not yet in the store (under this monitor), read once per decision. One whose batch is
     * already written counts from the store alone (its caller has not taken it off yet): the batch is one atomic write, so the
     * store shows all of it or none.
     */
    private List<Unwritten> unwrittenOf(String tenant) {
        List<Unwritten> out = new ArrayList<>();
        for (Unwritten u : unwritten.values()) {
            if (u.transfer().tenant().equals(tenant) && store.get(TransferTables.TRANSFERS, u.transfer().id()).isEmpty()) {
                out.add(u);
            }
        }
        return out;
    }

    /** The amounts of those of {@code queued} that {@code which} picks. */
    private static BigInteger sum(List<Unwritten> queued, java.util.function.Predicate<Unwritten> which) {
        return queued.stream().filter(which).map(u -> u.transfer().amount()).reduce(BigInteger.ZERO, BigInteger::add);
    }

    /**
     * Adds the calling admin key's approval; at the quorum the transfer is sent.
     *
     * @throws CofferException NOT_FOUND; FAILED_PRECONDITION (NOT_AWAITING_APPROVAL, SELF_APPROVAL, ALREADY_APPROVED, and whatever
     *                         sending refuses)
     */
    public synchronized View approve(Caller caller, String id) {
        TenantTransfer t = get(caller.tenant(), id).transfer();
        restore.requireOpen();
        if (t.state() != TenantTransfer.State.AWAITING_APPROVAL) {
            throw new CofferException(ErrorKind.FAILED_PRECONDITION, "NOT_AWAITING_APPROVAL", "transfer " + id + " is not awaiting approval");
        }
        if (t.createdBy().equals(caller.keyId())) {
            throw new CofferException(ErrorKind.FAILED_PRECONDITION, "SELF_APPROVAL", "the key that created a transfer cannot approve it");
        }
        if (t.approvals().contains(caller.keyId())) {
            throw new CofferException(ErrorKind.FAILED_PRECONDITION, "ALREADY_APPROVED", "this key already approved transfer " + id);
        }
        List<String> approvals = new ArrayList<>(t.approvals());
        approvals.add(caller.keyId());
        int quorum = Math.max(1, policy(caller.tenant()).quorum());
        boolean reached = approvals.size() >= quorum;
        if (reached) {
            chains.requireSigning();
            chains.requireOpen(t.asset());
        }
        TenantTransfer next = t.moved(reached ? TenantTransfer.State.SUBMITTING : TenantTransfer.State.AWAITING_APPROVAL, approvals, "", "",
                clock.instant());
        Batch b = store.batch();
        b.put(TransferTables.TRANSFERS, id, next);
        if (reached) {
            paid(b, next, next.updatedAt(), unwrittenOf(next.tenant()));
        }
        outbox.commit(b, () -> {
            audit.append(b, caller.keyId(), "transfer.approved", id, Map.of("tenant", caller.tenant(), "approvals",
                    approvals.size() + "/" + quorum));
            return updated(b, view(next, null)).map(List::of).orElse(List.of());
        });
        return reached ? submit(next) : view(next, null);
    }

    /** @throws CofferException NOT_FOUND; FAILED_PRECONDITION NOT_AWAITING_APPROVAL; INVALID_ARGUMENT (reason too long) */
    public synchronized View reject(Caller caller, String id, String reason) {
        if (nz(reason).length() > 200) {
            throw CofferException.invalid("reason", "FIELD_TOO_LONG", "at most 200 characters");
        }
        TenantTransfer t = get(caller.tenant(), id).transfer();
        if (t.state() != TenantTransfer.State.AWAITING_APPROVAL) {
            throw new CofferException(ErrorKind.FAILED_PRECONDITION, "NOT_AWAITING_APPROVAL", "transfer " + id + " is not awaiting approval");
        }
        TenantTransfer next = t.moved(TenantTransfer.State.REJECTED, t.approvals(), "", reason == null || reason.isEmpty() ? "rejected"
                : "rejected: " + reason, clock.instant());
        Batch b = store.batch();
        b.put(TransferTables.TRANSFERS, id, next);
        outbox.commit(b, () -> {
            audit.append(b, caller.keyId(), "transfer.rejected", id, Map.of("tenant", caller.tenant(), "reason", nz(reason)));
            return updated(b, view(next, null)).map(List::of).orElse(List.of());
        });
        return view(next, null);
    }

    /**
     * Replaces the transfer's transaction by one paying more.
     *
     * @param feeRate an explicit rate (Bitcoin), empty to let the chain choose
     * @throws CofferException NOT_FOUND; FAILED_PRECONDITION (NOT_SENT, ALREADY_CONFIRMED, CONFLICTED, FEE_TOO_LOW, SEALED)
     */
    public View bump(Caller caller, String id, Optional<FeeRate> feeRate) {
        View v = get(caller.tenant(), id);
        restore.requireOpen();
        if (v.withdrawal() == null) {
            throw new CofferException(ErrorKind.FAILED_PRECONDITION, "NOT_SENT", "transfer " + id + " has no transaction to bump");
        }
        Withdrawal w = chains.bump(v.transfer().asset(), v.withdrawal().id(), feeRate);
        return view(store.get(TransferTables.TRANSFERS, id).orElseThrow(), w);
    }

    /** @throws CofferException NOT_FOUND (unknown, or another tenant's) */
    /** The tenant's transfer made with {@code idempotencyKey}, if any; reads the store only (no lock, no chain call). */
    public Optional<View> byIdempotencyKey(String tenant, String idempotencyKey) {
        if (idempotencyKey == null || idempotencyKey.isBlank() || idempotencyKey.length() > 128) {
            return Optional.empty();
        }
        return store.get(TransferTables.TRANSFER_KEYS, new TenantTables.TenantKey(tenant, idempotencyKey))
                .flatMap(id -> store.get(TransferTables.TRANSFERS, id)).map(this::view);
    }

    public View get(String tenant, String id) {
        if (id != null && id.length() > 64) {
            throw CofferException.invalid("id", "FIELD_TOO_LONG", "at most 64 characters");
        }
        return store.get(TransferTables.TRANSFERS, id == null ? "" : id).filter(t -> t.tenant().equals(tenant)).map(this::view)
                .orElseThrow(() -> new CofferException(ErrorKind.NOT_FOUND, "TRANSFER_NOT_FOUND", "id", "id: no such transfer", Map.of(), null));
    }

    /**
     * What a list asks for: created in {@code [from, to)}, and when non-empty, only these statuses (the names {@link View#status}
     * gives) and this asset.
     */
    public record ListQuery(Instant from, Instant to, java.util.Set<TransferStatus> statuses, String asset) {
        public ListQuery {
            statuses = java.util.Set.copyOf(statuses);
        }

        boolean keeps(View v) {
            return (statuses.isEmpty() || statuses.contains(v.status())) && (asset.isEmpty() || v.transfer().asset().equals(asset));
        }
    }

    /** One page of the tenant's transfers matching {@code q}, newest first, below {@code after} (the previous page's cursor). */
    public io.coffer.core.tenant.TenantPages.Page<View> page(String tenant, ListQuery q, Optional<TenantTables.TenantTime> after, int size) {
        return io.coffer.core.tenant.TenantPages.newestFirst(store, TransferTables.TRANSFERS_BY_TENANT, tenant, q.from(), q.to(), after,
                size, id -> store.get(TransferTables.TRANSFERS, id).map(this::view), q::keeps);
    }

    /** Every transfer of the tenant created in {@code [from, to)}, oldest first, streamed to {@code each} (reports). */
    public void eachCreated(String tenant, Instant from, Instant to, java.util.function.Consumer<View> each) {
        io.coffer.core.tenant.TenantPages.oldestFirst(store, TransferTables.TRANSFERS_BY_TENANT, tenant, from, to,
                id -> store.get(TransferTables.TRANSFERS, id).map(this::view), each);
    }

    /** The fee a transfer would pay now; nothing is written. */
    public Quote estimate(Caller caller, String asset, String destination, String amount, FeePriority priority,
            Optional<FeeRate> feeRate) {
        BigInteger value = validateAmount(asset, amount);
        String to = chains.destination(asset, destination);
        return chains.quote(caller.account(), asset, to, value, priority == null ? FeePriority.NORMAL : priority, feeRate);
    }

    public boolean knowsAsset(String asset) {
        return chains.knows(asset);
    }

    private static final String SUBMITTING = "transfers submitting";

    /**
     * Files the transfers in state SUBMITTING ({@link TransferTables#SUBMITTING}) in the batches that write them: a transfer
     * is filed while it is in that state and leaves with its next write. No read: every write of a transfer says its state.
     */
    private static final class Submitting implements io.coffer.core.store.Derivation {
        @Override
        public java.util.Set<io.coffer.core.store.Table<?, ?>> reads() {
            return java.util.Set.of(TransferTables.TRANSFERS);
        }

        @Override
        public void derive(Batch batch, io.coffer.core.store.Reader before) {
            batch.changes(TransferTables.TRANSFERS).forEach((id, t) -> {
                if (t.isPresent() && t.get().state() == TenantTransfer.State.SUBMITTING) {
                    batch.put(TransferTables.SUBMITTING, id, "");
                } else {
                    batch.delete(TransferTables.SUBMITTING, id);
                }
            });
        }
    }

    /** The schema's migration to {@link TransferTables#SUBMITTING}: files the transfers recorded in that state. */
    public static void indexSubmitting(Store store, Batch batch) {
        store.forEach(TransferTables.TRANSFERS.all(), TransferTables.TRANSFERS, (id, t) -> {
            if (t.state() == TenantTransfer.State.SUBMITTING) {
                batch.put(TransferTables.SUBMITTING, id, "");
            }
        });
    }

    /**
     * At start: sends the transfers stored but not sent (a crash between the two writes), with the same idempotency key. Reads
     * the few filed as SUBMITTING: it read every transfer ever made, all at once (a long history could fill the heap at start).
     */
    public synchronized void resume() {
        for (var e : store.list(TransferTables.SUBMITTING, TransferTables.SUBMITTING.all(), Integer.MAX_VALUE)) {
            TenantTransfer t = store.get(TransferTables.TRANSFERS, e.getKey()).orElse(null);
            if (t != null && t.state() == TenantTransfer.State.SUBMITTING) {
                try {
                    LOG.info(() -> "transfer " + t.id() + ": stored but not sent before the last stop; sending it now");
                    submit(t);
                } catch (RuntimeException ex) {
                    LOG.warning("transfer " + t.id() + ": resuming failed (" + ex.getMessage() + ")");
                }
            }
        }
    }

    // -- policy --

    public TransferPolicy policy(String tenant) {
        return store.get(TransferTables.POLICIES, tenant).orElse(TransferPolicy.none(tenant));
    }

    /**
     * Replaces the tenant's policy. Allowlist entries new to it count from now + the configured delay; entries already on it keep
     * their time; removals take effect at once.
     *
     * @throws CofferException INVALID_ARGUMENT naming the field
     */
    public synchronized TransferPolicy setPolicy(TransferPolicy p, String actor) {
        if (p.quorum() < 0 || p.quorum() > 10) {
            throw CofferException.invalid("policy.approval_quorum", "QUORUM_OUT_OF_RANGE", "0 to 10");
        }
        Map<String, TransferPolicy.Limits> limits = new LinkedHashMap<>();
        for (var e : p.limits().entrySet()) {
            if (!chains.knows(e.getKey())) {
                throw CofferException.invalid("policy.limits.asset", "ASSET_UNKNOWN", "unknown asset '" + e.getKey() + "'");
            }
            TransferPolicy.Limits l = e.getValue();
            for (BigInteger v : new BigInteger[] {l.perTransferMax(), l.rolling24hMax(), l.approvalThreshold(), l.newDestinationAbove()}) {
                if (v != null && (v.signum() < 0 || v.compareTo(chains.maxAmount(e.getKey())) > 0)) {
                    throw CofferException.invalid("policy.limits", "AMOUNT_OUT_OF_RANGE", "limits of " + e.getKey() + " must be 0.."
                            + chains.maxAmount(e.getKey()));
                }
            }
            if (l.approvalThreshold() != null && p.quorum() == 0) {
                throw CofferException.invalid("policy.approval_quorum", "QUORUM_MISSING", "an approval threshold needs a quorum of at least 1");
            }
            limits.put(e.getKey(), l);
        }
        if (p.allowlist().size() > 1000) {
            throw CofferException.invalid("policy.allowlist", "TOO_MANY", "at most 1000 entries");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        TransferPolicy old = policy(p.tenant());
        List<TransferPolicy.AllowEntry> allow = new ArrayList<>();
        for (TransferPolicy.AllowEntry a : p.allowlist()) {
            if (!chains.knowsChain(a.chain())) {
                throw CofferException.invalid("policy.allowlist.chain", "CHAIN_UNKNOWN", "unknown chain '" + a.chain() + "'");
            }
            if (nz(a.label()).length() > 100) {
                throw CofferException.invalid("policy.allowlist.label", "FIELD_TOO_LONG", "at most 100 characters");
            }
            String address = chains.destinationOnChain(a.chain(), a.address(), "policy.allowlist.address");
            Instant effective = old.allowlist().stream().filter(o -> o.chain().equals(a.chain()) && o.address().equals(address))
                    .map(TransferPolicy.AllowEntry::effectiveAt).findFirst().orElse(now.plus(allowlistDelay));
            allow.add(new TransferPolicy.AllowEntry(a.chain(), address, nz(a.label()), effective));
        }
        if (p.velocityFactor() < 0 || p.velocityFactor() > 1000) {
            throw CofferException.invalid("policy.velocity_factor", "FACTOR_OUT_OF_RANGE", "0 (off) to 1000");
        }
        TransferPolicy stored = new TransferPolicy(p.tenant(), limits, allow, p.quorum(), p.holdLookalikes(), p.velocityFactor());
        Batch b = store.batch();
        b.put(TransferTables.POLICIES, p.tenant(), stored);
        audit.append(b, actor, "policy.updated", p.tenant(), Map.of("limits", Integer.toString(limits.size()), "allowlist",
                Integer.toString(allow.size()), "quorum", Integer.toString(p.quorum())));
        b.commit();
        return stored;
    }

    // -- withdrawal sink --

    @Override
    public void commit(Batch batch, Withdrawal w) {
        commitAll(batch, List.of(w), store::batch);
    }

    /** As {@link #commit}, for a batch writing several withdrawals: each transfer's event (if its view changed) in it. */
    @Override
    public void commitAll(Batch batch, List<Withdrawal> ws, java.util.function.Supplier<Batch> empty) {
        // Reads only the store (never this service's lock): withdrawals call this holding their own lock.
        List<View> views = new ArrayList<>();
        for (Withdrawal w : ws) {
            Optional<TenantTransfer> t = w.idempotencyKey().startsWith(ID_PREFIX)
                    ? store.get(TransferTables.TRANSFERS, w.idempotencyKey()) : Optional.empty();
            t.ifPresent(transfer -> views.add(view(submitted(batch, transfer, w), w)));
        }
        if (views.isEmpty()) {
            batch.commit();
            return;
        }
        outbox.commit(batch, () -> views.stream().map(v -> updated(batch, v)).flatMap(Optional::stream).toList());
        views.forEach(v -> debited(v.transfer().id()));
    }

    /**
     * As {@link #commit}, queued: the event is decided and numbered now, written with the batch. What the decision reads (the
     * transfer, its last published view) is written before its withdrawal changes again: a withdrawal's changes are each awaited
     * before the next one is made, and the transfer is durable before its withdrawal is made.
     */
    @Override
    public Batch.Queued queue(Batch batch, Withdrawal w) {
        Optional<TenantTransfer> t = w.idempotencyKey().startsWith(ID_PREFIX) ? store.get(TransferTables.TRANSFERS, w.idempotencyKey())
                : Optional.empty();
        if (t.isEmpty()) {
            return batch.queue();
        }
        TenantTransfer sent = submitted(batch, t.get(), w);
        Batch.Queued queued = outbox.queue(batch, () -> updated(batch, view(sent, w)).map(List::of).orElse(List.of()));
        return new Batch.Queued() {
            @Override
            public void await() {
                queued.await();
                debited(sent.id()); // written: the balance shows it (not when queued: the balance reads only written batches)
            }

            @Override
            public void hurry() {
                queued.hurry();
            }
        };
    }

    /**
     * {@code t} as the batch that writes its withdrawal {@code w} leaves it: a SUBMITTING transfer becomes SUBMITTED with its
     * withdrawal in that same batch (the withdrawal's first, signed one), so a transfer is SUBMITTED exactly when its withdrawal
     * is stored — no window in which the one exists without the other naming it, and no synced write of its own after the send.
     */
    private TenantTransfer submitted(Batch batch, TenantTransfer t, Withdrawal w) {
        if (t.state() != TenantTransfer.State.SUBMITTING) {
            return t;
        }
        TenantTransfer sent = t.moved(TenantTransfer.State.SUBMITTED, t.approvals(), w.id(), "", clock.instant());
        batch.put(TransferTables.TRANSFERS, t.id(), sent);
        return sent;
    }

    // -- internals --

    /**
     * Sends a SUBMITTING transfer (the withdrawal's signed batch makes it SUBMITTED, see {@link #submitted}); a refusal before
     * anything was signed makes it FAILED (and is rethrown).
     */
    private View submit(TenantTransfer t) {
        Withdrawal w;
        try {
            w = chains.send(t.account(), t.asset(), t.destination(), t.amount(), t.priority(), t.feeRate(), t.id());
        } catch (CofferException e) {
            // Nothing was signed while it is still SUBMITTING: a withdrawal once stored made it SUBMITTED, and from then on only
            // the chain decides what happens to it, whatever the call that stored it throws afterwards.
            boolean unsigned = store.get(TransferTables.TRANSFERS, t.id()).map(TenantTransfer::state).orElse(t.state())
                    == TenantTransfer.State.SUBMITTING;
            if (unsigned && (e.kind() == ErrorKind.INVALID_ARGUMENT || e.kind() == ErrorKind.FAILED_PRECONDITION
                    || e.kind() == ErrorKind.UNAVAILABLE)) {
                // The transfer ends here, with the reason; its idempotency key answers with it from now on.
                TenantTransfer failed = t.moved(TenantTransfer.State.FAILED, t.approvals(), "", e.getMessage(), clock.instant());
                Batch b = store.batch();
                b.put(TransferTables.TRANSFERS, t.id(), failed);
                outbox.commit(b, () -> updated(b, view(failed, null)).map(List::of).orElse(List.of()));
            }
            throw e;
        }
        Optional<TenantTransfer> stored = store.get(TransferTables.TRANSFERS, t.id());
        if (stored.isPresent() && stored.get().state() != TenantTransfer.State.SUBMITTING) {
            return view(stored.get(), w); // SUBMITTED by the withdrawal's own batch
        }
        // A withdrawal a node of an earlier version stored without moving its transfer (its batches did not yet): moved here.
        TenantTransfer sent = t.moved(TenantTransfer.State.SUBMITTED, t.approvals(), w.id(), "", clock.instant());
        Batch b = store.batch();
        b.put(TransferTables.TRANSFERS, t.id(), sent);
        View v = view(sent, w);
        outbox.commit(b, () -> updated(b, v).map(List::of).orElse(List.of()));
        return v;
    }

    private View view(TenantTransfer t) {
        Withdrawal w = !t.withdrawalId().isEmpty() ? chains.withdrawal(t.asset(), t.withdrawalId()).orElse(null)
                : t.state() == TenantTransfer.State.SUBMITTING ? chains.withdrawalByKey(t.asset(), t.id()).orElse(null) : null;
        return view(t, w);
    }

    private View view(TenantTransfer t, Withdrawal w) {
        return view(t, w, t.state() == TenantTransfer.State.SUBMITTED ? "" : store.get(TransferTables.HOLDS, t.id()).orElse(""));
    }

    private View view(TenantTransfer t, Withdrawal w, String holdReason) {
        return new View(t, w, w != null && chains.isFinal(t.asset(), w), holdReason);
    }

    /** Where anomaly rules tell operators about a held transfer (an alert); nothing by default. */
    private volatile java.util.function.BiConsumer<TenantTransfer, List<String>> onHeld = (t, reasons) -> { };

    public void onHeld(java.util.function.BiConsumer<TenantTransfer, List<String>> listener) {
        this.onHeld = listener;
    }

    /**
     * Records that the tenant's money went (is going) to {@code t}'s destination from {@code at}: it is no longer new, and
     * look-alikes compare to it. Nothing when it was paid before, by a written transfer or by one of {@code queued} (the tenant's
     * decided and not yet written): the first payment's time stays the first. Under this monitor.
     */
    private void paid(Batch b, TenantTransfer t, Instant at, List<Unwritten> queued) {
        String chain = AssetId.chainOf(t.asset());
        boolean queuedFirst = queued.stream().anyMatch(u -> u.paysFirst()
                && AssetId.chainOf(u.transfer().asset()).equals(chain) && u.transfer().destination().equals(t.destination()));
        if (!queuedFirst && !PaidDestinations.known(store, t.tenant(), chain, t.destination())) {
            PaidDestinations.record(b, t.tenant(), chain, t.destination(), at.toEpochMilli());
        }
    }

    /**
     * The anomaly rules of the tenant's policy that hold this transfer for approval, each as the reason recorded with it: a
     * destination never paid before above the asset's threshold; a destination that looks like one paid before (the same first
     * and last four characters after the address's type prefix, yet another address: address poisoning); a day's total above
     * the velocity factor times the tenant's average day of the 30 days before. {@code usedIn24h}: what the tenant's transfers of
     * the asset created in the last 24 h use (read when the velocity rule or the rolling limit is set, else null).
     */
    private List<String> anomalies(String tenant, String asset, String destination, BigInteger amount, Instant now, TransferPolicy policy,
            TransferPolicy.Limits limits, List<Unwritten> queued, BigInteger usedIn24h) {
        List<String> out = new ArrayList<>();
        String chain = AssetId.chainOf(asset);
        List<String> paidUnwritten = queued.stream().filter(u -> u.paysFirst() && AssetId.chainOf(u.transfer().asset()).equals(chain))
                .map(u -> u.transfer().destination()).toList();
        boolean known = paidUnwritten.contains(destination) || PaidDestinations.known(store, tenant, chain, destination);
        if (!known && limits != null && limits.newDestinationAbove() != null && amount.compareTo(limits.newDestinationAbove()) > 0) {
            out.add("new destination: " + amount + " " + asset + " to an address this tenant never paid before (rule: above "
                    + limits.newDestinationAbove() + ")");
        }
        if (!known && policy.holdLookalikes()) {
            PaidDestinations.resembled(store, tenant, chain, destination, paidUnwritten).ifPresent(paid ->
                    out.add("look-alike destination: " + destination + " resembles " + paid + ", paid before (address poisoning?)"));
        }
        if (policy.velocityFactor() > 0) {
            BigInteger day = usedIn24h.add(amount);
            long dayStart = now.minus(Duration.ofHours(24)).toEpochMilli();
            long monthStart = now.minus(Duration.ofDays(31)).toEpochMilli();
            BigInteger month = sumBetween(tenant, asset, monthStart, dayStart);
            // The average over the days the tenant has history for (a tenant two days old is compared with its two days).
            long first = firstBetween(tenant, asset, monthStart, dayStart).orElse(dayStart);
            long days = Math.max(1, Math.min(30, (dayStart - first + Duration.ofDays(1).toMillis() - 1) / Duration.ofDays(1).toMillis()));
            BigInteger averageDay = month.divide(BigInteger.valueOf(days));
            if (averageDay.signum() > 0 && day.compareTo(averageDay.multiply(BigInteger.valueOf(policy.velocityFactor()))) > 0) {
                out.add("velocity: " + day + " " + asset + " in 24 hours, over " + policy.velocityFactor() + " times the average day of "
                        + averageDay + " over the 30 days before");
            }
        }
        return out;
    }

    private Optional<NewEvent> updated(Batch b, View v) {
        String now = fingerprint(v);
        String id = v.transfer().id();
        if (store.get(TransferTables.TRANSFER_PUBLISHED, id).filter(now::equals).isPresent()) {
            return Optional.empty();
        }
        b.put(TransferTables.TRANSFER_PUBLISHED, id, now);
        return Optional.of(new NewEvent(v.transfer().tenant(), EventType.TRANSFER_UPDATED, id, renderer.transfer(v)));
    }

    /**
     * What the tenant sees change: status, transaction, fee, confirmations while below the chain's target (past it only the
     * step to final counts, so a deep safety depth does not publish an event per block), approvals, reason.
     */
    static String fingerprint(View v) {
        Withdrawal w = v.withdrawal();
        // A REVERTED one counts blocks up to the safety depth too: only its step to FAILED is news.
        String conf = w == null || w.status() == WithdrawalStatus.CONFIRMED || w.status() == WithdrawalStatus.REVERTED ? ""
                : Integer.toString(w.confirmations());
        return v.status() + "|" + (w == null ? "" : w.txid() + "|" + w.fee()) + "|" + conf + "|" + v.isFinal() + "|"
                + v.transfer().approvals().size() + "|" + v.failureReason();
    }

    private void checkAllowlist(TransferPolicy policy, String chain, String destination, Instant now) {
        if (policy.allowlist().isEmpty()) {
            return;
        }
        Optional<TransferPolicy.AllowEntry> entry = policy.allowlist().stream()
                .filter(a -> a.chain().equals(chain) && a.address().equals(destination)).findFirst(); // both normalised by the chain
        if (entry.isEmpty()) {
            throw new CofferException(ErrorKind.FAILED_PRECONDITION, "DESTINATION_NOT_ALLOWED", "destination",
                    "destination: not on this tenant's allowlist", Map.of(), null);
        }
        if (entry.get().effectiveAt().isAfter(now)) {
            throw new CofferException(ErrorKind.FAILED_PRECONDITION, "DESTINATION_NOT_ALLOWED", "destination",
                    "destination: on the allowlist from " + entry.get().effectiveAt() + " (additions wait for the configured delay)",
                    Map.of("effective_at", entry.get().effectiveAt().toString()), null);
        }
    }

    /** Amounts of the tenant's transfers of {@code asset} created in the last 24 h that are sent, being sent or awaiting approval. */
    private BigInteger usedIn24h(String tenant, String asset, Instant now, List<Unwritten> queued) {
        return sumBetween(tenant, asset, now.minus(Duration.ofHours(24)).toEpochMilli(), Long.MAX_VALUE)
                .add(sum(queued, u -> u.transfer().asset().equals(asset))); // created just now: all within the day
    }

    /** When the tenant's first transfer of {@code asset} that counts against limits was created in [from, to), if any. */
    private Optional<Long> firstBetween(String tenant, String asset, long from, long to) {
        return LimitUse.first(store, tenant, asset, from, to);
    }

    /** What the tenant's transfers of {@code asset} that count against limits moved, created in [from, to) (millis). */
    private BigInteger sumBetween(String tenant, String asset, long from, long to) {
        return LimitUse.sum(store, tenant, asset, from, to);
    }

    /** The schema's migration to the index of transfers awaiting approval: writes it for the transfers recorded so far. */
    public static void indexAwaitingApproval(io.coffer.core.store.Store store, io.coffer.core.store.Batch batch) {
        AwaitingApproval.index(store, batch);
    }

    /** The schema's migration to the kept sums of transfers counting against limits: writes them for the transfers recorded so far. */
    public static void indexLimitUse(io.coffer.core.store.Store store, io.coffer.core.store.Batch batch) {
        LimitUse.index(store, batch);
    }

    /** The schema's migration to day sums of the transfers counting against limits: each day's from its hours'. */
    public static void indexLimitUseDays(io.coffer.core.store.Store store, io.coffer.core.store.Batch batch) {
        LimitUse.indexDays(store, batch);
    }

    /** The schema's migration to second sums of the transfers that count against limits: written from their rows. */
    public static void indexLimitUseSeconds(io.coffer.core.store.Store store, io.coffer.core.store.Batch batch) {
        LimitUse.indexSeconds(store, batch);
    }

    /** The schema's migration to the look-alike index of the destinations paid: files those recorded so far. */
    public static void indexPaidLookalikes(io.coffer.core.store.Store store, io.coffer.core.store.Batch batch) {
        PaidDestinations.index(store, batch);
    }

    private BigInteger awaitingApproval(String tenant, String asset) {
        return AwaitingApproval.sum(store, tenant, asset);
    }

    private void checkRefund(String tenant, String paymentRequestId, String asset, BigInteger amount, List<Unwritten> queued) {
        if (paymentRequestId.length() > 64) {
            throw CofferException.invalid("refund_of_payment_request_id", "FIELD_TOO_LONG", "at most 64 characters");
        }
        Map.Entry<String, BigInteger> paid = refunds.paid(tenant, paymentRequestId).orElseThrow(() -> new CofferException(ErrorKind.NOT_FOUND,
                "PAYMENT_REQUEST_NOT_FOUND", "refund_of_payment_request_id", "refund_of_payment_request_id: no such payment request",
                Map.of(), null));
        if (!paid.getKey().equals(asset)) {
            throw CofferException.invalid("asset", "REFUND_ASSET_MISMATCH", "a refund is paid in the request's asset " + paid.getKey());
        }
        BigInteger refunded = LimitUse.refunded(store, tenant, paymentRequestId)
                .add(sum(queued, u -> u.transfer().refundOf().equals(paymentRequestId)));
        if (refunded.add(amount).compareTo(paid.getValue()) > 0) {
            throw new CofferException(ErrorKind.FAILED_PRECONDITION, "REFUND_EXCEEDS_PAYMENT", "amount", "amount: refunds of "
                    + paymentRequestId + " would exceed the " + paid.getValue() + " paid to it (" + refunded + " already refunded)",
                    Map.of("refundable", paid.getValue().subtract(refunded).max(BigInteger.ZERO).toString()), null);
        }
    }

    private BigInteger validate(Create c) {
        if (c.idempotencyKey() == null || c.idempotencyKey().isBlank() || c.idempotencyKey().length() > 128) {
            throw CofferException.invalid("idempotency_key", "IDEMPOTENCY_KEY_INVALID", "required, 1 to 128 characters");
        }
        BigInteger amount = validateAmount(c.asset(), c.amount());
        if (nz(c.memo()).length() > 200) {
            throw CofferException.invalid("memo", "FIELD_TOO_LONG", "at most 200 characters");
        }
        return amount;
    }

    private BigInteger validateAmount(String asset, String amount) {
        if (asset == null || asset.length() > 64 || !chains.knows(asset)) {
            throw CofferException.invalid("asset", "ASSET_UNKNOWN", "unknown asset; ListAssets lists them");
        }
        if (amount == null || !AMOUNT.matcher(amount).matches()) {
            throw CofferException.invalid("amount", "AMOUNT_MALFORMED", "a decimal string of base units, digits only, e.g. \"150000\"");
        }
        BigInteger value = new BigInteger(amount);
        if (value.signum() == 0) {
            throw CofferException.invalid("amount", "AMOUNT_NOT_POSITIVE", "must be greater than 0");
        }
        if (value.compareTo(chains.maxAmount(asset)) > 0) {
            throw CofferException.invalid("amount", "AMOUNT_TOO_LARGE", "at most " + chains.maxAmount(asset) + " base units of " + asset);
        }
        return value;
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private String hex() {
        byte[] b = new byte[8];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
