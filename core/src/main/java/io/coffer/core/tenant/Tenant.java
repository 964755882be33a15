package io.coffer.core.tenant;

import java.time.Instant;

/**
 * A tenant and the HD account index it owns on every chain.
 *
 * @param id           "tn_" + 16 hex
 * @param accountIndex BIP-44/84 account' of this tenant on every chain
 */
public record Tenant(String id, String name, int accountIndex, Instant createdAt) {
}
