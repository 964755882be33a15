package io.coffer.chain.evm;

import io.coffer.core.error.CofferException;
import io.coffer.core.error.ErrorKind;
import java.util.Map;

/** The EVM node answered an RPC with an error; {@link #rpcCode()} and the message say which. */
public final class EvmRpcException extends CofferException {
    private final int rpcCode;
    private final String nodeMessage;

    public EvmRpcException(String chain, String method, int rpcCode, String message) {
        super(ErrorKind.UNAVAILABLE, "CHAIN_RPC_ERROR", null, "chain " + chain + ": " + method + " failed: " + message
                + " (code " + rpcCode + ")", Map.of("chain", chain, "rpc_code", Integer.toString(rpcCode)), null);
        this.rpcCode = rpcCode;
        this.nodeMessage = message == null ? "" : message;
    }

    public int rpcCode() {
        return rpcCode;
    }

    /** The node's own message, e.g. "nonce too low". */
    public String nodeMessage() {
        return nodeMessage;
    }
}
