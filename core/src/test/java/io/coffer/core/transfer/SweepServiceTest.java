package io.coffer.core.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.coffer.core.CofferSchema;
import io.coffer.core.chain.AddressBook;
import io.coffer.core.chain.ChainFollower;
import io.coffer.core.chain.FakeChainSource;
import io.coffer.core.chain.Payment;
import io.coffer.core.custody.AccountScheme;
import io.coffer.core.custody.Vault;
import io.coffer.core.keys.Hashes;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a sweep round asks the chain node: the deposit addresses due (a deposit confirmed there since they were last found with
 * nothing to sweep), at most {@value SweepService#CHECKS_PER_ROUND} a round — not every address that ever received a deposit,
 * every round. Counted on a fake account factory (each nonce and balance read is a call to the node).
 */
class SweepServiceTest {
    private static final BigInteger THRESHOLD = BigInteger.valueOf(1_000_000);
    @TempDir
    Path dir;
    private Store store;
    private Vault vault;
    private FakeChainSource chain;
    private AddressBook book;
    private ChainFollower follower;
    private WithdrawalCrashPointsTest.FakeAccountFactory factory;
    private AccountWithdrawalService withdrawals;
    private SweepService sweeper;
    private int paid;

    @BeforeEach
    void open() {
        store = LevelDbStore.open(dir.resolve("store"), CofferSchema.current());
        vault = CrashHarness.wallet(store, dir, "setup");
        CrashHarness.unseal(vault);
        chain = new FakeChainSource("fake");
        book = new AddressBook(store, "fake", AccountScheme.EVM, vault.publicKeys(), pub -> "0x" + HexFormat.of().formatHex(Hashes.hash160(pub)),
                5);
        book.watchAccount(0);
        follower = new ChainFollower(store, chain, book, 1, 6, Clock.systemUTC());
        factory = new WithdrawalCrashPointsTest.FakeAccountFactory(chain);
        factory.balances.put(WithdrawalCrashPointsTest.FakeAccountFactory.NATIVE, BigInteger.TEN); // below the threshold
        start();
        chain.mine();
        follower.poll();
    }

    /** The withdrawal service and the sweeper, as a node process starts them. */
    private void start() {
        withdrawals = new AccountWithdrawalService(store, chain, factory, book, vault::signer, 1, Clock.systemUTC(),
                AccountWithdrawalService.NO_CRASH);
        sweeper = new SweepService(store, withdrawals, book, new SweepService.Policy(Map.of(WithdrawalCrashPointsTest.FakeAccountFactory.NATIVE,
                THRESHOLD)));
    }

    /** {@code n} new deposit addresses of account 0. */
    private List<String> newAddresses(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(book.next(0, 0).address());
        }
        return out;
    }

    @AfterEach
    void close() {
        vault.close();
        store.close();
    }

    /** A block paying each of {@code addresses}, confirmed and followed. */
    private void pay(List<String> addresses) {
        List<Payment> payments = new ArrayList<>();
        for (String a : addresses) {
            payments.add(new Payment(String.format("%064x", ++paid), 0, a, WithdrawalCrashPointsTest.FakeAccountFactory.NATIVE,
                    BigInteger.valueOf(5)));
        }
        chain.mine(payments.toArray(Payment[]::new));
        follower.poll();
    }

    /** Calls to the node one sweep round makes (nonce and balance reads), and what it started. */
    private int round(List<Withdrawal> started) {
        int before = factory.reads.get();
        started.addAll(sweeper.sweep(0));
        return factory.reads.get() - before;
    }

    private int round() {
        return round(new ArrayList<>());
    }

    @Test
    void aRoundChecksTheAddressesADepositConfirmedAtNotEveryOneEverPaid() {
        List<String> addresses = newAddresses(5);
        pay(addresses);
        assertEquals(2 * 5, round(), "each paid address: its nonce and its balance");
        assertEquals(0, round(), "nothing new: nothing asked");
        assertEquals(0, round());

        pay(List.of(addresses.get(2)));
        assertEquals(2, round(), "a deposit again at one of them: that one");
        assertEquals(0, round());

        // Above the threshold now: swept, then looked at once more when that sweep is settled.
        factory.balances.put(WithdrawalCrashPointsTest.FakeAccountFactory.NATIVE, THRESHOLD.multiply(BigInteger.TEN));
        pay(List.of(addresses.get(4)));
        List<Withdrawal> started = new ArrayList<>();
        round(started);
        assertEquals(List.of(addresses.get(4)), started.stream().map(w -> NonceSlot.of(w).address()).toList(), "swept from it");
        factory.balances.put(WithdrawalCrashPointsTest.FakeAccountFactory.NATIVE, BigInteger.TEN);
        assertEquals(0, round(), "its sweep pending: not asked");
        chain.mine();
        follower.poll();
        withdrawals.track();
        assertEquals(2, round(), "settled: checked once more");
        assertEquals(0, round());
    }

    @Test
    void aRoundChecksABoundedNumberAndTheRestWaitForTheNext() {
        List<String> addresses = newAddresses(SweepService.CHECKS_PER_ROUND + 3);
        pay(addresses);
        assertEquals(2 * SweepService.CHECKS_PER_ROUND, round());
        assertEquals(2 * 3, round());
        assertEquals(0, round());
    }

    @Test
    void anAddressTheNodeCouldNotBeAskedAboutStaysDue() {
        pay(newAddresses(1));
        factory.unreachable = new io.coffer.core.chain.ChainUnavailableException("fake", "connection refused", null);
        assertThrows(io.coffer.core.chain.ChainUnavailableException.class, () -> sweeper.sweep(0));
        factory.unreachable = null;
        assertEquals(2, round(), "asked again at the next round");
        assertEquals(0, round());
    }

    @Test
    void aStartedNodeChecksEveryAddressPaidBeforeOnce() {
        List<String> addresses = newAddresses(4);
        pay(addresses);
        start(); // a new process: nothing in memory
        assertEquals(2 * 4, round(), "each address paid before it started, once");
        assertEquals(0, round());
    }
}
