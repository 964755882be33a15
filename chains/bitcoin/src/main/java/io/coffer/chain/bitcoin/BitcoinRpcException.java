package io.coffer.chain.bitcoin;

import io.coffer.core.error.CofferException;
import io.coffer.core.error.ErrorKind;
import java.util.Map;

/**
 * bitcoind answered an RPC with an error. {@link #rpcCode()} is bitcoind's code (e.g. -26 rejected by
 * mempool policy, -27 already in the chain, -5 not found), which callers use to classify the outcome.
 */
public final class BitcoinRpcException extends CofferException {
    private final int rpcCode;

    public BitcoinRpcException(String chain, String method, int rpcCode, String message) {
        super(ErrorKind.UNAVAILABLE, "CHAIN_RPC_ERROR", null, "chain " + chain + ": " + method + " failed: " + message
                + " (code " + rpcCode + ")", Map.of("chain", chain, "rpc_code", Integer.toString(rpcCode)), null);
        this.rpcCode = rpcCode;
    }

    public int rpcCode() {
        return rpcCode;
    }
}
