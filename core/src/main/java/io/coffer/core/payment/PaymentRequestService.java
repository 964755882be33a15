package io.coffer.core.payment;

import io.coffer.core.chain.AssetId;
import io.coffer.core.chain.ChainTables;
import io.coffer.core.chain.Deposit;
import io.coffer.core.audit.AuditLog;
import io.coffer.core.error.CofferException;
import io.coffer.core.error.ErrorKind;
import io.coffer.core.store.Batch;
import io.coffer.core.store.KeyWriter;
import io.coffer.core.store.Store;
import io.coffer.core.tenant.TenantTables;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Creates, reads, lists and cancels payment requests; statuses come from {@link PaymentStatusRule}. Every
 * operation is scoped to one tenant: another tenant's request is NOT_FOUND, exactly like a missing one.
 */
public final class PaymentRequestService {
    private static final Pattern AMOUNT = Pattern.compile("0|[1-9][0-9]{0,77}");
    private static final int MAX_METADATA_BYTES = 4096;

    /** The chain-specific parts: fresh addresses, payment URIs, deposits, defaults. */
    public interface Receiving {
        boolean knows(String asset);

        /**
         * A fresh receive address of {@code account} on {@code asset}'s chain. Its issue need not wait for the disk: the
         * request's own synced commit follows before the address is handed out, and makes both durable.
         */
        String issueAddress(int account, String asset);

        /** BIP-21 or EIP-681 URI for paying {@code amount} of {@code asset} to {@code address}. */
        String paymentUri(String asset, String address, BigInteger amount, String description);

        /** Every deposit ever seen to {@code address} on {@code asset}'s chain. */
        List<Deposit> deposits(String asset, String address);

        int defaultConfirmations(String asset);

        /**
         * The most confirmations a request on {@code asset} can require: the chain's reorg-safety depth, where a payment is final
         * and no longer followed (its confirmations stop counting there, so a request needing more would never be confirmed).
         */
        int finalConfirmations(String asset);

        /** The largest amount the asset can carry (Bitcoin's 21 million BTC in satoshis; 2^256-1 on EVM chains). */
        BigInteger maxAmount(String asset);
    }

    /**
     * What a merchant asks for. The confirmations a payment needs: {@code speedPolicy}'s when one is chosen, else
     * {@code requiredConfirmations}, else (both null) the chain's default; not both.
     */
    public record Create(String asset, String amount, Instant expiresAt, Integer requiredConfirmations, String orderId,
                         Map<String, String> metadata, String description, String idempotencyKey, String redirectUrl,
                         SpeedPolicy speedPolicy) {
        public Create {
            if (speedPolicy != null && requiredConfirmations != null) {
                throw new IllegalArgumentException("a speed policy or a number of confirmations, not both");
            }
        }

        /** With a number of confirmations or the chain's default (null), no policy. */
        public Create(String asset, String amount, Instant expiresAt, Integer requiredConfirmations, String orderId,
                      Map<String, String> metadata, String description, String idempotencyKey, String redirectUrl) {
            this(asset, amount, expiresAt, requiredConfirmations, orderId, metadata, description, idempotencyKey, redirectUrl, null);
        }

        /** The confirmations asked for, by policy or by number; null: the chain's default. */
        Integer confirmations() {
            return speedPolicy != null ? Integer.valueOf(speedPolicy.confirmations()) : requiredConfirmations; // boxed: null stays null
        }

        /** Without a redirect (what callers that show no checkout page create). */
        public Create(String asset, String amount, Instant expiresAt, Integer requiredConfirmations, String orderId,
                      Map<String, String> metadata, String description, String idempotencyKey) {
            this(asset, amount, expiresAt, requiredConfirmations, orderId, metadata, description, idempotencyKey, "");
        }
    }

    /** A request with its evaluation now. */
    public record View(PaymentRequest request, PaymentStatusRule.Evaluation evaluation) {
    }

    private final Store store;
    private final Receiving chains;
    private final AuditLog audit;
    private final Clock clock;
    private final PaymentEvents events;
    private final SecureRandom random = new SecureRandom();
    /** Creation locks by idempotency key's hash (striped: a lock per key would need its own clean-up). */
    private final Object[] keyLocks = new Object[256];

    public PaymentRequestService(Store store, Receiving chains, AuditLog audit, Clock clock, PaymentEvents events) {
        this.store = store;
        this.events = events;
        this.chains = chains;
        this.audit = audit;
        this.clock = clock;
        for (int i = 0; i < keyLocks.length; i++) {
            keyLocks[i] = new Object();
        }
    }

    /**
     * @throws CofferException INVALID_ARGUMENT naming the field; ALREADY_EXISTS when the key was used with other fields
     */
    public View create(String tenantId, int account, Create c) {
        // A known key with the same body is the original request, whatever the clock says now (a retry after a long outage
        // must not be refused because its expiry has passed since): the fields are validated only for a new request.
        validateKey(c);
        TenantTables.TenantKey key = new TenantTables.TenantKey(tenantId, c.idempotencyKey());
        // Requests with different keys are made side by side (their writes share one fsync); the same key's, one at a time,
        // from the look-up of the key to the durable write, so a retry racing the original finds it.
        synchronized (keyLocks[Math.floorMod(key.hashCode(), keyLocks.length)]) {
            return create(tenantId, account, c, key);
        }
    }

    private View create(String tenantId, int account, Create c, TenantTables.TenantKey key) {
        Optional<String> existing = store.get(PaymentTables.KEYS, key);
        if (existing.isPresent()) {
            PaymentRequest pr = store.get(PaymentTables.REQUESTS, existing.get()).orElseThrow();
            boolean same = pr.asset().equals(c.asset()) && pr.amount().toString().equals(c.amount())
                    && Objects.equals(pr.expiresAt(), storedPrecision(c.expiresAt())) && pr.orderId().equals(nz(c.orderId()))
                    && pr.metadata().equals(c.metadata() == null ? Map.of() : c.metadata()) && pr.description().equals(nz(c.description()))
                    && pr.redirectUrl().equals(nz(c.redirectUrl()))
                    && (c.confirmations() == null || pr.requiredConfirmations() == c.confirmations());
            if (!same) {
                throw new CofferException(ErrorKind.ALREADY_EXISTS, "IDEMPOTENCY_KEY_REUSED", "idempotency_key",
                        "idempotency_key: already used for another payment request", Map.of("payment_request_id", pr.id()), null);
            }
            return view(pr);
        }
        validate(c);
        BigInteger amount = new BigInteger(c.amount());
        String address = chains.issueAddress(account, c.asset());
        int conf = c.confirmations() != null ? c.confirmations() : chains.defaultConfirmations(c.asset());
        Instant now = clock.instant();
        PaymentRequest pr = new PaymentRequest("pr_" + hex(), tenantId, account, c.asset(), amount, address,
                chains.paymentUri(c.asset(), address, amount, nz(c.description())), conf, now, storedPrecision(c.expiresAt()), nz(c.orderId()),
                c.metadata() == null ? Map.of() : c.metadata(), nz(c.description()), c.idempotencyKey(), null, nz(c.redirectUrl()));
        View created = view(pr);
        Batch b = store.batch();
        b.put(PaymentTables.REQUESTS, pr.id(), pr);
        b.put(PaymentTables.KEYS, key, pr.id());
        b.put(PaymentTables.BY_TENANT, new TenantTables.TenantTime(tenantId, now.toEpochMilli(), pr.id()), "");
        b.put(PaymentTables.BY_ADDRESS, new ChainTables.ChainAddress(AssetId.chainOf(pr.asset()), address), pr.id());
        if (pr.expiresAt() != null) {
            b.put(PaymentTables.EXPIRING, new PaymentTables.Expiry(pr.expiresAt().toEpochMilli(), pr.id()), "");
        }
        events.outbox().append(b, List.of(events.created(b, created)));
        return created;
    }

    /** A request by id, whoever's it is: for callers that already proved their right to it (a checkout page's token). */
    public Optional<View> find(String id) {
        if (id == null || id.length() > 64) {
            return Optional.empty();
        }
        return store.get(PaymentTables.REQUESTS, id).map(this::view);
    }

    /**
     * A tenant's request's asset and everything paid to it (counted and late): the most a refund of it may return. Empty when the
     * tenant has no such request.
     */
    public Optional<Map.Entry<String, BigInteger>> paidTo(String tenant, String id) {
        try {
            View v = get(tenant, id);
            BigInteger late = v.evaluation().late().stream().map(Deposit::amount).reduce(BigInteger.ZERO, BigInteger::add);
            return Optional.of(Map.entry(v.request().asset(), v.evaluation().paid().add(late)));
        } catch (CofferException e) {
            if (e.kind() == ErrorKind.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** @throws CofferException INVALID_ARGUMENT (not an id's shape); NOT_FOUND (unknown, or another tenant's) */
    public View get(String tenantId, String id) {
        if (id != null && id.length() > 64) {
            throw CofferException.invalid("id", "FIELD_TOO_LONG", "at most 64 characters");
        }
        PaymentRequest pr = store.get(PaymentTables.REQUESTS, id == null ? "" : id).filter(p -> p.tenantId().equals(tenantId))
                .orElseThrow(() -> new CofferException(ErrorKind.NOT_FOUND, "PAYMENT_REQUEST_NOT_FOUND", "id", "id: no such payment request",
                        Map.of(), null));
        return view(pr);
    }

    /**
     * What a list asks for: created in {@code [from, to)}, and when non-empty, only these statuses, this asset, this order id.
     */
    public record ListQuery(Instant from, Instant to, java.util.Set<PaymentRequestStatus> statuses, String asset, String orderId) {
        public ListQuery {
            statuses = java.util.Set.copyOf(statuses);
        }

        boolean keeps(View v) {
            PaymentRequest pr = v.request();
            return (statuses.isEmpty() || statuses.contains(v.evaluation().status())) && (asset.isEmpty() || pr.asset().equals(asset))
                    && (orderId.isEmpty() || pr.orderId().equals(orderId));
        }
    }

    /** One page of the tenant's requests matching {@code q}, newest first, below {@code after} (the previous page's cursor). */
    public io.coffer.core.tenant.TenantPages.Page<View> page(String tenantId, ListQuery q, Optional<TenantTables.TenantTime> after,
            int size) {
        return io.coffer.core.tenant.TenantPages.newestFirst(store, PaymentTables.BY_TENANT, tenantId, q.from(), q.to(), after, size,
                id -> store.get(PaymentTables.REQUESTS, id).map(this::view), q::keeps);
    }

    /** Every request of the tenant created in {@code [from, to)}, oldest first, streamed to {@code each} (reports). */
    public void eachCreated(String tenantId, Instant from, Instant to, java.util.function.Consumer<View> each) {
        io.coffer.core.tenant.TenantPages.oldestFirst(store, PaymentTables.BY_TENANT, tenantId, from, to,
                id -> store.get(PaymentTables.REQUESTS, id).map(this::view), each);
    }

    /**
     * Cancels a request nothing (or not enough) has been paid to.
     *
     * @throws CofferException NOT_FOUND; FAILED_PRECONDITION {@code PAYMENT_REQUEST_NOT_CANCELLABLE}
     */
    public synchronized View cancel(String tenantId, String id, String actor) {
        Batch b = store.batch();
        View[] out = new View[1];
        // Decided under the outbox lock: a deposit batch cannot publish between this check and the cancellation.
        events.outbox().commit(b, () -> {
            View v = get(tenantId, id);
            PaymentRequestStatus s = v.evaluation().status();
            if (s != PaymentRequestStatus.PENDING && s != PaymentRequestStatus.UNDERPAID) {
                throw new CofferException(ErrorKind.FAILED_PRECONDITION, "PAYMENT_REQUEST_NOT_CANCELLABLE", "payment request " + id + " is "
                        + s.name().toLowerCase() + " and cannot be cancelled");
            }
            PaymentRequest cancelled = v.request().cancelled(clock.instant());
            b.put(PaymentTables.REQUESTS, id, cancelled);
            audit.append(b, actor, "payment_request.cancelled", id, Map.of("tenant", tenantId));
            out[0] = view(cancelled);
            return events.updated(b, out[0]).map(List::of).orElse(List.of());
        });
        return out[0];
    }

    /**
     * Publishes the requests whose expiry has passed (the one change the clock makes by itself). Run periodically; each
     * request is evaluated once after its expiry, then leaves the expiry index.
     *
     * @return how many requests were looked at
     */
    public int expireDue() {
        long now = clock.millis();
        int n = 0;
        for (var e : store.list(PaymentTables.EXPIRING, PaymentTables.EXPIRING.all(), 200)) {
            if (e.getKey().millis() >= now) {
                break;
            }
            Batch b = store.batch();
            events.outbox().commit(b, () -> {
                b.delete(PaymentTables.EXPIRING, e.getKey());
                return store.get(PaymentTables.REQUESTS, e.getKey().id()).flatMap(pr -> events.updated(b, view(pr))).map(List::of)
                        .orElse(List.of());
            });
            n++;
        }
        return n;
    }

    private View view(PaymentRequest pr) {
        return new View(pr, PaymentStatusRule.evaluate(pr, chains.deposits(pr.asset(), pr.address()), clock.instant()));
    }

    /** Whether {@code asset} is one this node serves (for list filters, which name an unknown asset as an error). */
    public boolean knowsAsset(String asset) {
        return chains.knows(asset);
    }

    /** Expiry is stored to the millisecond: a retry's expiry (to the nanosecond, as sent) is compared at that precision. */
    private static Instant storedPrecision(Instant t) {
        return t == null ? null : t.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    }

    private static void validateKey(Create c) {
        if (c.idempotencyKey() == null || c.idempotencyKey().isBlank() || c.idempotencyKey().length() > 128) {
            throw CofferException.invalid("idempotency_key", "IDEMPOTENCY_KEY_INVALID", "required, 1 to 128 characters");
        }
    }

    private void validate(Create c) {
        if (c.asset() == null || c.asset().length() > 64 || !chains.knows(c.asset())) {
            throw CofferException.invalid("asset", "ASSET_UNKNOWN", "unknown asset; ListAssets lists them");
        }
        if (c.amount() == null || !AMOUNT.matcher(c.amount()).matches()) {
            throw CofferException.invalid("amount", "AMOUNT_MALFORMED", "a decimal string of base units, digits only, e.g. \"150000\"");
        }
        BigInteger amount = new BigInteger(c.amount());
        if (amount.signum() == 0) {
            throw CofferException.invalid("amount", "AMOUNT_NOT_POSITIVE", "must be greater than 0");
        }
        if (amount.compareTo(chains.maxAmount(c.asset())) > 0) {
            throw CofferException.invalid("amount", "AMOUNT_TOO_LARGE", "at most " + chains.maxAmount(c.asset()) + " base units of "
                    + c.asset());
        }
        if (c.expiresAt() != null && !c.expiresAt().isAfter(clock.instant())) {
            throw CofferException.invalid("expires_at", "EXPIRY_IN_PAST", "must be in the future");
        }
        if (c.requiredConfirmations() != null && (c.requiredConfirmations() < 0 || c.requiredConfirmations() > 100)) {
            throw CofferException.invalid("required_confirmations", "CONFIRMATIONS_OUT_OF_RANGE", "0 to 100");
        }
        // The chain asked only when a number or a policy is given (a request's hot path): its default is never above its depth.
        Integer asked = c.confirmations();
        int deepest = asked == null ? 0 : chains.finalConfirmations(c.asset());
        if (asked != null && asked > deepest) {
            String most = deepest + " on " + c.asset() + ": its chain's reorg-safety depth, where a "
                    + "payment is final and no longer followed (the node's configuration sets it)";
            throw c.speedPolicy() == null
                    ? CofferException.invalid("required_confirmations", "CONFIRMATIONS_OUT_OF_RANGE", "0 to " + most)
                    : CofferException.invalid("speed_policy", "CONFIRMATIONS_OUT_OF_RANGE", "SPEED_POLICY_" + c.speedPolicy()
                            + " waits for " + asked + " confirmations, more than " + most + "; choose a faster policy or "
                            + "required_confirmations up to that");
        }
        if (nz(c.orderId()).length() > 200) {
            throw CofferException.invalid("order_id", "FIELD_TOO_LONG", "at most 200 characters");
        }
        if (nz(c.description()).length() > 200) {
            throw CofferException.invalid("description", "FIELD_TOO_LONG", "at most 200 characters");
        }
        RedirectUrls.check(nz(c.redirectUrl()));
        if (c.metadata() != null) {
            int size = 0;
            for (Map.Entry<String, String> e : c.metadata().entrySet()) {
                size += e.getKey().getBytes(StandardCharsets.UTF_8).length + e.getValue().getBytes(StandardCharsets.UTF_8).length;
            }
            if (size > MAX_METADATA_BYTES) {
                throw CofferException.invalid("metadata", "FIELD_TOO_LONG", "at most 4 KiB in total");
            }
        }
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
