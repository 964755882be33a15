package io.coffer.core.chain;

import io.coffer.core.store.Store;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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

    /**
     * Keeps {@link ChainTables#FOREIGN_SPENDS} for {@code chain} in the batches that write its spends: a spend recorded whose
     * transaction is none of the wallet's is filed there, and leaves with its spend (a reorg disconnecting the block). The
     * wallet's transaction ids are written before its transactions are broadcast, so which a spend is can be told when the
     * follower records it; {@link #find} checks the few filed again (a row written there is only ever a candidate).
     */
    public static void keep(Store store, String chain) {
        store.derive("foreign spends (" + chain + ")", new Index(io.coffer.core.store.KeyWriter.key().string(chain).build()));
    }

    private record Index(byte[] chainPrefix) implements io.coffer.core.store.Derivation {
        @Override
        public java.util.Set<io.coffer.core.store.Table<?, ?>> reads() {
            return java.util.Set.of(ChainTables.SPENT_OUTPUTS);
        }

        @Override
        public byte[] keyPrefix() {
            return chainPrefix.clone();
        }

        @Override
        public void derive(io.coffer.core.store.Batch batch, io.coffer.core.store.Reader before) {
            var own = batch.changes(ChainTables.OWN_TXIDS);
            batch.changes(ChainTables.SPENT_OUTPUTS).forEach((coin, spend) -> {
                ChainTables.ChainAddress txid = spend.map(s -> new ChainTables.ChainAddress(coin.chain(), s.txid())).orElse(null);
                boolean ours = txid != null && (own.getOrDefault(txid, Optional.empty()).isPresent()
                        || before.get(ChainTables.OWN_TXIDS, txid).isPresent());
                if (txid == null || ours) {
                    batch.delete(ChainTables.FOREIGN_SPENDS, coin);
                } else {
                    batch.put(ChainTables.FOREIGN_SPENDS, coin, "");
                }
            });
        }
    }

    /** The schema's migration to {@link ChainTables#FOREIGN_SPENDS}: files the spends recorded so far that are foreign. */
    public static void index(Store store, io.coffer.core.store.Batch batch) {
        store.forEach(ChainTables.SPENT_OUTPUTS.all(), ChainTables.SPENT_OUTPUTS, (coin, spend) -> {
            if (store.get(ChainTables.OWN_TXIDS, new ChainTables.ChainAddress(coin.chain(), spend.txid())).isEmpty()) {
                batch.put(ChainTables.FOREIGN_SPENDS, coin, "");
            }
        });
    }

    /** Every such spend, by chain and coin: the filed ones, each checked again (normally none, whatever the history). */
    public static List<Spend> find(Store store) {
        return find(store, ChainTables.FOREIGN_SPENDS.all());
    }

    /** The spends of one chain (its part of the index, by key range). */
    public static List<Spend> find(Store store, String chain) {
        return find(store, ChainTables.FOREIGN_SPENDS.prefix(io.coffer.core.store.KeyWriter.key().string(chain).build()));
    }

    private static List<Spend> find(Store store, io.coffer.core.store.KeyRange range) {
        List<Spend> out = new ArrayList<>();
        try (var c = store.scan(range, ChainTables.FOREIGN_SPENDS)) {
            while (c.hasNext()) {
                ChainTables.ChainDeposit coin = c.next().getKey();
                Optional<ChainTables.SpentOutput> spent = store.get(ChainTables.SPENT_OUTPUTS, coin);
                if (spent.isEmpty()) {
                    continue;
                }
                ChainTables.SpentOutput by = spent.get();
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
