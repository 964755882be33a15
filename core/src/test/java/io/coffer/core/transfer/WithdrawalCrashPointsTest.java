package io.coffer.core.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.core.CofferSchema;
import io.coffer.core.chain.AddressBook;
import io.coffer.core.chain.BlockHeader;
import io.coffer.core.chain.ChainFollower;
import io.coffer.core.chain.ChainSource;
import io.coffer.core.chain.FakeChainSource;
import io.coffer.core.chain.Payment;
import io.coffer.core.custody.AccountScheme;
import io.coffer.core.custody.Vault;
import io.coffer.core.error.CofferException;
import io.coffer.core.keys.Hashes;
import io.coffer.core.store.Batch;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both withdrawal services cut off at each of their three crash points (signed and not stored; stored and not broadcast;
 * broadcast and the answer not recorded), then started again over the same store: the stored bytes are what is sent, never a
 * second signing, the idempotency key answers with the same withdrawal, the coins (UTXO) or the nonce (account) are spent
 * once, and a later withdrawal cannot take them again. A fake chain and fake transaction factories (the logic under test is
 * the ledger's, not a chain's); the crash ITs of each chain module kill real processes against real nodes.
 */
class WithdrawalCrashPointsTest {
    private static final String DEST = "dest-merchant";
    private static final String EVM_DEST = "0x" + "ab".repeat(20);

    @TempDir
    Path dir;
    Store store;
    Vault vault;
    FakeChainSource chain;

    /** The process stopping dead at a crash point: thrown, so the test carries on as the process started again. */
    static final class ProcessDied extends RuntimeException {
        ProcessDied(String point) {
            super("the process died at " + point);
        }
    }

    enum Kind { UTXO, ACCOUNT }

    static Stream<Arguments> cases() {
        return Stream.of(Kind.values()).flatMap(k -> Stream.of(WithdrawalLedger.SIGNED_NOT_STORED, WithdrawalLedger.STORED_NOT_BROADCAST,
                WithdrawalLedger.BROADCAST_NOT_RECORDED).map(p -> Arguments.of(k, p)));
    }

    @BeforeEach
    void open() {
        store = LevelDbStore.open(dir.resolve("store"), CofferSchema.current());
        vault = CrashHarness.wallet(store, dir, "setup");
        CrashHarness.unseal(vault);
        chain = new FakeChainSource("fake");
    }

    @AfterEach
    void close() {
        vault.close();
        store.close();
    }

    /** One "process": its address book, follower and withdrawal service over the shared store, dying at {@code dieAt}. */
    private final class Wallet {
        final AddressBook book;
        final WithdrawalLedger service;
        final FakeAccountFactory accountFactory = new FakeAccountFactory(chain);

        Wallet(Kind kind, String dieAt) {
            WithdrawalLedger.CrashPoints crash = p -> {
                if (p.equals(dieAt)) {
                    throw new ProcessDied(p);
                }
            };
            if (kind == Kind.UTXO) {
                book = new AddressBook(store, "fake", AccountScheme.BIP84_TEST, vault.publicKeys(),
                        pub -> "addr-" + HexFormat.of().formatHex(Hashes.hash160(pub)), 5);
                service = new UtxoWithdrawalService(store, chain, new FakeUtxoFactory(), book, vault::signer, 1, Clock.systemUTC(), crash);
            } else {
                book = new AddressBook(store, "fake", AccountScheme.EVM, vault.publicKeys(),
                        pub -> "0x" + HexFormat.of().formatHex(Hashes.hash160(pub)), 5);
                accountFactory.balances.put(FakeAccountFactory.NATIVE, BigInteger.valueOf(1_000_000_000));
                service = new AccountWithdrawalService(store, chain, accountFactory, book, vault::signer, 1, Clock.systemUTC(), crash);
            }
            book.watchAccount(0);
        }

        Withdrawal send(Kind kind, long amount, String key) {
            return kind == Kind.UTXO
                    ? ((UtxoWithdrawalService) service).create(0, DEST, BigInteger.valueOf(amount), FeeRate.satPerVbyte(2), key)
                    : service.send(0, FakeAccountFactory.NATIVE, EVM_DEST, BigInteger.valueOf(amount), FeePriority.NORMAL, Optional.empty(), key);
        }
    }

    /** One confirmed coin of 100,000 sat at the wallet's first receive address (UTXO: the only coin there is). */
    private void fundOneCoin(Wallet w) {
        String address = w.book.next(0, 0).address();
        ChainFollower follower = new ChainFollower(store, chain, w.book, 1, 6, Clock.systemUTC());
        follower.poll(); // a new follower starts at the tip
        chain.mine(new Payment("funding", 0, address, "fake/BTC", BigInteger.valueOf(100_000)));
        chain.mine();
        follower.poll();
    }

    @ParameterizedTest(name = "{0} cut off at {1}")
    @MethodSource("cases")
    void aWithdrawalCutOffAtACrashPointIsSentOnceWithItsStoredBytes(Kind kind, String point) {
        Wallet first = new Wallet(kind, point);
        if (kind == Kind.UTXO) {
            fundOneCoin(first);
        }
        assertThrows(ProcessDied.class, () -> first.send(kind, 60_000, "pay-1"));
        Optional<Withdrawal> stored = first.service.byIdempotencyKey("pay-1");
        assertEquals(!point.equals(WithdrawalLedger.SIGNED_NOT_STORED), stored.isPresent(), "stored exactly when past the store");
        long sentBefore = point.equals(WithdrawalLedger.BROADCAST_NOT_RECORDED) ? 1 : 0;
        assertEquals(sentBefore, chain.broadcasts.size(), "nothing is broadcast before it is stored");

        Wallet again = new Wallet(kind, "");
        again.service.resume();
        again.service.resume(); // a second start changes nothing it has not already done
        Withdrawal w = again.send(kind, 60_000, "pay-1"); // the client's retry of the call that never answered
        stored.ifPresent(s -> {
            assertEquals(s.id(), w.id(), "the key answers with the withdrawal stored before the crash");
            assertEquals(s.txid(), w.txid(), "never signed a second time");
            assertArrayEquals(s.raw(), chain.broadcasts.get(0), "the bytes sent are the bytes stored");
        });
        assertEquals(1, chain.distinctBroadcasts(), "one transaction ever reached the chain");
        assertTrue(chain.broadcastsOf(w.txid()) >= 1);
        assertEquals(WithdrawalStatus.BROADCAST, again.service.get(w.id()).orElseThrow().status());

        // What the first withdrawal holds cannot be spent again by another one.
        if (kind == Kind.UTXO) {
            CofferException e = assertThrows(CofferException.class, () -> again.send(kind, 60_000, "pay-2"));
            assertEquals("INSUFFICIENT_FUNDS", e.code(), "the only coin is locked by the first withdrawal");
        } else {
            Withdrawal second = again.send(kind, 1_000, "pay-2");
            assertEquals(0, NonceSlot.of(w).nonce());
            assertEquals(1, NonceSlot.of(second).nonce(), "the next nonce, not the first one again");
        }

        chain.mine();
        again.service.track();
        Withdrawal mined = again.service.get(w.id()).orElseThrow();
        assertEquals(WithdrawalStatus.CONFIRMED, mined.status());
        assertEquals(w.txid(), mined.txid());
        Wallet third = new Wallet(kind, "");
        third.service.resume();
        assertEquals(kind == Kind.UTXO ? 1 : 2, chain.distinctBroadcasts(), "a start after it is mined sends nothing new");
        assertEquals(mined.id(), third.send(kind, 60_000, "pay-1").id());
    }

    /**
     * Bytes sent before a crash that kept them SIGNED (the outcome's write lost: an accepted send is answered before it is
     * durable), dropped by the node since and refused when a start sends them again: still sent (BROADCAST_UNKNOWN, its nonce
     * and funds held), never FAILED, for whoever holds them can get them mined; the next round's send that is accepted makes
     * it BROADCAST.
     */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.EnumSource(Kind.class)
    void bytesThatMayHaveLeftBeforeACrashAreNeverFailedByARefusal(Kind kind) {
        Wallet first = new Wallet(kind, WithdrawalLedger.BROADCAST_NOT_RECORDED);
        if (kind == Kind.UTXO) {
            fundOneCoin(first);
        }
        assertThrows(ProcessDied.class, () -> first.send(kind, 60_000, "pay-1"));
        Withdrawal stored = first.service.byIdempotencyKey("pay-1").orElseThrow();
        assertEquals(WithdrawalStatus.SIGNED, stored.status());
        synchronized (chain) {
            chain.pool.clear(); // the node dropped them
        }
        chain.answerNext(io.coffer.core.chain.BroadcastResult.Outcome.REJECTED);
        Wallet again = new Wallet(kind, "");
        again.service.resume();
        assertEquals(WithdrawalStatus.BROADCAST_UNKNOWN, again.service.get(stored.id()).orElseThrow().status());
        if (kind == Kind.ACCOUNT) {
            assertEquals(1, NonceSlot.of(again.send(kind, 1_000, "pay-2")).nonce(), "its nonce is not free again");
        } else {
            CofferException e = assertThrows(CofferException.class, () -> again.send(kind, 60_000, "pay-2"));
            assertEquals("INSUFFICIENT_FUNDS", e.code(), "its coin stays locked");
        }
        again.service.track();
        assertEquals(WithdrawalStatus.BROADCAST, again.service.get(stored.id()).orElseThrow().status(), "sent again, accepted");
        assertEquals(1, chain.distinctBroadcasts() - (kind == Kind.ACCOUNT ? 1 : 0), "always the same bytes");
    }

    /** The first broadcast times out: UNKNOWN, never FAILED; the same bytes are sent again until the chain has them. */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.EnumSource(Kind.class)
    void aBroadcastWithoutAnAnswerIsUnknownAndTheSameBytesAreSentAgain(Kind kind) {
        Wallet w = new Wallet(kind, "");
        if (kind == Kind.UTXO) {
            fundOneCoin(w);
        }
        chain.answerNext(io.coffer.core.chain.BroadcastResult.Outcome.UNKNOWN);
        Withdrawal sent = w.send(kind, 60_000, "pay-1");
        assertEquals(WithdrawalStatus.BROADCAST_UNKNOWN, sent.status());
        Wallet again = new Wallet(kind, "");
        again.service.resume();
        assertEquals(2, chain.broadcastsOf(sent.txid()));
        assertEquals(1, chain.distinctBroadcasts());
        assertEquals(WithdrawalStatus.BROADCAST, again.service.get(sent.id()).orElseThrow().status());
    }

    /**
     * A first broadcast the node refuses: FAILED, nothing moved, and its nonce a hole the next withdrawal fills (else every later
     * nonce would wait for it forever); the one after that continues past it. Again after a restart (the holes are in the store).
     */
    @org.junit.jupiter.api.Test
    void aRefusedFirstBroadcastLeavesANonceTheNextWithdrawalTakes() {
        Wallet w = new Wallet(Kind.ACCOUNT, "");
        Withdrawal first = w.send(Kind.ACCOUNT, 10, "n-0");
        chain.answerNext(io.coffer.core.chain.BroadcastResult.Outcome.REJECTED);
        Withdrawal refused = w.send(Kind.ACCOUNT, 10, "n-1");
        assertEquals(WithdrawalStatus.FAILED, refused.status());
        Withdrawal filler = w.send(Kind.ACCOUNT, 10, "n-2");
        Withdrawal next = w.send(Kind.ACCOUNT, 10, "n-3");
        assertEquals(List.of(0L, 1L, 1L, 2L), List.of(NonceSlot.of(first).nonce(), NonceSlot.of(refused).nonce(),
                NonceSlot.of(filler).nonce(), NonceSlot.of(next).nonce()));

        chain.answerNext(io.coffer.core.chain.BroadcastResult.Outcome.REJECTED);
        assertEquals(WithdrawalStatus.FAILED, w.send(Kind.ACCOUNT, 10, "n-4").status()); // nonce 3
        Wallet restarted = new Wallet(Kind.ACCOUNT, "");
        assertEquals(List.of(3L, 4L), List.of(NonceSlot.of(restarted.send(Kind.ACCOUNT, 10, "n-5")).nonce(),
                NonceSlot.of(restarted.send(Kind.ACCOUNT, 10, "n-6")).nonce()));
    }

    /**
     * An accepted broadcast is answered before its outcome is written (the signed bytes are durable, a lost outcome is re-sent
     * as the same bytes): reading the withdrawal shows it BROADCAST meanwhile, the store still SIGNED, and following the chain —
     * an exclusive step — waits until the outcome is durable. A refusal (FAILED) is answered only once written.
     */
    @org.junit.jupiter.api.Test
    void anAcceptedBroadcastIsAnsweredBeforeItsOutcomeIsWrittenARefusalOnlyAfter() throws Exception {
        Wallet w = new Wallet(Kind.ACCOUNT, "");
        HoldingSink sink = new HoldingSink();
        w.service.sink(sink);
        java.util.concurrent.FutureTask<Withdrawal> sending =
                new java.util.concurrent.FutureTask<>(() -> w.send(Kind.ACCOUNT, 1_000, "told-1"));
        new Thread(sending, "caller").start();
        Withdrawal sent;
        try {
            sent = sending.get(30, java.util.concurrent.TimeUnit.SECONDS); // a send waiting for its held outcome never returns
        } finally {
            if (!sending.isDone()) {
                sink.release.countDown();
            }
        }
        assertEquals(WithdrawalStatus.BROADCAST, sent.status());
        assertEquals(1, sink.held.get(), "its outcome is held, not written");
        assertEquals(WithdrawalStatus.BROADCAST, w.service.get(sent.id()).orElseThrow().status(), "read back as answered");
        assertEquals(WithdrawalStatus.BROADCAST, w.service.byIdempotencyKey("told-1").orElseThrow().status());
        assertEquals(WithdrawalStatus.SIGNED, storedStatus(sent), "the store has the signed bytes only");

        java.util.concurrent.FutureTask<Void> following = new java.util.concurrent.FutureTask<>(() -> {
            w.service.track();
            return null;
        });
        Thread follower = new Thread(following, "follower");
        follower.start();
        until("the follower to ask for the ledger alone", () -> {
            synchronized (w.service) { // read under the ledger's monitor, as it is written
                return w.service.exclusiveWaiting();
            }
        });
        org.junit.jupiter.api.Assertions.assertFalse(following.isDone(), "it waits while the outcome is not durable");
        sink.release.countDown();
        following.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(WithdrawalStatus.BROADCAST, storedStatus(sent), "written before the follower read it");

        HoldingSink refusals = new HoldingSink(WithdrawalStatus.FAILED);
        w.service.sink(refusals);
        chain.answerNext(io.coffer.core.chain.BroadcastResult.Outcome.REJECTED);
        java.util.concurrent.FutureTask<Withdrawal> refusing =
                new java.util.concurrent.FutureTask<>(() -> w.send(Kind.ACCOUNT, 1_000, "told-2"));
        Thread caller = new Thread(refusing, "caller");
        caller.start();
        until("the refused send to wait for its outcome's write", () -> refusals.held.get() == 1
                && (caller.getState() == Thread.State.WAITING || caller.getState() == Thread.State.TERMINATED));
        assertEquals(Thread.State.WAITING, caller.getState(), "not answered before the refusal is durable");
        refusals.release.countDown();
        Withdrawal refused = refusing.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(WithdrawalStatus.FAILED, refused.status());
        assertEquals(WithdrawalStatus.FAILED, storedStatus(refused));
    }

    /** Polls {@code condition} until it holds (at most 30 s: on a slow machine a thread may take long to get there). */
    private static void until(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting for " + what);
            }
            Thread.sleep(1);
        }
    }

    private WithdrawalStatus storedStatus(Withdrawal w) {
        return store.get(TransferTables.WITHDRAWALS, new TransferTables.ChainKey(w.chain(), w.id())).orElseThrow().status();
    }

    /** Holds the batches recording a withdrawal in {@code status} until released (then writes them); the others go through. */
    static final class HoldingSink implements WithdrawalSink {
        final WithdrawalStatus status;
        final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.atomic.AtomicInteger held = new java.util.concurrent.atomic.AtomicInteger();

        HoldingSink() {
            this(WithdrawalStatus.BROADCAST);
        }

        HoldingSink(WithdrawalStatus status) {
            this.status = status;
        }

        @Override
        public void commit(Batch batch, Withdrawal withdrawal) {
            batch.commit();
        }

        @Override
        public Batch.Queued queue(Batch batch, Withdrawal withdrawal) {
            if (withdrawal.status() != status) {
                return batch.queue();
            }
            held.incrementAndGet();
            return () -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                batch.commit();
            };
        }
    }

    /** A hot address's nonce used by a transaction the ledger did not make (and the follower did not record) is a mismatch row. */
    @org.junit.jupiter.api.Test
    void aNonceUsedOutsideTheLedgerIsAMismatch() {
        Wallet w = new Wallet(Kind.ACCOUNT, "");
        Withdrawal sent = w.send(Kind.ACCOUNT, 1_000, "pay-1");
        chain.mine();
        assertEquals(java.util.Map.of(), w.service.mismatches(), "the ledger's own withdrawal: no difference");
        String hot = NonceSlot.of(sent).address();
        chain.broadcast(("account|from=" + hot + "|nonce=1|to=" + EVM_DEST + ":5|fake/ETH|sig=outside").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        chain.mine();
        var rows = w.service.mismatches();
        assertEquals(java.util.Set.of("nonce " + hot), rows.keySet());
        assertTrue(rows.get("nonce " + hot).startsWith("nonce 2 on chain, 1 in the ledger"), rows.toString());
    }

    /** Funds held by pending withdrawals count against the next one (also after a restart) and are released once they end. */
    @org.junit.jupiter.api.Test
    void pendingWithdrawalsHoldTheirFundsUntilTheyEnd() {
        Wallet w = new Wallet(Kind.ACCOUNT, "");
        BigInteger oneWithFee = BigInteger.valueOf(60_000 + 100L * 21_000);
        w.accountFactory.balances.put(FakeAccountFactory.NATIVE, oneWithFee.add(BigInteger.ONE));
        w.send(Kind.ACCOUNT, 60_000, "first");
        assertEquals("INSUFFICIENT_FUNDS", assertThrows(CofferException.class, () -> w.send(Kind.ACCOUNT, 60_000, "second")).code());
        Wallet restarted = new Wallet(Kind.ACCOUNT, "");
        restarted.accountFactory.balances.put(FakeAccountFactory.NATIVE, oneWithFee.add(BigInteger.ONE));
        assertEquals("INSUFFICIENT_FUNDS", assertThrows(CofferException.class, () -> restarted.send(Kind.ACCOUNT, 60_000, "second")).code(),
                "rebuilt from the stored pending withdrawals");
        chain.mine();
        restarted.service.track(); // the first is confirmed: what it held is free (the fake chain's balance does not move)
        assertEquals(WithdrawalStatus.BROADCAST, restarted.send(Kind.ACCOUNT, 60_000, "second").status());
    }

    /**
     * The kept balance (GetBalance's, one read) after every kind of change: a coin arriving and confirming, a withdrawal holding
     * it, the withdrawal confirmed and its change coming back; at each step it is what every record summed from scratch makes
     * ({@link LedgerBalances#disagreements}), and it is still after a restart (a new service over the same store).
     */
    @org.junit.jupiter.api.Test
    void theKeptBalanceFollowsEveryChangeOfTheLedger() {
        Wallet w = new Wallet(Kind.UTXO, "");
        UtxoWithdrawalService service = (UtxoWithdrawalService) w.service;
        java.util.function.Supplier<WithdrawalLedger.Balance> kept = () -> {
            assertEquals(List.of(), service.balances().disagreements());
            return service.balance(0, "fake/BTC");
        };
        assertEquals(new WithdrawalLedger.Balance(BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO), kept.get());
        String address = w.book.next(0, 0).address();
        ChainFollower follower = new ChainFollower(store, chain, w.book, 1, 6, Clock.systemUTC());
        follower.poll();
        chain.mempool.add(new Payment("funding", 0, address, "fake/BTC", BigInteger.valueOf(100_000)));
        follower.poll();
        assertEquals(new WithdrawalLedger.Balance(BigInteger.ZERO, BigInteger.valueOf(100_000), BigInteger.ZERO), kept.get(), "seen: pending");
        chain.mempool.clear();
        chain.mine(new Payment("funding", 0, address, "fake/BTC", BigInteger.valueOf(100_000)));
        follower.poll();
        assertEquals(new WithdrawalLedger.Balance(BigInteger.valueOf(100_000), BigInteger.ZERO, BigInteger.ZERO), kept.get(), "confirmed");
        Withdrawal sent = w.send(Kind.UTXO, 60_000, "spend");
        assertEquals(new WithdrawalLedger.Balance(BigInteger.ZERO, BigInteger.ZERO, BigInteger.valueOf(60_000).add(sent.fee())), kept.get(),
                "the coin held, the withdrawal outgoing");
        chain.mine();
        service.track();
        follower.poll();
        WithdrawalLedger.Balance after = kept.get();
        assertEquals(new WithdrawalLedger.Balance(BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO), after,
                "the coin gone, the withdrawal final (this fake chain pays no change back)");
        Wallet restarted = new Wallet(Kind.UTXO, "");
        assertEquals(after, restarted.service.balance(0, "fake/BTC"), "the same after a restart, not built again");
        assertEquals(List.of(), restarted.service.balances().disagreements());
    }

    /**
     * Choosing a UTXO withdrawal's coins reads the coins it spends, largest first from the coins filed by amount, not every coin
     * the account holds (it read and sorted them all at every withdrawal and quote).
     */
    @org.junit.jupiter.api.Test
    void aWithdrawalReadsTheCoinsItSpendsNotEveryCoinOfTheAccount() {
        AddressBook book = new AddressBook(store, "fake", AccountScheme.BIP84_TEST, vault.publicKeys(),
                pub -> "addr-" + HexFormat.of().formatHex(Hashes.hash160(pub)), 5);
        book.watchAccount(0);
        io.coffer.core.store.ReadCountingStore counted = new io.coffer.core.store.ReadCountingStore(store);
        UtxoWithdrawalService service = new UtxoWithdrawalService(counted, chain, new FakeUtxoFactory(), book, vault::signer, 1,
                Clock.systemUTC(), WithdrawalLedger.NO_CRASH);
        ChainFollower follower = new ChainFollower(store, chain, book, 1, 6, Clock.systemUTC());
        chain.mine();
        follower.poll();
        String address = book.next(0, 0).address();
        java.util.Random random = new java.util.Random(11);
        Payment[] payments = new Payment[500];
        for (int i = 0; i < payments.length; i++) {
            payments[i] = new Payment("c" + i, 0, address, "fake/BTC", BigInteger.valueOf(10_000 + random.nextInt(1_000_000)));
        }
        chain.mine(payments);
        follower.poll();
        List<Payment> largest = Stream.of(payments).sorted(java.util.Comparator.comparing(Payment::amount).reversed()).limit(2).toList();
        BigInteger amount = largest.get(0).amount().add(largest.get(1).amount()).subtract(BigInteger.valueOf(50_000));

        counted.reset();
        CoinSelection.Selection quote = service.quote(0, DEST, amount, FeeRate.satPerVbyte(2));
        assertEquals(largest.stream().map(p -> p.id()).toList(), quote.inputs().stream().map(CoinSelection.Coin::id).toList());
        assertEquals(2, counted.reads(LedgerBalances.COINS_BY_AMOUNT), "the two coins it spends");
        counted.reset();
        Withdrawal sent = service.create(0, DEST, amount, FeeRate.satPerVbyte(2), "two-coins");
        assertEquals(largest.stream().map(p -> p.id()).toList(), sent.inputs());
        assertEquals(2, counted.reads(LedgerBalances.COINS_BY_AMOUNT), "the two coins it spends");
        assertEquals(0, counted.reads(LedgerBalances.COINS));
        assertEquals(2, counted.reads(io.coffer.core.chain.ChainTables.DEPOSITS), "the two locked (the balances move with them)");
        assertEquals(List.of(), service.balances().disagreements());
        counted.reset();
        Withdrawal next = service.create(0, DEST, BigInteger.valueOf(5_000), FeeRate.satPerVbyte(2), "one-coin");
        assertEquals(1, next.inputs().size());
        assertEquals(1, counted.reads(LedgerBalances.COINS_BY_AMOUNT), "the largest left: the two spent are locked, not filed");
    }

    /**
     * Kept balances through a random life of the wallet — payments seen and mined to two accounts, withdrawals (some refused by
     * the node, some to the wallet's own addresses and then mined as deposits), spends of the wallet's outputs (on an account
     * chain, sends by keys used outside the ledger), reorgs, restarts — equal after every step what every record summed from
     * scratch makes. Then the store loses its balances (a store from before they were kept): a start builds the same ones.
     */
    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("randomLives")
    void keptBalancesEqualTheRecordsSummedThroughARandomLife(Kind kind, long seed) {
        java.util.Random random = new java.util.Random(seed);
        Wallet[] w = {new Wallet(kind, "")};
        chain.mine();
        chain.mine();
        ChainFollower[] follower = {new ChainFollower(store, chain, w[0].book, 1, 3, Clock.systemUTC())};
        follower[0].poll();
        long start = chain.tipHeight(); // the follower's history begins here: no reorg below it
        String coin = kind == Kind.UTXO ? "fake/BTC" : FakeAccountFactory.NATIVE;
        String[] assets = kind == Kind.UTXO ? new String[] {coin} : new String[] {coin, "fake/USDC"};
        List<String> addresses = new java.util.ArrayList<>();
        for (int account = 0; account < 2; account++) {
            for (int i = 0; i < 2; i++) {
                addresses.add(w[0].book.next(account, 0).address());
            }
        }
        List<Payment> seen = new java.util.ArrayList<>();
        List<Withdrawal> toSelf = new java.util.ArrayList<>();
        int n = 0;
        for (int step = 0; step < 80; step++) {
            int what = random.nextInt(10);
            String label = "step " + step + " (" + what + ")";
            try {
                if (what <= 1) { // a payment seen in the mempool
                    Payment p = new Payment("in" + n++, 0, addresses.get(random.nextInt(addresses.size())), assets[random.nextInt(assets.length)],
                            BigInteger.valueOf(10_000 + random.nextInt(90_000)));
                    chain.mempool.add(p);
                    seen.add(p);
                } else if (what <= 4) { // a block: some seen payments, maybe a deposit from a withdrawal to ourselves, maybe a spend
                    List<Payment> mined = new java.util.ArrayList<>();
                    for (Payment p : List.copyOf(seen)) {
                        if (random.nextBoolean()) {
                            mined.add(p);
                            seen.remove(p);
                        }
                    }
                    if (!toSelf.isEmpty() && random.nextBoolean()) {
                        Withdrawal self = toSelf.remove(0);
                        mined.add(new Payment(self.txid(), 0, self.destination(), self.asset(), self.amount()));
                    }
                    List<io.coffer.core.chain.OutpointSpend> spends = new java.util.ArrayList<>();
                    if (random.nextInt(3) == 0) {
                        spends.add(kind == Kind.UTXO ? spendOfACoin(random) : new io.coffer.core.chain.OutpointSpend(
                                new NonceSlot(addresses.get(random.nextInt(addresses.size())), 1000 + n).asInput(), "out" + n++,
                                assets[random.nextInt(assets.length)], BigInteger.valueOf(1 + random.nextInt(5_000)), coin,
                                BigInteger.valueOf(21_000)));
                    }
                    chain.mine(spends, mined.toArray(Payment[]::new));
                } else if (what == 5) { // a reorg, then a longer branch
                    chain.reorg((int) Math.min(1 + random.nextInt(2), chain.tipHeight() - start));
                    for (int i = random.nextInt(4); i >= 0; i--) {
                        chain.mine();
                    }
                } else if (what <= 7) { // a withdrawal out, or to one of the wallet's own addresses
                    boolean self = random.nextBoolean();
                    if (random.nextInt(4) == 0) {
                        chain.answerNext(io.coffer.core.chain.BroadcastResult.Outcome.REJECTED);
                    }
                    Withdrawal sent = kind == Kind.UTXO
                            ? ((UtxoWithdrawalService) w[0].service).create(0, self ? addresses.get(2) : DEST,
                                    BigInteger.valueOf(5_000 + random.nextInt(20_000)), FeeRate.satPerVbyte(2), "w" + n++)
                            : w[0].service.send(0, coin, self ? addresses.get(2) : EVM_DEST, BigInteger.valueOf(5_000 + random.nextInt(20_000)),
                                    FeePriority.NORMAL, Optional.empty(), "w" + n++);
                    if (self && sent.status() != WithdrawalStatus.FAILED) {
                        toSelf.add(sent);
                    }
                } else if (what == 8) { // a restart: the services and the follower again over the same store
                    w[0] = new Wallet(kind, "");
                    follower[0] = new ChainFollower(store, chain, w[0].book, 1, 3, Clock.systemUTC());
                } else {
                    chain.mine();
                }
            } catch (CofferException e) {
                assertEquals("INSUFFICIENT_FUNDS", e.code(), label);
            }
            follower[0].poll();
            w[0].service.track();
            assertEquals(List.of(), w[0].service.balances().disagreements(), label);
        }
        java.util.Map<String, WithdrawalLedger.Balance> before = new java.util.TreeMap<>();
        for (int account = 0; account < 2; account++) {
            for (String asset : assets) {
                before.put(account + " " + asset, w[0].service.balance(account, asset));
            }
        }
        Runnable forget = () -> { // a store from before balances were kept, with a coin record nothing makes
            Batch b = store.batch();
            store.list(LedgerBalances.BALANCES, LedgerBalances.BALANCES.all(), Integer.MAX_VALUE).forEach(e -> b.delete(LedgerBalances.BALANCES, e.getKey()));
            b.delete(LedgerBalances.BUILT, "fake");
            b.put(LedgerBalances.COINS, new LedgerBalances.CoinKey("fake", 1, new io.coffer.core.chain.DepositId("ab".repeat(32), 7)),
                    BigInteger.valueOf(123));
            b.commit();
        };
        forget.run();
        // The parts of a whole build here (two operations a part), then the same build killed before one of them: what it
        // wrote stays, its end does not, and the next start builds again over it.
        DyingStore whole = new DyingStore(store, Integer.MAX_VALUE);
        w[0].service.balances().over(whole).build(2);
        if (kind == Kind.UTXO) {
            assertTrue(whole.committed > 2, "coins written over several parts: " + whole.committed);
        }
        forget.run();
        DyingStore dying = new DyingStore(store, random.nextInt(whole.committed));
        assertThrows(ProcessDied.class, () -> w[0].service.balances().over(dying).build(2));
        assertTrue(store.get(LedgerBalances.BUILT, "fake").isEmpty(), "not marked built");
        Wallet rebuilt = new Wallet(kind, "");
        java.util.Map<String, WithdrawalLedger.Balance> after = new java.util.TreeMap<>();
        for (int account = 0; account < 2; account++) {
            for (String asset : assets) {
                after.put(account + " " + asset, rebuilt.service.balance(account, asset));
            }
        }
        assertEquals(before, after, "built from the records on a first start: the balances kept");
        assertEquals(List.of(), rebuilt.service.balances().disagreements(), "balances and coins, the stray coin gone");
        assertTrue(before.values().stream().anyMatch(b -> b.confirmed().signum() != 0), "the life moved some balance: " + before);
    }

    static Stream<Arguments> randomLives() {
        return Stream.of(Kind.values()).flatMap(k -> Stream.of(1L, 2L, 3L).map(seed -> Arguments.of(k, seed)));
    }

    /** A spend, by a transaction the ledger did not make, of one of the wallet's recorded coins. */
    private io.coffer.core.chain.OutpointSpend spendOfACoin(java.util.Random random) {
        List<io.coffer.core.chain.DepositId> coins = store.list(io.coffer.core.chain.ChainTables.DEPOSITS,
                io.coffer.core.chain.ChainTables.DEPOSITS.all(), Integer.MAX_VALUE).stream().map(e -> e.getKey().id()).toList();
        io.coffer.core.chain.DepositId coin = coins.isEmpty() ? new io.coffer.core.chain.DepositId("none", 0)
                : coins.get(random.nextInt(coins.size()));
        return new io.coffer.core.chain.OutpointSpend(coin, "spender-" + random.nextInt(1_000_000));
    }

    /**
     * Between two tips a burst of withdrawals reads fees, balance and nonce once (each send then costs its broadcast alone); a new
     * tip reads again; a kept balance too low for a send is read again before the send is refused (funds may have arrived).
     */
    @org.junit.jupiter.api.Test
    void sendsBetweenTwoTipsReadTheChainOnceAndALowBalanceIsReadAgain() {
        BigInteger oneWithFee = BigInteger.valueOf(60_000 + 100L * 21_000);
        FakeAccountFactory factory = funded(oneWithFee.multiply(BigInteger.valueOf(5)));
        AddressBook book = evmBook();
        // A clock that stands still: only a new tip (or a withdrawal ending) may make the service read again.
        AccountWithdrawalService service = new AccountWithdrawalService(store, chain, factory, book, vault::signer, 1,
                Clock.fixed(java.time.Instant.parse("2026-12-01T00:00:00Z"), java.time.ZoneOffset.UTC), AccountWithdrawalService.NO_CRASH);
        for (int i = 0; i < 5; i++) {
            service.create(0, FakeAccountFactory.NATIVE, EVM_DEST, BigInteger.valueOf(60_000), "burst-" + i);
        }
        assertEquals(3, factory.reads.get(), "fees, balance and nonce once for five withdrawals");
        assertEquals(5, chain.broadcasts.size());

        // All five hold the whole balance: funds that arrived since the kept read are found by reading again.
        factory.balances.put(FakeAccountFactory.NATIVE, oneWithFee.multiply(BigInteger.valueOf(6)));
        int before = factory.reads.get();
        assertEquals(WithdrawalStatus.BROADCAST, service.create(0, FakeAccountFactory.NATIVE, EVM_DEST, BigInteger.valueOf(60_000), "after-funding")
                .status());
        assertEquals(before + 1, factory.reads.get(), "the balance read again, nothing else");
        assertEquals("INSUFFICIENT_FUNDS", assertThrows(CofferException.class,
                () -> service.create(0, FakeAccountFactory.NATIVE, EVM_DEST, BigInteger.valueOf(60_000), "too-much")).code());

        chain.mine(); // a new tip: the kept reads are dropped
        service.track();
        int atTip = factory.reads.get();
        service.create(0, FakeAccountFactory.NATIVE, EVM_DEST, BigInteger.ONE, "next-block");
        assertTrue(factory.reads.get() >= atTip + 3, "fees, balance and nonce read again after a new tip");
    }

    /** The withdrawals whose key starts with a prefix (a sweep's and top-ups' look-up) are those, from the keys' index. */
    @org.junit.jupiter.api.Test
    void withdrawalsAreFoundByTheirKeysPrefix() {
        AccountWithdrawalService service = new AccountWithdrawalService(store, chain, funded(BigInteger.valueOf(1_000_000_000)), evmBook(),
                vault::signer, 1, Clock.systemUTC(), AccountWithdrawalService.NO_CRASH);
        List<String> keys = List.of("topup:0xaa:1:x", "topup:0xaa:2:x", "topup:0xaab:1:x", "sweep:0xaa:1", "topup:0xa", "tr_1");
        for (String key : keys) {
            service.create(0, FakeAccountFactory.NATIVE, EVM_DEST, BigInteger.valueOf(1000), key);
        }
        for (String prefix : List.of("topup:0xaa:", "topup:0xaab:", "topup:", "sweep:", "tr_", "none:")) {
            assertEquals(keys.stream().filter(k -> k.startsWith(prefix)).sorted().toList(),
                    service.withKeyPrefix(prefix).stream().map(Withdrawal::idempotencyKey).sorted().toList(), prefix);
        }
    }

    /** An EVM address book over the shared store, its account 0 watched. */
    private AddressBook evmBook() {
        AddressBook book = new AddressBook(store, "fake", AccountScheme.EVM, vault.publicKeys(),
                pub -> "0x" + HexFormat.of().formatHex(Hashes.hash160(pub)), 5);
        book.watchAccount(0);
        return book;
    }

    /** A fake account factory over the current chain whose hot address holds {@code balance} of the native coin. */
    private FakeAccountFactory funded(BigInteger balance) {
        FakeAccountFactory factory = new FakeAccountFactory(chain);
        factory.balances.put(FakeAccountFactory.NATIVE, balance);
        return factory;
    }

    /** Mines a block on the fake chain and has {@code follower} see it. */
    private Runnable mining(ChainFollower follower) {
        return () -> {
            chain.mine();
            follower.poll();
        };
    }

    /** A fake chain counting looks, a follower on it, a withdrawal service and the withdrawals it sent, for the look-count tests. */
    private record LookScene(java.util.concurrent.atomic.AtomicInteger looks, io.coffer.core.MovableClock clock, ChainFollower follower,
            AccountWithdrawalService service, List<Withdrawal> sent) {
    }

    /**
     * {@code count} withdrawals sent by a service needing {@code confirmations} (reorg-safety depth 8), on a fake chain counting
     * the looks at them ({@link #lookCounting}), a block mined and followed first.
     */
    private LookScene lookScene(int confirmations, int count, String keyPrefix) {
        java.util.concurrent.atomic.AtomicInteger looks = new java.util.concurrent.atomic.AtomicInteger();
        chain = lookCounting(looks);
        FakeAccountFactory factory = funded(BigInteger.valueOf(1_000_000_000));
        AddressBook book = evmBook();
        io.coffer.core.MovableClock clock = new io.coffer.core.MovableClock(java.time.Instant.parse("2026-12-01T00:00:00Z"));
        ChainFollower follower = new ChainFollower(store, chain, book, 1, 6, clock);
        chain.mine();
        follower.poll();
        AccountWithdrawalService service = new AccountWithdrawalService(store, chain, factory, book, vault::signer, confirmations, clock,
                AccountWithdrawalService.NO_CRASH);
        service.finalityDepth(8);
        List<Withdrawal> sent = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            sent.add(service.create(0, FakeAccountFactory.NATIVE, EVM_DEST, BigInteger.valueOf(1000), keyPrefix + "-" + i));
        }
        return new LookScene(looks, clock, follower, service, sent);
    }

    /** Tracks once; how many looks at a transaction that made ({@code looks} counts them, see {@link #lookCounting}). */
    private static java.util.function.IntSupplier looksOfATrack(WithdrawalLedger service,
            java.util.concurrent.atomic.AtomicInteger looks) {
        return () -> {
            int before = looks.get();
            service.track();
            return looks.get() - before;
        };
    }

    /**
     * A fake chain counting the withdrawal service's looks at a transaction (its own broadcast's check is not one), and failing
     * any look with the round's best block that the round did not announce first ({@link ChainSource#lookingAt}).
     */
    private static FakeChainSource lookCounting(java.util.concurrent.atomic.AtomicInteger looks) {
        return new FakeChainSource("fake") {
            private boolean broadcasting;
            private java.util.Set<String> announced = java.util.Set.of();
            private BlockHeader announcedAt;

            @Override
            public synchronized void lookingAt(java.util.Collection<String> txids, BlockHeader tip) {
                announced = java.util.Set.copyOf(txids);
                announcedAt = tip;
            }

            @Override
            public synchronized io.coffer.core.chain.TxStatus txStatus(String txid, List<String> inputs, BlockHeader tip) {
                if (!announced.contains(txid) || !java.util.Objects.equals(tip, announcedAt)) {
                    throw new AssertionError("a look at " + txid + " the round did not announce");
                }
                return super.txStatus(txid, inputs, tip);
            }

            @Override
            public synchronized io.coffer.core.chain.TxStatus txStatus(String txid, List<String> inputs) {
                if (!broadcasting) {
                    looks.incrementAndGet();
                }
                return super.txStatus(txid, inputs);
            }

            @Override
            public synchronized io.coffer.core.chain.BroadcastResult broadcast(byte[] tx) {
                broadcasting = true;
                try {
                    return super.broadcast(tx);
                } finally {
                    broadcasting = false;
                }
            }
        };
    }

    /**
     * Following the chain looks at a withdrawal in the mempool again only when the chain moves or it was not looked at for
     * {@link WithdrawalLedger#RECHECK} (then one dropped from the mempool is sent again, the same bytes); one in a block only
     * when the chain moves. Each look is a call to the chain node made while new sends wait.
     */
    @org.junit.jupiter.api.Test
    void followingTheChainLooksAgainWhenItMovesOrAfterTheRecheck() {
        java.util.concurrent.atomic.AtomicInteger looks = new java.util.concurrent.atomic.AtomicInteger();
        chain = lookCounting(looks);
        FakeAccountFactory factory = funded(BigInteger.valueOf(1_000_000_000));
        AddressBook book = evmBook();
        io.coffer.core.MovableClock clock = new io.coffer.core.MovableClock(java.time.Instant.parse("2026-12-01T00:00:00Z"));
        AccountWithdrawalService service = new AccountWithdrawalService(store, chain, factory, book, vault::signer, 1, clock,
                AccountWithdrawalService.NO_CRASH);
        List<Withdrawal> sent = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sent.add(service.create(0, FakeAccountFactory.NATIVE, EVM_DEST, BigInteger.valueOf(1000), "w-" + i));
        }
        java.util.function.IntSupplier track = looksOfATrack(service, looks);
        assertEquals(3, track.getAsInt(), "a first look at each");
        assertEquals(0, track.getAsInt(), "the chain unmoved, all three in the mempool and just seen");
        chain.pool.remove(sent.get(1).txid()); // dropped from the mempool
        clock.advance(WithdrawalLedger.RECHECK.minusSeconds(1));
        assertEquals(0, track.getAsInt(), "not yet");
        clock.advance(java.time.Duration.ofSeconds(1));
        assertEquals(3, track.getAsInt(), "looked at again after the recheck");
        assertEquals(2, chain.broadcastsOf(sent.get(1).txid()), "the dropped one sent again, the same bytes");
        assertEquals(0, track.getAsInt());

        chain.mine(); // all three into a block: the chain moved
        assertEquals(3, track.getAsInt());
        assertEquals(WithdrawalStatus.CONFIRMED, service.get(sent.get(0).id()).orElseThrow().status());
        clock.advance(WithdrawalLedger.RECHECK.plus(WithdrawalLedger.RECHECK));
        assertEquals(0, track.getAsInt(), "in a block: only a new block (or a reorg) can change them");
    }

    /**
     * Withdrawals in a block past their confirmations, while the chain only grows (the follower at the tip, its earlier block
     * still in its chain), are looked at again only when they may have reached the reorg-safety depth, and not even read from
     * the store in between (a day's payouts settle at once on Ethereum: reading each at every poll made polls ever longer); a
     * reorg has every one looked at again.
     */
    @org.junit.jupiter.api.Test
    void settledWithdrawalsAreLookedAtAtTheirDepthOrAfterAReorg() {
        java.util.concurrent.atomic.AtomicInteger looks = new java.util.concurrent.atomic.AtomicInteger();
        chain = lookCounting(looks);
        FakeAccountFactory factory = funded(BigInteger.valueOf(1_000_000_000));
        AddressBook book = evmBook();
        ChainFollower follower = new ChainFollower(store, chain, book, 1, 6, Clock.systemUTC());
        chain.mine();
        follower.poll();
        io.coffer.core.store.ReadCountingStore counted = new io.coffer.core.store.ReadCountingStore(store);
        java.util.function.LongSupplier reads = () -> counted.reads(TransferTables.WITHDRAWALS);
        AccountWithdrawalService service = new AccountWithdrawalService(counted, chain, factory, book,
                vault::signer, 1, Clock.systemUTC(), AccountWithdrawalService.NO_CRASH);
        service.finalityDepth(4);
        for (int i = 0; i < 3; i++) {
            service.create(0, FakeAccountFactory.NATIVE, EVM_DEST, BigInteger.valueOf(1000), "s-" + i);
        }
        Runnable block = mining(follower);
        java.util.function.IntSupplier track = looksOfATrack(service, looks);
        assertEquals(3, track.getAsInt());
        block.run(); // in a block: 1 confirmation, CONFIRMED, followed to depth 4
        assertEquals(3, track.getAsInt());
        block.run();
        counted.reset();
        assertEquals(0, track.getAsInt(), "2 confirmations: the chain only grew");
        assertEquals(0, reads.getAsLong(), "nor read");
        assertEquals(0, track.getAsInt(), "the chain unmoved");
        block.run();
        assertEquals(0, track.getAsInt(), "3");
        assertEquals(0, reads.getAsLong(), "nor read");
        block.run();
        assertEquals(3, track.getAsInt(), "4 may be the safety depth: looked at, and final");

        for (int i = 0; i < 2; i++) {
            service.create(0, FakeAccountFactory.NATIVE, EVM_DEST, BigInteger.valueOf(1000), "r-" + i);
        }
        assertEquals(0, track.getAsInt(), "just sent, the chain unmoved");
        block.run();
        assertEquals(2, track.getAsInt());
        block.run();
        assertEquals(0, track.getAsInt());
        chain.reorg(1);
        chain.mine();
        follower.poll(); // the follower's block of the last look is gone: a reorg
        assertEquals(2, track.getAsInt(), "after a reorg every one is looked at");
    }

    /**
     * What a tracking round finds (withdrawals now in a block) is recorded in one batch; a minute after their last look, settled
     * withdrawals on a chain that only grew get their confirmations recorded without asking the chain (the block holding each
     * is still in it, with the blocks since on top), in one batch too; one that may have reached the reorg-safety depth is
     * looked at, and after a reorg every one is.
     */
    @org.junit.jupiter.api.Test
    void aRoundsFindingsAreOneBatchAndSettledConfirmationsAreCountedAMinuteOn() {
        LookScene scene = lookScene(1, 3, "m");
        java.util.concurrent.atomic.AtomicInteger looks = scene.looks();
        io.coffer.core.MovableClock clock = scene.clock();
        ChainFollower follower = scene.follower();
        AccountWithdrawalService service = scene.service();
        List<Withdrawal> sent = scene.sent();
        Runnable block = mining(follower);
        java.util.function.IntSupplier track = looksOfATrack(service, looks);
        java.util.function.ToIntFunction<Withdrawal> recorded = w -> service.get(w.id()).orElseThrow().confirmations();
        assertEquals(3, track.getAsInt());
        block.run();
        long before = store.writes(TransferTables.WITHDRAWALS);
        assertEquals(3, track.getAsInt(), "into a block: CONFIRMED, 1 confirmation");
        assertEquals(before + 1, store.writes(TransferTables.WITHDRAWALS), "what the round found, in one batch");
        assertEquals(List.of(), service.balances().disagreements(), "the kept balances agree with the records");
        block.run();
        assertEquals(0, track.getAsInt());
        assertEquals(1, recorded.applyAsInt(sent.get(0)), "within the minute: not yet recorded");

        clock.advance(WithdrawalLedger.SETTLED_RECHECK);
        block.run();
        long writes = store.writes(TransferTables.WITHDRAWALS);
        assertEquals(0, track.getAsInt(), "a minute on, the chain only grown: counted, not asked");
        for (Withdrawal w : sent) {
            assertEquals(3, recorded.applyAsInt(w), "3 blocks: its own and two on top");
        }
        assertEquals(writes + 1, store.writes(TransferTables.WITHDRAWALS), "the three in one batch");
        assertEquals(List.of(), service.balances().disagreements(), "the kept balances agree with the records");

        for (int i = 0; i < 4; i++) {
            block.run();
            assertEquals(0, track.getAsInt(), (4 + i) + " confirmations");
        }
        block.run();
        assertEquals(3, track.getAsInt(), "8 may be the safety depth: looked at, and final");

        for (int i = 0; i < 2; i++) {
            sent.add(service.create(0, FakeAccountFactory.NATIVE, EVM_DEST, BigInteger.valueOf(1000), "n-" + i));
        }
        block.run();
        assertEquals(2, track.getAsInt());
        clock.advance(WithdrawalLedger.SETTLED_RECHECK);
        chain.reorg(1);
        chain.mine();
        chain.mine();
        follower.poll();
        assertEquals(2, track.getAsInt(), "a minute on but after a reorg: looked at, not counted");
    }

    /**
     * A withdrawal pending in the pool was asked about at every block (EVM: its receipt, then the transaction, two calls each):
     * a block that does not hold it, on a chain that only grew, leaves it as it stands; its recheck still asks (a drop is found
     * and it is sent again); a block holding it, or a reorg, has it looked at.
     */
    @org.junit.jupiter.api.Test
    void aPendingWithdrawalIsNotAskedAboutAtEachBlockThatDoesNotHoldIt() {
        LookScene scene = lookScene(1, 2, "p");
        java.util.concurrent.atomic.AtomicInteger looks = scene.looks();
        io.coffer.core.MovableClock clock = scene.clock();
        ChainFollower follower = scene.follower();
        AccountWithdrawalService service = scene.service();
        List<Withdrawal> sent = scene.sent();
        java.util.function.IntSupplier track = looksOfATrack(service, looks);
        Runnable without = () -> {
            chain.mineLeavingThePool();
            follower.poll();
        };
        assertEquals(2, track.getAsInt(), "a first look at each");
        without.run();
        assertEquals(0, track.getAsInt(), "a block without them: not asked");
        without.run();
        without.run();
        assertEquals(0, track.getAsInt(), "two more: not asked");

        chain.pool.remove(sent.get(1).txid()); // dropped from the pool
        clock.advance(WithdrawalLedger.RECHECK);
        without.run();
        assertEquals(2, track.getAsInt(), "their recheck is due: asked");
        assertEquals(2, chain.broadcastsOf(sent.get(1).txid()), "the dropped one sent again, the same bytes");

        mining(follower).run();
        assertEquals(2, track.getAsInt(), "a block holding them: looked at");
        for (Withdrawal w : sent) {
            assertEquals(WithdrawalStatus.CONFIRMED, service.get(w.id()).orElseThrow().status());
        }

        sent.add(service.create(0, FakeAccountFactory.NATIVE, EVM_DEST, BigInteger.valueOf(1000), "p-2"));
        without.run();
        assertEquals(0, track.getAsInt(), "sent since the last round (the node took it), a block without it: not asked");
        chain.reorg(1);
        without.run();
        assertEquals(3, track.getAsInt(), "after a reorg: each looked at, the pending one and the two settled");
        assertEquals(WithdrawalStatus.BROADCAST, service.get(sent.get(2).id()).orElseThrow().status());
    }

    /**
     * A withdrawal waiting for its confirmations was asked about once a block, each one a call to the node: once in a block,
     * on a chain that only grows, its count is counted (CONFIRMING, then CONFIRMED at the confirmations required), written with
     * the round's other findings; after a reorg it is looked at again.
     */
    @org.junit.jupiter.api.Test
    void aConfirmingWithdrawalsCountIsCountedWhileTheChainOnlyGrows() {
        LookScene scene = lookScene(4, 2, "c");
        java.util.concurrent.atomic.AtomicInteger looks = scene.looks();
        io.coffer.core.MovableClock clock = scene.clock();
        ChainFollower follower = scene.follower();
        AccountWithdrawalService service = scene.service();
        List<Withdrawal> sent = scene.sent();
        Runnable block = mining(follower);
        java.util.function.IntSupplier track = looksOfATrack(service, looks);
        java.util.function.Function<Withdrawal, Withdrawal> now = w -> service.get(w.id()).orElseThrow();
        assertEquals(2, track.getAsInt());
        block.run();
        assertEquals(2, track.getAsInt(), "into a block: looked at");
        assertEquals(WithdrawalStatus.CONFIRMING, now.apply(sent.get(0)).status());
        for (int conf = 2; conf <= 3; conf++) {
            block.run();
            long writes = store.writes(TransferTables.WITHDRAWALS);
            assertEquals(0, track.getAsInt(), conf + " confirmations: counted, not asked");
            for (Withdrawal w : sent) {
                assertEquals(conf, now.apply(w).confirmations());
                assertEquals(WithdrawalStatus.CONFIRMING, now.apply(w).status());
            }
            assertEquals(writes + 1, store.writes(TransferTables.WITHDRAWALS), "both in the round's one batch");
        }
        block.run();
        assertEquals(0, track.getAsInt());
        for (Withdrawal w : sent) {
            assertEquals(WithdrawalStatus.CONFIRMED, now.apply(w).status(), "4 confirmations, as required");
            assertEquals(4, now.apply(w).confirmations());
        }
        assertEquals(List.of(), service.balances().disagreements(), "the kept balances agree with the records");

        sent.add(service.create(0, FakeAccountFactory.NATIVE, EVM_DEST, BigInteger.valueOf(1000), "c-2"));
        block.run();
        assertEquals(1, track.getAsInt());
        block.run();
        assertEquals(0, track.getAsInt());
        assertEquals(2, now.apply(sent.get(2)).confirmations());
        chain.reorg(1);
        chain.mine();
        follower.poll();
        assertEquals(3, track.getAsInt(), "after a reorg: each looked at, the confirming one and the two settled, none counted");
        assertEquals(2, now.apply(sent.get(2)).confirmations(), "its block still in the chain, on the new branch");
    }

    /**
     * Callers sending at once overlap (decided one at a time, written, sent and their outcomes written side by side), so what
     * the queued ones change must count before the store shows it: eight threads make 80 calls over 40 idempotency keys (each
     * key from two threads) with funds for 30, while a ninth follows the chain over and over (an exclusive step: sends in flight
     * finish first, new ones wait). Exactly 30 withdrawals exist, one per key that got funds, each key's callers answered with
     * the same one; their nonces are 0 to 29, each broadcast once and first sent in nonce order; the others were refused for
     * funds and left nothing; the kept balances agree with the records; and a restart continues at nonce 30.
     */
    @org.junit.jupiter.api.Test
    void concurrentCallersGetContiguousNoncesOneWithdrawalPerKeyAndFundsHeldOnce() throws Exception {
        Wallet w = new Wallet(Kind.ACCOUNT, "");
        BigInteger oneWithFee = BigInteger.valueOf(60_000 + 100L * 21_000);
        w.accountFactory.balances.put(FakeAccountFactory.NATIVE, oneWithFee.multiply(BigInteger.valueOf(30)));
        AccountWithdrawalService service = (AccountWithdrawalService) w.service;
        int threads = 8;
        int keys = 40;
        java.util.Map<String, java.util.Set<String>> answered = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean sending = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads + 1);
        try {
            java.util.concurrent.Future<Integer> follower = pool.submit(() -> {
                int rounds = 0;
                while (sending.get()) {
                    service.track();
                    rounds++;
                }
                return rounds;
            });
            List<java.util.concurrent.Future<?>> callers = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                callers.add(pool.submit(() -> {
                    for (int i = first; i < 2 * keys; i += threads) {
                        String key = "k-" + (i / 2); // calls 2j and 2j + 1, on two threads at about the same time
                        try {
                            Withdrawal sent = w.send(Kind.ACCOUNT, 60_000, key);
                            answered.computeIfAbsent(key, k -> java.util.concurrent.ConcurrentHashMap.newKeySet()).add(sent.id());
                        } catch (CofferException e) {
                            assertEquals("INSUFFICIENT_FUNDS", e.code());
                            refused.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (var c : callers) {
                c.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
            sending.set(false);
            assertTrue(follower.get(60, java.util.concurrent.TimeUnit.SECONDS) > 0);
        } finally {
            pool.shutdownNow();
        }
        List<Withdrawal> stored = service.pending();
        assertEquals(30, stored.size(), "one withdrawal per key that got funds");
        assertEquals(30, answered.size());
        answered.forEach((key, ids) -> assertEquals(1, ids.size(), key + ": every caller answered with the same withdrawal"));
        assertEquals(2 * keys - 2 * 30, refused.get(), "the calls of the other keys were refused");
        assertEquals(java.util.stream.LongStream.range(0, 30).boxed().toList(),
                stored.stream().map(x -> NonceSlot.of(x).nonce()).sorted().toList(), "contiguous nonces, none twice");
        for (Withdrawal x : stored) {
            assertEquals(WithdrawalStatus.BROADCAST, x.status());
            assertEquals(1, chain.broadcastsOf(x.txid()), "broadcast once");
            assertEquals(x.id(), service.byIdempotencyKey(x.idempotencyKey()).orElseThrow().id());
        }
        assertEquals(30, chain.distinctBroadcasts());
        java.util.Map<String, Long> nonceOf = new java.util.HashMap<>();
        stored.forEach(x -> nonceOf.put(x.txid(), NonceSlot.of(x).nonce()));
        List<Long> firstSent;
        synchronized (chain) {
            firstSent = chain.broadcasts.stream().map(FakeChainSource::txidOf).distinct().map(nonceOf::get).toList();
        }
        assertEquals(java.util.stream.LongStream.range(0, 30).boxed().toList(), firstSent,
                "first broadcasts in nonce order, however the callers overlapped (a node never gets n + 1 before n)");
        assertEquals(List.of(), service.balances().disagreements());
        Wallet restarted = new Wallet(Kind.ACCOUNT, "");
        restarted.accountFactory.balances.put(FakeAccountFactory.NATIVE, oneWithFee.multiply(BigInteger.valueOf(31)));
        assertEquals(30, NonceSlot.of(restarted.send(Kind.ACCOUNT, 60_000, "after")).nonce());
    }

    /** UTXO transactions as text (inputs, outputs, a fresh salt standing for the signature): a re-signing shows as another txid. */
    /** A store whose batches commit {@code commits} times, then the process dies at the next commit (before it writes). */
    static final class DyingStore extends io.coffer.core.store.DelegatingStore {
        private final int commits;
        int committed;

        DyingStore(Store store, int commits) {
            super(store);
            this.commits = commits;
        }

        @Override
        public Batch batch() {
            return new io.coffer.core.store.DelegatingBatch(store.batch()) {
                @Override
                public void commit() {
                    if (committed == commits) {
                        throw new ProcessDied("commit " + (commits + 1));
                    }
                    batch.commit();
                    committed++;
                }

                @Override
                public Queued queue() {
                    throw new UnsupportedOperationException("commits only: each is counted");
                }
            };
        }
    }

    static final class FakeUtxoFactory implements TransactionFactory {
        @Override
        public int destinationVbytes(String destination) {
            if (!destination.startsWith("dest-") && !destination.startsWith("addr-")) {
                throw CofferException.invalid("destination", "ADDRESS_INVALID", "not an address of this chain");
            }
            return 31;
        }

        @Override
        public Built build(List<Input> inputs, String destination, BigInteger amount, String changeAddress, BigInteger change,
                io.coffer.core.custody.Signer signer) {
            StringBuilder tx = new StringBuilder("utxo");
            for (Input in : inputs) {
                signer.publicKey(in.path()); // the key must be there (sealed: refused)
                tx.append("|in=").append(in.id());
            }
            tx.append("|to=").append(destination).append(':').append(amount);
            if (changeAddress != null) {
                tx.append("|change=").append(changeAddress).append(':').append(change);
            }
            tx.append("|sig=").append(System.nanoTime());
            byte[] raw = tx.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            return new Built(FakeChainSource.txidOf(raw), raw, 110 + 31 * inputs.size());
        }
    }

    /** Account transactions as text; the chain's nonce of an address counts its mined transactions. */
    static final class FakeAccountFactory implements AccountWithdrawalService.AccountTransactionFactory {
        static final String NATIVE = "fake/ETH";
        final java.util.Map<String, BigInteger> balances = new java.util.HashMap<>();
        private final FakeChainSource chain;

        FakeAccountFactory(FakeChainSource chain) {
            this.chain = chain;
        }

        @Override
        public String destination(String destination) {
            if (!destination.matches("0x[0-9a-f]{40}")) {
                throw CofferException.invalid("destination", "ADDRESS_INVALID", "not an address of this chain");
            }
            return destination;
        }

        /** Every chain read a send makes (fees, balance, mined nonce), counted. */
        final java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public AccountWithdrawalService.Fees fees() {
            reads.incrementAndGet();
            return new AccountWithdrawalService.Fees(BigInteger.valueOf(100), BigInteger.valueOf(2));
        }

        @Override
        public long gasLimit(String asset, String from, String to, BigInteger amount) {
            return 21_000;
        }

        /** When set, what every balance read throws (the node unreachable). */
        volatile RuntimeException unreachable;

        @Override
        public BigInteger balance(String asset, String address) {
            reads.incrementAndGet();
            if (unreachable != null) {
                throw unreachable;
            }
            return balances.getOrDefault(asset, BigInteger.ZERO);
        }

        @Override
        public String nativeAsset() {
            return NATIVE;
        }

        @Override
        public long minedNonce(String address) {
            reads.incrementAndGet();
            synchronized (chain) {
                return chain.minedIn.keySet().stream().filter(txid -> chain.txStatus(txid, List.of()).state()
                        == io.coffer.core.chain.TxState.IN_BLOCK).map(txid -> chain.broadcasts.stream()
                        .filter(raw -> FakeChainSource.txidOf(raw).equals(txid)).findFirst().orElseThrow())
                        .filter(raw -> new String(raw, java.nio.charset.StandardCharsets.UTF_8).contains("|from=" + address + "|")).count();
            }
        }

        @Override
        public AccountWithdrawalService.Built build(AccountWithdrawalService.Tx tx, io.coffer.core.custody.Signer signer) {
            signer.publicKey(tx.fromPath());
            byte[] raw = ("account|from=" + tx.from() + "|nonce=" + tx.nonce() + "|to=" + tx.to() + ":" + tx.amount() + "|" + tx.asset()
                    + "|sig=" + System.nanoTime()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            return new AccountWithdrawalService.Built(FakeChainSource.txidOf(raw), raw);
        }
    }
}
