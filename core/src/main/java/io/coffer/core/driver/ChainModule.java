package io.coffer.core.driver;

import io.coffer.core.chain.AddressBook;
import io.coffer.core.chain.BlockHeader;
import io.coffer.core.chain.ChainFollower;
import io.coffer.core.custody.CustodyState;
import io.coffer.core.custody.Vault;
import io.coffer.core.config.ChainConfig;
import io.coffer.core.transfer.WithdrawalLedger;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Runs one chain of the node, whatever its kind: its follower and its withdrawal tracker (and sweeper, if any), polled together on
 * the chain's poll interval by the node's chain thread (so a poll never overlaps another), woken early by its push source. Failures to reach the chain
 * node are logged and retried on the next round; they never stop the node.
 */
public final class ChainModule {
    private static final Logger LOG = Logger.getLogger(ChainModule.class.getName());

    private final ChainConfig config;
    private final ChainParts parts;
    private final Vault vault;
    private volatile String lastError = "";
    private final java.util.concurrent.atomic.AtomicBoolean wakePending = new java.util.concurrent.atomic.AtomicBoolean();
    private AutoCloseable push;
    private volatile Instant lastPollAt;
    /** Rounds that failed (the chain node unreachable or refusing, or an unexpected error) since this process started. */
    private final java.util.concurrent.atomic.AtomicLong failedRounds = new java.util.concurrent.atomic.AtomicLong();
    /** The tip the last round saw, and when a round first saw it: how long since the chain last made a block. */
    private volatile long lastTip = -1;
    private volatile Instant lastBlockAt;
    /** Compares the ledger with the chain every N processed blocks, once set. */
    private volatile Reconciler reconciler;
    /** Set while the follower is more blocks behind than one round processes (written by the chain thread only). */
    private volatile CatchUp catchUp;

    /** A catch-up in progress: from which height, measured how. */
    private record CatchUp(long fromHeight, long startNanos, io.coffer.core.progress.Progress progress) {
    }

    /** A chain the node runs: its configuration and the parts its driver built. */
    public ChainModule(ChainConfig config, ChainParts parts, Vault vault) {
        this.config = config;
        this.parts = parts;
        this.vault = vault;
    }

    public void start(ScheduledExecutorService executor) {
        // The first round runs now, before the node serves: a new wallet's cursor is set at the current tip before any address
        // is handed out. Should that round fail (the chain's node slow or away), the first receiving address sets it instead
        // (receivingAddresses), so no deposit can land in a block the follower skips.
        try {
            executor.submit(this::round).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.warning("chain " + config.name() + ": first round failed: " + e.getCause());
        }
        executor.execute(() -> {
            try {
                parts.withdrawals().resume(); // stored, unconfirmed withdrawals: the same bytes again
            } catch (RuntimeException e) {
                LOG.warning("chain " + config.name() + ": resuming withdrawals failed (" + e.getMessage() + "); retrying on the next round");
            }
        });
        executor.scheduleWithFixedDelay(this::round, 0, config.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
        // A notification schedules one extra round; a burst of them coalesces into one.
        parts.push().ifPresent(p -> push = p.listen(() -> {
            if (wakePending.compareAndSet(false, true)) {
                executor.execute(() -> {
                    wakePending.set(false);
                    round();
                });
            }
        }));
    }

    public void stop() {
        if (push != null) {
            try {
                push.close();
            } catch (Exception e) {
                LOG.fine(() -> "chain " + config.name() + ": closing its push source: " + e);
            }
        }
    }

    private void round() {
        long roundStartNanos = System.nanoTime();
        try {
            ChainFollower.PollResult r = parts.follower().poll();
            if (r.tipHeight() != lastTip) {
                lastTip = r.tipHeight();
                lastBlockAt = Instant.now();
            }
            parts.withdrawals().track();
            if (parts.sweeper().isPresent() && vault.state() == CustodyState.UNSEALED && r.caughtUp()) {
                parts.sweeper().get().sweep(0).forEach(w -> LOG.info("chain " + config.name() + ": started "
                        + w.origin().name().toLowerCase(java.util.Locale.ROOT) + " " + w.id() + " (" + w.amount() + " " + w.asset() + ")"));
            }
            lastPollAt = Instant.now();
            if (!lastError.isEmpty()) {
                LOG.info("chain " + config.name() + ": reachable again");
            }
            lastError = "";
            trackCatchUp(r, roundStartNanos);
            Reconciler rec = reconciler;
            if (rec != null && r.caughtUp()) {
                rec.afterRound(this, r.cursorHeight());
            }
        } catch (RuntimeException e) {
            // Never let an exception escape: a scheduled task that throws is silently never run again.
            failedRounds.incrementAndGet();
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
     * Logs where a catch-up stands every 10 s (done of the blocks it was behind, the rate, the time left) and once when it is
     * over: after downtime or a restore an operator sees how long until deposits are current again.
     */
    private void trackCatchUp(ChainFollower.PollResult r, long roundStartNanos) {
        CatchUp c = catchUp;
        if (!r.caughtUp()) {
            if (c == null) {
                long from = r.cursorHeight() - r.connected(); // where this round started (the rate counts the rounds after it)
                c = new CatchUp(from, roundStartNanos, new io.coffer.core.progress.Progress("chain " + config.name() + ": catching up", "blocks",
                        r.connected(), r.tipHeight() - from));
                catchUp = c;
                LOG.info("chain " + config.name() + ": " + (r.tipHeight() - from) + " blocks behind the tip (" + r.tipHeight()
                        + "); catching up");
            }
            c.progress().total(r.tipHeight() - c.fromHeight());
            if (c.progress().due(ChainRegistry.LOG_EVERY)) {
                LOG.info(c.progress().at(r.cursorHeight() - c.fromHeight()).line() + " (height " + r.cursorHeight() + ")");
            }
        } else if (c != null) {
            catchUp = null;
            long blocks = r.cursorHeight() - c.fromHeight();
            java.time.Duration took = java.time.Duration.ofNanos(Math.max(1, System.nanoTime() - c.startNanos()));
            LOG.info(String.format(java.util.Locale.ROOT, "chain %s: caught up at height %d (%,d blocks in %s, %,.0f blocks/s)",
                    config.name(), r.cursorHeight(), blocks, io.coffer.core.progress.Progress.Report.human(took),
                    blocks * 1e9 / took.toNanos()));
        }
    }

    /** Where a catch-up stands, while there is one. */
    public Optional<io.coffer.core.progress.Progress.Report> catchUp() {
        CatchUp c = catchUp;
        return c == null ? Optional.empty() : Optional.of(c.progress().at(processedHeight() - c.fromHeight()));
    }

    /**
     * Re-scans from {@code height} on the chain thread (so it never overlaps a poll), reporting progress.
     * Blocks the caller until done.
     */
    public void rescan(ScheduledExecutorService executor, long height, java.util.function.Consumer<ChainFollower.PollResult> progress)
            throws Exception {
        long tip = parts.follower().cursor().map(BlockHeader::height).orElse(0L);
        executor.submit(() -> {
            parts.follower().rescan(height, progress);
            return null;
        }).get();
        LOG.info("chain " + config.name() + ": rescan from " + height + " done (cursor was at " + tip + ")");
    }

    /** The assets this chain carries, native coin first. */
    public List<AssetInfo> assets() {
        return config.assets().stream().map(a -> new AssetInfo(a.id(), config.name(), a.symbol(), a.decimals(), a.contract(),
                config.accountBased(), config.evmChainId(), config.bitcoinNetwork())).toList();
    }

    /** The largest amount one of this chain's assets can carry: Bitcoin's MAX_MONEY in satoshi, or a uint256 on EVM chains. */
    public java.math.BigInteger maxAmount() {
        return config.maxAmount();
    }

    /** Confirmed, pending incoming and pending outgoing of {@code asset} for an account, in base units. */
    public WithdrawalLedger.Balance balance(int account, String asset) {
        return parts.withdrawals().balance(account, asset);
    }

    public ChainConfig config() {
        return config;
    }

    public String chain() {
        return config.name();
    }

    public long processedHeight() {
        return parts.follower().cursor().map(BlockHeader::height).orElse(0L);
    }

    public String lastError() {
        return lastError;
    }

    public Instant lastPollAt() {
        return lastPollAt;
    }

    /** Compares this chain's ledger with the chain every N processed blocks from now on. */
    void reconciler(Reconciler reconciler) {
        this.reconciler = reconciler;
    }

    /** When a round first saw the chain's current tip (null before the first round): a chain that stopped making blocks shows. */
    public Instant lastBlockAt() {
        return lastBlockAt;
    }

    /** Rounds of this chain that failed since this process started (each logged once per distinct error). */
    public long failedRounds() {
        return failedRounds.get();
    }

    public AddressBook addresses() {
        return parts.addresses();
    }

    /**
     * The address book, for handing out an address someone is to pay: on a new wallet this first fixes the block the chain is
     * followed from ({@link ChainFollower#anchor}), so a payment to the address is in a block after it however late the first
     * round runs. With the chain's node unreachable at that moment, UNAVAILABLE CHAIN_UNAVAILABLE (nothing is issued).
     */
    public AddressBook receivingAddresses() {
        parts.follower().anchor();
        return parts.addresses();
    }

    public ChainFollower follower() {
        return parts.follower();
    }

    public WithdrawalLedger withdrawals() {
        return parts.withdrawals();
    }
}
