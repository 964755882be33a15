package io.coffer.chain.evm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.core.address.EvmAddress;
import io.coffer.core.chain.AddressBook;
import io.coffer.core.config.EvmChainConfig;
import io.coffer.core.custody.Vault;
import io.coffer.core.error.CofferException;
import io.coffer.core.store.Store;
import io.coffer.core.transfer.AccountWithdrawalService;
import io.coffer.core.transfer.Withdrawal;
import io.coffer.core.transfer.WithdrawalStatus;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.WithDevnet;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** EVM withdrawals with the persistent nonce manager, on a real anvil. */
@WithDevnet
class EvmWithdrawalIT {
    private static final BigInteger ETHER = BigInteger.TEN.pow(18);
    private static final int SAFETY_DEPTH = 4;
    @TempDir
    Path dir;
    AnvilNode anvil;
    EvmTestWallet wallet;
    Store store;
    AccountWithdrawalService withdrawals;
    EvmTransactionFactory factory;
    Vault vault;
    AddressBook book;
    String hot;
    String token;

    @BeforeEach
    void setUp(AnvilNode anvil) {
        this.anvil = anvil;
        wallet = new EvmTestWallet(dir, anvil, 2, SAFETY_DEPTH);
        store = wallet.store;
        vault = wallet.vault;
        token = wallet.token;
        book = wallet.book;
        factory = wallet.factory;
        withdrawals = wallet.withdrawals;
        hot = wallet.hot;
    }

    @AfterEach
    void tearDown() {
        wallet.close();
    }

    private String payee() {
        byte[] b = new byte[20];
        new SecureRandom().nextBytes(b);
        return new EvmAddress(b).toString();
    }

    private void settle() {
        anvil.mine(2);
        withdrawals.track();
    }

    @Test
    void nativeAndTokenWithdrawalsAreSignedSentAndConfirmed() {
        String to = payee();
        Withdrawal eth = withdrawals.create(0, "ethereum/ETH", to, ETHER.divide(BigInteger.TEN), "w-eth");
        Withdrawal usdc = withdrawals.create(0, "ethereum/USDC", to, BigInteger.valueOf(7_250_000), "w-usdc");
        assertEquals(List.of(0L, 1L), List.of(io.coffer.core.transfer.NonceSlot.of(eth).nonce(), io.coffer.core.transfer.NonceSlot.of(usdc).nonce()), "nonces 0 and 1");
        settle();
        assertEquals(WithdrawalStatus.CONFIRMED, withdrawals.get(eth.id()).orElseThrow().status());
        assertEquals(WithdrawalStatus.CONFIRMED, withdrawals.get(usdc.id()).orElseThrow().status());
        assertEquals(ETHER.divide(BigInteger.TEN), factory.balance("ethereum/ETH", to));
        assertEquals(BigInteger.valueOf(7_250_000), factory.balance("ethereum/USDC", to));
        assertEquals(eth.id(), withdrawals.create(0, "ethereum/ETH", to, ETHER.divide(BigInteger.TEN), "w-eth").id(), "idempotent");
    }

    @Test
    void aHundredConcurrentWithdrawalsGetContiguousNoncesAndAllConfirm() throws Exception {
        anvil.setAutomine(false);
        String to = payee();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<Withdrawal>> futures = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            int n = i;
            futures.add(pool.submit(() -> withdrawals.create(0, "ethereum/ETH", to, BigInteger.valueOf(1_000_000L + n), "c-" + n)));
        }
        List<Withdrawal> made = new ArrayList<>();
        for (Future<Withdrawal> f : futures) {
            made.add(f.get());
        }
        pool.shutdown();
        Set<Long> nonces = new HashSet<>();
        Set<String> txids = new HashSet<>();
        made.forEach(w -> {
            nonces.add(io.coffer.core.transfer.NonceSlot.of(w).nonce());
            txids.add(w.txid());
        });
        assertEquals(100, nonces.size(), "no nonce twice");
        assertEquals(0, nonces.stream().mapToLong(Long::longValue).min().orElseThrow());
        assertEquals(99, nonces.stream().mapToLong(Long::longValue).max().orElseThrow(), "contiguous 0..99");
        assertEquals(100, txids.size());
        anvil.mine(1);
        settle();
        for (Withdrawal w : made) {
            assertEquals(WithdrawalStatus.CONFIRMED, withdrawals.get(w.id()).orElseThrow().status(), w.id());
        }
        BigInteger expected = BigInteger.valueOf(100 * 1_000_000L + 4950);
        assertEquals(expected, factory.balance("ethereum/ETH", to), "each paid exactly once");
    }

    @Test
    void aDroppedTransactionIsSentAgainAndTheFollowingOnesAreNotStuck() {
        anvil.setAutomine(false);
        String to = payee();
        Withdrawal first = withdrawals.create(0, "ethereum/ETH", to, BigInteger.valueOf(111), "d-1");
        Withdrawal second = withdrawals.create(0, "ethereum/ETH", to, BigInteger.valueOf(222), "d-2");
        Withdrawal third = withdrawals.create(0, "ethereum/ETH", to, BigInteger.valueOf(333), "d-3");
        anvil.rpc("anvil_dropTransaction", first.txid());
        anvil.mine(1); // nonce 0 is missing: nothing can be mined
        assertEquals(0, factory.minedNonce(hot));
        withdrawals.track(); // detects the drop and sends the same bytes again
        settle();
        for (Withdrawal w : List.of(first, second, third)) {
            assertEquals(WithdrawalStatus.CONFIRMED, withdrawals.get(w.id()).orElseThrow().status(), w.id());
        }
        assertEquals(BigInteger.valueOf(666), factory.balance("ethereum/ETH", to));
    }

    @Test
    void speedUpAndCancelAreSameNonceReplacements() {
        anvil.setAutomine(false);
        String to = payee();
        Withdrawal slow = withdrawals.create(0, "ethereum/ETH", to, BigInteger.valueOf(5_000), "s-1");
        Withdrawal fast = withdrawals.speedUp(slow.id());
        assertEquals(slow.id(), fast.id());
        assertNotEquals(slow.txid(), fast.txid());
        assertEquals(slow.inputs(), fast.inputs(), "same nonce");
        assertTrue(fast.feeRate() > slow.feeRate());
        settle();
        Withdrawal done = withdrawals.get(slow.id()).orElseThrow();
        assertEquals(WithdrawalStatus.CONFIRMED, done.status());
        assertEquals(fast.txid(), done.txid());

        Withdrawal doomed = withdrawals.create(0, "ethereum/ETH", to, BigInteger.valueOf(9_000), "s-2");
        withdrawals.cancel(doomed.id());
        settle();
        Withdrawal cancelled = withdrawals.get(doomed.id()).orElseThrow();
        assertEquals(WithdrawalStatus.REVERTED, cancelled.status(), "the cancel is mined; a reorg could still undo it");
        assertEquals("cancelled", cancelled.failureReason());
        anvil.mine(SAFETY_DEPTH);
        withdrawals.track();
        cancelled = withdrawals.get(doomed.id()).orElseThrow();
        assertEquals(WithdrawalStatus.FAILED, cancelled.status(), "past the reorg-safety depth");
        assertEquals("cancelled", cancelled.failureReason());
        assertEquals(BigInteger.valueOf(5_000), factory.balance("ethereum/ETH", to), "the cancelled payment never arrived");
    }

    @Test
    void aChainWithoutEip1559GetsLegacyEip155Transactions() {
        EvmChainConfig legacy = new EvmChainConfig("ethereum", AnvilNode.CHAIN_ID, anvil.rpcUrl(), 2, 4, Duration.ofSeconds(1),
                "ETH", 18, false, List.of());
        EvmRpcClient rpc = new EvmRpcClient(legacy);
        AccountWithdrawalService legacyService = new AccountWithdrawalService(store, new EvmChainSource(rpc, legacy),
                new EvmTransactionFactory(rpc, legacy), book, vault::signer, 2, Clock.systemUTC(), AccountWithdrawalService.NO_CRASH);
        String to = payee();
        Withdrawal w = legacyService.create(0, "ethereum/ETH", to, BigInteger.valueOf(777), "legacy-1");
        anvil.mine(2);
        legacyService.track();
        assertEquals(WithdrawalStatus.CONFIRMED, legacyService.get(w.id()).orElseThrow().status());
        var tx = anvil.rpc("eth_getTransactionByHash", w.txid());
        assertEquals("0x0", tx.get("type").asText(), "a legacy transaction");
        assertEquals(BigInteger.valueOf(AnvilNode.CHAIN_ID * 2 + 35), new BigInteger(tx.get("v").asText().substring(2), 16)
                .subtract(new BigInteger(tx.get("v").asText().substring(2), 16).testBit(0) ? BigInteger.ZERO : BigInteger.ONE),
                "EIP-155: v carries the chain id");
        assertEquals(BigInteger.valueOf(777), factory.balance("ethereum/ETH", to));
    }

    @Test
    void badRequestsAreRefusedNamingTheField() {
        // The EIP-55 example address with the case of one letter flipped: a mixed-case typo.
        String good = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
        String typo = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD";
        CofferException checksum = assertThrows(CofferException.class,
                () -> withdrawals.create(0, "ethereum/ETH", typo, BigInteger.ONE, "b-1"));
        assertEquals("ADDRESS_BAD_CHECKSUM", checksum.code());
        assertEquals("destination", checksum.field());
        assertEquals("ADDRESS_MALFORMED", assertThrows(CofferException.class,
                () -> withdrawals.create(0, "ethereum/ETH", "0x1234", BigInteger.ONE, "b-2")).code());
        assertEquals("INSUFFICIENT_FUNDS", assertThrows(CofferException.class,
                () -> withdrawals.create(0, "ethereum/ETH", good, ETHER.multiply(BigInteger.valueOf(100)), "b-3")).code());
        assertEquals("INSUFFICIENT_FUNDS", assertThrows(CofferException.class,
                () -> withdrawals.create(0, "ethereum/USDC", good, BigInteger.valueOf(60_000_000), "b-4")).code());
        assertEquals("asset", assertThrows(CofferException.class,
                () -> withdrawals.create(0, "ethereum/DAI", good, BigInteger.ONE, "b-5")).field());
        assertEquals("AMOUNT_NOT_POSITIVE", assertThrows(CofferException.class,
                () -> withdrawals.create(0, "ethereum/ETH", good, BigInteger.ZERO, "b-6")).code());
        assertEquals(0, factory.minedNonce(hot), "nothing was sent");
    }
}
