package io.coffer.chain.evm;

import io.coffer.core.chain.AddressBook;
import io.coffer.core.chain.ChainFollower;
import io.coffer.core.chain.ChainNode;
import io.coffer.core.config.ChainConfig;
import io.coffer.core.config.EvmChainConfig;
import io.coffer.core.custody.AccountScheme;
import io.coffer.core.custody.Vault;
import io.coffer.core.driver.ChainDriver;
import io.coffer.core.driver.ChainParts;
import io.coffer.core.store.Store;
import io.coffer.core.transfer.AccountWithdrawalService;
import io.coffer.core.transfer.SweepService;
import io.coffer.core.transfer.WithdrawalLedger;
import java.math.BigInteger;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Any Ethereum-compatible chain: its JSON-RPC, BIP-44 addresses, hot-address withdrawals with a persistent nonce manager, its
 * native coin and configured ERC-20 tokens, and sweeps of deposit addresses into the hot address when thresholds are set.
 */
public final class EvmDriver implements ChainDriver {
    @Override
    public boolean drives(ChainConfig config) {
        return config instanceof EvmChainConfig;
    }

    @Override
    public ChainNode connect(ChainConfig config) {
        return new EvmRpcClient((EvmChainConfig) config);
    }

    @Override
    public ChainParts open(ChainConfig chain, ChainNode node, Store store, Vault vault, Clock clock) {
        EvmChainConfig config = (EvmChainConfig) chain;
        EvmRpcClient rpc = (EvmRpcClient) node;
        EvmChainSource source = new EvmChainSource(rpc, config);
        AddressBook book = new AddressBook(store, config.name(), AccountScheme.EVM, vault.publicKeys(), EvmAddresses.encoder(), 20);
        book.watchAccount(0);
        ChainFollower follower = new ChainFollower(store, source, book, config.confirmations(), config.reorgSafetyDepth(), clock);
        AccountWithdrawalService withdrawals = new AccountWithdrawalService(store, source, new EvmTransactionFactory(rpc, config), book,
                vault::signer, config.confirmations(), clock, WithdrawalLedger.NO_CRASH);
        withdrawals.finalityDepth(config.reorgSafetyDepth());
        Map<String, BigInteger> thresholds = new LinkedHashMap<>();
        if (config.sweepThreshold() != null) {
            thresholds.put(io.coffer.core.chain.AssetId.of(config.name(), config.nativeSymbol()).toString(), config.sweepThreshold());
        }
        config.tokens().stream().filter(t -> t.sweepThreshold() != null)
                .forEach(t -> thresholds.put(io.coffer.core.chain.AssetId.of(config.name(), t.symbol()).toString(), t.sweepThreshold()));
        Optional<SweepService> sweeper = thresholds.isEmpty() ? Optional.empty()
                : Optional.of(new SweepService(store, withdrawals, book, new SweepService.Policy(thresholds)));
        Optional<ChainParts.Push> push = config.wsUrl() == null ? Optional.empty()
                : Optional.of(wake -> source.listen(config.wsUrl(), wake));
        return new ChainParts(book, follower, withdrawals, sweeper, push);
    }
}
