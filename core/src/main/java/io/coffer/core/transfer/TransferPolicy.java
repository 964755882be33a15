package io.coffer.core.transfer;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A tenant's rules for money leaving: limits per asset, a destination allowlist, the approval quorum, and the anomaly rules
 * that hold a transfer for approval (with the reason recorded) instead of sending it.
 *
 * @param limits         per asset id; an asset not listed has no limit
 * @param allowlist      when non-empty, transfers may only go to entries whose {@code effectiveAt} has passed
 * @param quorum         distinct admin approvals needed above an asset's approval threshold (0: no approvals; a transfer held by
 *                       an anomaly rule needs one)
 * @param holdLookalikes hold a transfer to an address that looks like one paid before (address poisoning)
 * @param velocityFactor when above 0, hold a transfer that brings the last 24 hours' total of its asset above this many times
 *                       the tenant's average day over the 30 days before
 */
public record TransferPolicy(String tenant, Map<String, Limits> limits, List<AllowEntry> allowlist, int quorum, boolean holdLookalikes,
                             int velocityFactor) {
    /**
     * Any may be null: no such limit or rule. Base units of the asset.
     *
     * @param newDestinationAbove hold a transfer of more than this to an address the tenant never paid before
     */
    public record Limits(BigInteger perTransferMax, BigInteger rolling24hMax, BigInteger approvalThreshold, BigInteger newDestinationAbove) {
        public Limits(BigInteger perTransferMax, BigInteger rolling24hMax, BigInteger approvalThreshold) {
            this(perTransferMax, rolling24hMax, approvalThreshold, null);
        }
    }

    public TransferPolicy(String tenant, Map<String, Limits> limits, List<AllowEntry> allowlist, int quorum) {
        this(tenant, limits, allowlist, quorum, false, 0);
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
