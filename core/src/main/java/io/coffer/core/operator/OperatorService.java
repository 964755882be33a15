package io.coffer.core.operator;

import io.coffer.core.audit.AuditLog;
import io.coffer.core.error.CofferException;
import io.coffer.core.error.ErrorKind;
import io.coffer.core.store.Batch;
import io.coffer.core.store.Store;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * Named operators: who they are, how their calls are authenticated (an Ed25519 signature over the call, fresh and used once)
 * and their second factor (TOTP, RFC 6238: a code is used once, a later code after it; failures are counted and audited, and
 * five within five minutes lock the operator's codes for five minutes). Operators are added by the break-glass token of the
 * node's machine (the first ones, as at the key ceremony) or by a quorum of admins: the first admin's call proposes, each other
 * admin's identical call approves, and the operator exists once the quorum is reached. Every change is audited, naming who.
 */
public final class OperatorService {
    /** The actor of calls made with the data directory's operator token (the local break-glass). */
    public static final String BREAK_GLASS = "breakglass";
    /** The actor of operators given at the key ceremony (added at once, as by break-glass). */
    public static final String CEREMONY = "ceremony";
    /** How far a call's signed time may be from the node's clock. */
    public static final Duration SIGNATURE_WINDOW = Duration.ofMinutes(2);
    static final int MAX_FAILURES = 5;
    static final Duration FAILURE_WINDOW = Duration.ofMinutes(5);
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9._-]{0,31}");
    private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9_-]{16,64}");

    private final Store store;
    private final AuditLog audit;
    private final SecretBox box;
    private final Clock clock;
    private final int quorum;
    private final SecureRandom random = new SecureRandom();
    /** Nonces of accepted signatures, until they are outside the window (a signature is good once). */
    private final Map<String, Long> seenNonces = new ConcurrentHashMap<>();
    /** Failed TOTP codes per operator, within the failure window. */
    private final Map<String, Deque<Instant>> failures = new ConcurrentHashMap<>();

    /**
     * @param quorum admins needed to add an operator (fewer when fewer admins exist: one admin alone can add the next)
     */
    public OperatorService(Store store, AuditLog audit, SecretBox box, Clock clock, int quorum) {
        this.store = store;
        this.audit = audit;
        this.box = box;
        this.clock = clock;
        this.quorum = quorum;
    }

    /** What an add did: the operator exists, or its proposal waits for {@code approvals} of {@code needed}. */
    public record Added(Optional<Operator> operator, int approvals, int needed) {
    }

    /**
     * Adds an operator, or proposes / approves its addition. By break-glass: added at once. By an admin operator: a proposal the
     * quorum's other admins approve by the same call (same roles and key; a different one is refused).
     *
     * @throws CofferException INVALID_ARGUMENT (name, roles, public_key), ALREADY_EXISTS (the name), FAILED_PRECONDITION
     *                         PROPOSAL_DIFFERS / ALREADY_APPROVED
     */
    public synchronized Added add(String actor, String name, Set<OperatorRole> roles, byte[] publicKey) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw CofferException.invalid("name", "OPERATOR_NAME_INVALID", "1 to 32 of a-z 0-9 . _ -, starting with a letter");
        }
        if (roles == null || roles.isEmpty()) {
            throw CofferException.invalid("roles", "ROLES_MISSING", "at least one role");
        }
        if (publicKey == null || publicKey.length != 32) {
            throw CofferException.invalid("public_key", "PUBLIC_KEY_INVALID", "an Ed25519 public key: 32 bytes");
        }
        if (store.get(OperatorTables.OPERATORS, name).isPresent()) {
            throw new CofferException(ErrorKind.ALREADY_EXISTS, "OPERATOR_EXISTS", "name", "an operator named " + name + " exists",
                    Map.of(), null);
        }
        Instant now = clock.instant();
        Optional<OperatorTables.Proposal> pending = store.get(OperatorTables.PROPOSALS, name);
        List<String> approvers = new ArrayList<>();
        if (pending.isPresent()) {
            if (!pending.get().roles().equals(roles) || !java.util.Arrays.equals(pending.get().publicKey(), publicKey)) {
                throw new CofferException(ErrorKind.FAILED_PRECONDITION, "PROPOSAL_DIFFERS", "roles",
                        "operator " + name + " is proposed with other roles or another key; approve it as proposed", Map.of(), null);
            }
            if (pending.get().approvers().contains(actor)) {
                throw new CofferException(ErrorKind.FAILED_PRECONDITION, "ALREADY_APPROVED", actor + " already approved operator " + name);
            }
            approvers.addAll(pending.get().approvers());
        }
        approvers.add(actor);
        boolean atOnce = actor.equals(BREAK_GLASS) || actor.equals(CEREMONY);
        int needed = atOnce ? 1 : Math.max(1, Math.min(quorum, enabledAdmins()));
        Batch b = store.batch();
        if (approvers.size() >= needed || atOnce) {
            Operator op = new Operator(name, roles, publicKey, now, String.join(",", approvers), false);
            b.put(OperatorTables.OPERATORS, name, op);
            b.delete(OperatorTables.PROPOSALS, name);
            audit.append(b, actor, "operator.add", name, Map.of("roles", labels(roles), "approved_by", String.join(",", approvers)));
            b.commit();
            return new Added(Optional.of(op), approvers.size(), needed);
        }
        b.put(OperatorTables.PROPOSALS, name, new OperatorTables.Proposal(roles, publicKey, approvers,
                pending.map(OperatorTables.Proposal::createdAt).orElse(now)));
        audit.append(b, actor, pending.isPresent() ? "operator.approve" : "operator.propose", name,
                Map.of("roles", labels(roles), "approvals", approvers.size() + "/" + needed));
        b.commit();
        return new Added(Optional.empty(), approvers.size(), needed);
    }

    private int enabledAdmins() {
        return (int) list().stream().filter(o -> o.has(OperatorRole.ADMIN)).count();
    }

    private static String labels(Set<OperatorRole> roles) {
        return roles.stream().map(OperatorRole::label).sorted().reduce((a, c) -> a + "," + c).orElse("");
    }

    /** Every operator, by name. */
    public List<Operator> list() {
        List<Operator> out = new ArrayList<>();
        for (var e : store.list(OperatorTables.OPERATORS, OperatorTables.OPERATORS.all(), Integer.MAX_VALUE)) {
            out.add(e.getValue());
        }
        return out;
    }

    public Optional<Operator> get(String name) {
        return name == null ? Optional.empty() : store.get(OperatorTables.OPERATORS, name);
    }

    /** Whether {@code name} has a confirmed second factor. */
    public boolean hasTotp(String name) {
        return store.get(OperatorTables.TOTP, name).map(OperatorTables.TotpState::confirmed).orElse(false);
    }

    /**
     * Disables an operator: its calls are refused from now on. The last enabled admin can be disabled only by break-glass.
     *
     * @throws CofferException NOT_FOUND, FAILED_PRECONDITION LAST_ADMIN
     */
    public synchronized Operator disable(String actor, String name) {
        Operator op = get(name).orElseThrow(() -> new CofferException(ErrorKind.NOT_FOUND, "OPERATOR_NOT_FOUND", "name",
                "no operator named " + name, Map.of(), null));
        if (op.has(OperatorRole.ADMIN) && enabledAdmins() == 1 && !actor.equals(BREAK_GLASS)) {
            throw new CofferException(ErrorKind.FAILED_PRECONDITION, "LAST_ADMIN", "name", name + " is the last enabled admin",
                    Map.of(), null);
        }
        Operator off = new Operator(op.name(), op.roles(), op.publicKey(), op.createdAt(), op.createdBy(), true);
        Batch b = store.batch();
        b.put(OperatorTables.OPERATORS, name, off);
        audit.append(b, actor, "operator.disable", name, Map.of());
        b.commit();
        return off;
    }

    /** The {@code authorization} value of a signed call: {@code Coffer-Operator name=.., ts=.., nonce=.., sig=<base64url>}. */
    public static String authorization(String name, long timestampMillis, String nonce, byte[] signature) {
        return AUTH_SCHEME + "name=" + name + ", ts=" + timestampMillis + ", nonce=" + nonce + ", sig="
                + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
    }

    /** The scheme word of {@link #authorization}, with its space. */
    public static final String AUTH_SCHEME = "Coffer-Operator ";

    /** The bytes an operator signs for one call: the scheme, its name, the time, a nonce and the gRPC method called. */
    public static byte[] signedMessage(String name, long timestampMillis, String nonce, String method) {
        return ("coffer-operator-v1\n" + name + "\n" + timestampMillis + "\n" + nonce + "\n" + method).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The operator whose key signed this call, within {@link #SIGNATURE_WINDOW} of the node's clock, with a nonce not seen before.
     *
     * @throws CofferException UNAUTHENTICATED CREDENTIALS_INVALID (unknown or disabled operator, bad signature, replay, clock)
     */
    public Operator authenticate(String name, long timestampMillis, String nonce, String method, byte[] signature) {
        Optional<Operator> op = get(name).filter(o -> !o.disabled());
        long now = clock.millis();
        if (op.isEmpty() || nonce == null || !NONCE.matcher(nonce).matches() || signature == null || signature.length != 64) {
            throw invalidCredentials("unknown or disabled operator, or a malformed signature");
        }
        if (timestampMillis < now - SIGNATURE_WINDOW.toMillis() || timestampMillis > now + SIGNATURE_WINDOW.toMillis()) {
            throw invalidCredentials("the signed time is more than " + SIGNATURE_WINDOW.toMinutes() + " min from the node's clock");
        }
        Ed25519Signer v = new Ed25519Signer();
        v.init(false, new Ed25519PublicKeyParameters(op.get().publicKey(), 0));
        byte[] m = signedMessage(name, timestampMillis, nonce, method);
        v.update(m, 0, m.length);
        if (!v.verifySignature(signature)) {
            throw invalidCredentials("the signature does not verify");
        }
        if (seenNonces.size() > 10_000) {
            seenNonces.values().removeIf(expiry -> expiry < now);
        }
        if (seenNonces.putIfAbsent(name + "|" + nonce, now + 2 * SIGNATURE_WINDOW.toMillis()) != null) {
            throw invalidCredentials("this signature was used before (replay)");
        }
        return op.get();
    }

    private static CofferException invalidCredentials(String why) {
        return new CofferException(ErrorKind.UNAUTHENTICATED, "CREDENTIALS_INVALID", "authorization", "invalid operator signature: " + why,
                Map.of(), null);
    }

    /**
     * Starts (or restarts) {@code name}'s TOTP enrollment with a fresh secret, returned once as an {@code otpauth://} URI; it
     * guards nothing until {@link #confirmTotp confirmed}. Replacing a confirmed enrollment needs a current code of it, or
     * break-glass (an operator who lost the phone).
     *
     * @throws CofferException NOT_FOUND, UNAUTHENTICATED TOTP_REQUIRED / TOTP_INVALID (replacing without the current code)
     */
    public synchronized String enrollTotp(String actor, String name, String currentCode) {
        Operator op = get(name).orElseThrow(() -> new CofferException(ErrorKind.NOT_FOUND, "OPERATOR_NOT_FOUND", "name",
                "no operator named " + name, Map.of(), null));
        if (hasTotp(name) && readable(name) && !actor.equals(BREAK_GLASS)) {
            requireTotp(name, currentCode, "totp.enroll");
        }
        byte[] secret = new byte[20];
        random.nextBytes(secret);
        Batch b = store.batch();
        b.put(OperatorTables.TOTP, name, new OperatorTables.TotpState(box.seal(secret, name), false, -1));
        audit.append(b, actor, "operator.totp.enroll", name, Map.of());
        b.commit();
        String uri = Totp.uri("Coffer", op.name(), secret);
        io.coffer.core.keys.Secrets.wipe(secret);
        return uri;
    }

    private boolean readable(String name) {
        return store.get(OperatorTables.TOTP, name).flatMap(t -> box.open(t.sealedSecret(), name)).isPresent();
    }

    /**
     * Confirms an enrollment with a code from the operator's app (proving the app holds the secret).
     *
     * @throws CofferException FAILED_PRECONDITION TOTP_NOT_ENROLLED, UNAUTHENTICATED TOTP_INVALID
     */
    public synchronized void confirmTotp(String actor, String name, String code) {
        OperatorTables.TotpState t = store.get(OperatorTables.TOTP, name).orElseThrow(OperatorService::notEnrolled);
        byte[] secret = box.open(t.sealedSecret(), name).orElseThrow(OperatorService::notEnrolled);
        long step = Totp.matchingStep(secret, code, clock.instant());
        io.coffer.core.keys.Secrets.wipe(secret);
        if (step < 0) {
            failed(actor, name, "totp.confirm", "TOTP_INVALID");
            throw wrongCode();
        }
        Batch b = store.batch();
        b.put(OperatorTables.TOTP, name, new OperatorTables.TotpState(t.sealedSecret(), true, step));
        audit.append(b, actor, "operator.totp.confirm", name, Map.of());
        b.commit();
    }

    /**
     * Checks {@code name}'s second factor for {@code action}: a code of the current step (or one either side), later than the
     * last one accepted. Failures are audited and counted.
     *
     * @throws CofferException FAILED_PRECONDITION TOTP_NOT_ENROLLED, UNAUTHENTICATED TOTP_REQUIRED / TOTP_INVALID / TOTP_REPLAYED,
     *                         RESOURCE_EXHAUSTED TOTP_LOCKED
     */
    public synchronized void requireTotp(String name, String code, String action) {
        Instant now = clock.instant();
        Deque<Instant> recent = recentFailures(name, now);
        if (recent.size() >= MAX_FAILURES) {
            Instant until = recent.peekFirst().plus(FAILURE_WINDOW);
            throw new CofferException(ErrorKind.RESOURCE_EXHAUSTED, "TOTP_LOCKED", "x-coffer-totp", MAX_FAILURES
                    + " wrong codes within " + FAILURE_WINDOW.toMinutes() + " min: codes of " + name + " are refused until " + until,
                    Map.of("retry_after_seconds", Long.toString(Math.max(1, Duration.between(now, until).toSeconds()))), null);
        }
        OperatorTables.TotpState t = store.get(OperatorTables.TOTP, name).filter(OperatorTables.TotpState::confirmed)
                .orElseThrow(OperatorService::notEnrolled);
        if (code == null || code.isEmpty()) {
            throw new CofferException(ErrorKind.UNAUTHENTICATED, "TOTP_REQUIRED", "x-coffer-totp", action
                    + " needs a TOTP code from the operator's app (metadata x-coffer-totp)", Map.of(), null);
        }
        byte[] secret = box.open(t.sealedSecret(), name).orElseThrow(OperatorService::notEnrolled);
        long step = Totp.matchingStep(secret, code, now);
        io.coffer.core.keys.Secrets.wipe(secret);
        if (step < 0) {
            failed(Operator.actorOf(name), name, action, "TOTP_INVALID");
            throw wrongCode();
        }
        if (step <= t.lastStep()) {
            failed(Operator.actorOf(name), name, action, "TOTP_REPLAYED");
            throw new CofferException(ErrorKind.UNAUTHENTICATED, "TOTP_REPLAYED", "x-coffer-totp",
                    "this code (or a later one) was used already: wait for the next code", Map.of(), null);
        }
        store.batch().put(OperatorTables.TOTP, name, new OperatorTables.TotpState(t.sealedSecret(), true, step)).commit();
    }

    private Deque<Instant> recentFailures(String name, Instant now) {
        Deque<Instant> d = failures.computeIfAbsent(name, k -> new ArrayDeque<>());
        while (!d.isEmpty() && d.peekFirst().isBefore(now.minus(FAILURE_WINDOW))) {
            d.pollFirst();
        }
        return d;
    }

    /** Counts and audits a refused code (the caller then refuses the call). */
    private void failed(String actor, String name, String action, String reason) {
        Instant now = clock.instant();
        recentFailures(name, now).addLast(now);
        audit.append(actor, "operator.totp.failed", name, Map.of("action", action, "reason", reason));
    }

    private static CofferException wrongCode() {
        return new CofferException(ErrorKind.UNAUTHENTICATED, "TOTP_INVALID", "x-coffer-totp", "wrong TOTP code", Map.of(), null);
    }

    private static CofferException notEnrolled() {
        return new CofferException(ErrorKind.FAILED_PRECONDITION, "TOTP_NOT_ENROLLED", "x-coffer-totp",
                "no confirmed TOTP enrollment on this node ('coffer operator totp enroll', then 'confirm')", Map.of(), null);
    }
}
