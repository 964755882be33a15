package io.coffer.chain.bitcoin;

import io.coffer.core.CofferSchema;
import io.coffer.core.chain.AddressBook;
import io.coffer.core.chain.ChainFollower;
import io.coffer.core.custody.AccountScheme;
import io.coffer.core.custody.Vault;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import io.coffer.core.transfer.CrashHarness;
import io.coffer.core.transfer.WithdrawalLedger;
import io.coffer.core.transfer.Withdrawal;
import io.coffer.core.transfer.UtxoWithdrawalService;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.bitcoinj.base.BitcoinNetwork;

/**
 * A wallet process for the crash tests: it runs the same classes as the node and can be told to stop
 * dead at one of the withdrawal's crash points, where the test kills it with SIGKILL.
 *
 * <pre>
 * setup  DIR RPC                      create a wallet; print "ADDRESS a" (fund it)
 * run    DIR RPC PAYEE SATS KEY POINT withdraw; at POINT print "CRASHPOINT POINT" and hang
 * resume DIR RPC PAYEE SATS KEY       restart: resume(), then the client's retry with the same key
 * </pre>
 */
public final class WithdrawalCrashHarness {
    private WithdrawalCrashHarness() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        URI rpc = URI.create(args[2]);
        try (Store store = LevelDbStore.open(dir, CofferSchema.current())) {
            Vault vault = CrashHarness.wallet(store, dir, args[0]);
            BitcoinChainSource source = new BitcoinChainSource(new BitcoinRpcClient("bitcoin", rpc, "coffer", "coffer-test", null,
                    Duration.ofSeconds(30)), BitcoinNetwork.REGTEST);
            AddressBook book = new AddressBook(store, "bitcoin", AccountScheme.BIP84_TEST, vault.publicKeys(),
                    BitcoinAddresses.p2wpkh(BitcoinNetwork.REGTEST), 20);
            book.watchAccount(0);
            ChainFollower follower = new ChainFollower(store, source, book, 1, 3, Clock.systemUTC());
            if (args[0].equals("setup")) {
                follower.poll();
                System.out.println("ADDRESS " + book.next(0, 0).address());
                return;
            }
            while (!follower.poll().caughtUp()) {
                // catch up
            }
            CrashHarness.unseal(vault);
            WithdrawalLedger.CrashPoints points = CrashHarness.stopAt(args[0].equals("run") ? args[6] : "");
            UtxoWithdrawalService service = new UtxoWithdrawalService(store, source, new BitcoinTransactionFactory(BitcoinNetwork.REGTEST),
                    book, vault::signer, 1, Clock.systemUTC(), points);
            if (args[0].equals("resume")) {
                service.resume();
            }
            Withdrawal w = service.create(0, args[3], new BigInteger(args[4]), io.coffer.core.transfer.FeeRate.satPerVbyte(2), args[5]);
            System.out.println("DONE " + w.id() + " " + w.txid() + " " + w.status());
        }
    }
}
