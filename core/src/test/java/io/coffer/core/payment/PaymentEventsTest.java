package io.coffer.core.payment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.core.CofferSchema;
import io.coffer.core.audit.AuditLog;
import io.coffer.core.chain.AddressBook;
import io.coffer.core.chain.ChainFollower;
import io.coffer.core.chain.Deposit;
import io.coffer.core.chain.FakeChainSource;
import io.coffer.core.chain.Payment;
import io.coffer.core.custody.AccountScheme;
import io.coffer.core.custody.Ceremony;
import io.coffer.core.custody.SeedFile;
import io.coffer.core.custody.Vault;
import io.coffer.core.event.EventOutbox;
import io.coffer.core.event.EventType;
import io.coffer.core.event.StoredEvent;
import io.coffer.core.keys.Hashes;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A block paying many of a tenant's addresses: its events (their subjects rendered side by side once there are enough) come out
 * one per deposit, in the order the follower recorded the deposits, numbered without gaps, each with its own deposit's subject.
 */
class PaymentEventsTest {
    @TempDir
    Path dir;

    /** A fresh wallet's address book on the fake chain, account 0 watched with a gap of {@code gap}. */
    private AddressBook book(Store store, int gap) {
        AuditLog audit = new AuditLog(store, Clock.systemUTC());
        new Ceremony(store, dir, audit, new SecureRandom(), Clock.systemUTC())
                .init(new Ceremony.Split(1, 1, new char[0], null, SeedFile.DEFAULT_KDF), "test").shares();
        AddressBook book = new AddressBook(store, "fake", AccountScheme.BIP84_TEST, new Vault(store, dir, audit).publicKeys(),
                pub -> "addr-" + HexFormat.of().formatHex(Hashes.hash160(pub)), gap);
        book.watchAccount(0);
        return book;
    }

    @Test
    void aBlockPayingFortyAddressesGivesFortyEventsInOrderEachWithItsOwnSubject() {
        try (Store store = LevelDbStore.open(dir, CofferSchema.current())) {
            FakeChainSource chain = new FakeChainSource("fake");
            AddressBook book = book(store, 50);
            EventOutbox outbox = new EventOutbox(store, Clock.systemUTC());
            PaymentEvents.Renderer renderer = new PaymentEvents.Renderer() {
                @Override
                public String paymentRequest(PaymentRequestService.View view) {
                    throw new AssertionError("no payment request here");
                }

                @Override
                public String deposit(Deposit d, String paymentRequestId) {
                    return "{\"depositId\":\"" + d.id().publicId() + "\",\"amount\":\"" + d.amount() + "\"}";
                }
            };
            ChainFollower follower = new ChainFollower(store, chain, book, 2, 4, Clock.systemUTC());
            follower.sink(new PaymentEvents(store, outbox, renderer, account -> Optional.of("tn_a"), (c, a) -> false, Clock.systemUTC()));
            follower.poll();
            List<Payment> payments = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                payments.add(new Payment(String.format("%064x", i + 1), 0, book.next(0, 0).address(), "fake/BTC", BigInteger.valueOf(1000 + i)));
            }
            chain.mine(payments.toArray(Payment[]::new));
            follower.poll();

            List<StoredEvent> events = outbox.after("tn_a", 0, 100);
            assertEquals(40, events.size());
            for (int i = 0; i < 40; i++) {
                StoredEvent e = events.get(i);
                assertEquals(i + 1, e.sequence());
                assertEquals(EventType.DEPOSIT_SEEN, e.type());
                Deposit d = follower.deposit(new io.coffer.core.chain.DepositId(payments.get(i).txid(), 0)).orElseThrow();
                assertEquals(d.id().publicId(), e.subjectId(), "the events follow the block's order");
                assertTrue(e.body().contains("\"depositId\":\"" + d.id().publicId() + "\",\"amount\":\"" + (1000 + i) + "\""),
                        e.body());
            }
            assertEquals(40, events.stream().map(StoredEvent::subjectId).distinct().count(), "one event per deposit");
        }
    }

    /** A payment request service on the fake chain: one confirmation by default, at most {@code finalConfirmations}. */
    /** The fake chain followed into a store, its payment events rendered by {@link #STATUS} for tenant tn_a. */
    private record Followed(FakeChainSource chain, AddressBook book, EventOutbox outbox, ChainFollower follower, PaymentEvents events) {
    }

    /** The fake chain followed (one confirmation, final at six), at its first block. */
    private Followed followed(Store store) {
        FakeChainSource chain = new FakeChainSource("fake");
        AddressBook book = book(store, 20);
        EventOutbox outbox = new EventOutbox(store, Clock.systemUTC());
        ChainFollower follower = new ChainFollower(store, chain, book, 1, 6, Clock.systemUTC());
        PaymentEvents events = new PaymentEvents(store, outbox, STATUS, account -> Optional.of("tn_a"), (c, a) -> false, Clock.systemUTC());
        follower.sink(events);
        follower.poll();
        return new Followed(chain, book, outbox, follower, events);
    }

    private static PaymentRequestService payments(Store store, Followed f, int finalConfirmations) {
        AddressBook book = f.book();
        ChainFollower follower = f.follower();
        return new PaymentRequestService(store, new PaymentRequestService.Receiving() {
            @Override
            public boolean knows(String asset) {
                return true;
            }

            @Override
            public String issueAddress(int account, String asset) {
                return book.next(account, 0).address();
            }

            @Override
            public String paymentUri(String asset, String address, BigInteger amount, String description) {
                return "fake:" + address;
            }

            @Override
            public List<Deposit> deposits(String asset, String address) {
                return follower.depositsTo(address);
            }

            @Override
            public int defaultConfirmations(String asset) {
                return 1;
            }

            @Override
            public int finalConfirmations(String asset) {
                return finalConfirmations;
            }

            @Override
            public BigInteger maxAmount(String asset) {
                return BigInteger.TEN.pow(30);
            }
        }, new AuditLog(store, Clock.systemUTC()), Clock.systemUTC(), f.events());
    }

    /** Renders a request's update as its status and finality, a deposit as its id. */
    private static final PaymentEvents.Renderer STATUS = new PaymentEvents.Renderer() {
        @Override
        public String paymentRequest(PaymentRequestService.View view) {
            return "{\"status\":\"" + view.evaluation().status() + "\",\"final\":" + view.evaluation().isFinal() + "}";
        }

        @Override
        public String deposit(Deposit d, String paymentRequestId) {
            return "{\"depositId\":\"" + d.id().publicId() + "\"}";
        }
    };

    /**
     * Pays {@code pr} in full in the first of {@code blocks} blocks, then mines the rest; per block, the request updates it
     * brought ("block:[{status, final}...]").
     */
    private static List<String> updatesOverBlocks(Followed f, PaymentRequest pr, int blocks) {
        FakeChainSource chain = f.chain();
        ChainFollower follower = f.follower();
        EventOutbox outbox = f.outbox();
        List<String> updates = new ArrayList<>();
        for (int block = 1; block <= blocks; block++) {
            long before = outbox.after("tn_a", 0, 1_000).size();
            if (block == 1) {
                chain.mine(new Payment("ab".repeat(32), 0, pr.address(), "fake/BTC", pr.amount()));
            } else {
                chain.mine();
            }
            follower.poll();
            List<StoredEvent> made = outbox.after("tn_a", before, 1_000);
            updates.add(block + ":" + made.stream().filter(e -> e.type() == EventType.PAYMENT_REQUEST_UPDATED)
                    .map(e -> e.body().replaceAll(".*\"paymentRequest\":", "").replace("}", "")).toList());
        }
        return updates;
    }

    /**
     * A request needing more confirmations than the chain's: the confirmations that move it are not status changes of its
     * deposit (CONFIRMED at the chain's one), and the blocks between move nothing. CONFIRMED comes with the third block exactly,
     * finality with the sixth, and nothing in between.
     */
    @Test
    void aRequestNeedingThreeConfirmationsOnAChainOfOneIsConfirmedAtTheThirdBlock() {
        try (Store store = LevelDbStore.open(dir, CofferSchema.current())) {
            Followed f = followed(store);
            PaymentRequest pr = payments(store, f, 6).create("tn_a", 0, new PaymentRequestService.Create("fake/BTC",
                    "1000", null, 3, "", java.util.Map.of(), "", "three")).request();
            assertEquals(List.of(
                    "1:[{\"status\":\"PAID_UNCONFIRMED\",\"final\":false]",
                    "2:[]",
                    "3:[{\"status\":\"CONFIRMED\",\"final\":false]",
                    "4:[]",
                    "5:[]",
                    "6:[{\"status\":\"CONFIRMED\",\"final\":true]",
                    "7:[]"), updatesOverBlocks(f, pr, 7));
        }
    }

    /**
     * A payment's confirmations stop counting at the chain's reorg-safety depth, where it is final and no longer followed: a
     * request needing more was accepted (0 to 100) and then never confirmed, its customer's payment waiting for ever. Now it is
     * refused, naming the field and the most the chain allows, and nothing is made; the depth itself is accepted.
     */
    @Test
    void aRequestCannotNeedMoreConfirmationsThanTheChainFollows() {
        try (Store store = LevelDbStore.open(dir, CofferSchema.current())) {
            Followed f = followed(store);
            PaymentRequestService payments = payments(store, f, 6);
            int issued = f.book().issuedCount(0, 0);
            io.coffer.core.error.CofferException e = org.junit.jupiter.api.Assertions.assertThrows(io.coffer.core.error.CofferException.class,
                    () -> payments.create("tn_a", 0, new PaymentRequestService.Create("fake/BTC", "1000", null, 7, "", java.util.Map.of(), "",
                            "seven")));
            assertEquals(io.coffer.core.error.ErrorKind.INVALID_ARGUMENT, e.kind());
            assertEquals("CONFIRMATIONS_OUT_OF_RANGE", e.code());
            assertEquals("required_confirmations", e.field());
            assertTrue(e.getMessage().contains("0 to 6"), e.getMessage());
            assertEquals(issued, f.book().issuedCount(0, 0), "no address issued");
            assertEquals(0, payments.page("tn_a", new PaymentRequestService.ListQuery(java.time.Instant.MIN, java.time.Instant.MAX, java.util.Set.of(), "", ""), Optional.empty(), 10).items().size(), "nothing stored");
            assertEquals(6, payments.create("tn_a", 0, new PaymentRequestService.Create("fake/BTC", "1000", null, 6, "", java.util.Map.of(), "",
                    "six")).request().requiredConfirmations());
        }
    }

    /**
     * A speed policy stands for a number of confirmations (SPEED_POLICY_LOW: 6): on a chain final sooner it is refused as that
     * number would be, but naming the field the merchant set, {@code speed_policy}, not one they did not; a policy the chain
     * meets stores its number.
     */
    @Test
    void aSpeedPolicyTheChainCannotMeetIsRefusedNamingThePolicy() {
        try (Store store = LevelDbStore.open(dir, CofferSchema.current())) {
            Followed f = followed(store);
            PaymentRequestService payments = payments(store, f, 4);
            io.coffer.core.error.CofferException e = org.junit.jupiter.api.Assertions.assertThrows(io.coffer.core.error.CofferException.class,
                    () -> payments.create("tn_a", 0, new PaymentRequestService.Create("fake/BTC", "1000", null, null, "", java.util.Map.of(), "",
                            "low", "", SpeedPolicy.LOW)));
            assertEquals(io.coffer.core.error.ErrorKind.INVALID_ARGUMENT, e.kind());
            assertEquals("CONFIRMATIONS_OUT_OF_RANGE", e.code());
            assertEquals("speed_policy", e.field());
            assertTrue(e.getMessage().contains("SPEED_POLICY_LOW waits for 6 confirmations, more than 4 on fake/BTC"), e.getMessage());
            assertEquals(0, payments.page("tn_a", new PaymentRequestService.ListQuery(java.time.Instant.MIN, java.time.Instant.MAX,
                    java.util.Set.of(), "", ""), Optional.empty(), 10).items().size(), "nothing stored");
            assertEquals(2, payments.create("tn_a", 0, new PaymentRequestService.Create("fake/BTC", "1000", null, null, "", java.util.Map.of(), "",
                    "low-medium", "", SpeedPolicy.LOW_MEDIUM)).request().requiredConfirmations());
            assertEquals(6, payments(store, f, 6).create("tn_a", 0, new PaymentRequestService.Create("fake/BTC", "1000", null, null, "",
                    java.util.Map.of(), "", "low", "", SpeedPolicy.LOW)).request().requiredConfirmations());
            assertEquals(1, payments.create("tn_a", 0, new PaymentRequestService.Create("fake/BTC", "1000", null, null, "", java.util.Map.of(),
                    "", "default", "", null)).request().requiredConfirmations(), "neither: the chain's default");
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new PaymentRequestService.Create("fake/BTC",
                    "1000", null, 3, "", java.util.Map.of(), "", "both", "", SpeedPolicy.LOW), "a policy and a number: not both");
        }
    }

    /**
     * A request stored needing more confirmations than its chain now follows (made before that was refused, or before the
     * operator lowered the chain's reorg-safety depth) is confirmed when its payment is final: the most the node can tell.
     */
    @Test
    void aStoredRequestNeedingMoreThanTheChainFollowsIsConfirmedWhenItsPaymentIsFinal() {
        try (Store store = LevelDbStore.open(dir, CofferSchema.current())) {
            Followed f = followed(store);
            PaymentRequest pr = payments(store, f, 100).create("tn_a", 0, new PaymentRequestService.Create("fake/BTC",
                    "1000", null, 10, "", java.util.Map.of(), "", "ten")).request();
            assertEquals(List.of(
                    "1:[{\"status\":\"PAID_UNCONFIRMED\",\"final\":false]",
                    "2:[]",
                    "3:[]",
                    "4:[]",
                    "5:[]",
                    "6:[{\"status\":\"CONFIRMED\",\"final\":true]",
                    "7:[]"), updatesOverBlocks(f, pr, 7));
        }
    }
}
