package io.coffer.chain.evm;

import io.coffer.core.chain.AddressBook;
import io.coffer.core.chain.ChainFollower;
import io.coffer.core.chain.ChainContractSuite;
import io.coffer.core.chain.ChainSource;
import io.coffer.core.config.EvmChainConfig;
import io.coffer.core.custody.AccountScheme;
import io.coffer.core.transfer.AccountWithdrawalService;
import io.coffer.core.transfer.Withdrawal;
import io.coffer.core.transfer.WithdrawalLedger;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.WithDevnet;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;

/** The shared chain contract on a real anvil (pool mode: transactions wait for a mined block). */
@WithDevnet
class EvmChainContractIT extends ChainContractSuite {
    private AnvilNode anvil;
    private EvmChainSource source;
    private EvmTransactionFactory factory;

    @BeforeEach
    void connect(AnvilNode anvil) {
        this.anvil = anvil;
        anvil.setAutomine(false);
        EvmChainConfig config = new EvmChainConfig("ethereum", AnvilNode.CHAIN_ID, anvil.rpcUrl(), CONFIRMATIONS, SAFETY,
                Duration.ofSeconds(1), "ETH", 18, true, List.of());
        EvmRpcClient rpc = new EvmRpcClient(config);
        this.source = new EvmChainSource(rpc, config);
        this.factory = new EvmTransactionFactory(rpc, config);
    }

    @Override
    protected ChainSource source() {
        return source;
    }

    @Override
    protected AddressBook.Encoder encoder() {
        return EvmAddresses.encoder();
    }

    @Override
    protected AccountScheme scheme() {
        return AccountScheme.EVM;
    }

    @Override
    protected String asset() {
        return "ethereum/ETH";
    }

    @Override
    protected String pay(String address, BigInteger amount) {
        return anvil.send(address, amount);
    }

    @Override
    protected void mine(int blocks) {
        anvil.mine(blocks);
    }

    @Override
    protected WithdrawalLedger withdrawals(Wallet w) {
        return new AccountWithdrawalService(w.store(), source, factory, w.book(), w.vault()::signer, CONFIRMATIONS, Clock.systemUTC(),
                AccountWithdrawalService.NO_CRASH);
    }

    @Override
    protected Withdrawal fundAndWithdraw(Wallet w, ChainFollower f, WithdrawalLedger ledger, BigInteger amount) {
        AccountWithdrawalService accounts = (AccountWithdrawalService) ledger;
        pay(accounts.hotAddress(0), BigInteger.TEN.pow(18));
        mine(1); // pool mode: the funds are there once mined
        return accounts.create(0, asset(), randomAddress(), amount, "contract-" + System.nanoTime());
    }

    /** The withdrawal's blocks are replaced by as many, the last holding another transaction at its nonce; restoring swaps back. */
    @Override
    protected Conflict conflictOut(Wallet w, Withdrawal sent) {
        String hot = io.coffer.core.transfer.NonceSlot.of(sent).address();
        long nonce = io.coffer.core.transfer.NonceSlot.of(sent).nonce();
        AccountWithdrawalService.Built other = factory.build(new AccountWithdrawalService.Tx(asset(), hot,
                AccountScheme.EVM.accountPath(0).child(1).child(0), randomAddress(), BigInteger.ONE, nonce, 21_000, factory.fees()),
                w.vault().signer());
        anvil.replaceBlocksFrom(anvil.heightOf(sent.txid()), other.raw());
        return () -> anvil.replaceBlocksFrom(anvil.heightOf(other.txid()), sent.raw());
    }

    private static String randomAddress() {
        byte[] b = new byte[20];
        new java.security.SecureRandom().nextBytes(b);
        return new io.coffer.core.address.EvmAddress(b).toString();
    }

    @Override
    protected void reorg(int depth) {
        anvil.reorgKeepingTransactions(depth);
    }
}
