package io.coffer.chain.bitcoin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.core.CofferSchema;
import io.coffer.core.chain.AddressBook;
import io.coffer.core.chain.ChainFollower;
import io.coffer.core.custody.AccountScheme;
import io.coffer.core.audit.AuditLog;
import io.coffer.core.custody.Ceremony;
import io.coffer.core.custody.SeedFile;
import io.coffer.core.custody.Vault;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.WithDevnet;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.bitcoinj.base.BitcoinNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restore from shares into an empty data dir, then rescan: every past deposit is found, including at
 * addresses far beyond the first 20 — through repeated passes as used addresses move the window, and a
 * larger configured gap for longer runs of unused addresses.
 */
@WithDevnet
class BitcoinRestoreIT {
    @TempDir
    Path dir;

    private static final SeedFile.KdfParams FAST = new SeedFile.KdfParams(10, 8, 1);

    private ChainFollower follower(Store store, Path d, int gap, BitcoindNode node) {
        AuditLog audit = new AuditLog(store, Clock.systemUTC());
        AddressBook book = new AddressBook(store, "bitcoin", AccountScheme.BIP84_TEST, new Vault(store, d, audit).publicKeys(),
                BitcoinAddresses.p2wpkh(BitcoinNetwork.REGTEST), gap);
        book.watchAccount(0);
        BitcoinChainSource source = new BitcoinChainSource(new BitcoinRpcClient("bitcoin", node.rpcUrl(), BitcoindNode.RPC_USER,
                BitcoindNode.RPC_PASSWORD, null, Duration.ofSeconds(30)), BitcoinNetwork.REGTEST);
        return new ChainFollower(store, source, book, 1, 3, Clock.systemUTC());
    }

    @Test
    void restoreAndRescanFindsEveryPastDeposit(BitcoindNode node) {
        if (node.height() < 110) {
            node.mine(110);
        }
        long start = node.height() + 1;
        Path original = dir.resolve("original");
        List<char[]> shares;
        List<String> addresses = new java.util.ArrayList<>();
        try (Store store = LevelDbStore.open(original, CofferSchema.current())) {
            AuditLog audit = new AuditLog(store, Clock.systemUTC());
            shares = new Ceremony(store, original, audit, new SecureRandom(), Clock.systemUTC())
                    .init(new Ceremony.Split(3, 2, new char[0], null, FAST), "test").shares();
            AddressBook book = new AddressBook(store, "bitcoin", AccountScheme.BIP84_TEST, new Vault(store, original, audit).publicKeys(),
                    BitcoinAddresses.p2wpkh(BitcoinNetwork.REGTEST), 20);
            for (int i = 0; i < 80; i++) {
                addresses.add(book.next(0, 0).address()); // handed out to customers, most never paid
            }
        }
        int[] paid = {3, 20, 40, 75};
        for (int i : paid) {
            node.minerWallet("sendtoaddress", addresses.get(i), "0.01");
        }
        node.mine(1);
        node.mine(2);

        // Restore with the default gap of 20: passes find #3, then #20, then #40; #75 sits after 34 unused.
        Path restored = dir.resolve("restored");
        try (Store store = LevelDbStore.open(restored, CofferSchema.current())) {
            new Ceremony(store, restored, new AuditLog(store, Clock.systemUTC()), new SecureRandom(), Clock.systemUTC())
                    .recoverFromShares(List.of(shares.get(2), shares.get(0)), new char[0], null, FAST, "test");
            ChainFollower f = follower(store, restored, 20, node);
            int passes = f.rescan(start);
            assertTrue(passes >= 3, "the window grew pass after pass: " + passes);
            assertEquals(BigInteger.valueOf(3_000_000), f.balance(0).confirmed(), "#3, #20, #40 found; #75 is beyond the gap");
        }
        // With a gap matching the merchant's habits (configured), everything is found.
        Path restored2 = dir.resolve("restored-gap40");
        try (Store store = LevelDbStore.open(restored2, CofferSchema.current())) {
            new Ceremony(store, restored2, new AuditLog(store, Clock.systemUTC()), new SecureRandom(), Clock.systemUTC())
                    .recoverFromShares(List.of(shares.get(1), shares.get(2)), new char[0], null, FAST, "test");
            ChainFollower f = follower(store, restored2, 40, node);
            f.rescan(start);
            assertEquals(BigInteger.valueOf(4_000_000), f.balance(0).confirmed(), "all four, up to index 75");
        }
    }
}
