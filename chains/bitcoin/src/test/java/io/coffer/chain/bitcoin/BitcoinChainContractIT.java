package io.coffer.chain.bitcoin;

import io.coffer.core.chain.AddressBook;
import io.coffer.core.chain.ChainFollower;
import io.coffer.core.chain.ChainContractSuite;
import io.coffer.core.chain.ChainSource;
import io.coffer.core.custody.AccountScheme;
import io.coffer.core.transfer.Withdrawal;
import io.coffer.core.transfer.WithdrawalLedger;
import io.coffer.core.transfer.UtxoWithdrawalService;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.WithDevnet;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import org.bitcoinj.base.BitcoinNetwork;
import org.junit.jupiter.api.BeforeEach;

/** The shared chain contract on a real {@code bitcoind -regtest}. */
@WithDevnet
class BitcoinChainContractIT extends ChainContractSuite {
    private BitcoindNode node;
    private BitcoinChainSource source;

    @BeforeEach
    void connect(BitcoindNode node) {
        this.node = node;
        if (node.height() < 101) {
            node.mine(101); // a spendable coinbase for the miner wallet
        }
        this.source = new BitcoinChainSource(new BitcoinRpcClient("bitcoin", node.rpcUrl(), BitcoindNode.RPC_USER,
                BitcoindNode.RPC_PASSWORD, null, Duration.ofSeconds(30)), BitcoinNetwork.REGTEST);
    }

    @Override
    protected ChainSource source() {
        return source;
    }

    @Override
    protected AddressBook.Encoder encoder() {
        return BitcoinAddresses.p2wpkh(BitcoinNetwork.REGTEST);
    }

    @Override
    protected AccountScheme scheme() {
        return AccountScheme.BIP84_TEST;
    }

    @Override
    protected String asset() {
        return "bitcoin/BTC";
    }

    @Override
    protected String pay(String address, BigInteger amount) {
        return node.minerWallet("sendtoaddress", address, new BigDecimal(amount).movePointLeft(8).toPlainString()).asText();
    }

    @Override
    protected void mine(int blocks) {
        node.mine(blocks);
    }

    @Override
    protected WithdrawalLedger withdrawals(Wallet w) {
        return new UtxoWithdrawalService(w.store(), source, new BitcoinTransactionFactory(BitcoinNetwork.REGTEST), w.book(), w.vault()::signer,
                CONFIRMATIONS, Clock.systemUTC(), UtxoWithdrawalService.NO_CRASH);
    }

    @Override
    protected Withdrawal fundAndWithdraw(Wallet w, ChainFollower f, WithdrawalLedger ledger, BigInteger amount) {
        pay(w.newAddress(), BigInteger.valueOf(1_000_000));
        mine(CONFIRMATIONS);
        sync(f);
        String payee = node.minerWallet("getnewaddress", "payee", "bech32").asText();
        return ((UtxoWithdrawalService) ledger).create(0, payee, amount, io.coffer.core.transfer.FeeRate.satPerVbyte(2), "contract-" + payee);
    }

    /** The payment that funded the withdrawal is reorged out and double-spent on a shorter branch; reconsidering brings it back. */
    @Override
    protected Conflict conflictOut(Wallet w, Withdrawal sent) {
        String funding = sent.inputs().get(0).txid();
        String fork = node.blockOf(funding);
        node.rpc("invalidateblock", fork);
        node.doubleSpendInABlock(funding);
        return () -> node.rpc("reconsiderblock", fork);
    }

    @Override
    protected void reorg(int depth) {
        long height = node.height();
        node.rpc("invalidateblock", node.rpc("getblockhash", height - depth + 1).asText());
        node.mine(depth + 1);
    }
}
