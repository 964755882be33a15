package io.coffer.core.checkout;

import io.coffer.core.audit.AuditLog;
import io.coffer.core.driver.AssetInfo;
import io.coffer.core.driver.ChainRegistry;
import io.coffer.core.error.CofferException;
import io.coffer.core.error.ErrorKind;
import io.coffer.core.keys.Hashes;
import io.coffer.core.payment.PaymentRequestService;
import io.coffer.core.store.Batch;
import io.coffer.core.store.Store;
import io.coffer.core.tenant.Tenant;
import io.coffer.core.tenant.TenantService;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Shop counters: an operator issues a credential for a tenant (audited), a device at the till pairs with it once, then charges
 * customers: each charge is a payment request of that tenant, expiring after {@link #CHARGE_LIFETIME}, marked with the
 * counter's id in its metadata under {@link #METADATA_KEY} (so the merchant sees which till took it). A counter can do nothing
 * else: it never sees balances, other requests or transfers, so a lost device exposes nothing that can move money; revoking
 * its credential ends every device paired with it at its next call.
 */
public final class CounterService {
    /** The metadata key of a counter's requests; its value is the counter credential's id. */
    public static final String METADATA_KEY = "coffer.counter";
    public static final Duration CHARGE_LIFETIME = Duration.ofMinutes(15);
    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,40}(\\.[0-9]{1,40})?");
    private static final Pattern CODE = Pattern.compile("(cc_[0-9a-f]{16})\\.([A-Za-z0-9_-]{43})");

    /** A new credential and its pairing code (shown once; the node keeps only a hash of it). */
    public record Issued(CounterCredential credential, String pairingCode) {
    }

    private final Store store;
    private final PaymentRequestService payments;
    private final TenantService tenants;
    private final ChainRegistry chains;
    private final AuditLog audit;
    private final Clock clock;
    private final SecureRandom random;

    public CounterService(Store store, PaymentRequestService payments, TenantService tenants, ChainRegistry chains, AuditLog audit,
            Clock clock, SecureRandom random) {
        this.store = store;
        this.payments = payments;
        this.tenants = tenants;
        this.chains = chains;
        this.audit = audit;
        this.clock = clock;
        this.random = random;
    }

    /**
     * Issues a credential for {@code tenantId}.
     *
     * @throws CofferException NOT_FOUND TENANT_NOT_FOUND; INVALID_ARGUMENT (label too long, an unknown asset or a cap that is
     *                         not positive)
     */
    public Issued issue(String tenantId, String label, Map<String, BigInteger> caps, String actor) {
        Tenant tenant = tenants.tenant(tenantId == null ? "" : tenantId).orElseThrow(() -> new CofferException(ErrorKind.NOT_FOUND,
                "TENANT_NOT_FOUND", "tenant_id", "tenant_id: no such tenant", Map.of(), null));
        String l = label == null ? "" : label.strip();
        if (l.length() > 100 || l.chars().anyMatch(Character::isISOControl)) {
            throw CofferException.invalid("label", "FIELD_TOO_LONG", "at most 100 printable characters");
        }
        for (Map.Entry<String, BigInteger> cap : caps.entrySet()) {
            chains.requireAsset(cap.getKey());
            if (cap.getValue().signum() <= 0 || cap.getValue().compareTo(chains.requireAsset(cap.getKey()).maxAmount()) > 0) {
                throw CofferException.invalid("caps.max", "AMOUNT_NOT_POSITIVE", "a cap is a positive amount in base units of "
                        + cap.getKey());
            }
        }
        byte[] id = new byte[8];
        byte[] secret = new byte[32];
        random.nextBytes(id);
        random.nextBytes(secret);
        String credentialId = "cc_" + HexFormat.of().formatHex(id);
        String secretText = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        CounterCredential c = new CounterCredential(credentialId, tenant.id(), l, new LinkedHashMap<>(caps), clock.instant(), null,
                hash(secretText));
        Batch b = store.batch();
        b.put(CounterTables.CREDENTIALS, c.id(), c);
        audit.append(b, actor, "counter.created", c.id(), Map.of("tenant", tenant.id(), "label", l, "caps", caps.toString()));
        b.commit();
        return new Issued(c, credentialId + "." + secretText);
    }

    /** The credentials of {@code tenantId} (every tenant's when empty), oldest first. */
    public List<CounterCredential> list(String tenantId) {
        List<CounterCredential> out = new ArrayList<>();
        for (var e : store.list(CounterTables.CREDENTIALS, CounterTables.CREDENTIALS.all(), Integer.MAX_VALUE)) {
            if (tenantId == null || tenantId.isEmpty() || e.getValue().tenantId().equals(tenantId)) {
                out.add(e.getValue());
            }
        }
        out.sort(java.util.Comparator.comparing(CounterCredential::createdAt));
        return out;
    }

    /** @throws CofferException NOT_FOUND COUNTER_NOT_FOUND */
    public synchronized CounterCredential revoke(String id, String actor) {
        CounterCredential c = store.get(CounterTables.CREDENTIALS, id == null || id.length() > 64 ? "" : id).orElseThrow(
                () -> new CofferException(ErrorKind.NOT_FOUND, "COUNTER_NOT_FOUND", "id", "id: no such counter credential", Map.of(), null));
        if (c.revoked()) {
            return c;
        }
        CounterCredential revoked = c.revokedAt(clock.instant());
        Batch b = store.batch();
        b.put(CounterTables.CREDENTIALS, id, revoked);
        audit.append(b, actor, "counter.revoked", id, Map.of("tenant", c.tenantId()));
        b.commit();
        return revoked;
    }

    /** The working credential a pairing code (or a paired device's cookie) belongs to; empty for anything else or a revoked one. */
    public Optional<CounterCredential> authenticate(String code) {
        var m = code == null ? null : CODE.matcher(code);
        if (m == null || !m.matches()) {
            return Optional.empty();
        }
        return store.get(CounterTables.CREDENTIALS, m.group(1))
                .filter(c -> MessageDigest.isEqual(c.secretHash(), hash(m.group(2))) && !c.revoked());
    }

    /** The display name of the counter's merchant. */
    public String merchantName(CounterCredential c) {
        return tenants.tenant(c.tenantId()).map(Tenant::name).orElse("");
    }

    /** The assets a counter may charge in: every followed chain's, each with its cap if it has one. */
    public List<AssetInfo> assets(CounterCredential c) {
        return chains.assets();
    }

    /**
     * Charges a customer: a new payment request of the counter's tenant for {@code amount} (in the asset's units, e.g. "12.5"),
     * or the one this {@code idempotencyKey} already made (a retry of the same tap).
     *
     * @throws CofferException INVALID_ARGUMENT (asset, amount, key), FAILED_PRECONDITION COUNTER_CAP_EXCEEDED
     */
    public PaymentRequestService.View charge(CounterCredential c, String asset, String amount, String idempotencyKey) {
        AssetInfo info = chains.assets().stream().filter(a -> a.id().equals(asset)).findFirst()
                .orElseThrow(() -> CofferException.invalid("asset", "ASSET_UNKNOWN", "unknown asset"));
        if (amount == null || !DECIMAL.matcher(amount).matches()) {
            throw CofferException.invalid("amount", "AMOUNT_MALFORMED", "a decimal amount such as 12.5");
        }
        BigDecimal value = new BigDecimal(amount);
        if (value.stripTrailingZeros().scale() > info.decimals()) {
            throw CofferException.invalid("amount", "AMOUNT_TOO_PRECISE", "at most " + info.decimals() + " decimals for " + info.symbol());
        }
        BigInteger base = value.movePointRight(info.decimals()).toBigIntegerExact();
        if (base.signum() <= 0) {
            throw CofferException.invalid("amount", "AMOUNT_NOT_POSITIVE", "must be greater than 0");
        }
        Optional<BigInteger> cap = c.capOf(asset);
        if (cap.isPresent() && base.compareTo(cap.get()) > 0) {
            throw new CofferException(ErrorKind.FAILED_PRECONDITION, "COUNTER_CAP_EXCEEDED", "amount", "amount: this counter charges at most "
                    + new BigDecimal(cap.get()).movePointLeft(info.decimals()).stripTrailingZeros().toPlainString() + " " + info.symbol(),
                    Map.of("cap", cap.get().toString()), null);
        }
        Tenant tenant = tenants.tenant(c.tenantId()).orElseThrow(() -> new IllegalStateException("a counter of no tenant"));
        return payments.create(tenant.id(), tenant.accountIndex(), new PaymentRequestService.Create(asset, base.toString(),
                clock.instant().plus(CHARGE_LIFETIME), null, "", Map.of(METADATA_KEY, c.id()), c.label(),
                c.id() + ":" + (idempotencyKey == null ? "" : idempotencyKey)));
    }

    /** The counter's charges created since {@code since} (at most 48 h ago: "today" at the till), newest first, at most 500. */
    public List<PaymentRequestService.View> since(CounterCredential c, Instant since) {
        Instant now = clock.instant();
        Instant from = since.isBefore(now.minus(Duration.ofHours(48))) ? now.minus(Duration.ofHours(48)) : since;
        List<PaymentRequestService.View> out = new ArrayList<>();
        payments.eachCreated(c.tenantId(), from, now.plusSeconds(1), v -> {
            if (c.id().equals(v.request().metadata().get(METADATA_KEY)) && out.size() < 500) {
                out.add(v);
            }
        });
        java.util.Collections.reverse(out);
        return out;
    }

    private static byte[] hash(String secret) {
        return Hashes.sha256(("counter:" + secret).getBytes(StandardCharsets.US_ASCII));
    }
}
