package io.coffer.core.chain;

/** A deposit's identity on its chain: the transaction and the output (or log) index. */
public record DepositId(String txid, int index) {
    @Override
    public String toString() {
        return txid + ":" + index;
    }
}
