package io.coffer.chain.bitcoin;

import io.coffer.core.chain.AddressBook;
import io.coffer.core.chain.ChainFollower;
import io.coffer.core.chain.ChainNode;
import io.coffer.core.config.BitcoinChainConfig;
import io.coffer.core.config.BitcoinNetwork;
import io.coffer.core.config.ChainConfig;
import io.coffer.core.custody.AccountScheme;
import io.coffer.core.custody.Vault;
import io.coffer.core.driver.ChainDriver;
import io.coffer.core.driver.ChainParts;
import io.coffer.core.store.Store;
import io.coffer.core.transfer.FeeRate;
import io.coffer.core.transfer.UtxoWithdrawalService;
import java.time.Clock;
import java.util.Optional;

/**
 * Bitcoin as the node runs it: bitcoind's JSON-RPC, BIP-84 addresses, UTXO withdrawals with bitcoind's fee estimates (bounded
 * by the configured floor, fallback and maximum), and ZMQ block/transaction announcements when configured.
 */
public final class BitcoinDriver implements ChainDriver {
    @Override
    public boolean drives(ChainConfig config) {
        return config instanceof BitcoinChainConfig;
    }

    @Override
    public ChainNode connect(ChainConfig config) {
        return new BitcoinRpcClient((BitcoinChainConfig) config);
    }

    @Override
    public ChainParts open(ChainConfig chain, ChainNode node, Store store, Vault vault, Clock clock) {
        BitcoinChainConfig config = (BitcoinChainConfig) chain;
        BitcoinRpcClient rpc = (BitcoinRpcClient) node;
        var network = BitcoinjNetworks.of(config.network());
        BitcoinChainSource source = new BitcoinChainSource(rpc, network);
        AccountScheme scheme = config.network() == BitcoinNetwork.MAIN ? AccountScheme.BIP84_MAIN : AccountScheme.BIP84_TEST;
        AddressBook book = new AddressBook(store, config.name(), scheme, vault.publicKeys(), BitcoinAddresses.p2wpkh(network),
                config.addressGap());
        book.watchAccount(0);
        ChainFollower follower = new ChainFollower(store, source, book, config.confirmations(), config.reorgSafetyDepth(), clock);
        UtxoWithdrawalService withdrawals = new UtxoWithdrawalService(store, source, new BitcoinTransactionFactory(network), book,
                vault::signer, config.confirmations(), clock, UtxoWithdrawalService.NO_CRASH);
        withdrawals.finalityDepth(config.reorgSafetyDepth());
        withdrawals.feeRates(new BitcoinFeeEstimator(rpc, FeeRate.satPerVbyte(config.feeFloor()), FeeRate.satPerVbyte(config.feeFallback()),
                FeeRate.satPerVbyte(config.feeMax())));
        Optional<ChainParts.Push> push = config.zmqEndpoint() == null ? Optional.empty()
                : Optional.of(wake -> source.listen(config.zmqEndpoint(), wake));
        return new ChainParts(book, follower, withdrawals, Optional.empty(), push);
    }
}
