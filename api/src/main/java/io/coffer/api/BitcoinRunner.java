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
import io.coffer.core.transfer.WithdrawalService;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Runs the Bitcoin side of the node: the chain follower and the withdrawal tracker, polled together on
 * the chain's poll interval by one thread (so a poll never overlaps another). Failures to reach bitcoind
 * are logged and retried on the next round; they never stop the node.
 */
final class BitcoinRunner {
    private static final Logger LOG = Logger.getLogger(BitcoinRunner.class.getName());

    private final BitcoinChainConfig config;
    private final AddressBook addresses;
    private final ChainFollower follower;
    private final WithdrawalService withdrawals;
    private final io.coffer.chain.bitcoin.BitcoinFeeEstimator fees;
    private volatile String lastError = "";
    private final java.util.concurrent.atomic.AtomicBoolean wakePending = new java.util.concurrent.atomic.AtomicBoolean();
    private io.coffer.chain.bitcoin.BitcoinZmqListener zmq;
    private volatile Instant lastPollAt;

    private BitcoinRunner(BitcoinChainConfig config, AddressBook addresses, ChainFollower follower, WithdrawalService withdrawals,
                          io.coffer.chain.bitcoin.BitcoinFeeEstimator fees) {
        this.config = config;
        this.fees = fees;
        this.addresses = addresses;
        this.follower = follower;
        this.withdrawals = withdrawals;
    }

    /** The runner, or empty when the data dir holds no wallet yet (nothing to watch). */
    static Optional<BitcoinRunner> create(BitcoinChainConfig config, BitcoinRpcClient rpc, Store store, Vault vault, Clock clock) {
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
        WithdrawalService withdrawals = new WithdrawalService(store, source, new BitcoinTransactionFactory(network), book,
                vault::signer, config.confirmations(), clock, WithdrawalService.NO_CRASH);
        var fees = new io.coffer.chain.bitcoin.BitcoinFeeEstimator(rpc, config.feeFloor() * 1000L, config.feeFallback() * 1000L,
                config.feeMax() * 1000L);
        return Optional.of(new BitcoinRunner(config, book, follower, withdrawals, fees));
    }

    void start(ScheduledExecutorService executor) {
        executor.execute(() -> {
            try {
                withdrawals.resume(); // stored, unconfirmed withdrawals: the same bytes again
            } catch (RuntimeException e) {
                LOG.warning("chain " + config.name() + ": resuming withdrawals failed (" + e.getMessage() + "); retrying on the next round");
            }
        });
        executor.scheduleWithFixedDelay(this::round, 0, config.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
        if (config.zmqEndpoint() != null) {
            // A notification schedules one extra round; a burst of them coalesces into one.
            zmq = new io.coffer.chain.bitcoin.BitcoinZmqListener(config.name(), config.zmqEndpoint(), () -> {
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
            lastPollAt = Instant.now();
            if (!lastError.isEmpty()) {
                LOG.info("chain " + config.name() + ": reachable again");
            }
            lastError = "";
            if (!r.caughtUp()) {
                LOG.fine(() -> "chain " + config.name() + ": catching up, at " + r.cursorHeight() + " of " + r.tipHeight());
            }
        } catch (RuntimeException e) {
            if (!e.getMessage().equals(lastError)) {
                LOG.warning("chain " + config.name() + ": " + e.getMessage());
            }
            lastError = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
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

    WithdrawalService withdrawals() {
        return withdrawals;
    }
}
