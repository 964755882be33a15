package io.coffer.core.tenant;

import java.time.Instant;
import java.util.Set;

/**
 * An API key as stored: never its secret, only hashes.
 *
 * @param id             "ak_" + 16 hex; public, appears in logs and the audit log
 * @param secretHash     SHA-256 of the secret's random part
 * @param previousHash   the hash before the last rotation, accepted until {@code previousUntil}; empty when none
 * @param previousUntil  end of the rotation grace period
 */
public record ApiKey(String id, String tenantId, Set<Scope> scopes, String label, Instant createdAt, Instant lastUsedAt,
                     boolean revoked, byte[] secretHash, byte[] previousHash, Instant previousUntil, String approvalOperator) {
    public ApiKey {
        scopes = Set.copyOf(scopes);
        secretHash = secretHash.clone();
        previousHash = previousHash.clone();
        approvalOperator = approvalOperator == null ? "" : approvalOperator;
    }

    /** Whether this key's approvals need a current TOTP code of {@link #approvalOperator} (a leaked key alone cannot approve). */
    public boolean approvalsNeedTotp() {
        return !approvalOperator.isEmpty();
    }

    @Override
    public byte[] secretHash() {
        return secretHash.clone();
    }

    @Override
    public byte[] previousHash() {
        return previousHash.clone();
    }

    /** Never prints a hash. */
    @Override
    public String toString() {
        return "ApiKey[" + id + ", tenant " + tenantId + ", scopes " + scopes + (revoked ? ", revoked" : "") + "]";
    }
}
