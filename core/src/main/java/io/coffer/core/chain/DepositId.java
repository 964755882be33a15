package io.coffer.core.chain;

/** A deposit's identity on its chain: the transaction and the output (or log) index. */
public record DepositId(String txid, int index) {
    /** The id merchants see (events, payments, reports): {@code dep_<txid>:<index>}. One place, so they always agree. */
    public String publicId() {
        return "dep_" + this;
    }

    @Override
    public String toString() {
        return txid + ":" + index;
    }
}
