package io.coffer.core.tenant;

import io.coffer.core.audit.AuditLog;
import io.coffer.core.custody.Ceremony;
import io.coffer.core.error.CofferException;
import io.coffer.core.error.ErrorKind;
import io.coffer.core.keys.Hashes;
import io.coffer.core.keys.Secrets;
import io.coffer.core.store.Batch;
import io.coffer.core.store.Store;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Tenants and their API keys.
 *
 * <p>A key's secret is {@code ck_<key id without prefix>_<43 chars of base64url randomness>}: the id part
 * finds the record in one lookup, and only the SHA-256 of the random part is stored and compared (in
 * constant time). 256 random bits make the hash safe without a slow KDF: there is nothing to guess.
 */
public final class TenantService {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}");
    private static final int MAX_LABEL = 100;

    private final Store store;
    private final AuditLog audit;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    /** The key as created: its record and the secret, shown once. */
    public record Created(ApiKey key, String secret) {
        /** Never prints the secret. */
        @Override
        public String toString() {
            return "Created[" + key + "]";
        }
    }

    /** Who is calling, once a key has been checked. */
    public record Principal(ApiKey key, Tenant tenant) {
        public boolean has(Scope s) {
            return key.scopes().contains(s);
        }
    }

    private final java.util.Map<Integer, Tenant> byAccount = new java.util.concurrent.ConcurrentHashMap<>();

    public TenantService(Store store, AuditLog audit, Clock clock) {
        this.store = store;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * Creates a tenant with the next free HD account.
     *
     * @throws CofferException INVALID_ARGUMENT (name), ALREADY_EXISTS (name taken), FAILED_PRECONDITION (no
     *                         pre-derived account left: the key ring has {@value Ceremony#ACCOUNTS})
     */
    public synchronized Tenant createTenant(String name, String actor) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw CofferException.invalid("name", "TENANT_NAME_INVALID", "1 to 100 letters, digits, spaces, '.', '_' or '-'");
        }
        if (store.get(TenantTables.TENANT_NAMES, name).isPresent()) {
            throw new CofferException(ErrorKind.ALREADY_EXISTS, "TENANT_EXISTS", "name", "name: a tenant named '" + name + "' exists",
                    Map.of(), null);
        }
        long next = store.get(TenantTables.META, "next-account").orElse(0L);
        if (next >= Ceremony.ACCOUNTS) {
            throw new CofferException(ErrorKind.FAILED_PRECONDITION, "NO_ACCOUNT_LEFT", "this wallet's key ring has "
                    + Ceremony.ACCOUNTS + " accounts; all are in use");
        }
        Tenant t = new Tenant("tn_" + hex(8), name, (int) next, clock.instant());
        Batch b = store.batch();
        b.put(TenantTables.TENANTS, t.id(), t);
        b.put(TenantTables.TENANT_NAMES, name, t.id());
        b.put(TenantTables.META, "next-account", next + 1);
        audit.append(b, actor, "tenant.created", t.id(), Map.of("name", name, "account", Integer.toString(t.accountIndex())));
        b.commit();
        return t;
    }

    public Optional<Tenant> tenant(String id) {
        return store.get(TenantTables.TENANTS, id);
    }

    /** The tenant owning HD account {@code account}, if any (accounts never change owner, so hits are cached). */
    public Optional<Tenant> byAccount(int account) {
        Tenant t = byAccount.get(account);
        if (t == null) {
            t = tenants().stream().filter(x -> x.accountIndex() == account).findFirst().orElse(null);
            if (t != null) {
                byAccount.put(account, t);
            }
        }
        return Optional.ofNullable(t);
    }

    public List<Tenant> tenants() {
        return store.list(TenantTables.TENANTS, TenantTables.TENANTS.all(), Integer.MAX_VALUE).stream().map(Map.Entry::getValue).toList();
    }

    /**
     * Creates an API key for {@code tenantId}; the secret is in the result only.
     *
     * @throws CofferException NOT_FOUND (tenant), INVALID_ARGUMENT (scopes empty, label too long)
     */
    public synchronized Created createKey(String tenantId, Set<Scope> scopes, String label, String actor) {
        return createKey(tenantId, scopes, label, "", actor);
    }

    /**
     * As {@link #createKey(String, Set, String, String)}; with {@code approvalOperator} set, the key's approvals need that operator's
     * current TOTP code (the caller checked the operator exists).
     *
     * @throws CofferException INVALID_ARGUMENT APPROVAL_TOTP_NEEDS_ADMIN (the key cannot approve)
     */
    public synchronized Created createKey(String tenantId, Set<Scope> scopes, String label, String approvalOperator, String actor) {
        tenant(tenantId).orElseThrow(() -> new CofferException(ErrorKind.NOT_FOUND, "TENANT_NOT_FOUND", "tenant_id", "tenant_id: no such tenant",
                Map.of(), null));
        if (scopes == null || scopes.isEmpty()) {
            throw CofferException.invalid("scopes", "SCOPES_EMPTY", "at least one scope is needed");
        }
        String l = label == null ? "" : label;
        if (l.length() > MAX_LABEL) {
            throw CofferException.invalid("label", "FIELD_TOO_LONG", "at most " + MAX_LABEL + " characters");
        }
        if (approvalOperator != null && !approvalOperator.isEmpty() && !scopes.contains(Scope.ADMIN)) {
            throw CofferException.invalid("approvals_need_totp_of", "APPROVAL_TOTP_NEEDS_ADMIN", "only a key with the admin scope approves");
        }
        String idPart = hex(8);
        String randomPart = randomPart();
        ApiKey key = new ApiKey("ak_" + idPart, tenantId, EnumSet.copyOf(scopes), l, clock.instant(), null, false, hash(randomPart),
                new byte[0], null, approvalOperator);
        Batch b = store.batch();
        b.put(TenantTables.API_KEYS, key.id(), key);
        audit.append(b, actor, "apikey.created", key.id(), Map.of("tenant", tenantId, "scopes", key.scopes().toString()));
        b.commit();
        return new Created(key, "ck_" + idPart + "_" + randomPart);
    }

    /** A new secret for the same key; the old one keeps working for {@code grace} (zero: revoked at once). */
    public synchronized Created rotateKey(String keyId, Duration grace, String actor) {
        ApiKey k = key(keyId);
        String randomPart = randomPart();
        Instant until = grace.isZero() ? null : clock.instant().plus(grace);
        ApiKey rotated = new ApiKey(k.id(), k.tenantId(), k.scopes(), k.label(), k.createdAt(), k.lastUsedAt(), k.revoked(), hash(randomPart),
                grace.isZero() ? new byte[0] : k.secretHash(), until, k.approvalOperator());
        Batch b = store.batch();
        b.put(TenantTables.API_KEYS, k.id(), rotated);
        audit.append(b, actor, "apikey.rotated", k.id(), Map.of("grace_seconds", Long.toString(grace.toSeconds())));
        b.commit();
        return new Created(rotated, "ck_" + k.id().substring(3) + "_" + randomPart);
    }

    public synchronized ApiKey revokeKey(String keyId, String actor) {
        ApiKey k = key(keyId);
        ApiKey revoked = new ApiKey(k.id(), k.tenantId(), k.scopes(), k.label(), k.createdAt(), k.lastUsedAt(), true, k.secretHash(),
                new byte[0], null, k.approvalOperator());
        Batch b = store.batch();
        b.put(TenantTables.API_KEYS, k.id(), revoked);
        audit.append(b, actor, "apikey.revoked", k.id(), Map.of());
        b.commit();
        return revoked;
    }

    public List<ApiKey> keys(String tenantId) {
        return store.list(TenantTables.API_KEYS, TenantTables.API_KEYS.all(), Integer.MAX_VALUE).stream().map(Map.Entry::getValue)
                .filter(k -> tenantId == null || tenantId.isEmpty() || k.tenantId().equals(tenantId)).toList();
    }

    /** The principal a secret stands for, or empty (unknown, wrong, revoked, rotated out). */
    public Optional<Principal> authenticate(String secret) {
        if (secret == null || !secret.startsWith("ck_") || secret.length() > 200) {
            return Optional.empty();
        }
        int sep = secret.indexOf('_', 3);
        if (sep < 0) {
            return Optional.empty();
        }
        Optional<ApiKey> found = store.get(TenantTables.API_KEYS, "ak_" + secret.substring(3, sep));
        if (found.isEmpty() || found.get().revoked()) {
            return Optional.empty();
        }
        ApiKey k = found.get();
        java.time.Instant now = clock.instant();
        java.time.Instant lockedUntil = locks.get(k.id());
        if (lockedUntil != null && now.isBefore(lockedUntil)) {
            throw new CofferException(ErrorKind.UNAUTHENTICATED, "KEY_LOCKED", "authorization",
                    "this API key is locked until " + lockedUntil + " after " + MAX_AUTH_FAILURES + " failed authentications within "
                    + AUTH_FAILURE_WINDOW.toMinutes() + " min", java.util.Map.of("locked_until", lockedUntil.toString()), null);
        }
        byte[] presented = hash(secret.substring(sep + 1));
        boolean current = Secrets.equal(presented, k.secretHash());
        boolean previous = k.previousHash().length > 0 && k.previousUntil() != null && now.isBefore(k.previousUntil())
                && Secrets.equal(presented, k.previousHash());
        if (!current && !previous) {
            failedAuthentication(k, now);
            return Optional.empty();
        }
        Optional<Principal> principal = tenant(k.tenantId()).map(t -> new Principal(k, t));
        if (principal.isPresent()) {
            touch(k);
        }
        return principal;
    }

    /** Failed authentications with one key within {@link #AUTH_FAILURE_WINDOW} that lock it for {@link #AUTH_LOCK}. */
    public static final int MAX_AUTH_FAILURES = 10;
    public static final Duration AUTH_FAILURE_WINDOW = Duration.ofMinutes(5);
    public static final Duration AUTH_LOCK = Duration.ofMinutes(15);
    private final java.util.Map<String, java.util.Deque<java.time.Instant>> authFailures = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Map<String, java.time.Instant> locks = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile java.util.function.BiConsumer<ApiKey, java.time.Instant> onLocked = (k, until) -> { };

    /** Where a key locked by failed authentications is told to operators (an alert); nothing by default. */
    public void onLocked(java.util.function.BiConsumer<ApiKey, java.time.Instant> listener) {
        this.onLocked = listener;
    }

    /**
     * A wrong secret for a key that exists: counted; the {@value #MAX_AUTH_FAILURES}th within the window locks the key (a burst
     * of guesses, or a client with a stale secret) and is audited. Kept in memory: a restart forgets counts and locks.
     */
    private void failedAuthentication(ApiKey k, java.time.Instant now) {
        java.util.Deque<java.time.Instant> d = authFailures.computeIfAbsent(k.id(), id -> new java.util.concurrent.ConcurrentLinkedDeque<>());
        d.addLast(now);
        while (!d.isEmpty() && d.peekFirst().isBefore(now.minus(AUTH_FAILURE_WINDOW))) {
            d.pollFirst();
        }
        if (d.size() >= MAX_AUTH_FAILURES) {
            d.clear();
            java.time.Instant until = now.plus(AUTH_LOCK);
            locks.put(k.id(), until);
            audit.append("node", "apikey.locked", k.id(), java.util.Map.of("tenant", k.tenantId(), "until", until.toString(),
                    "failures", Integer.toString(MAX_AUTH_FAILURES)));
            onLocked.accept(k, until);
        }
    }

    /** How stale a key's lastUsedAt may get: a busy key costs one small write a minute, not one per call. */
    static final Duration LAST_USED_RESOLUTION = Duration.ofMinutes(1);

    private void touch(ApiKey seen) {
        Instant now = clock.instant();
        if (seen.lastUsedAt() != null && now.isBefore(seen.lastUsedAt().plus(LAST_USED_RESOLUTION))) {
            return;
        }
        synchronized (this) {
            // Re-read under the lock that rotation and revocation take, so this never writes back an older version.
            store.get(TenantTables.API_KEYS, seen.id()).ifPresent(k -> {
                if (k.lastUsedAt() == null || !now.isBefore(k.lastUsedAt().plus(LAST_USED_RESOLUTION))) {
                    Batch b = store.batch();
                    b.put(TenantTables.API_KEYS, k.id(), new ApiKey(k.id(), k.tenantId(), k.scopes(), k.label(), k.createdAt(), now,
                            k.revoked(), k.secretHash(), k.previousHash(), k.previousUntil(), k.approvalOperator()));
                    b.commit();
                }
            });
        }
    }

    private ApiKey key(String id) {
        return store.get(TenantTables.API_KEYS, id == null ? "" : id)
                .orElseThrow(() -> new CofferException(ErrorKind.NOT_FOUND, "APIKEY_NOT_FOUND", "id", "id: no such API key", Map.of(), null));
    }

    private static byte[] hash(String randomPart) {
        return Hashes.sha256(randomPart.getBytes(StandardCharsets.US_ASCII));
    }

    private String randomPart() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        String s = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        Secrets.wipe(b);
        return s;
    }

    private String hex(int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
