package io.coffer.chain.evm;

import io.coffer.core.CofferSchema;
import io.coffer.core.address.EvmAddress;
import io.coffer.core.chain.AddressBook;
import io.coffer.core.config.EvmChainConfig;
import io.coffer.core.config.TokenConfig;
import io.coffer.core.custody.AccountScheme;
import io.coffer.core.custody.TestKeys;
import io.coffer.core.custody.Vault;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import io.coffer.core.transfer.AccountWithdrawalService;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.Devnet;
import io.coffer.testkit.Solc;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint8;

/**
 * A wallet on a real anvil for the withdrawal tests: a freshly deployed USDC-like test token, the store in {@code dir}, new
 * unsealed keys, and a withdrawal service whose hot address holds 5 ETH and 50 USDC (anvil mining a block per transaction).
 */
final class EvmTestWallet implements AutoCloseable {
    static final BigInteger ETHER = BigInteger.TEN.pow(18);
    final Store store;
    final Vault vault;
    final String token;
    final EvmChainConfig config;
    final EvmRpcClient rpc;
    final AddressBook book;
    final EvmTransactionFactory factory;
    final AccountWithdrawalService withdrawals;
    final String hot;

    EvmTestWallet(Path dir, AnvilNode anvil, int confirmations, int safetyDepth) {
        anvil.setAutomine(true);
        Solc.Contract c = Solc.compile(Devnet.projectRoot().resolve("chains/evm/src/test/resources/contracts/TestToken.sol"), "TestToken");
        String deploy = anvil.transact(null, c.bin() + FunctionEncoder.encodeConstructor(List.of(new Utf8String("Test Dollar"),
                new Utf8String("USDC"), new Uint8(6), new Uint256(BigInteger.TEN.pow(15)))));
        token = EvmAddress.parse("contract", anvil.receipt(deploy).get("contractAddress").asText()).toString();
        store = LevelDbStore.open(dir, CofferSchema.current());
        vault = TestKeys.unsealed(store, dir);
        config = new EvmChainConfig("ethereum", AnvilNode.CHAIN_ID, anvil.rpcUrl(), confirmations, safetyDepth, Duration.ofSeconds(1),
                "ETH", 18, true, List.of(new TokenConfig("USDC", EvmAddress.parse("contract", token), 6)));
        rpc = new EvmRpcClient(config);
        book = new AddressBook(store, "ethereum", AccountScheme.EVM, vault.publicKeys(), EvmAddresses.encoder(), 20);
        factory = new EvmTransactionFactory(rpc, config);
        withdrawals = new AccountWithdrawalService(store, new EvmChainSource(rpc, config), factory, book, vault::signer, confirmations,
                Clock.systemUTC(), AccountWithdrawalService.NO_CRASH);
        withdrawals.finalityDepth(safetyDepth);
        hot = withdrawals.hotAddress(0);
        anvil.send(hot, ETHER.multiply(BigInteger.valueOf(5)));
        anvil.transact(token, FunctionEncoder.encode(new Function("transfer", List.of(new Address(hot), new Uint256(BigInteger.valueOf(50_000_000))),
                List.of())));
    }

    @Override
    public void close() {
        store.close();
    }
}
