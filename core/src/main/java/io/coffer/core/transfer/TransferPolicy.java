package io.coffer.core.transfer;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A tenant's rules for money leaving: limits per asset, a destination allowlist, and the approval quorum.
 *
 * @param limits    per asset id; an asset not listed has no limit
 * @param allowlist when non-empty, transfers may only go to entries whose {@code effectiveAt} has passed
 * @param quorum    distinct admin approvals needed above an asset's approval threshold (0: no approvals)
 */
public record TransferPolicy(String tenant, Map<String, Limits> limits, List<AllowEntry> allowlist, int quorum) {
    /** Any of the three may be null: no such limit. Base units of the asset. */
    public record Limits(BigInteger perTransferMax, BigInteger rolling24hMax, BigInteger approvalThreshold) {
    }

    /** An allowed destination on a chain; counts from {@code effectiveAt} (added + the configured delay). */
    public record AllowEntry(String chain, String address, String label, Instant effectiveAt) {
    }

    public TransferPolicy {
        limits = Map.copyOf(limits);
        allowlist = List.copyOf(allowlist);
    }

    public static TransferPolicy none(String tenant) {
        return new TransferPolicy(tenant, Map.of(), List.of(), 0);
    }
}
