package io.coffer.core.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.core.CofferSchema;
import io.coffer.core.chain.ChainTables;
import io.coffer.core.chain.Deposit;
import io.coffer.core.chain.DepositId;
import io.coffer.core.chain.DepositStatus;
import io.coffer.core.store.Batch;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An account's history across two chains, paged newest first from the activity index: every deposit and withdrawal once,
 * the wallet's own change never as income, other accounts never, the asset and time filters, and entries showing their
 * state now (the index row is written once; the record moves on).
 */
class AccountHistoryTest {
    private static final Instant BASE = Instant.parse("2026-02-01T00:00:00Z");
    @TempDir
    Path dir;
    Store store;

    @BeforeEach
    void open() {
        store = LevelDbStore.open(dir, CofferSchema.current());
    }

    @AfterEach
    void close() {
        store.close();
    }

    /** A distinct txid per (i, kind). */
    private static String hex(int i, char kind) {
        return kind + String.format("%063x", i);
    }

    private void deposit(Batch b, String chain, int account, int i, String txid) {
        Deposit d = new Deposit(chain, new DepositId(txid, i % 3), "addr-" + i, account, chain.equals("bitcoin") ? "bitcoin/BTC" : "ethereum/ETH",
                BigInteger.valueOf(1000 + i), DepositStatus.CONFIRMING, 100, "00", 1, BASE.plusMillis(i), BASE.plusMillis(i), List.of());
        b.put(ChainTables.DEPOSITS, new ChainTables.ChainDeposit(chain, d.id()), d);
        b.put(ChainTables.ACCOUNT_ACTIVITY, ChainTables.activityOf(d), "");
    }

    private Withdrawal withdrawal(Batch b, String chain, int account, int i, String key) {
        Withdrawal w = new Withdrawal("wd_" + i, chain, account, "dest", BigInteger.valueOf(500 + i), BigInteger.ONE, 1000,
                WithdrawalStatus.BROADCAST, hex(i, 'w'), new byte[] {1}, List.of(), 1, List.of(), key, 0, "", BASE.plusMillis(i),
                BASE.plusMillis(i), chain.equals("bitcoin") ? "bitcoin/BTC" : "ethereum/ETH", "");
        b.put(TransferTables.WITHDRAWALS, new TransferTables.ChainKey(chain, w.id()), w);
        WithdrawalLedger.indexWithdrawal(b, w);
        return w;
    }

    @Test
    void pagesThroughEveryEntryOfTheAccountOnceNewestFirst() {
        Batch b = store.batch();
        List<String> expected = new ArrayList<>(); // newest first is built below by reversing
        for (int i = 0; i < 3_000; i++) {
            String chain = i % 2 == 0 ? "bitcoin" : "ethereum";
            switch (i % 5) {
                case 0 -> {
                    Withdrawal w = withdrawal(b, chain, 0, i, i % 10 == 0 ? "sweep:addr:" + i : "tr_" + i);
                    expected.add(w.id());
                }
                case 1 -> deposit(b, i % 2 == 0 ? "ethereum" : "bitcoin", 0, i, hex(i - 1, 'w')); // the change of the withdrawal just
                // before, on its chain: not income
                case 2 -> deposit(b, chain, 1, i, hex(i, 'd')); // another account's
                default -> {
                    deposit(b, chain, 0, i, hex(i, 'd'));
                    expected.add(hex(i, 'd') + ":" + (i % 3));
                }
            }
        }
        b.commit();
        java.util.Collections.reverse(expected);
        AccountHistory history = new AccountHistory(store);
        List<HistoryEntry> got = new ArrayList<>();
        Optional<ChainTables.AccountActivity> cursor = Optional.empty();
        do {
            AccountHistory.Page p = history.page(0, Instant.MIN, Instant.MAX, "", cursor, 7);
            assertTrue(p.items().size() <= 7);
            got.addAll(p.items());
            cursor = p.next();
        } while (cursor.isPresent());
        assertEquals(expected, got.stream().map(HistoryEntry::id).toList(), "newest first, each once, no change, no other account");
        assertEquals(got.size(), new HashSet<>(got.stream().map(HistoryEntry::id).toList()).size());
        assertTrue(got.stream().filter(h -> h.id().startsWith("wd_")).anyMatch(HistoryEntry::internal), "sweeps are internal");

        // Filters: one asset, a time range.
        List<HistoryEntry> eth = new ArrayList<>();
        cursor = Optional.empty();
        do {
            AccountHistory.Page p = history.page(0, Instant.MIN, Instant.MAX, "ethereum/ETH", cursor, 50);
            eth.addAll(p.items());
            cursor = p.next();
        } while (cursor.isPresent());
        assertEquals(got.stream().filter(h -> h.asset().equals("ethereum/ETH")).map(HistoryEntry::id).toList(),
                eth.stream().map(HistoryEntry::id).toList());
        AccountHistory.Page range = history.page(0, BASE.plusMillis(100), BASE.plusMillis(110), "", Optional.empty(), 50);
        assertEquals(got.stream().filter(h -> !h.at().isBefore(BASE.plusMillis(100)) && h.at().isBefore(BASE.plusMillis(110)))
                .map(HistoryEntry::id).toList(), range.items().stream().map(HistoryEntry::id).toList());
        assertTrue(range.next().isEmpty());
    }

    @Test
    void anEntryShowsItsStateNow() {
        Batch b = store.batch();
        Withdrawal w = withdrawal(b, "bitcoin", 0, 1, "tr_1");
        b.commit();
        Batch later = store.batch();
        Withdrawal confirmed = w.with(WithdrawalStatus.CONFIRMED, 3, "", BASE.plusSeconds(600));
        later.put(TransferTables.WITHDRAWALS, new TransferTables.ChainKey("bitcoin", w.id()), confirmed);
        WithdrawalLedger.indexWithdrawal(later, confirmed); // rewritten alike: the row is the same
        later.commit();
        List<HistoryEntry> items = new AccountHistory(store).page(0, Instant.MIN, Instant.MAX, "", Optional.empty(), 10).items();
        assertEquals(1, items.size());
        assertEquals(io.coffer.core.chain.TxProgress.CONFIRMED, items.get(0).status());
        assertEquals(3, items.get(0).confirmations());
    }
}
