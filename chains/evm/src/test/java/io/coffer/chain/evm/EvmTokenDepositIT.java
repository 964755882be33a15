package io.coffer.chain.evm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.core.CofferSchema;
import io.coffer.core.address.EvmAddress;
import io.coffer.core.chain.AddressBook;
import io.coffer.core.chain.ChainFollower;
import io.coffer.core.chain.Deposit;
import io.coffer.core.config.EvmChainConfig;
import io.coffer.core.config.TokenConfig;
import io.coffer.core.custody.AccountScheme;
import io.coffer.core.audit.AuditLog;
import io.coffer.core.custody.Ceremony;
import io.coffer.core.custody.SeedFile;
import io.coffer.core.custody.Vault;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.Devnet;
import io.coffer.testkit.Solc;
import io.coffer.testkit.WithDevnet;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint8;

/**
 * ERC-20 deposits of a real token contract (compiled from Solidity by solcjs at test time, deployed to
 * anvil): exact amounts in token units, their own asset id, and reverted transfers never counted.
 */
@WithDevnet
class EvmTokenDepositIT {
    @TempDir
    Path dir;
    AnvilNode anvil;
    Store store;
    AddressBook book;
    ChainFollower follower;
    String token;

    @BeforeEach
    void setUp(AnvilNode anvil) {
        this.anvil = anvil;
        anvil.setAutomine(true);
        Solc.Contract c = Solc.compile(Devnet.projectRoot().resolve("chains/evm/src/test/resources/contracts/TestToken.sol"), "TestToken");
        String ctor = FunctionEncoder.encodeConstructor(List.of(new Utf8String("Test Dollar"), new Utf8String("USDC"), new Uint8(6),
                new Uint256(BigInteger.TEN.pow(15))));
        String deploy = anvil.transact(null, c.bin() + ctor);
        token = EvmAddress.parse("contract", anvil.receipt(deploy).get("contractAddress").asText()).toString();
        anvil.setAutomine(false);

        store = LevelDbStore.open(dir, CofferSchema.current());
        AuditLog audit = new AuditLog(store, Clock.systemUTC());
        new Ceremony(store, dir, audit, new SecureRandom(), Clock.systemUTC())
                .init(new Ceremony.Split(1, 1, new char[0], null, new SeedFile.KdfParams(10, 8, 1)), "test");
        EvmChainConfig config = new EvmChainConfig("ethereum", AnvilNode.CHAIN_ID, anvil.rpcUrl(), 2, 4, Duration.ofSeconds(1),
                "ETH", 18, true, List.of(new TokenConfig("USDC", EvmAddress.parse("contract", token), 6)));
        book = new AddressBook(store, "ethereum", AccountScheme.EVM, new Vault(store, dir, audit).publicKeys(), EvmAddresses.encoder(), 20);
        book.watchAccount(0);
        follower = new ChainFollower(store, new EvmChainSource(new EvmRpcClient(config), config), book, 2, 4, Clock.systemUTC());
        follower.poll();
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private String call(String function, Object... args) {
        List<org.web3j.abi.datatypes.Type> params = new java.util.ArrayList<>();
        for (Object a : args) {
            params.add(a instanceof String s ? new Address(s) : new Uint256((BigInteger) a));
        }
        return anvil.transact(token, FunctionEncoder.encode(new Function(function, params, List.of())));
    }

    private List<String> trail() {
        return follower.events(0, 100).stream().map(e -> e.deposit().asset() + " " + e.deposit().status() + "/"
                + e.deposit().confirmations()).toList();
    }

    @Test
    void aTokenDepositGoesSeenConfirmingConfirmedFinalWithExactUnits() {
        String address = book.next(0, 0).address();
        String tx = call("transfer", address, BigInteger.valueOf(12_500_000)); // 12.5 USDC at 6 decimals
        follower.poll();
        assertEquals(List.of("ethereum/USDC SEEN/0"), trail());
        anvil.mine(1);
        follower.poll();
        anvil.mine(1);
        follower.poll();
        anvil.mine(2);
        follower.poll();
        assertEquals(List.of("ethereum/USDC SEEN/0", "ethereum/USDC CONFIRMING/1", "ethereum/USDC CONFIRMED/2", "ethereum/USDC FINAL/4"),
                trail());
        Deposit d = follower.events(0, 10).get(3).deposit();
        assertEquals(tx, d.id().txid());
        assertEquals(1, d.id().index(), "the first token transfer of the transaction");
        assertEquals(BigInteger.valueOf(12_500_000), d.amount());
        assertEquals(address, d.address());
        assertEquals(BigInteger.valueOf(12_500_000), follower.balance(0, "ethereum/USDC").confirmed());
        assertEquals(BigInteger.ZERO, follower.balance(0, "ethereum/ETH").confirmed(), "assets are kept apart");
    }

    @Test
    void aRevertedTokenTransferAndAFailedTransactionNeverCount() {
        String address = book.next(0, 0).address();
        String reverted = call("transferThenRevert", address, BigInteger.valueOf(5_000_000));
        String tooMuch = call("transfer", address, BigInteger.TEN.pow(20)); // more than the supply: reverts
        follower.poll(); // the pending transfer() call is decoded: SEEN
        assertEquals(BigInteger.TEN.pow(20), follower.balance(0, "ethereum/USDC").pending());
        anvil.mine(1);
        assertEquals("0x0", anvil.receipt(reverted).get("status").asText());
        assertEquals("0x0", anvil.receipt(tooMuch).get("status").asText());
        anvil.mine(4);
        follower.poll();
        follower.poll();
        assertTrue(follower.events(0, 100).stream().noneMatch(e -> e.deposit().id().txid().equals(reverted)), trail().toString());
        assertEquals(io.coffer.core.chain.DepositStatus.FAILED,
                follower.deposit(new io.coffer.core.chain.DepositId(tooMuch, 1)).orElseThrow().status(), "seen pending, then failed");
        assertEquals(BigInteger.ZERO, follower.balance(0, "ethereum/USDC").confirmed());
        assertEquals(BigInteger.ZERO, follower.balance(0, "ethereum/USDC").pending());
        // A good transfer right after still counts.
        call("transfer", address, BigInteger.valueOf(1_000_000));
        anvil.mine(2);
        follower.poll();
        assertEquals(BigInteger.valueOf(1_000_000), follower.balance(0, "ethereum/USDC").confirmed());
    }
}
