package io.coffer.core.chain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.core.CofferSchema;
import io.coffer.core.audit.AuditLog;
import io.coffer.core.custody.AccountScheme;
import io.coffer.core.custody.Ceremony;
import io.coffer.core.custody.SeedFile;
import io.coffer.core.custody.Vault;
import io.coffer.core.keys.Hashes;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issuing addresses side by side (payment requests do, their writes queued and their next window address derived outside the
 * lock): every address once, each the derivation of its own index, every issued one watched, and the same state after a
 * restart from the store.
 */
class AddressBookTest {
    @TempDir
    Path dir;

    private static AddressBook book(Store store, Vault vault) {
        return new AddressBook(store, "fake", AccountScheme.BIP84_TEST, vault.publicKeys(),
                pub -> "addr-" + java.util.HexFormat.of().formatHex(Hashes.hash160(pub)), 5);
    }

    @Test
    void concurrentIssuesAreDistinctWatchedAndSurviveARestart() throws Exception {
        int threads = 8;
        int each = 40;
        List<String> issued = new ArrayList<>();
        try (Store store = LevelDbStore.open(dir, CofferSchema.current())) {
            AuditLog audit = new AuditLog(store, Clock.systemUTC());
            new Ceremony(store, dir, audit, new SecureRandom(), Clock.systemUTC())
                    .init(new Ceremony.Split(1, 1, new char[0], null, SeedFile.DEFAULT_KDF), "test").shares();
            Vault vault = new Vault(store, dir, audit);
            AddressBook book = book(store, vault);
            book.watchAccount(0);
            ConcurrentLinkedQueue<AddressBook.Issued> out = new ConcurrentLinkedQueue<>();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> all = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                all.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < each; i++) {
                        out.add(book.next(0, 0, null, i % 2 == 0)); // half queued, half waited for
                    }
                }));
            }
            start.countDown();
            for (Thread t : all) {
                t.join();
            }
            Set<Integer> indexes = new HashSet<>();
            for (AddressBook.Issued i : out) {
                assertTrue(indexes.add(i.info().index()), "index " + i.info().index() + " issued twice");
                assertEquals(book.addressAt(0, 0, i.info().index()), i.address(), "the address of its own index");
                assertTrue(book.watches(i.address()), "an issued address is watched");
                issued.add(i.address());
            }
            assertEquals(threads * each, indexes.size());
            assertEquals(threads * each, book.issuedCount(0, 0));
            for (int i = 0; i < threads * each + 5; i++) {
                assertTrue(book.watches(book.addressAt(0, 0, i)), "the window reaches " + (threads * each + 5));
            }
            store.batch().put(io.coffer.core.payment.PaymentTables.PUBLISHED, "after", "x").commit(); // the queued writes before it
        }
        try (Store store = LevelDbStore.open(dir, CofferSchema.current())) {
            Vault vault = new Vault(store, dir, new AuditLog(store, Clock.systemUTC()));
            AddressBook again = book(store, vault);
            assertEquals(threads * each, again.issuedCount(0, 0), "the branch as it was");
            for (String a : issued) {
                assertTrue(again.watches(a), "watched after a restart: " + a);
            }
            String next = again.next(0, 0).address();
            assertTrue(!issued.contains(next), "never an address already issued");
            assertEquals(again.addressAt(0, 0, threads * each), next);
        }
    }
    @Test
    void aBigWindowDerivedOnEveryCoreWatchesEachIndexsOwnAddressAndLoadsTheSameAfterARestart() {
        int gap = 9_000; // more than two chunks derived side by side, and a tail
        try (Store store = LevelDbStore.open(dir, CofferSchema.current())) {
            AuditLog audit = new AuditLog(store, Clock.systemUTC());
            new Ceremony(store, dir, audit, new SecureRandom(), Clock.systemUTC())
                    .init(new Ceremony.Split(1, 1, new char[0], null, SeedFile.DEFAULT_KDF), "test").shares();
            Vault vault = new Vault(store, dir, audit);
            AddressBook.Encoder encoder = pub -> "addr-" + java.util.HexFormat.of().formatHex(Hashes.hash160(pub));
            AddressBook book = new AddressBook(store, "fake", AccountScheme.BIP84_TEST, vault.publicKeys(), encoder, gap);
            book.watchAccount(3);
            assertEquals(2 * gap, book.size());
            for (int change = 0; change <= 1; change++) {
                for (int i = 0; i < gap; i += 7) {
                    String address = encoder.address(vault.publicKeys().derive(AccountScheme.BIP84_TEST, 3, change, i).publicKey());
                    assertEquals(new AddressInfo(AccountScheme.BIP84_TEST.id(), 3, change, i), book.lookup(address).orElseThrow());
                }
            }
            AddressBook again = new AddressBook(store, "fake", AccountScheme.BIP84_TEST, vault.publicKeys(), encoder, gap);
            assertEquals(2 * gap, again.size());
            assertEquals(book.lookup(book.addressAt(3, 1, gap - 1)), again.lookup(book.addressAt(3, 1, gap - 1)));
        }
    }
}
