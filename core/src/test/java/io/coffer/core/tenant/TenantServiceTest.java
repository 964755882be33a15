package io.coffer.core.tenant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.core.CofferSchema;
import io.coffer.core.MovableClock;
import io.coffer.core.audit.AuditLog;
import io.coffer.core.error.CofferException;
import io.coffer.core.error.ErrorKind;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TenantServiceTest {
    @TempDir
    Path dir;

    @Test
    void tenantsKeysScopesRotationRevocationAndNoSecretOnDisk() throws Exception {
        MovableClock clock = new MovableClock(Instant.parse("2026-11-21T12:00:00Z"));
        String secretSeen;
        try (Store store = LevelDbStore.open(dir, CofferSchema.current())) {
            AuditLog audit = new AuditLog(store, clock);
            TenantService tenants = new TenantService(store, audit, clock);
            Tenant shop = tenants.createTenant("Coffee Shop", "cli");
            Tenant exchange = tenants.createTenant("exchange-sub-1", "cli");
            assertEquals(0, shop.accountIndex());
            assertEquals(1, exchange.accountIndex(), "each tenant its own HD account");
            assertEquals(ErrorKind.ALREADY_EXISTS, assertThrows(CofferException.class, () -> tenants.createTenant("Coffee Shop", "cli")).kind());
            assertEquals("name", assertThrows(CofferException.class, () -> tenants.createTenant("", "cli")).field());

            TenantService.Created k = tenants.createKey(shop.id(), Set.of(Scope.READ, Scope.PAYMENTS), "pos", "cli");
            secretSeen = k.secret();
            assertFalse(k.toString().contains(k.secret()), "toString never shows the secret");
            TenantService.Principal p = tenants.authenticate(k.secret()).orElseThrow();
            assertEquals(shop.id(), p.tenant().id());
            assertTrue(p.has(Scope.PAYMENTS));
            assertFalse(p.has(Scope.TRANSFERS));
            assertTrue(tenants.authenticate(k.secret() + "x").isEmpty());
            assertTrue(tenants.authenticate("ck_deadbeef_nothing").isEmpty());
            assertTrue(tenants.authenticate(null).isEmpty());
            assertEquals("scopes", assertThrows(CofferException.class, () -> tenants.createKey(shop.id(), Set.of(), "", "cli")).field());
            assertEquals(ErrorKind.NOT_FOUND, assertThrows(CofferException.class,
                    () -> tenants.createKey("tn_nope", Set.of(Scope.READ), "", "cli")).kind());

            TenantService.Created rotated = tenants.rotateKey(k.key().id(), Duration.ofMinutes(5), "cli");
            assertTrue(tenants.authenticate(rotated.secret()).isPresent());
            assertTrue(tenants.authenticate(k.secret()).isPresent(), "the old secret works during the grace period");
            clock.now = clock.now.plus(Duration.ofMinutes(6));
            assertTrue(tenants.authenticate(k.secret()).isEmpty(), "and not after it");
            tenants.revokeKey(k.key().id(), "cli");
            assertTrue(tenants.authenticate(rotated.secret()).isEmpty(), "revoked at once");
            assertEquals(1, tenants.keys(shop.id()).size());
            assertEquals(0, tenants.keys(exchange.id()).size());
            assertTrue(audit.list(0, 100).stream().map(e -> e.action()).toList()
                    .containsAll(java.util.List.of("tenant.created", "apikey.created", "apikey.rotated", "apikey.revoked")));
        }
        // ck_<id>_<43 chars of base64url>: the random part may itself hold '_' (base64url's alphabet), so it starts after the
        // second '_', not the last (taken after the last, a short tail such as "1" was found in LevelDB's CURRENT file).
        String randomPart = secretSeen.substring(secretSeen.indexOf('_', "ck_".length()) + 1);
        assertEquals(43, randomPart.length(), "the secret's random part");
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertFalse(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1).contains(randomPart), "no API key secret in " + f);
            }
        }
    }

    @Test
    void lastUsedAtFollowsUseAtOneMinuteResolutionAndSurvivesRotation() throws Exception {
        MovableClock clock = new MovableClock(Instant.parse("2026-11-21T12:00:00Z"));
        try (Store store = LevelDbStore.open(dir, CofferSchema.current())) {
            TenantService tenants = new TenantService(store, new AuditLog(store, clock), clock);
            Tenant shop = tenants.createTenant("shop", "cli");
            TenantService.Created k = tenants.createKey(shop.id(), Set.of(Scope.READ), "pos", "cli");
            assertEquals(null, tenants.keys(shop.id()).get(0).lastUsedAt(), "never used yet");
            Instant first = clock.now;
            tenants.authenticate(k.secret()).orElseThrow();
            assertEquals(first, tenants.keys(shop.id()).get(0).lastUsedAt());
            clock.now = first.plusSeconds(30);
            tenants.authenticate(k.secret()).orElseThrow();
            assertEquals(first, tenants.keys(shop.id()).get(0).lastUsedAt(), "within the resolution: no write");
            clock.now = first.plusSeconds(61);
            tenants.authenticate(k.secret()).orElseThrow();
            assertEquals(first.plusSeconds(61), tenants.keys(shop.id()).get(0).lastUsedAt());
            clock.now = first.plusSeconds(200);
            assertTrue(tenants.authenticate(k.secret() + "x").isEmpty());
            assertEquals(first.plusSeconds(61), tenants.keys(shop.id()).get(0).lastUsedAt(), "a failed attempt is not a use");

            TenantService.Created rotated = tenants.rotateKey(k.key().id(), Duration.ofMinutes(5), "cli");
            assertEquals(first.plusSeconds(61), tenants.keys(shop.id()).get(0).lastUsedAt(), "rotation keeps it");
            tenants.authenticate(rotated.secret()).orElseThrow();
            assertEquals(first.plusSeconds(200), tenants.keys(shop.id()).get(0).lastUsedAt());
            assertTrue(tenants.authenticate(rotated.secret()).isPresent(), "and the rotated secret still works after the write");
            assertFalse(tenants.keys(shop.id()).get(0).revoked());
        }
    }
}
