package io.coffer.core.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.core.CofferSchema;
import io.coffer.core.custody.AccountScheme;
import io.coffer.core.audit.AuditLog;
import io.coffer.core.custody.Ceremony;
import io.coffer.core.custody.SeedFile;
import io.coffer.core.custody.Vault;
import io.coffer.core.keys.Hashes;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The follower's bookkeeping against a scripted chain (pure logic: ordering, atomicity, state rules).
 * Real chain behaviour is the contract suite's job, on bitcoind and anvil.
 */
class ChainFollowerTest {
    @TempDir
    Path dir;
    Store store;
    FakeChainSource chain;
    AddressBook book;
    String a0;
    Vault vault;

    @BeforeEach
    void setUp() {
        store = LevelDbStore.open(dir, CofferSchema.current());
        AuditLog audit = new AuditLog(store, Clock.systemUTC());
        new Ceremony(store, dir, audit, new SecureRandom(), Clock.systemUTC())
                .init(new Ceremony.Split(1, 1, new char[0], null, SeedFile.DEFAULT_KDF), "test").shares();
        vault = new Vault(store, dir, audit);
        chain = new FakeChainSource("fake");
        book = new AddressBook(store, "fake", AccountScheme.BIP84_TEST, vault.publicKeys(),
                pub -> "addr-" + HexFormat.of().formatHex(Hashes.hash160(pub)), 5);
        book.watchAccount(0);
        a0 = book.next(0, 0).address();
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private ChainFollower follower() {
        return new ChainFollower(store, chain, book, 2, 4, Clock.systemUTC());
    }

    private static Payment pay(String txid, String address, long sats) {
        return new Payment(txid, 0, address, "fake/BTC", BigInteger.valueOf(sats));
    }

    private static List<String> trail(ChainFollower f, long after) {
        return f.events(after, 1000).stream().map(e -> e.deposit().status() + "/" + e.deposit().confirmations()).toList();
    }

    /**
     * A block spending the wallet's outputs is recorded as spending them, by a follower that recorded them and by one started
     * afresh over the same store (which knows the wallet's deposits from the store, not from its own run); spends of outputs
     * the wallet never had are not recorded.
     */
    @Test
    void spendsOfTheWalletsOutputsAreFoundBeforeAndAfterARestart() {
        ChainFollower f = follower();
        f.poll();
        chain.mine(pay("t1", a0, 5000), pay("t2", a0, 7000));
        f.poll();
        chain.mine(List.of(new OutpointSpend(new DepositId("t1", 0), "spender-1"), new OutpointSpend(new DepositId("stranger", 0), "s")));
        f.poll();
        assertTrue(store.get(ChainTables.SPENT_OUTPUTS, new ChainTables.ChainDeposit("fake", new DepositId("t1", 0))).isPresent());
        assertTrue(store.get(ChainTables.SPENT_OUTPUTS, new ChainTables.ChainDeposit("fake", new DepositId("stranger", 0))).isEmpty());

        ChainFollower restarted = follower();
        chain.mine(List.of(new OutpointSpend(new DepositId("t2", 0), "spender-2"), new OutpointSpend(new DepositId("t2", 1), "s")));
        restarted.poll();
        assertEquals(java.util.Optional.of("spender-2"), store.get(ChainTables.SPENT_OUTPUTS,
                new ChainTables.ChainDeposit("fake", new DepositId("t2", 0))).map(ChainTables.SpentOutput::txid));
        assertTrue(store.get(ChainTables.SPENT_OUTPUTS, new ChainTables.ChainDeposit("fake", new DepositId("t2", 1))).isEmpty(),
                "the same transaction's other output was never the wallet's");
    }

    /**
     * A new wallet follows the chain from the block where it was anchored: an address handed out (which anchors) before the
     * follower's first poll, and paid in a block mined before that poll, is found. Without the anchor the first poll would take
     * that block as its start and never see the payment (a slow first round lost a test's funds this way).
     */
    @Test
    void aPaymentMinedBeforeTheFirstPollToAnAddressHandedOutBeforeItIsFound() {
        chain.mine();
        ChainFollower f = follower();
        f.anchor();
        assertEquals(1, f.cursor().orElseThrow().height(), "anchored at the tip");
        f.anchor(); // again: nothing moves
        chain.mine(pay("t1", a0, 5000));
        chain.mine();
        f.poll();
        assertEquals(List.of("CONFIRMED/2"), f.depositsTo(a0).stream().map(d -> d.status() + "/" + d.confirmations()).toList());
        assertEquals(3, f.cursor().orElseThrow().height());
    }

    /**
     * A rescan from height 0 scans from block 1 (a genesis block pays nobody: before, 0 cleared the cursor and the next poll
     * started at the tip, scanning nothing); a height above the tip is refused naming the field and changes nothing.
     */
    @Test
    void aRescanFromZeroScansFromTheFirstBlockAndOneAboveTheTipIsRefused() {
        chain.mine(pay("t1", a0, 5000));
        chain.mine(pay("t2", a0, 6000));
        ChainFollower f = follower();
        f.poll();
        assertEquals(List.of(), f.depositsTo(a0), "a new wallet starts after the tip's block");
        f.rescanFrom(0);
        assertEquals(0, f.cursor().orElseThrow().height());
        f.poll();
        assertEquals(List.of("t1", "t2"), f.depositsTo(a0).stream().map(d -> d.id().txid()).sorted().toList());
        for (long bad : new long[] {3, Long.MIN_VALUE}) {
            var e = assertThrows(io.coffer.core.error.CofferException.class, () -> f.rescanFrom(bad));
            assertEquals("from_height", e.field());
            assertEquals(2, f.cursor().orElseThrow().height(), "a refused rescan moves nothing");
        }
    }

    @Test
    void aDepositGoesSeenConfirmingConfirmedFinalWithOneEventEach() {
        ChainFollower f = follower();
        f.poll();
        chain.mempool.add(pay("t1", a0, 5000));
        f.poll();
        f.poll(); // nothing new: no event
        chain.mine(pay("t1", a0, 5000));
        f.poll();
        assertEquals(new ChainFollower.Balance(BigInteger.ZERO, BigInteger.valueOf(5000)), f.balance(0));
        chain.mine();
        chain.mine();
        chain.mine();
        f.poll();
        chain.mine();
        f.poll();
        assertEquals(List.of("SEEN/0", "CONFIRMING/1", "CONFIRMED/2", "FINAL/4"), trail(f, 0));
        assertEquals(new ChainFollower.Balance(BigInteger.valueOf(5000), BigInteger.ZERO), f.balance(0));
        // A new follower (restart) repeats nothing.
        ChainFollower again = follower();
        again.poll();
        assertEquals(4, again.events(0, 100).size());
    }

    @Test
    void aReorgMarksTheDepositAndItComesBackWhenMinedAgain() {
        ChainFollower f = follower();
        f.poll();
        chain.mine(pay("t1", a0, 700));
        chain.mine();
        f.poll();
        assertEquals(BigInteger.valueOf(700), f.balance(0).confirmed());
        chain.reorg(2);
        chain.mine();
        chain.mine();
        chain.mine();
        f.poll();
        assertEquals(DepositStatus.REORGED, f.deposit(new DepositId("t1", 0)).orElseThrow().status());
        assertEquals(new ChainFollower.Balance(BigInteger.ZERO, BigInteger.valueOf(700)), f.balance(0), "conserved as pending");
        chain.mempool.add(pay("t1", a0, 700));
        f.poll();
        chain.mine(pay("t1", a0, 700));
        f.poll();
        assertEquals(List.of("CONFIRMING/1", "CONFIRMED/2", "REORGED/0", "SEEN/0", "CONFIRMING/1"), trail(f, 0));
    }

    /**
     * The open deposits a follower keeps from commit to commit are the store's, in the store's order, through a seeded random
     * run of payments seen and mined, blocks, reorgs and replacements.
     */
    private long deposits() {
        return store.list(ChainTables.DEPOSITS, ChainTables.DEPOSITS.prefix(io.coffer.core.store.KeyWriter.key().string("fake").build()),
                Integer.MAX_VALUE).size();
    }

    @Test
    void theOpenDepositsKeptBetweenCommitsAreTheStoresThroughReorgsAndReplacements() {
        List<String> to = new java.util.ArrayList<>(List.of(a0));
        for (int i = 0; i < 3; i++) {
            to.add(book.next(0, 0).address());
        }
        ChainFollower f = follower();
        f.poll();
        java.util.Random random = new java.util.Random(15);
        int tx = 0;
        int checked = 0;
        for (int step = 0; step < 200; step++) {
            int what = random.nextInt(10);
            if (what < 3) {
                chain.mempool.add(pay(String.format("t%03d", tx++), to.get(random.nextInt(to.size())), 100 + random.nextInt(900)));
            } else if (what < 6) {
                List<Payment> mined = new java.util.ArrayList<>(chain.mempool);
                chain.mempool.clear();
                if (random.nextBoolean()) {
                    mined.add(pay(String.format("t%03d", tx++), to.get(random.nextInt(to.size())), 500));
                }
                chain.mine(mined.toArray(Payment[]::new));
            } else if (what < 7 && chain.tipHeight() > 3) {
                chain.reorg(1 + random.nextInt(2));
                chain.mine();
            } else if (what < 8 && !chain.mempool.isEmpty()) {
                Payment gone = chain.mempool.remove(0);
                chain.states.put(gone.txid(), TxState.CONFLICTED);
            } else {
                chain.mine();
            }
            f.poll();
            List<Deposit> stored = store.list(ChainTables.OPEN_DEPOSITS, ChainTables.OPEN_DEPOSITS.prefix(
                    io.coffer.core.store.KeyWriter.key().string("fake").build()), Integer.MAX_VALUE).stream()
                    .map(e -> store.get(ChainTables.DEPOSITS, e.getKey()).orElseThrow()).toList();
            List<Deposit> kept = f.openKept();
            if (!kept.isEmpty() || !stored.isEmpty()) {
                assertEquals(stored, kept, "step " + step);
                checked++;
            }
            if (step >= 20) { // first asked with deposits on record: counted from the store once, then as they are written
                assertEquals(deposits(), f.depositCount(), "deposits recorded, step " + step);
            }
        }
        assertTrue(checked > 100, "open deposits compared at " + checked + " steps");
        assertEquals(deposits(), follower().depositCount(), "a new follower counts the store's");
    }

    @Test
    void aConflictedMempoolDepositIsReplacedAndNeverCounts() {
        ChainFollower f = follower();
        f.poll();
        chain.mempool.add(pay("t1", a0, 900));
        f.poll();
        chain.mempool.clear();
        chain.states.put("t1", TxState.CONFLICTED);
        chain.mine();
        chain.mine();
        f.poll();
        assertEquals(DepositStatus.REPLACED, f.deposit(new DepositId("t1", 0)).orElseThrow().status());
        assertEquals(new ChainFollower.Balance(BigInteger.ZERO, BigInteger.ZERO), f.balance(0));
    }

    @Test
    void paymentsBeyondIssuedAddressesWithinTheGapAreFoundAndMoveTheWindow() {
        ChainFollower f = follower();
        f.poll();
        AddressBook.Issued far = null;
        for (int i = 0; i < 4; i++) {
            far = book.next(0, 0);
        }
        int before = book.size();
        chain.mine(pay("t9", far.address(), 1));
        f.poll();
        assertTrue(f.deposit(new DepositId("t9", 0)).isPresent());
        assertTrue(book.size() >= before, "the window only grows");
        assertTrue(trail(f, 0).contains("CONFIRMING/1"));
    }

    @Test
    void aChainWithAnotherGenesisIsRefusedAndNothingIsDisconnected() {
        ChainFollower f = follower();
        f.poll(); // starts at the genesis
        chain.mine(pay("t1", a0, 5_000));
        chain.mine();
        chain.mine();
        f.poll();
        List<String> before = trail(f, 0);
        assertTrue(before.get(before.size() - 1).startsWith("CONFIRMED/"), before.toString());

        // The node now serves another chain with the same id (a dev chain started afresh): a new genesis and 5 blocks.
        chain.blocks.clear();
        chain.blocks.add(new BlockHeader(0, "other-genesis", ""));
        chain.forks = 7;
        for (int i = 0; i < 5; i++) {
            chain.mine();
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, f::poll);
        assertTrue(e.getMessage().contains("genesis") && e.getMessage().contains("fresh data directory"), e.getMessage());
        assertEquals(before, trail(f, 0), "no deposit was disconnected");
        assertEquals(3, f.cursor().orElseThrow().height());
    }

    private static List<String> states(ChainFollower f) {
        return f.depositsOf(0).stream().map(d -> d.id() + "=" + d.status() + "/" + d.confirmations() + "@" + d.blockHeight()).sorted()
                .toList();
    }

    @Test
    void catchingUpWritesManyBlocksAtOnceAndRecordsExactlyWhatOneWritePerBlockRecords() {
        // One block per write: the follower polls after every block.
        ChainFollower stepwise = follower();
        stepwise.poll();
        FakeChainSource steps = chain;
        long start = steps.tipHeight();
        List<String> to = List.of(book.addressAt(0, 0, 0), book.addressAt(0, 0, 1), book.addressAt(0, 0, 2));
        FakeChainSource all = new FakeChainSource("fake2");
        for (int i = 1; i <= 130; i++) {
            Payment[] pays = i % 9 == 0
                    ? new Payment[] {pay("t" + i, to.get(i % 3), 1_000 + i), new Payment("u" + i, 1, to.get((i + 1) % 3), "fake/BTC",
                    BigInteger.valueOf(7))}
                    : new Payment[0];
            steps.mine(pays);
            stepwise.poll();
            all.mine(pays);
        }
        List<String> stepTrail = stepwise.events(0, 10_000).stream()
                .map(e -> e.deposit().id() + ":" + e.deposit().status() + "/" + e.deposit().confirmations()).toList();
        List<String> stepStates = states(stepwise);
        assertEquals(start + 130, stepwise.cursor().orElseThrow().height());

        // The same chain caught up from its start in one poll, on another chain id beside it (the same keys, so the same addresses):
        // the same events in the same order, the same records, in a handful of writes.
        AddressBook sameKeys = new AddressBook(store, "fake2", AccountScheme.BIP84_TEST, vault.publicKeys(),
                pub -> "addr-" + HexFormat.of().formatHex(Hashes.hash160(pub)), 5);
        sameKeys.watchAccount(0);
        ChainFollower caughtUp = new ChainFollower(store, all, sameKeys, 2, 4, Clock.systemUTC());
        caughtUp.rescanFrom(1);
        long writesBefore = store.writes(ChainTables.CURSOR);
        ChainFollower.PollResult r = caughtUp.poll();
        assertTrue(r.caughtUp(), r.toString());
        assertEquals(130, r.connected());
        long writes = store.writes(ChainTables.CURSOR) - writesBefore;
        assertTrue(writes >= 130 / ChainFollower.BLOCKS_PER_WRITE && writes < 20, "blocks written in " + writes + " batches");
        assertEquals(stepTrail, caughtUp.events(0, 10_000).stream()
                .map(e -> e.deposit().id() + ":" + e.deposit().status() + "/" + e.deposit().confirmations()).toList());
        assertEquals(stepStates, states(caughtUp));
        assertEquals(stepwise.balance(0), caughtUp.balance(0));
    }

    @Test
    void aSourceFailingInTheMiddleOfACatchUpKeepsTheWholeBlocksBeforeIt() {
        ChainFollower f = follower();
        f.poll();
        long start = chain.tipHeight();
        for (int i = 1; i <= 30; i++) {
            chain.mine(i == 5 ? new Payment[] {pay("t5", a0, 500)} : new Payment[0]);
        }
        chain.failHeaderAt = start + 21;
        assertThrows(ChainUnavailableException.class, f::poll);
        assertEquals(start + 20, f.cursor().orElseThrow().height(), "the twenty blocks fetched before the failure are written");
        assertEquals(List.of("CONFIRMING/1", "CONFIRMED/2", "FINAL/4"), trail(f, 0));
        chain.failHeaderAt = -1;
        assertTrue(f.poll().caughtUp());
        assertEquals(start + 30, f.cursor().orElseThrow().height());
        assertEquals(List.of("CONFIRMING/1", "CONFIRMED/2", "FINAL/4"), trail(f, 0), "nothing repeated");
    }
}
