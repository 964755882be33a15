package io.coffer.core.chain;

import io.coffer.core.store.Store;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * The wallet's coins spent on chain by transactions this ledger did not make: each spend the follower recorded
 * from a block of the best chain whose transaction is none of the wallet's withdrawals. On a healthy node there are none —
 * sweeps and change are the wallet's own transactions. After a restore they are the transfers made after the backup (the
 * operator checks them before releasing the node); otherwise they mean the keys were used outside Coffer.
 */
public final class ForeignSpends {
    private ForeignSpends() {
    }

    /**
     * One coin of the wallet spent by a transaction the ledger does not know; on account chains the coin is the sender's nonce
     * slot ({@code address:nonce}), the amount what the transaction moved and {@code fee} what it paid (empty and 0 on UTXO
     * chains, where the coin's amount holds it).
     */
    public record Spend(String chain, DepositId coin, String asset, BigInteger amount, String feeAsset, BigInteger fee, String spentBy,
                        long height) {
    }

    /** Every such spend, by chain and coin. Reads the spent-outputs table whole: an operator's check, not a hot path. */
    public static List<Spend> find(Store store) {
        return find(store, ChainTables.SPENT_OUTPUTS.all());
    }

    /** The spends of one chain (its part of the table, by key range). */
    public static List<Spend> find(Store store, String chain) {
        return find(store, ChainTables.SPENT_OUTPUTS.prefix(io.coffer.core.store.KeyWriter.key().string(chain).build()));
    }

    private static List<Spend> find(Store store, io.coffer.core.store.KeyRange range) {
        List<Spend> out = new ArrayList<>();
        try (var c = store.scan(range, ChainTables.SPENT_OUTPUTS)) {
            while (c.hasNext()) {
                var e = c.next();
                ChainTables.ChainDeposit coin = e.getKey();
                ChainTables.SpentOutput by = e.getValue();
                if (store.get(ChainTables.OWN_TXIDS, new ChainTables.ChainAddress(coin.chain(), by.txid())).isEmpty()) {
                    if (!by.asset().isEmpty()) { // an account chain's transaction from a wallet address
                        out.add(new Spend(coin.chain(), coin.id(), by.asset(), by.amount(), by.feeAsset(), by.fee(), by.txid(),
                                by.height()));
                        continue;
                    }
                    var deposit = store.get(ChainTables.DEPOSITS, coin);
                    out.add(new Spend(coin.chain(), coin.id(), deposit.map(Deposit::asset).orElse(""),
                            deposit.map(Deposit::amount).orElse(BigInteger.ZERO), "", BigInteger.ZERO, by.txid(), by.height()));
                }
            }
        }
        return out;
    }
}
