package io.coffer.core.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.core.CofferSchema;
import io.coffer.core.audit.AuditLog;
import io.coffer.core.error.CofferException;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Adding by quorum, signed calls (fresh, once, by an enabled operator), and the second factor's replay and lock rules. */
class OperatorServiceTest {
    @TempDir
    Path dir;
    Store store;
    AuditLog audit;
    AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-01T10:00:00Z"));
    Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };
    OperatorService ops;
    SecureRandom random = new SecureRandom();

    @BeforeEach
    void open() {
        store = LevelDbStore.open(dir.resolve("store"), CofferSchema.current());
        audit = new AuditLog(store, clock);
        ops = new OperatorService(store, audit, SecretBox.open(dir, random), clock, 2);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private Ed25519PrivateKeyParameters key() {
        return new Ed25519PrivateKeyParameters(random);
    }

    private static byte[] sign(Ed25519PrivateKeyParameters k, String name, long ts, String nonce, String method) {
        Ed25519Signer s = new Ed25519Signer();
        s.init(true, k);
        byte[] m = OperatorService.signedMessage(name, ts, nonce, method);
        s.update(m, 0, m.length);
        return s.generateSignature();
    }

    @Test
    void breakGlassAddsTheFirstAdminsAndThenTwoAdminsAddTheNext() {
        ops.add(OperatorService.BREAK_GLASS, "alice", Set.of(OperatorRole.ADMIN), key().generatePublicKey().getEncoded());
        // With one admin the quorum of 2 cannot be met: one is enough until there are two.
        var bob = ops.add("op:alice", "bob", Set.of(OperatorRole.ADMIN, OperatorRole.APPROVER), key().generatePublicKey().getEncoded());
        assertTrue(bob.operator().isPresent());
        byte[] carolKey = key().generatePublicKey().getEncoded();
        var proposed = ops.add("op:alice", "carol", Set.of(OperatorRole.AUDITOR), carolKey);
        assertTrue(proposed.operator().isEmpty());
        assertEquals(1, proposed.approvals());
        assertEquals(2, proposed.needed());
        assertEquals("ALREADY_APPROVED", assertThrows(CofferException.class,
                () -> ops.add("op:alice", "carol", Set.of(OperatorRole.AUDITOR), carolKey)).code());
        assertEquals("PROPOSAL_DIFFERS", assertThrows(CofferException.class,
                () -> ops.add("op:bob", "carol", Set.of(OperatorRole.ADMIN), carolKey)).code(), "another role is not an approval");
        var added = ops.add("op:bob", "carol", Set.of(OperatorRole.AUDITOR), carolKey);
        assertEquals("op:alice,op:bob", added.operator().orElseThrow().createdBy());
        assertEquals("OPERATOR_EXISTS", assertThrows(CofferException.class,
                () -> ops.add(OperatorService.BREAK_GLASS, "carol", Set.of(OperatorRole.AUDITOR), carolKey)).code());
        assertEquals("OPERATOR_NAME_INVALID", assertThrows(CofferException.class,
                () -> ops.add(OperatorService.BREAK_GLASS, "Carol Smith", Set.of(OperatorRole.AUDITOR), carolKey)).code());
        assertEquals("PUBLIC_KEY_INVALID", assertThrows(CofferException.class,
                () -> ops.add(OperatorService.BREAK_GLASS, "dave", Set.of(OperatorRole.AUDITOR), new byte[31])).code());
        assertTrue(audit.list(0, 100).stream().anyMatch(e -> e.action().equals("operator.propose") && e.actor().equals("op:alice")));
        assertTrue(audit.list(0, 100).stream().anyMatch(e -> e.action().equals("operator.add") && e.subject().equals("carol")
                && e.actor().equals("op:bob")));
    }

    @Test
    void aCallIsSignedRecentlyUsedOnceAndByAnEnabledOperator() {
        Ed25519PrivateKeyParameters k = key();
        ops.add(OperatorService.BREAK_GLASS, "alice", Set.of(OperatorRole.ADMIN), k.generatePublicKey().getEncoded());
        String method = "coffer.v1.Admin/ListTenants";
        long ts = now.get().toEpochMilli();
        String nonce = "n0nce-0123456789abcdef";
        assertEquals("alice", ops.authenticate("alice", ts, nonce, method, sign(k, "alice", ts, nonce, method)).name());
        assertThrows(CofferException.class, () -> ops.authenticate("alice", ts, nonce, method, sign(k, "alice", ts, nonce, method)),
                "replayed");
        String n2 = "n0nce-0123456789abcdeg";
        assertThrows(CofferException.class, () -> ops.authenticate("alice", ts, n2, "coffer.v1.Admin/CreateApiKey",
                sign(k, "alice", ts, n2, method)), "signed for another method");
        long old = ts - Duration.ofMinutes(3).toMillis();
        assertThrows(CofferException.class, () -> ops.authenticate("alice", old, n2, method, sign(k, "alice", old, n2, method)), "stale");
        assertThrows(CofferException.class, () -> ops.authenticate("alice", ts, n2, method, sign(key(), "alice", ts, n2, method)),
                "another key");
        ops.add(OperatorService.BREAK_GLASS, "bob", Set.of(OperatorRole.ADMIN), key().generatePublicKey().getEncoded());
        ops.disable("op:bob", "alice");
        CofferException off = assertThrows(CofferException.class, () -> ops.authenticate("alice", ts, n2, method, sign(k, "alice", ts, n2, method)));
        assertEquals("CREDENTIALS_INVALID", off.code());
        assertEquals("LAST_ADMIN", assertThrows(CofferException.class, () -> ops.disable("op:bob", "bob")).code());
    }

    @Test
    void aTotpCodeIsGoodOnceFiveWrongOnesLockAndEachFailureIsAudited() {
        ops.add(OperatorService.BREAK_GLASS, "alice", Set.of(OperatorRole.APPROVER), key().generatePublicKey().getEncoded());
        assertEquals("TOTP_NOT_ENROLLED", assertThrows(CofferException.class, () -> ops.requireTotp("alice", "123456", "approve")).code());
        String uri = ops.enrollTotp("op:alice", "alice", null);
        byte[] secret = Totp.Base32.decode(uri.replaceAll(".*secret=([A-Z2-7]+).*", "$1"));
        assertFalse(ops.hasTotp("alice"), "not before it is confirmed");
        ops.confirmTotp("op:alice", "alice", Totp.code(secret, Totp.step(now.get())));
        assertTrue(ops.hasTotp("alice"));
        assertEquals("TOTP_REPLAYED", assertThrows(CofferException.class,
                () -> ops.requireTotp("alice", Totp.code(secret, Totp.step(now.get())), "approve")).code(), "the confirming code was used");
        now.set(now.get().plusSeconds(30));
        String code = Totp.code(secret, Totp.step(now.get()));
        ops.requireTotp("alice", code, "approve");
        assertEquals("TOTP_REPLAYED", assertThrows(CofferException.class, () -> ops.requireTotp("alice", code, "approve")).code());
        assertEquals("TOTP_REQUIRED", assertThrows(CofferException.class, () -> ops.requireTotp("alice", "", "approve")).code());
        assertEquals("UNAUTHENTICATED", assertThrows(CofferException.class,
                () -> ops.requireTotp("alice", "000000".equals(code) ? "111111" : "000000", "approve")).kind().name());
        for (int i = 0; i < 3; i++) {
            assertThrows(CofferException.class, () -> ops.requireTotp("alice", "999999".equals(code) ? "888888" : "999999", "approve"));
        }
        now.set(now.get().plusSeconds(30));
        String next = Totp.code(secret, Totp.step(now.get()));
        assertEquals("TOTP_LOCKED", assertThrows(CofferException.class, () -> ops.requireTotp("alice", next, "approve")).code(),
                "five failures (the replays count) lock even a right code");
        now.set(now.get().plus(OperatorService.FAILURE_WINDOW));
        ops.requireTotp("alice", Totp.code(secret, Totp.step(now.get())), "approve");
        assertTrue(audit.list(0, 100).stream().filter(e -> e.action().equals("operator.totp.failed")).count() >= 5);
        // Replacing a confirmed enrollment needs its current code (a stolen signing key alone cannot move the second factor).
        assertEquals("TOTP_REQUIRED", assertThrows(CofferException.class, () -> ops.enrollTotp("op:alice", "alice", null)).code());
        ops.enrollTotp(OperatorService.BREAK_GLASS, "alice", null);
        assertFalse(ops.hasTotp("alice"), "break-glass reset: enrolled anew, not yet confirmed");
    }

    @Test
    void aSecretSealedOnAnotherNodeIsNotAnEnrollmentHere() throws Exception {
        ops.add(OperatorService.BREAK_GLASS, "alice", Set.of(OperatorRole.APPROVER), key().generatePublicKey().getEncoded());
        String uri = ops.enrollTotp("op:alice", "alice", null);
        byte[] secret = Totp.Base32.decode(uri.replaceAll(".*secret=([A-Z2-7]+).*", "$1"));
        ops.confirmTotp("op:alice", "alice", Totp.code(secret, Totp.step(now.get())));
        OperatorService elsewhere = new OperatorService(store, audit, SecretBox.open(java.nio.file.Files.createDirectories(dir.resolve("other")), random), clock, 2);
        now.set(now.get().plusSeconds(30));
        assertEquals("TOTP_NOT_ENROLLED", assertThrows(CofferException.class,
                () -> elsewhere.requireTotp("alice", Totp.code(secret, Totp.step(now.get())), "approve")).code());
    }
}
