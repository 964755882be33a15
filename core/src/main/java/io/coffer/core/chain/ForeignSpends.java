package io.coffer.core.chain;

import io.coffer.core.store.Store;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * The wallet's coins spent on chain by transactions this ledger did not make (UTXO chains): each spend the follower recorded
 * from a block of the best chain whose transaction is none of the wallet's withdrawals. On a healthy node there are none —
 * sweeps and change are the wallet's own transactions. After a restore they are the transfers made after the backup (the
 * operator checks them before releasing the node); otherwise they mean the keys were used outside Coffer.
 */
public final class ForeignSpends {
    private ForeignSpends() {
    }

    /** One coin of the wallet spent by a transaction the ledger does not know. */
    public record Spend(String chain, DepositId coin, String asset, BigInteger amount, String spentBy, long height) {
    }

    /** Every such spend, by chain and coin. Reads the spent-outputs table whole: an operator's check, not a hot path. */
    public static List<Spend> find(Store store) {
        List<Spend> out = new ArrayList<>();
        try (var c = store.scan(ChainTables.SPENT_OUTPUTS.all(), ChainTables.SPENT_OUTPUTS)) {
            while (c.hasNext()) {
                var e = c.next();
                ChainTables.ChainDeposit coin = e.getKey();
                ChainTables.SpentOutput by = e.getValue();
                if (store.get(ChainTables.OWN_TXIDS, new ChainTables.ChainAddress(coin.chain(), by.txid())).isEmpty()) {
                    var deposit = store.get(ChainTables.DEPOSITS, coin);
                    out.add(new Spend(coin.chain(), coin.id(), deposit.map(Deposit::asset).orElse(""),
                            deposit.map(Deposit::amount).orElse(BigInteger.ZERO), by.txid(), by.height()));
                }
            }
        }
        return out;
    }
}
