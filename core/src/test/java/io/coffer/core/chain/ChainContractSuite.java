package io.coffer.core.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.core.CofferSchema;
import io.coffer.core.custody.AccountScheme;
import io.coffer.core.custody.TestKeys;
import io.coffer.core.custody.Vault;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import io.coffer.core.transfer.Withdrawal;
import io.coffer.core.transfer.WithdrawalLedger;
import io.coffer.core.transfer.WithdrawalStatus;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every chain adapter passes on its real dev node: deposit lifecycle, reorgs of several
 * depths, a reorg while the node is down, catch-up after downtime, balance conservation at every
 * step, and a confirmed withdrawal reorged out, conflicted and restored. Each test makes its own wallet (own keys, own addresses), so tests share the node safely.
 *
 * <p>Subclasses (in the chain modules) connect a real node and implement the chain actions.
 */
public abstract class ChainContractSuite {
    /** Confirmations required and reorg-safety depth used by the suite's followers. */
    protected static final int CONFIRMATIONS = 2;
    protected static final int SAFETY = 4;

    private final List<Store> stores = new ArrayList<>();
    private final List<Path> dirs = new ArrayList<>();

    /** The chain source under test, connected to the real node. */
    protected abstract ChainSource source();

    protected abstract AddressBook.Encoder encoder();

    protected abstract AccountScheme scheme();

    /** The asset id that {@link #pay} pays (the chain's native asset). */
    protected abstract String asset();

    /** Pays {@code amount} base units to {@code address} from the node's funded wallet; returns the txid (in the mempool). */
    protected abstract String pay(String address, BigInteger amount);

    /** Mines {@code blocks} blocks including the mempool. */
    protected abstract void mine(int blocks);

    /**
     * Replaces the last {@code depth} blocks: their transactions go back to the mempool and are mined
     * again in the {@code depth + 1} new blocks.
     */
    protected abstract void reorg(int depth);

    /** A withdrawal conflicted out by {@link #conflictOut}: the chain's own way of bringing its branch back. */
    protected interface Conflict {
        /** The branch holding the withdrawal's own transaction wins again. */
        void restore();
    }

    /** The chain's withdrawal service over the wallet's store, address book and (unsealed) keys. */
    protected abstract WithdrawalLedger withdrawals(Wallet w);

    /**
     * Funds the wallet from the node's own and sends {@code amount} of the native asset from it to an address outside it;
     * returns the withdrawal, sent (its block not mined yet, or just mined).
     */
    protected abstract Withdrawal fundAndWithdraw(Wallet w, ChainFollower f, WithdrawalLedger ledger, BigInteger amount);

    /**
     * Replaces the blocks holding {@code sent} by a branch in which another transaction takes what it spends (UTXO: the
     * payment that funded it is double-spent; account chains: its nonce is used by another transaction of the same key); the
     * replaced branch can be brought back by {@link Conflict#restore()}.
     */
    protected abstract Conflict conflictOut(Wallet w, Withdrawal sent);

    /** A wallet of the suite: its store, address book, unsealed vault and a way to make followers (restarts). */
    protected final class Wallet {
        final Store store;
        final AddressBook book;
        final Vault vault;

        Wallet(Store store, AddressBook book, Vault vault) {
            this.store = store;
            this.book = book;
            this.vault = vault;
        }

        public Store store() {
            return store;
        }

        public AddressBook book() {
            return book;
        }

        public Vault vault() {
            return vault;
        }

        public ChainFollower follower() {
            return new ChainFollower(store, source(), book, CONFIRMATIONS, SAFETY, Clock.systemUTC());
        }

        public String newAddress() {
            return book.next(0, 0).address();
        }
    }

    protected Wallet wallet() {
        try {
            Path dir = Files.createTempDirectory("coffer-contract-");
            dirs.add(dir);
            Store store = LevelDbStore.open(dir, CofferSchema.current());
            stores.add(store);
            Vault vault = TestKeys.unsealed(store, dir);
            AddressBook book = new AddressBook(store, source().chain(), scheme(), vault.publicKeys(), encoder(), 20);
            book.watchAccount(0);
            return new Wallet(store, book, vault);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterEach
    void closeStores() {
        stores.forEach(Store::close);
    }

    /** Polls until the follower is at the node's tip (a catch-up may need several polls). */
    protected static void sync(ChainFollower f) {
        for (int i = 0; i < 1000; i++) {
            if (f.poll().caughtUp()) {
                return;
            }
        }
        throw new AssertionError("the follower did not catch up");
    }

    protected static List<String> trail(ChainFollower f) {
        return f.events(0, 10_000).stream().map(e -> e.deposit().status() + "/" + e.deposit().confirmations()).toList();
    }

    private void assertConserved(ChainFollower f, BigInteger amount) {
        ChainFollower.Balance b = f.balance(0, asset());
        assertEquals(amount, b.confirmed().add(b.pending()), "confirmed + pending is conserved: " + b);
    }

    @Test
    void aDepositIsSeenThenConfirmsThenIsFinalWithEachEventOnce() {
        Wallet w = wallet();
        ChainFollower f = w.follower();
        sync(f);
        BigInteger amount = BigInteger.valueOf(123_456);
        String txid = pay(w.newAddress(), amount);
        sync(f);
        sync(f);
        assertEquals(List.of("SEEN/0"), trail(f));
        mine(1);
        sync(f);
        assertConserved(f, amount);
        assertEquals(BigInteger.ZERO, f.balance(0, asset()).confirmed());
        mine(1);
        sync(f);
        assertEquals(amount, f.balance(0, asset()).confirmed());
        mine(2);
        sync(f);
        assertEquals(List.of("SEEN/0", "CONFIRMING/1", "CONFIRMED/2", "FINAL/4"), trail(f));
        Deposit d = f.events(0, 10).get(3).deposit();
        assertEquals(txid, d.id().txid());
        assertEquals(amount, d.amount());
        // A restarted follower repeats nothing.
        ChainFollower restarted = w.follower();
        mine(1);
        sync(restarted);
        assertEquals(4, restarted.events(0, 100).size());
    }

    @Test
    void reorgOfDepth1() {
        reorgScenario(1);
    }

    @Test
    void reorgOfDepth2() {
        reorgScenario(2);
    }

    @Test
    void reorgDeeperThanTheConfirmationTarget() {
        reorgScenario(CONFIRMATIONS + 1);
    }

    private void reorgScenario(int depth) {
        Wallet w = wallet();
        ChainFollower f = w.follower();
        sync(f);
        BigInteger amount = BigInteger.valueOf(50_000L + depth);
        pay(w.newAddress(), amount);
        mine(depth);
        sync(f);
        assertConserved(f, amount);
        reorg(depth);
        sync(f);
        assertConserved(f, amount);
        List<String> t = trail(f);
        assertTrue(t.contains("REORGED/0"), "the reorg is an event: " + t);
        // Re-mined in the new chain: confirmed again once deep enough.
        mine(CONFIRMATIONS);
        sync(f);
        assertConserved(f, amount);
        assertEquals(amount, f.balance(0, asset()).confirmed(), trail(f).toString());
        String last = trail(f).get(trail(f).size() - 1);
        assertTrue(last.startsWith("CONFIRMED") || last.startsWith("FINAL"), trail(f).toString());
    }

    /**
     * A confirmed withdrawal whose blocks are replaced by a branch where what it spends is taken by another transaction is
     * CONFLICTED, not FAILED (its bytes left the node: only the chain decides), stays so while the conflict is short of the
     * safety depth, and is CONFIRMED again, with its own transaction, when its branch comes back. Each recorded step changes
     * something.
     */
    @Test
    void aConfirmedWithdrawalReorgedOutConflictedAndRestored() {
        Wallet w = wallet();
        ChainFollower f = w.follower();
        sync(f);
        WithdrawalLedger ledger = withdrawals(w);
        ledger.finalityDepth(SAFETY);
        List<String> recorded = new ArrayList<>();
        ledger.sink((batch, x) -> {
            batch.commit();
            recorded.add(x.status() + "/" + x.confirmations());
        });
        Withdrawal sent = fundAndWithdraw(w, f, ledger, BigInteger.valueOf(30_000));
        mine(CONFIRMATIONS);
        sync(f);
        ledger.track();
        assertEquals(WithdrawalStatus.CONFIRMED, ledger.get(sent.id()).orElseThrow().status(), recorded.toString());

        Conflict conflict = conflictOut(w, sent);
        sync(f);
        ledger.track();
        assertEquals(WithdrawalStatus.CONFLICTED, ledger.get(sent.id()).orElseThrow().status(), recorded.toString());
        mine(1);
        sync(f);
        ledger.track();
        assertEquals(WithdrawalStatus.CONFLICTED, ledger.get(sent.id()).orElseThrow().status(), "short of the safety depth");

        conflict.restore();
        mine(CONFIRMATIONS);
        sync(f);
        ledger.track();
        Withdrawal back = ledger.get(sent.id()).orElseThrow();
        assertEquals(WithdrawalStatus.CONFIRMED, back.status(), recorded.toString());
        assertEquals(sent.txid(), back.txid(), "its own transaction, not a new one");
        for (int i = 1; i < recorded.size(); i++) {
            assertTrue(!recorded.get(i).equals(recorded.get(i - 1)), "a recorded step changes something: " + recorded);
        }
        List<String> statuses = recorded.stream().map(r -> r.substring(0, r.indexOf('/'))).toList();
        assertTrue(!statuses.contains("FAILED"), recorded.toString());
        // From the first confirmation on, as the merchant sees the steps (the same status in a row is one step).
        List<String> steps = new ArrayList<>();
        for (String st : statuses.subList(statuses.indexOf("CONFIRMED"), statuses.size())) {
            if ((st.equals("CONFIRMED") || st.equals("CONFLICTED")) && (steps.isEmpty() || !steps.get(steps.size() - 1).equals(st))) {
                steps.add(st);
            }
        }
        assertEquals(List.of("CONFIRMED", "CONFLICTED", "CONFIRMED"), steps, recorded.toString());
    }

    /**
     * A withdrawal's standing asked right after the follower read the best block (a source may answer from what it read of that
     * block) is its standing asked plainly: before its block, in it, once that block is no longer the best, and in a best block
     * the follower has not read yet with the looks told ahead; and a source never says it was mined in none of the blocks that
     * came after a look when one of them holds it.
     */
    @Test
    void aWithdrawalsStandingWithTheBestBlockJustReadIsItsStandingAsked() {
        Wallet w = wallet();
        ChainFollower f = w.follower();
        sync(f);
        WithdrawalLedger ledger = withdrawals(w);
        Withdrawal sent = fundAndWithdraw(w, f, ledger, BigInteger.valueOf(30_000));
        List<String> inputs = sent.inputs().stream().map(DepositId::toString).toList();
        java.util.function.Supplier<BlockHeader> best = () -> source().header(source().tipHeight());
        sync(f);
        BlockHeader before = best.get();
        assertEquals(source().txStatus(sent.txid(), inputs), source().txStatus(sent.txid(), inputs, before));
        mine(1);
        sync(f);
        BlockHeader tip = best.get();
        TxStatus asked = source().txStatus(sent.txid(), inputs);
        assertEquals(TxState.IN_BLOCK, asked.state(), asked.toString());
        assertEquals(asked, source().txStatus(sent.txid(), inputs, tip));
        if (asked.blockHeight() > before.height()) {
            assertTrue(!source().noneMinedBetween(List.of(sent.txid()), before, tip), "mined in between: never said otherwise");
        }
        mine(1);
        sync(f);
        assertEquals(asked, source().txStatus(sent.txid(), inputs, tip), "that block no longer the best");
        assertEquals(asked, source().txStatus(sent.txid(), inputs, best.get()));

        // Mined in a best block the follower has not read yet, the looks told ahead (ChainSource.lookingAt).
        Withdrawal next = fundAndWithdraw(w, f, ledger, BigInteger.valueOf(20_000));
        List<String> nextInputs = next.inputs().stream().map(DepositId::toString).toList();
        mine(1);
        BlockHeader unread = best.get();
        source().lookingAt(List.of(sent.txid(), next.txid()), unread);
        TxStatus plain = source().txStatus(next.txid(), nextInputs);
        assertEquals(TxState.IN_BLOCK, plain.state(), plain.toString());
        assertEquals(plain, source().txStatus(next.txid(), nextInputs, unread));
        assertEquals(asked, source().txStatus(sent.txid(), inputs, unread));
    }

    @Test
    void aReorgWhileTheNodeIsDownIsReconciledAtStart() {
        Wallet w = wallet();
        ChainFollower f = w.follower();
        sync(f);
        BigInteger amount = BigInteger.valueOf(77_000);
        pay(w.newAddress(), amount);
        mine(2);
        sync(f);
        assertEquals(amount, f.balance(0, asset()).confirmed());
        // "Stopped": no follower polls while the chain reorganises.
        reorg(2);
        ChainFollower started = w.follower();
        sync(started);
        List<String> t = trail(started);
        assertTrue(t.contains("REORGED/0"), t.toString());
        assertConserved(started, amount);
        mine(CONFIRMATIONS);
        sync(started);
        assertEquals(amount, started.balance(0, asset()).confirmed());
    }

    @Test
    void catchUpAfterDowntimeEmitsEveryStepOnce() {
        Wallet w = wallet();
        ChainFollower f = w.follower();
        sync(f);
        BigInteger amount = BigInteger.valueOf(31_000);
        pay(w.newAddress(), amount);
        mine(1);
        sync(f);
        mine(SAFETY + 5); // while stopped
        ChainFollower started = w.follower();
        sync(started);
        List<String> t = trail(started);
        // Mined before the first look at the mempool: no SEEN; then each step once, block by block.
        assertEquals(List.of("CONFIRMING/1", "CONFIRMED/2", "FINAL/4"), t);
        assertEquals(amount, started.balance(0, asset()).confirmed());
    }
}
