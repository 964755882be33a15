package io.coffer.testkit;

/** A test's direct RPC call to a dev node failed; {@link #code()} is the node's error code, -1 for transport errors. */
public final class NodeRpcException extends RuntimeException {
    private final int code;

    NodeRpcException(String method, int code, String message) {
        super(method + ": " + message + " (code " + code + ")");
        this.code = code;
    }

    public int code() {
        return code;
    }
}
