package io.coffer.core.chain;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;

/**
 * An incoming payment to one of the wallet's addresses, as the follower last saw it. Never deleted: a
 * reorged or replaced deposit keeps its row with that status.
 *
 * @param account       the HD account (tenant) the address belongs to
 * @param blockHeight   height of the block holding it, 0 when in no block
 * @param blockHash     hash of that block, "" when in no block
 * @param confirmations 0 when in no block, else tip - height + 1
 * @param inputs        outpoints the paying transaction spends ("txid:vout"; empty on account chains)
 */
public record Deposit(String chain, DepositId id, String address, int account, String asset, BigInteger amount,
                      DepositStatus status, long blockHeight, String blockHash, int confirmations, Instant firstSeen,
                      Instant updatedAt, List<String> inputs) {
    public Deposit {
        inputs = List.copyOf(inputs);
    }

    Deposit with(DepositStatus status, long blockHeight, String blockHash, int confirmations, Instant now) {
        return new Deposit(chain, id, address, account, asset, amount, status, blockHeight, blockHash, confirmations, firstSeen, now, inputs);
    }
}
