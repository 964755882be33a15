package io.coffer.bench;

import io.coffer.chain.evm.EvmAddresses;
import io.coffer.chain.evm.EvmChainSource;
import io.coffer.chain.evm.EvmRpcClient;
import io.coffer.chain.evm.EvmTransactionFactory;
import io.coffer.core.CofferSchema;
import io.coffer.core.chain.AddressBook;
import io.coffer.core.config.EvmChainConfig;
import io.coffer.core.custody.AccountScheme;
import io.coffer.core.audit.AuditLog;
import io.coffer.core.custody.Ceremony;
import io.coffer.core.custody.SeedFile;
import io.coffer.core.custody.Vault;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import io.coffer.core.transfer.AccountWithdrawalService;
import io.coffer.testkit.AnvilNode;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.utils.Numeric;

/**
 * Sustained withdrawals/s to anvil through Coffer (fee lookup, gas, funds check, nonce assignment,
 * signing by the custody signer, the synced write of the signed bytes, broadcast) as a ratio to anvil's
 * raw {@code eth_sendRawTransaction} rate for pre-signed transactions, measured in the same run.
 *
 * <pre>scripts/bench withdrawals [count, default 500]</pre>
 */
public final class EvmWithdrawalBenchmark {
    /** Anvil's second well-known dev key (test mnemonic, m/44'/60'/0'/0/1): used only for the raw baseline. */
    private static final String DEV_KEY_1 = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

    private EvmWithdrawalBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        System.out.print(Figure.table(List.of(measure(args.length > 0 ? Integer.parseInt(args[0]) : 500))));
    }

    /** Coffer's withdrawals/s beside raw sends, {@code n} of each. */
    static Figure measure(int n) throws Exception {
        Path work = Files.createTempDirectory("coffer-bench-evm-");
        try (AnvilNode anvil = AnvilNode.start(work.resolve("anvil"));
             Store store = LevelDbStore.open(work.resolve("coffer"), CofferSchema.current())) {
            anvil.setAutomine(false);
            EvmChainConfig config = new EvmChainConfig("ethereum", AnvilNode.CHAIN_ID, anvil.rpcUrl(), 1, 4, Duration.ofSeconds(1),
                    "ETH", 18, true, List.of());
            EvmRpcClient rpc = new EvmRpcClient(config);
            String to = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";

            // Baseline: pre-signed transactions, sent back to back.
            Credentials dev = Credentials.create(DEV_KEY_1);
            byte[][] signed = new byte[n][];
            for (int i = 0; i < n; i++) {
                RawTransaction raw = RawTransaction.createTransaction(AnvilNode.CHAIN_ID, BigInteger.valueOf(i), BigInteger.valueOf(21_000), to,
                        BigInteger.ONE, "", BigInteger.TEN.pow(9), BigInteger.TEN.pow(11));
                signed[i] = TransactionEncoder.signMessage(raw, dev);
            }
            long s0 = System.nanoTime();
            for (byte[] tx : signed) {
                rpc.call("eth_sendRawTransaction", Numeric.toHexString(tx));
            }
            double raw = (System.nanoTime() - s0) / 1e9;
            anvil.mine(1);

            // Coffer: n withdrawals from the hot address of a fresh wallet.
            AuditLog audit = new AuditLog(store, Clock.systemUTC());
            Ceremony.Result r = new Ceremony(store, work, audit, new SecureRandom(), Clock.systemUTC())
                    .init(new Ceremony.Split(1, 1, new char[0], null, new SeedFile.KdfParams(10, 8, 1)), "bench");
            Vault vault = new Vault(store, work, audit);
            vault.submitShare(r.shares().get(0), new char[0], "bench");
            AddressBook book = new AddressBook(store, "ethereum", AccountScheme.EVM, vault.publicKeys(), EvmAddresses.encoder(), 20);
            AccountWithdrawalService withdrawals = new AccountWithdrawalService(store, new EvmChainSource(rpc, config),
                    new EvmTransactionFactory(rpc, config), book, vault::signer, 1, Clock.systemUTC(), AccountWithdrawalService.NO_CRASH);
            anvil.send(withdrawals.hotAddress(0), BigInteger.TEN.pow(19));
            anvil.mine(1);
            long s1 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                withdrawals.create(0, "ethereum/ETH", to, BigInteger.ONE, "bench-" + i);
            }
            double coffer = (System.nanoTime() - s1) / 1e9;
            anvil.mine(1);
            System.out.printf("raw eth_sendRawTransaction : %8.1f tx/s (%d pre-signed)%n", n / raw, n);
            System.out.printf("coffer withdrawals         : %8.1f tx/s (%d, signed, stored with fsync, sent)%n", n / coffer, n);
            System.out.printf("ratio coffer/raw           : %.2f%n", raw / coffer);
            return Figure.rate("withdrawals", "EVM withdrawals, " + n + " back to back (sign, fsync, send)", n / coffer, "tx/s",
                    "raw eth_sendRawTransaction, " + n + " pre-signed", n / raw, n == 500 ? ">= 0.5" : "as at 500");
        } finally {
            BenchFiles.deleteTree(work);
        }
    }
}
