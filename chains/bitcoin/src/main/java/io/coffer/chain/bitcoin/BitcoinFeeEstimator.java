package io.coffer.chain.bitcoin;

import com.fasterxml.jackson.databind.JsonNode;
import io.coffer.core.chain.ChainUnavailableException;
import java.math.BigDecimal;
import java.util.logging.Logger;

/**
 * Fee rates from bitcoind's {@code estimatesmartfee}, in milli-satoshi per vbyte, clamped to a configured
 * floor and maximum. When the node has no estimate (a fresh node, regtest, too little data) the
 * configured fallback is used and the reason logged once per estimate.
 */
public final class BitcoinFeeEstimator {
    private static final Logger LOG = Logger.getLogger(BitcoinFeeEstimator.class.getName());

    /** How soon a transfer should confirm: the confirmation target handed to {@code estimatesmartfee}. */
    public enum Priority {
        LOW(24), NORMAL(6), HIGH(2);

        final int targetBlocks;

        Priority(int targetBlocks) {
            this.targetBlocks = targetBlocks;
        }
    }

    private final BitcoinRpcClient rpc;
    private final long floor;
    private final long fallback;
    private final long max;

    /** All rates in milli-satoshi per vbyte (1000 = 1 sat/vB). */
    public BitcoinFeeEstimator(BitcoinRpcClient rpc, long floor, long fallback, long max) {
        if (floor <= 0 || fallback < floor || max < fallback) {
            throw new IllegalArgumentException("fee rates: 0 < floor <= fallback <= max");
        }
        this.rpc = rpc;
        this.floor = floor;
        this.fallback = fallback;
        this.max = max;
    }

    public long estimate(Priority priority) {
        long rate;
        try {
            JsonNode r = rpc.call("estimatesmartfee", priority.targetBlocks, "conservative");
            if (r.hasNonNull("feerate")) {
                // BTC per kvB -> sat per kvB == milli-sat per vB.
                rate = new BigDecimal(r.get("feerate").asText()).movePointRight(8).longValue();
            } else {
                LOG.fine(() -> "estimatesmartfee has no estimate (" + r.path("errors") + "); using the fallback fee rate");
                rate = fallback;
            }
        } catch (BitcoinRpcException | ChainUnavailableException e) {
            LOG.warning("fee estimation failed (" + e.getMessage() + "); using the fallback fee rate");
            rate = fallback;
        }
        return Math.max(floor, Math.min(max, rate));
    }
}
