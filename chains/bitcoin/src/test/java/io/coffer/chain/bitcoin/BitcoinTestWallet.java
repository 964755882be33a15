package io.coffer.chain.bitcoin;

import io.coffer.core.CofferSchema;
import io.coffer.core.chain.AddressBook;
import io.coffer.core.chain.ChainFollower;
import io.coffer.core.custody.AccountScheme;
import io.coffer.core.custody.TestKeys;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import io.coffer.core.transfer.UtxoWithdrawalService;
import io.coffer.testkit.BitcoindNode;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.bitcoinj.base.BitcoinNetwork;

/**
 * A wallet on a real bitcoind for the withdrawal tests: its store in {@code dir}, new keys (sealed until {@link #keys} unseals
 * them), account 0 watched, a follower and a withdrawal service with the given confirmations and reorg-safety depth.
 */
final class BitcoinTestWallet implements AutoCloseable {
    final Store store;
    final TestKeys keys;
    final BitcoinChainSource source;
    final AddressBook book;
    final ChainFollower follower;
    final UtxoWithdrawalService withdrawals;

    BitcoinTestWallet(Path dir, BitcoindNode node, int confirmations, int safetyDepth) {
        store = LevelDbStore.open(dir, CofferSchema.current());
        keys = TestKeys.sealed(store, dir);
        source = new BitcoinChainSource(new BitcoinRpcClient("bitcoin", node.rpcUrl(), BitcoindNode.RPC_USER, BitcoindNode.RPC_PASSWORD,
                null, Duration.ofSeconds(30)), BitcoinNetwork.REGTEST);
        book = new AddressBook(store, "bitcoin", AccountScheme.BIP84_TEST, keys.vault().publicKeys(),
                BitcoinAddresses.p2wpkh(BitcoinNetwork.REGTEST), 20);
        book.watchAccount(0);
        follower = new ChainFollower(store, source, book, confirmations, safetyDepth, Clock.systemUTC());
        withdrawals = new UtxoWithdrawalService(store, source, new BitcoinTransactionFactory(BitcoinNetwork.REGTEST), book,
                keys.vault()::signer, confirmations, Clock.systemUTC(), UtxoWithdrawalService.NO_CRASH);
        withdrawals.finalityDepth(safetyDepth);
    }

    /** Follows the chain to its tip, then the withdrawals. */
    void sync() {
        while (!follower.poll().caughtUp()) {
            // catching up
        }
        withdrawals.track();
    }

    @Override
    public void close() {
        store.close();
    }
}
