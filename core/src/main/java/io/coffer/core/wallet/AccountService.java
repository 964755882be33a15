package io.coffer.core.wallet;

import io.coffer.core.chain.AddressBook;
import io.coffer.core.chain.ChainTables;
import io.coffer.core.driver.AssetInfo;
import io.coffer.core.driver.ChainModule;
import io.coffer.core.driver.ChainRegistry;
import io.coffer.core.error.CofferException;
import io.coffer.core.store.Store;
import io.coffer.core.transfer.AccountHistory;
import io.coffer.core.transfer.WithdrawalLedger;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A tenant's HD account on every followed chain: what it holds, where it receives, what happened. Every method takes the
 * account index of the caller's tenant; nothing here can name another tenant's account.
 */
public final class AccountService {
    private final ChainRegistry chains;
    private final AccountHistory history;
    private final Clock clock;

    public AccountService(ChainRegistry chains, Store store, Clock clock) {
        this.chains = chains;
        this.history = new AccountHistory(store);
        this.clock = clock;
    }

    /** The assets of the followed chains, native coins first on each chain. */
    public List<AssetInfo> assets() {
        return chains.assets();
    }

    /** @throws CofferException INVALID_ARGUMENT ASSET_UNKNOWN for an asset no followed chain carries */
    public AccountBalance balance(int account, String asset) {
        ChainModule m = chains.requireAsset(asset);
        WithdrawalLedger.Balance b = m.balance(account, asset);
        return new AccountBalance(asset, b.confirmed(), b.pendingIncoming(), b.pendingOutgoing(), m.processedHeight());
    }

    /** Every asset's balance, in {@link #assets()} order. */
    public List<AccountBalance> balances(int account) {
        return assets().stream().map(a -> balance(account, a.id())).toList();
    }

    /**
     * One page of the account's history on every chain (see {@link AccountHistory}), of {@code asset} only when not empty.
     *
     * @throws CofferException INVALID_ARGUMENT ASSET_UNKNOWN for a named asset no followed chain carries
     */
    public AccountHistory.Page history(int account, Instant from, Instant to, String asset, Optional<ChainTables.AccountActivity> after,
            int size) {
        if (!asset.isEmpty()) {
            chains.requireAsset(asset);
        }
        return history.page(account, from, to, asset, after, size);
    }

    /** A fresh receive address for {@code asset}, labelled (the label and the time are kept with it). */
    public DepositAddress newAddress(int account, String asset, String label) {
        ChainModule m = chains.requireAsset(asset);
        // Milliseconds: what the store keeps, so the address's time reads back the same when listed.
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        AddressBook.Issued issued = m.receivingAddresses().next(account, 0, new ChainTables.AddressNote(label, now));
        return new DepositAddress(issued.address(), m.chain(), issued.path(), label, Optional.of(now));
    }

    /** Where a page of deposit addresses ended: the chain and the index of its last address (the next page starts below it). */
    public record AddressCursor(String chain, int index) {
    }

    /** One page of deposit addresses; {@code next} empty at the end. */
    public record AddressPage(List<DepositAddress> items, Optional<AddressCursor> next) {
    }

    /**
     * The account's receive addresses on {@code chain} (every followed chain when empty), newest first: the last configured
     * chain's newest address first, each chain's addresses by index downwards, then the chain before it. A page derives only its
     * own addresses, and addresses issued meanwhile (at the top) never shift the pages below.
     *
     * @throws CofferException INVALID_ARGUMENT CHAIN_UNKNOWN for a chain not followed; PAGE_TOKEN_INVALID for a cursor of no chain
     */
    public AddressPage addresses(int account, String chain, Optional<AddressCursor> after, int size) {
        if (!chain.isEmpty() && chains.module(chain).isEmpty()) {
            throw CofferException.invalid("chain", "CHAIN_UNKNOWN", "unknown chain; ListAssets names the chains");
        }
        List<ChainModule> order = new ArrayList<>(chains.modules());
        Collections.reverse(order);
        order.removeIf(m -> !chain.isEmpty() && !m.chain().equals(chain));
        int first = 0;
        if (after.isPresent()) {
            first = -1;
            for (int i = 0; i < order.size(); i++) {
                if (order.get(i).chain().equals(after.get().chain())) {
                    first = i;
                }
            }
            if (first < 0) {
                throw CofferException.invalid("page.page_token", "PAGE_TOKEN_INVALID", "not a token from a previous reply");
            }
        }
        List<DepositAddress> out = new ArrayList<>();
        for (int c = first; c < order.size(); c++) {
            ChainModule m = order.get(c);
            int top = after.isPresent() && c == first ? Math.min(after.get().index(), m.addresses().issuedCount(account, 0))
                    : m.addresses().issuedCount(account, 0);
            for (int i = top - 1; i >= 0; i--) {
                if (out.size() == size) {
                    return new AddressPage(out, Optional.of(new AddressCursor(order.get(c).chain(), i + 1)));
                }
                AddressBook.Issued issued = m.addresses().issuedAt(account, 0, i);
                // Addresses issued for payment requests or found used carry no note; ones asked for do.
                Optional<ChainTables.AddressNote> note = m.addresses().note(issued.address());
                out.add(new DepositAddress(issued.address(), m.chain(), issued.path(), note.map(ChainTables.AddressNote::label).orElse(""),
                        note.map(ChainTables.AddressNote::issuedAt)));
            }
        }
        return new AddressPage(out, Optional.empty());
    }
}
