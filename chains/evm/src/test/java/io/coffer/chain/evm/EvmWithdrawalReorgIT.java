package io.coffer.chain.evm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.coffer.core.address.EvmAddress;
import io.coffer.core.custody.AccountScheme;
import io.coffer.core.custody.Vault;
import io.coffer.core.transfer.AccountWithdrawalService;
import io.coffer.core.transfer.Withdrawal;
import io.coffer.core.transfer.WithdrawalStatus;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.AnvilNode.BranchTx;
import io.coffer.testkit.WithDevnet;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A confirmed ETH or token withdrawal whose blocks are replaced with {@code anvil_reorg}: (a) by a branch that mines the same
 * bytes again, (b) by one where the hot address's nonce is taken by a conflicting transaction, (c) by one holding the original
 * bytes again, then (d) the conflict again, until it is past the reorg-safety depth. After every step the withdrawal's state,
 * the payee's balance, the hot address's nonce and the pool agree with the chain, and nothing is ever sent twice.
 */
@WithDevnet
class EvmWithdrawalReorgIT {
    private static final BigInteger ETHER = BigInteger.TEN.pow(18);
    private static final int CONFIRMATIONS = 2;
    private static final int SAFETY_DEPTH = 4;
    @TempDir
    Path dir;
    AnvilNode anvil;
    EvmTestWallet wallet;
    AccountWithdrawalService withdrawals;
    EvmTransactionFactory factory;
    Vault vault;
    String hot;
    final List<WithdrawalStatus> trail = new ArrayList<>();

    @BeforeEach
    void setUp(AnvilNode anvil) {
        this.anvil = anvil;
        wallet = new EvmTestWallet(dir, anvil, CONFIRMATIONS, SAFETY_DEPTH);
        vault = wallet.vault;
        factory = wallet.factory;
        withdrawals = wallet.withdrawals;
        hot = wallet.hot;
        withdrawals.sink((batch, w) -> {
            batch.commit();
            if (trail.isEmpty() || trail.get(trail.size() - 1) != w.status()) {
                trail.add(w.status());
            }
        });
    }

    @AfterEach
    void tearDown() {
        wallet.close();
    }

    private static String payee() {
        byte[] b = new byte[20];
        new SecureRandom().nextBytes(b);
        return new EvmAddress(b).toString();
    }

    private long minedNonce() {
        return Long.decode(anvil.rpc("eth_getTransactionCount", hot, "latest").asText());
    }

    private Withdrawal get(Withdrawal w) {
        return withdrawals.get(w.id()).orElseThrow();
    }

    /** Nothing from the hot address waits in the pool: the ledger sent nothing again. */
    private void poolHoldsNothingFromTheHotAddress(String step) {
        JsonNode pending = anvil.rpc("txpool_content").path("pending");
        pending.fieldNames().forEachRemaining(sender -> assertTrue(!sender.equalsIgnoreCase(hot), step + ": nothing re-sent"));
    }

    private String paidTo(String asset, String payee) {
        return factory.balance(asset, payee).toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ethereum/ETH", "ethereum/USDC"})
    void aConfirmedWithdrawalIsMinedAgainConflictedRestoredAndFailsOnlyWhenTheConflictIsFinal(String asset) {
        String payee = payee();
        BigInteger amount = asset.equals("ethereum/ETH") ? ETHER.divide(BigInteger.TEN) : BigInteger.valueOf(7_250_000);
        Withdrawal w = withdrawals.create(0, asset, payee, amount, "reorged-" + asset);
        anvil.mine(CONFIRMATIONS);
        withdrawals.track();
        assertEquals(WithdrawalStatus.CONFIRMED, get(w).status());
        assertEquals(amount.toString(), paidTo(asset, payee));
        assertEquals(1, minedNonce());

        // (a) A branch that mines the same bytes again, one block later than before.
        anvil.replaceBlocksFrom(anvil.heightOf(w.txid()), w.raw());
        withdrawals.track();
        assertEquals(WithdrawalStatus.CONFIRMING, get(w).status(), "in the new branch's last block: one confirmation");
        assertEquals(anvil.heightOf(w.txid()), anvil.blockNumber());
        assertEquals(amount.toString(), paidTo(asset, payee), "paid once");
        assertEquals(1, minedNonce());
        poolHoldsNothingFromTheHotAddress("(a)");
        anvil.mine(1);
        withdrawals.track();
        assertEquals(WithdrawalStatus.CONFIRMED, get(w).status());

        // (b) A branch where another transaction of the same key takes the nonce: CONFLICTED, nothing sent again.
        String other = payee();
        AccountWithdrawalService.Fees fees = factory.fees();
        AccountWithdrawalService.Built conflict = factory.build(new AccountWithdrawalService.Tx("ethereum/ETH", hot,
                AccountScheme.EVM.accountPath(0).child(1).child(0), other, BigInteger.ONE, 0, 21_000, fees), vault.signer());
        anvil.replaceBlocksFrom(anvil.heightOf(w.txid()), conflict.raw());
        withdrawals.track();
        assertEquals(WithdrawalStatus.CONFLICTED, get(w).status(), "never FAILED while the conflict can be undone");
        assertEquals("0", paidTo(asset, payee), "the payee holds nothing on this branch");
        assertEquals(1, minedNonce(), "the conflict took the nonce");
        poolHoldsNothingFromTheHotAddress("(b)");
        anvil.mine(1);
        withdrawals.track();
        assertEquals(WithdrawalStatus.CONFLICTED, get(w).status(), "two blocks deep: short of the safety depth");

        // (c) The original bytes come back in place of the conflict.
        anvil.replaceBlocksFrom(anvil.heightOf(conflict.txid()), w.raw());
        anvil.mine(1);
        withdrawals.track();
        assertEquals(WithdrawalStatus.CONFIRMED, get(w).status(), "restored");
        assertEquals(amount.toString(), paidTo(asset, payee));
        assertEquals("0", factory.balance("ethereum/ETH", other).toString());
        assertEquals(1, minedNonce());
        poolHoldsNothingFromTheHotAddress("(c)");

        // (d) The conflict again, this time growing past the safety depth: FAILED, and the nonce is not handed out again.
        anvil.replaceBlocksFrom(anvil.heightOf(w.txid()), conflict.raw());
        withdrawals.track();
        assertEquals(WithdrawalStatus.CONFLICTED, get(w).status());
        for (int i = 1; i < SAFETY_DEPTH; i++) {
            assertEquals(WithdrawalStatus.CONFLICTED, get(w).status(), "conflict " + i + " deep");
            anvil.mine(1);
            withdrawals.track();
        }
        assertEquals(WithdrawalStatus.FAILED, get(w).status(), "the conflict is final");
        assertEquals(List.of(WithdrawalStatus.SIGNED, WithdrawalStatus.BROADCAST, WithdrawalStatus.CONFIRMED, WithdrawalStatus.CONFIRMING,
                WithdrawalStatus.CONFIRMED, WithdrawalStatus.CONFLICTED, WithdrawalStatus.CONFIRMED, WithdrawalStatus.CONFLICTED,
                WithdrawalStatus.FAILED), trail, "each step once");
        Withdrawal next = withdrawals.create(0, asset, payee, amount, "after-" + asset);
        assertEquals(1, io.coffer.core.transfer.NonceSlot.of(next).nonce(), "the next withdrawal takes the next nonce on chain, not the conflicted one's");
        anvil.mine(CONFIRMATIONS);
        withdrawals.track();
        assertEquals(WithdrawalStatus.CONFIRMED, get(next).status());
        assertEquals(amount.toString(), paidTo(asset, payee));
        assertEquals(2, minedNonce());
    }

    private String freeze(boolean frozen) {
        return FunctionEncoder.encode(new Function("setFrozen", List.of(new Address(hot), new Bool(frozen)), List.of()));
    }

    /** What the ledger has taken out of the account for {@code asset} (no deposits are followed here). */
    private BigInteger debited(String asset) {
        return withdrawals.balance(0, asset).confirmed().negate();
    }

    /**
     * A token withdrawal whose block is replaced by a branch where the same bytes revert (the token freezes the hot address one
     * block before): REVERTED, not FAILED, with nothing paid and nothing debited; a branch where the bytes succeed brings it back
     * to CONFIRMING and CONFIRMED; the reverting branch again, growing past the safety depth, ends it FAILED. Nothing is sent again.
     */
    @Test
    void aRevertedWithdrawalIsFollowedUntilFinalAndCountsWhenAReorgMinesItWhereItSucceeds() {
        String asset = "ethereum/USDC";
        String payee = payee();
        BigInteger amount = BigInteger.valueOf(7_250_000);
        Withdrawal w = withdrawals.create(0, asset, payee, amount, "reverted");
        long height = anvil.heightOf(w.txid());
        anvil.mine(CONFIRMATIONS - 1);
        withdrawals.track();
        assertEquals(WithdrawalStatus.CONFIRMED, get(w).status());
        assertEquals(amount, debited(asset));

        // A branch where the token freezes the hot address at `height`, and the same bytes revert one block later.
        List<BranchTx> reverting = List.of(BranchTx.call(wallet.token, freeze(true), 0), BranchTx.raw(w.raw(), 1));
        anvil.replaceBlocks(height, reverting);
        assertEquals("0x0", anvil.receipt(w.txid()).get("status").asText(), "the branch reverts it");
        withdrawals.track();
        assertEquals(WithdrawalStatus.REVERTED, get(w).status(), "never FAILED while a reorg can undo the revert");
        assertEquals(1, get(w).confirmations());
        assertEquals("0", paidTo(asset, payee));
        assertEquals(BigInteger.ZERO, debited(asset), "a reverted withdrawal moved nothing");
        assertEquals(1, minedNonce(), "its nonce is used");
        poolHoldsNothingFromTheHotAddress("reverted");

        // A branch where the same bytes succeed.
        anvil.replaceBlocks(height, List.of(BranchTx.raw(w.raw(), 1)));
        withdrawals.track();
        assertEquals(WithdrawalStatus.CONFIRMING, get(w).status(), "mined again where it pays");
        assertEquals(amount.toString(), paidTo(asset, payee));
        assertEquals(amount, debited(asset));
        anvil.mine(1);
        withdrawals.track();
        assertEquals(WithdrawalStatus.CONFIRMED, get(w).status());
        poolHoldsNothingFromTheHotAddress("restored");

        // The reverting branch again (three blocks long: the tip was one above the withdrawal's block), growing past the safety depth.
        anvil.replaceBlocks(height, reverting);
        withdrawals.track();
        for (int depth = 2; depth < SAFETY_DEPTH; depth++) {
            assertEquals(WithdrawalStatus.REVERTED, get(w).status(), "reverted " + depth + " deep");
            assertEquals(depth, get(w).confirmations());
            anvil.mine(1);
            withdrawals.track();
        }
        assertEquals(WithdrawalStatus.FAILED, get(w).status(), "the revert is final");
        assertEquals("0", paidTo(asset, payee));
        assertEquals(BigInteger.ZERO, debited(asset));
        assertEquals(List.of(WithdrawalStatus.SIGNED, WithdrawalStatus.BROADCAST, WithdrawalStatus.CONFIRMED, WithdrawalStatus.REVERTED,
                WithdrawalStatus.CONFIRMING, WithdrawalStatus.CONFIRMED, WithdrawalStatus.REVERTED, WithdrawalStatus.FAILED), trail,
                "each step once");

        anvil.transact(wallet.token, freeze(false));
        Withdrawal next = withdrawals.create(0, asset, payee, amount, "after-reverted");
        assertEquals(1, io.coffer.core.transfer.NonceSlot.of(next).nonce(), "the reverted one's nonce is used on chain: the next one takes nonce 1");
        anvil.mine(CONFIRMATIONS);
        withdrawals.track();
        assertEquals(WithdrawalStatus.CONFIRMED, get(next).status());
        assertEquals(amount.toString(), paidTo(asset, payee));
        assertEquals(amount, debited(asset));
    }
}
