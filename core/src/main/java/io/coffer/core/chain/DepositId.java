package io.coffer.core.chain;

/** A deposit's identity on its chain: the transaction and the output (or log) index. */
public record DepositId(String txid, int index) {
    /** The id merchants see (events, payments, reports): {@code dep_<txid>:<index>}. One place, so they always agree. */
    public String publicId() {
        return "dep_" + this;
    }

    /**
     * The id {@link #toString()} wrote ({@code txid:index}), e.g. back from an index key or a deposit's list of spent outpoints.
     *
     * @throws IllegalArgumentException when {@code text} is not of that form
     */
    public static DepositId parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("not txid:index: " + text);
        }
        return new DepositId(text.substring(0, colon), Integer.parseUnsignedInt(text.substring(colon + 1)));
    }

    /** {@code txid:index}: the one text form (stored in index keys and in a deposit's spent outpoints). */
    @Override
    public String toString() {
        return txid + ":" + index;
    }
}
