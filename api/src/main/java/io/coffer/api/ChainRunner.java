package io.coffer.api;

import io.coffer.chain.bitcoin.BitcoinAddresses;
import io.coffer.chain.bitcoin.BitcoinChainSource;
import io.coffer.chain.bitcoin.BitcoinRpcClient;
import io.coffer.chain.bitcoin.BitcoinTransactionFactory;
import io.coffer.chain.bitcoin.BitcoinjNetworks;
import io.coffer.core.chain.AddressBook;
import io.coffer.core.chain.BlockHeader;
import io.coffer.core.chain.ChainFollower;
import io.coffer.core.config.BitcoinChainConfig;
import io.coffer.core.config.BitcoinNetwork;
import io.coffer.core.custody.AccountScheme;
import io.coffer.core.custody.CustodyState;
import io.coffer.core.custody.Vault;
import io.coffer.core.store.Store;
import io.coffer.chain.evm.EvmAddresses;
import io.coffer.chain.evm.EvmChainSource;
import io.coffer.chain.evm.EvmRpcClient;
import io.coffer.chain.evm.EvmTransactionFactory;
import io.coffer.core.config.ChainConfig;
import io.coffer.core.config.EvmChainConfig;
import io.coffer.core.transfer.AccountWithdrawalService;
import io.coffer.core.transfer.WithdrawalLedger;
import io.coffer.core.transfer.UtxoWithdrawalService;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Runs one chain of the node: its follower and its withdrawal tracker, polled together on the chain's
 * poll interval by the node's chain thread (so a poll never overlaps another). Failures to reach the chain
 * node are logged and retried on the next round; they never stop the node.
 */
final class ChainRunner {
    private static final Logger LOG = Logger.getLogger(ChainRunner.class.getName());

    private final ChainConfig config;
    private final AddressBook addresses;
    private final ChainFollower follower;
    private final WithdrawalLedger withdrawals;
    private final io.coffer.chain.bitcoin.BitcoinFeeEstimator fees;
    private final java.net.URI zmqEndpoint;
    private volatile String lastError = "";
    private final java.util.concurrent.atomic.AtomicBoolean wakePending = new java.util.concurrent.atomic.AtomicBoolean();
    private io.coffer.chain.bitcoin.BitcoinZmqListener zmq;
    private volatile Instant lastPollAt;
    /** Account chains with a sweep policy: swept after each round while the node is unsealed. */
    private io.coffer.core.transfer.SweepService sweeper;
    private Vault vault;

    private ChainRunner(ChainConfig config, AddressBook addresses, ChainFollower follower, WithdrawalLedger withdrawals,
                        io.coffer.chain.bitcoin.BitcoinFeeEstimator fees, java.net.URI zmqEndpoint) {
        this.config = config;
        this.fees = fees;
        this.zmqEndpoint = zmqEndpoint;
        this.addresses = addresses;
        this.follower = follower;
        this.withdrawals = withdrawals;
    }

    /** The runner, or empty when the data dir holds no wallet yet (nothing to watch). */
    static Optional<ChainRunner> bitcoin(BitcoinChainConfig config, BitcoinRpcClient rpc, Store store, Vault vault, Clock clock) {
        if (vault.state() == CustodyState.UNINITIALIZED) {
            LOG.warning("chain " + config.name() + ": no wallet yet, nothing to follow");
            return Optional.empty();
        }
        var network = BitcoinjNetworks.of(config.network());
        BitcoinChainSource source = new BitcoinChainSource(rpc, network);
        AccountScheme scheme = config.network() == BitcoinNetwork.MAIN ? AccountScheme.BIP84_MAIN : AccountScheme.BIP84_TEST;
        AddressBook book = new AddressBook(store, config.name(), scheme, vault.publicKeys(), BitcoinAddresses.p2wpkh(network),
                config.addressGap());
        book.watchAccount(0);
        ChainFollower follower = new ChainFollower(store, source, book, config.confirmations(), config.reorgSafetyDepth(), clock);
        UtxoWithdrawalService withdrawals = new UtxoWithdrawalService(store, source, new BitcoinTransactionFactory(network), book,
                vault::signer, config.confirmations(), clock, UtxoWithdrawalService.NO_CRASH);
        var fees = new io.coffer.chain.bitcoin.BitcoinFeeEstimator(rpc, config.feeFloor() * 1000L, config.feeFallback() * 1000L,
                config.feeMax() * 1000L);
        withdrawals.finalityDepth(config.reorgSafetyDepth());
        long max = config.feeMax() * 1000L;
        withdrawals.feeRates(new io.coffer.core.transfer.FeeRates() {
            @Override
            public long estimate(io.coffer.core.transfer.FeePriority priority) {
                return fees.estimate(io.coffer.chain.bitcoin.BitcoinFeeEstimator.Priority.valueOf(priority.name()));
            }

            @Override
            public long max() {
                return max;
            }
        });
        return Optional.of(new ChainRunner(config, book, follower, withdrawals, fees, config.zmqEndpoint()));
    }

    /** The runner of an EVM chain (native asset and configured tokens), or empty without a wallet. */
    static Optional<ChainRunner> evm(EvmChainConfig config, EvmRpcClient rpc, Store store, Vault vault, Clock clock) {
        if (vault.state() == CustodyState.UNINITIALIZED) {
            LOG.warning("chain " + config.name() + ": no wallet yet, nothing to follow");
            return Optional.empty();
        }
        EvmChainSource source = new EvmChainSource(rpc, config);
        AddressBook book = new AddressBook(store, config.name(), AccountScheme.EVM, vault.publicKeys(), EvmAddresses.encoder(), 20);
        book.watchAccount(0);
        ChainFollower follower = new ChainFollower(store, source, book, config.confirmations(), config.reorgSafetyDepth(), clock);
        AccountWithdrawalService withdrawals = new AccountWithdrawalService(store, source, new EvmTransactionFactory(rpc, config), book,
                vault::signer, config.confirmations(), clock, WithdrawalLedger.NO_CRASH);
        withdrawals.finalityDepth(config.reorgSafetyDepth());
        java.util.Map<String, java.math.BigInteger> thresholds = new java.util.LinkedHashMap<>();
        if (config.sweepThreshold() != null) {
            thresholds.put(config.name() + "/" + config.nativeSymbol(), config.sweepThreshold());
        }
        config.tokens().stream().filter(t -> t.sweepThreshold() != null)
                .forEach(t -> thresholds.put(config.name() + "/" + t.symbol(), t.sweepThreshold()));
        ChainRunner runner = new ChainRunner(config, book, follower, withdrawals, null, null);
        if (!thresholds.isEmpty()) {
            runner.sweeper = new io.coffer.core.transfer.SweepService(store, withdrawals, book,
                    new io.coffer.core.transfer.SweepService.Policy(thresholds));
            runner.vault = vault;
        }
        return Optional.of(runner);
    }

    void start(ScheduledExecutorService executor) {
        // The first round runs now, before the node serves: a new wallet's cursor is set at the current tip
        // before any address can be handed out, so no deposit can land in a block the follower skips.
        try {
            executor.submit(this::round).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.warning("chain " + config.name() + ": first round failed: " + e.getCause());
        }
        executor.execute(() -> {
            try {
                withdrawals.resume(); // stored, unconfirmed withdrawals: the same bytes again
            } catch (RuntimeException e) {
                LOG.warning("chain " + config.name() + ": resuming withdrawals failed (" + e.getMessage() + "); retrying on the next round");
            }
        });
        executor.scheduleWithFixedDelay(this::round, 0, config.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
        if (zmqEndpoint != null) {
            // A notification schedules one extra round; a burst of them coalesces into one.
            zmq = new io.coffer.chain.bitcoin.BitcoinZmqListener(config.name(), zmqEndpoint, () -> {
                if (wakePending.compareAndSet(false, true)) {
                    executor.execute(() -> {
                        wakePending.set(false);
                        round();
                    });
                }
            });
        }
    }

    void stop() {
        if (zmq != null) {
            zmq.close();
        }
    }

    private void round() {
        try {
            ChainFollower.PollResult r = follower.poll();
            withdrawals.track();
            if (sweeper != null && vault.state() == CustodyState.UNSEALED && r.caughtUp()) {
                sweeper.sweep(0).forEach(w -> LOG.info("chain " + config.name() + ": started " + w.idempotencyKey().split(":")[0]
                        + " " + w.id() + " (" + w.amount() + " " + w.asset() + ")"));
            }
            lastPollAt = Instant.now();
            if (!lastError.isEmpty()) {
                LOG.info("chain " + config.name() + ": reachable again");
            }
            lastError = "";
            if (!r.caughtUp()) {
                LOG.fine(() -> "chain " + config.name() + ": catching up, at " + r.cursorHeight() + " of " + r.tipHeight());
            }
        } catch (RuntimeException e) {
            // Never let an exception escape: a scheduled task that throws is silently never run again.
            String message = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
            if (!message.equals(lastError)) {
                if (e instanceof io.coffer.core.error.CofferException) {
                    LOG.warning("chain " + config.name() + ": " + message);
                } else {
                    LOG.log(java.util.logging.Level.SEVERE, "chain " + config.name() + ": unexpected error in a round", e);
                }
            }
            lastError = message;
        }
    }

    /**
     * Re-scans from {@code height} on the chain thread (so it never overlaps a poll), reporting progress.
     * Blocks the caller until done.
     */
    void rescan(ScheduledExecutorService executor, long height, java.util.function.Consumer<ChainFollower.PollResult> progress)
            throws Exception {
        long tip = follower.cursor().map(BlockHeader::height).orElse(0L);
        executor.submit(() -> {
            follower.rescan(height, progress);
            return null;
        }).get();
        LOG.info("chain " + config.name() + ": rescan from " + height + " done (cursor was at " + tip + ")");
    }

    /** An asset this chain carries, for ListAssets. */
    record AssetInfo(String id, String symbol, int decimals, String contract, boolean bitcoin, long evmChainId, String network) {
    }

    List<AssetInfo> assets() {
        boolean bitcoin = !config.accountBased();
        long chainId = config instanceof EvmChainConfig e ? e.chainId() : 0;
        String network = config instanceof BitcoinChainConfig b ? b.network().rpcName() : "";
        return config.assets().stream().map(a -> new AssetInfo(a.id(), a.symbol(), a.decimals(), a.contract(), bitcoin, chainId, network))
                .toList();
    }

    /** The largest amount one of this chain's assets can carry: Bitcoin's MAX_MONEY in satoshi, or a uint256 on EVM chains. */
    java.math.BigInteger maxAmount() {
        return config.maxAmount();
    }

    /** Confirmed, pending incoming and pending outgoing of {@code asset} for an account, in base units. */
    java.math.BigInteger[] balance(int account, String asset) {
        WithdrawalLedger.Balance b = withdrawals.balance(account, asset);
        return new java.math.BigInteger[] {b.confirmed(), b.pendingIncoming(), b.pendingOutgoing()};
    }

    ChainConfig config() {
        return config;
    }

    String chain() {
        return config.name();
    }

    long processedHeight() {
        return follower.cursor().map(BlockHeader::height).orElse(0L);
    }

    String lastError() {
        return lastError;
    }

    Instant lastPollAt() {
        return lastPollAt;
    }

    io.coffer.chain.bitcoin.BitcoinFeeEstimator fees() {
        return fees;
    }

    AddressBook addresses() {
        return addresses;
    }

    ChainFollower follower() {
        return follower;
    }

    WithdrawalLedger withdrawals() {
        return withdrawals;
    }
}
