package io.coffer.chain.bitcoin;

import com.fasterxml.jackson.databind.JsonNode;
import io.coffer.core.chain.ChainUnavailableException;
import io.coffer.core.transfer.FeePriority;
import io.coffer.core.transfer.FeeRate;
import io.coffer.core.transfer.FeeRates;
import java.math.BigDecimal;
import java.util.logging.Logger;

/**
 * Fee rates from bitcoind's {@code estimatesmartfee}, clamped to a configured floor and maximum. When the node has no estimate (a
 * fresh node, regtest, too little data) the configured fallback is used and the reason logged.
 */
public final class BitcoinFeeEstimator implements FeeRates {
    private static final Logger LOG = Logger.getLogger(BitcoinFeeEstimator.class.getName());

    private final BitcoinRpcClient rpc;
    private final FeeRate floor;
    private final FeeRate fallback;
    private final FeeRate max;

    public BitcoinFeeEstimator(BitcoinRpcClient rpc, FeeRate floor, FeeRate fallback, FeeRate max) {
        if (floor.isAbove(fallback) || fallback.isAbove(max)) {
            throw new IllegalArgumentException("fee rates: 0 < floor <= fallback <= max");
        }
        this.rpc = rpc;
        this.floor = floor;
        this.fallback = fallback;
        this.max = max;
    }

    /** How soon a transfer should confirm: the confirmation target handed to {@code estimatesmartfee}. */
    private static int targetBlocks(FeePriority priority) {
        return switch (priority) {
            case LOW -> 24;
            case NORMAL -> 6;
            case HIGH -> 2;
        };
    }

    @Override
    public FeeRate max() {
        return max;
    }

    @Override
    public FeeRate estimate(FeePriority priority) {
        FeeRate rate;
        try {
            JsonNode r = rpc.call("estimatesmartfee", targetBlocks(priority), "conservative");
            long milli = r.hasNonNull("feerate") ? new BigDecimal(r.get("feerate").asText()).movePointRight(8).longValue() : 0; // BTC/kvB = milli-sat/vB
            if (milli > 0) {
                rate = FeeRate.milliSatPerVbyte(milli);
            } else {
                LOG.fine(() -> "estimatesmartfee has no estimate (" + r.path("errors") + "); using the fallback fee rate");
                rate = fallback;
            }
        } catch (BitcoinRpcException | ChainUnavailableException e) {
            LOG.warning("fee estimation failed (" + e.getMessage() + "); using the fallback fee rate");
            rate = fallback;
        }
        return FeeRate.max(floor, max.isAbove(rate) ? rate : max);
    }
}
