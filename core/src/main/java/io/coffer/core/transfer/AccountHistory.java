package io.coffer.core.transfer;

import io.coffer.core.chain.ChainTables;
import io.coffer.core.chain.Deposit;
import io.coffer.core.chain.DepositId;
import io.coffer.core.store.KeyRangePages;
import io.coffer.core.store.Store;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * An account's history on every chain, newest first, read page by page from the account-activity index (0x2c) from a cursor:
 * deposits (without those made by the wallet's own transactions — its change, its sweeps' arrivals) and withdrawals (sweeps
 * and top-ups flagged internal), each with its state now. Paged like tenant lists ({@link KeyRangePages}): a page scans a
 * bounded stretch of the index, so it may be short (even empty) with a cursor when a filter skips much.
 */
public final class AccountHistory {
    /** Index rows one page may scan before it answers with what it found and a cursor. */
    public static final int SCAN_LIMIT = 5_000;
    private final Store store;

    public AccountHistory(Store store) {
        this.store = store;
    }

    /** One page; {@code next} is where the next one starts (exclusive), empty at the end. */
    public record Page(List<HistoryEntry> items, Optional<ChainTables.AccountActivity> next) {
    }

    /**
     * Up to {@code size} entries of {@code account} at {@code [from, to)}, newest first, below {@code after} when given, of
     * {@code asset} only when not empty.
     */
    public Page page(int account, Instant from, Instant to, String asset, Optional<ChainTables.AccountActivity> after, int size) {
        if (after.isPresent() && after.get().account() != account) {
            throw new IllegalArgumentException("a cursor of another account");
        }
        ChainTables.AccountActivity low = new ChainTables.AccountActivity(account, io.coffer.core.tenant.TenantPages.millis(from), "", ChainTables.ActivityKind.DEPOSIT, "");
        ChainTables.AccountActivity high = after.orElse(new ChainTables.AccountActivity(account, io.coffer.core.tenant.TenantPages.millis(to), "",
                ChainTables.ActivityKind.DEPOSIT, ""));
        KeyRangePages.Page<HistoryEntry, ChainTables.AccountActivity> page = KeyRangePages.descending(store, ChainTables.ACCOUNT_ACTIVITY,
                low, high, size, SCAN_LIMIT, (row, empty) -> entry(row).filter(h -> asset.isEmpty() || h.asset().equals(asset)));
        return new Page(page.items(), page.next());
    }

    private Optional<HistoryEntry> entry(ChainTables.AccountActivity row) {
        if (row.kind() == ChainTables.ActivityKind.WITHDRAWAL) {
            return store.get(TransferTables.WITHDRAWALS, new TransferTables.ChainKey(row.chain(), row.id())).map(w -> new HistoryEntry(
                    w.id(), false, w.asset(), w.amount(), w.fee(), w.txid(), w.confirmations(), w.status().progress(), w.destination(),
                    w.createdAt(), w.origin().internal()));
        }
        DepositId id = DepositId.parse(row.id());
        if (store.get(ChainTables.OWN_TXIDS, new ChainTables.ChainAddress(row.chain(), id.txid())).isPresent()) {
            return Optional.empty(); // made by one of the wallet's own transactions: not income
        }
        return store.get(ChainTables.DEPOSITS, new ChainTables.ChainDeposit(row.chain(), id)).map((Deposit d) -> new HistoryEntry(
                d.id().toString(), true, d.asset(), d.amount(), BigInteger.ZERO, d.id().txid(), d.confirmations(), io.coffer.core.chain.TxProgress.of(d.status()),
                d.address(), d.firstSeen(), false));
    }
}
