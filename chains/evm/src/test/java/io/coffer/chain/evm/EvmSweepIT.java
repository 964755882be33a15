package io.coffer.chain.evm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.core.CofferSchema;
import io.coffer.core.address.EvmAddress;
import io.coffer.core.chain.AddressBook;
import io.coffer.core.chain.ChainFollower;
import io.coffer.core.config.EvmChainConfig;
import io.coffer.core.config.TokenConfig;
import io.coffer.core.custody.AccountScheme;
import io.coffer.core.audit.AuditLog;
import io.coffer.core.custody.Ceremony;
import io.coffer.core.custody.SeedFile;
import io.coffer.core.custody.Vault;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import io.coffer.core.transfer.AccountWithdrawalService;
import io.coffer.core.transfer.SweepService;
import io.coffer.core.transfer.Withdrawal;
import io.coffer.core.transfer.WithdrawalStatus;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.Devnet;
import io.coffer.testkit.Solc;
import io.coffer.testkit.WithDevnet;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint8;

/** Sweeps on a real anvil: ETH pays its own gas; a token sweep is preceded by a gas top-up from the hot address. */
@WithDevnet
class EvmSweepIT {
    private static final BigInteger ETHER = BigInteger.TEN.pow(18);
    @TempDir
    Path dir;

    @Test
    void depositsAreSweptToTheHotAddressAndTheGasIsAccounted(AnvilNode anvil) {
        Solc.Contract c = Solc.compile(Devnet.projectRoot().resolve("chains/evm/src/test/resources/contracts/TestToken.sol"), "TestToken");
        String deploy = anvil.transact(null, c.bin() + FunctionEncoder.encodeConstructor(List.of(new Utf8String("Test Dollar"),
                new Utf8String("USDC"), new Uint8(6), new Uint256(BigInteger.TEN.pow(15)))));
        String token = EvmAddress.parse("contract", anvil.receipt(deploy).get("contractAddress").asText()).toString();
        try (Store store = LevelDbStore.open(dir, CofferSchema.current())) {
            AuditLog audit = new AuditLog(store, Clock.systemUTC());
            Ceremony.Result r = new Ceremony(store, dir, audit, new SecureRandom(), Clock.systemUTC())
                    .init(new Ceremony.Split(1, 1, new char[0], null, new SeedFile.KdfParams(10, 8, 1)), "test");
            Vault vault = new Vault(store, dir, audit);
            vault.submitShare(r.shares().get(0), new char[0], "test");
            EvmChainConfig config = new EvmChainConfig("ethereum", AnvilNode.CHAIN_ID, anvil.rpcUrl(), 1, 4, Duration.ofSeconds(1),
                    "ETH", 18, true, List.of(new TokenConfig("USDC", EvmAddress.parse("contract", token), 6)));
            EvmRpcClient rpc = new EvmRpcClient(config);
            EvmChainSource source = new EvmChainSource(rpc, config);
            AddressBook book = new AddressBook(store, "ethereum", AccountScheme.EVM, vault.publicKeys(), EvmAddresses.encoder(), 20);
            book.watchAccount(0);
            ChainFollower follower = new ChainFollower(store, source, book, 1, 4, Clock.systemUTC());
            EvmTransactionFactory factory = new EvmTransactionFactory(rpc, config);
            AccountWithdrawalService withdrawals = new AccountWithdrawalService(store, source, factory, book, vault::signer, 1,
                    Clock.systemUTC(), AccountWithdrawalService.NO_CRASH);
            SweepService sweeper = new SweepService(store, withdrawals, book, new SweepService.Policy(Map.of(
                    "ethereum/ETH", BigInteger.TEN.pow(15), "ethereum/USDC", BigInteger.ZERO)));
            follower.poll();

            String hot = withdrawals.hotAddress(0);
            anvil.send(hot, ETHER); // the hot address pays for token top-ups
            String a = book.next(0, 0).address();
            String b = book.next(0, 0).address();
            anvil.send(a, ETHER.divide(BigInteger.TWO));
            anvil.transact(token, FunctionEncoder.encode(new Function("transfer",
                    List.of(new Address(b), new Uint256(BigInteger.valueOf(30_000_000))), List.of())));
            anvil.mine(1);
            follower.poll();

            List<Withdrawal> all = new ArrayList<>();
            List<Withdrawal> round1 = sweeper.sweep(0);
            assertEquals(2, round1.size(), "ETH swept from A, gas topped up to B: " + round1);
            all.addAll(round1);
            anvil.mine(1);
            follower.poll();
            withdrawals.track();
            List<Withdrawal> round2 = sweeper.sweep(0);
            assertEquals(1, round2.size(), "now the tokens of B: " + round2);
            all.addAll(round2);
            anvil.mine(1);
            follower.poll();
            withdrawals.track();
            assertTrue(sweeper.sweep(0).isEmpty(), "nothing left above the thresholds");

            assertEquals(BigInteger.valueOf(30_000_000), factory.balance("ethereum/USDC", hot));
            assertEquals(BigInteger.ZERO, factory.balance("ethereum/USDC", b));
            assertTrue(factory.balance("ethereum/ETH", a).compareTo(BigInteger.TEN.pow(15)) < 0, "only fee dust left at A");
            BigInteger paid = BigInteger.ZERO;
            for (Withdrawal w : all) {
                Withdrawal done = withdrawals.get(w.id()).orElseThrow();
                assertEquals(WithdrawalStatus.CONFIRMED, done.status(), done.idempotencyKey());
                var receipt = anvil.receipt(done.txid());
                paid = paid.add(new BigInteger(receipt.get("gasUsed").asText().substring(2), 16)
                        .multiply(new BigInteger(receipt.get("effectiveGasPrice").asText().substring(2), 16)));
            }
            assertEquals(paid, sweeper.gasSpent(0), "every wei of gas of the sweeps and the top-up is accounted");
            // The ledger agrees with the chain to the wei: what the account's addresses hold is its balance.
            BigInteger onChain = factory.balance("ethereum/ETH", hot).add(factory.balance("ethereum/ETH", a))
                    .add(factory.balance("ethereum/ETH", b));
            assertEquals(onChain, withdrawals.balance(0, "ethereum/ETH").confirmed());
            assertEquals(BigInteger.valueOf(30_000_000), withdrawals.balance(0, "ethereum/USDC").confirmed());
            assertTrue(new io.coffer.core.transfer.AccountHistory(store).page(0, java.time.Instant.MIN, java.time.Instant.MAX, "",
                    java.util.Optional.empty(), 100).items().stream().filter(h -> !h.incoming()).allMatch(h -> h.internal()), "sweeps are internal");
        }
    }
}
