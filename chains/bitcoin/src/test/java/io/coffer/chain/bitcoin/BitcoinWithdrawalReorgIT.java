package io.coffer.chain.bitcoin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.coffer.core.chain.AddressBook;
import io.coffer.core.chain.ChainFollower;
import io.coffer.core.chain.Deposit;
import io.coffer.core.chain.DepositStatus;
import io.coffer.core.transfer.Withdrawal;
import io.coffer.core.transfer.UtxoWithdrawalService;
import io.coffer.core.transfer.WithdrawalStatus;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.WithDevnet;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A confirmed withdrawal whose funding deposit is reorged out and double-spent, then brought back when the old branch wins
 * again, on a real bitcoind: the withdrawal is CONFLICTED (never FAILED) while the conflict can still be undone, CONFIRMED again
 * when its transaction returns, FAILED only once the conflict is past the reorg-safety depth; after every step the ledger's
 * confirmed balance equals the sum of the wallet's unspent outputs in the chain's UTXO set.
 */
@WithDevnet
class BitcoinWithdrawalReorgIT {
    private static final int CONFIRMATIONS = 2;
    private static final int SAFETY_DEPTH = 6;

    @TempDir
    Path dir;
    BitcoindNode node;
    BitcoinTestWallet wallet;
    AddressBook book;
    ChainFollower follower;
    UtxoWithdrawalService withdrawals;
    /** Every address the wallet handed out (deposits and change): what the chain's UTXO set is asked about. */
    final Set<String> ours = new TreeSet<>();
    /** Each withdrawal's recorded states, in order, as the batches that wrote them were committed. */
    final Map<String, List<WithdrawalStatus>> trail = new LinkedHashMap<>();

    @BeforeEach
    void setUp(BitcoindNode node) {
        this.node = node;
        if (node.height() < 150) {
            node.mine(150);
        }
        wallet = new BitcoinTestWallet(dir, node, CONFIRMATIONS, SAFETY_DEPTH);
        wallet.keys.unseal();
        book = wallet.book;
        follower = wallet.follower;
        withdrawals = wallet.withdrawals;
        withdrawals.sink((batch, w) -> {
            batch.commit();
            List<WithdrawalStatus> states = trail.computeIfAbsent(w.id(), k -> new ArrayList<>());
            if (states.isEmpty() || states.get(states.size() - 1) != w.status()) {
                states.add(w.status());
            }
        });
        sync();
    }

    @AfterEach
    void tearDown() {
        wallet.close();
    }

    private void sync() {
        wallet.sync();
    }

    private String minerAddress() {
        return node.minerWallet("getnewaddress", "payee", "bech32").asText();
    }

    /** The customer pays {@code btc} to a new deposit address; returns the paying txid (in the mempool). */
    private String pay(String btc) {
        String address = book.next(0, 0).address();
        ours.add(address);
        return node.minerWallet("sendtoaddress", address, btc).asText();
    }

    private Withdrawal send(String key, long sats) {
        Withdrawal w = withdrawals.create(0, minerAddress(), BigInteger.valueOf(sats), io.coffer.core.transfer.FeeRate.satPerVbyte(2), key);
        if (w.changeIndex() >= 0) {
            ours.add(book.addressAt(0, 1, w.changeIndex()));
        }
        return w;
    }

    /** The sum of the wallet's outputs in bitcoind's UTXO set (confirmed, unspent), in satoshi. */
    private BigInteger onChain() {
        List<String> descriptors = ours.stream().map(a -> "addr(" + a + ")").toList();
        JsonNode scan = node.rpc("scantxoutset", "start", descriptors);
        return new BigDecimal(scan.get("total_amount").asText()).movePointRight(8).toBigIntegerExact();
    }

    private void ledgerAgreesWithChain(String step) {
        assertEquals(onChain(), withdrawals.balance(0).confirmed(), step + ": the ledger's confirmed balance is the chain's");
    }

    private Withdrawal get(Withdrawal w) {
        return withdrawals.get(w.id()).orElseThrow();
    }

    private Deposit deposit(String txid) {
        return follower.depositsOf(0).stream().filter(d -> d.id().txid().equals(txid)).findFirst().orElseThrow();
    }

    /** Height of the block holding {@code txid}. */
    private long heightOf(String txid) {
        JsonNode tx = node.rpc("getrawtransaction", txid, true);
        return node.height() - tx.get("confirmations").asLong() + 1;
    }

    private String hashAt(long height) {
        return node.rpc("getblockhash", height).asText();
    }

    /**
     * Steps 1-3 of the outside fault test, {@code depth} deep: a paid deposit and the withdrawal spending it confirm; the deposit's
     * block is invalidated and, on a shorter branch, the customer double-spends its inputs; then the old branch comes back.
     */
    private void reorgOutConflictAndRestore(int depth, String key) {
        String paid = pay("2.0");
        node.mine(CONFIRMATIONS);
        sync();
        ledgerAgreesWithChain(key + " paid");
        Withdrawal w = send(key, 150_000_000);
        assertEquals(List.of(deposit(paid).id()), w.inputs(), key + ": the withdrawal spends the payment");
        node.mine(depth - CONFIRMATIONS);
        sync();
        assertEquals(WithdrawalStatus.CONFIRMED, get(w).status());
        ledgerAgreesWithChain(key + " sent and confirmed");
        long forkHeight = heightOf(paid);
        assertEquals(depth, node.height() - forkHeight + 1, "the payment is " + depth + " deep");
        String oldBranch = hashAt(forkHeight);

        // The payment's block is undone; on a new, shorter branch the customer's inputs go elsewhere.
        node.rpc("invalidateblock", oldBranch);
        node.doubleSpendInABlock(paid);
        sync();
        assertEquals(DepositStatus.REPLACED, deposit(paid).status(), key + ": the payment is double-spent");
        Withdrawal conflicted = get(w);
        assertEquals(WithdrawalStatus.CONFLICTED, conflicted.status(), key + ": sent bytes are never FAILED by a refusal");
        ledgerAgreesWithChain(key + " conflicted");
        node.mine(1); // the conflict grows deeper, still short of the safety depth and of the old branch's length
        sync();
        assertEquals(WithdrawalStatus.CONFLICTED, get(w).status());
        ledgerAgreesWithChain(key + " conflicted, a block later");

        // The old, longer branch wins again: the payment and the withdrawal are back in the chain.
        node.rpc("reconsiderblock", oldBranch);
        sync();
        assertEquals(depth - CONFIRMATIONS, get(w).confirmations(), key + ": confirmations of the restored transaction");
        assertEquals(WithdrawalStatus.CONFIRMED, get(w).status(), key + ": the original transaction is confirmed again");
        assertTrue(deposit(paid).status().isConfirmed(), key + ": the payment is confirmed again");
        ledgerAgreesWithChain(key + " restored");
        assertEquals(List.of(WithdrawalStatus.SIGNED, WithdrawalStatus.BROADCAST, WithdrawalStatus.CONFIRMED, WithdrawalStatus.CONFLICTED,
                WithdrawalStatus.CONFIRMED), trail.get(w.id()), key + ": each step recorded once");
    }

    @Test
    void aConfirmedWithdrawalReorgedOutAndConflictedComesBackWithItsBlocks() {
        reorgOutConflictAndRestore(4, "round-4-deep");
        node.mine(SAFETY_DEPTH);
        sync();
        reorgOutConflictAndRestore(SAFETY_DEPTH, "round-6-deep");
        ledgerAgreesWithChain("after both rounds");

        // The coins the restored withdrawals spent are never offered again: a new transfer is funded and confirms.
        Withdrawal next = send("after-the-reorgs", 30_000_000);
        assertEquals(WithdrawalStatus.BROADCAST, next.status());
        node.mine(CONFIRMATIONS);
        sync();
        assertEquals(WithdrawalStatus.CONFIRMED, get(next).status());
        ledgerAgreesWithChain("a new transfer after the reorgs");
    }

    @Test
    void aConflictPastTheSafetyDepthFailsTheWithdrawalAndFreesNothingTheChainSpent() {
        String paid = pay("1.0");
        node.mine(CONFIRMATIONS);
        sync();
        Withdrawal w = send("conflict-final", 40_000_000);
        node.mine(CONFIRMATIONS);
        sync();
        assertEquals(WithdrawalStatus.CONFIRMED, get(w).status());
        String oldBranch = hashAt(heightOf(paid));
        node.rpc("invalidateblock", oldBranch);
        node.doubleSpendInABlock(paid);
        sync();
        assertEquals(WithdrawalStatus.CONFLICTED, get(w).status());
        // The conflicting branch grows: the withdrawal stays CONFLICTED until the conflict's anchor is SAFETY_DEPTH deep.
        for (int i = 1; i < SAFETY_DEPTH; i++) {
            node.mine(1);
            sync();
            ledgerAgreesWithChain("conflict " + (i + 1) + " deep");
        }
        assertEquals(WithdrawalStatus.FAILED, get(w).status(), "the conflict is final");
        assertTrue(get(w).failureReason().contains("spent by another transaction"), get(w).failureReason());
        assertEquals(DepositStatus.REPLACED, deposit(paid).status());
        ledgerAgreesWithChain("failed for good");
        assertEquals(BigInteger.ZERO, withdrawals.balance(0).pendingOutgoing());
    }
}
