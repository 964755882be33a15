package io.coffer.core.transfer;

import java.math.BigInteger;
import java.time.Instant;

/**
 * One line of an account's history: a deposit (in) or a withdrawal (out).
 *
 * @param id            deposit id "txid:index" or withdrawal id "wd_..."
 * @param fee           the network fee paid, 0 for deposits
 * @param status        how far its transaction has got
 * @param confirmations confirmations now
 * @param internal      a sweep or gas top-up between the account's own addresses
 */
public record HistoryEntry(String id, boolean incoming, String asset, BigInteger amount, BigInteger fee, String txid, int confirmations,
                           io.coffer.core.chain.TxProgress status, String address, Instant at, boolean internal) {
}
