package io.coffer.api.observe;

import io.coffer.core.chain.DepositStatus;
import io.coffer.core.transfer.WithdrawalStatus;
import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Tag;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;

/**
 * The node's state as gauges, read when scraped. The registry is global to the JVM while nodes come and go (tests start
 * several), so each gauge reads whichever node is {@linkplain #serve serving} now, and reads NaN when none is.
 */
public final class NodeMetrics {
    /** What the gauges read: the serving node's figures. */
    public interface Source {
        /** The chains configured (their gauges are registered at {@link #serve}). */
        List<String> chains();

        Optional<ChainFigures> chain(String name);

        long webhooksPending();

        /** Deliveries given up on since the node started. */
        long webhooksFailed();

        double webhooksOverdueSeconds();

        /** 1 unsealed, 0 sealed, -1 no wallet yet, 2 watch-only. */
        double custody();

        long storeBytes();

        long livePages();

        /** Open operator alerts by kind (labels as {@code AlertKind.label()}). */
        Map<String, Integer> openAlerts();
    }

    /**
     * One chain's figures. Ages in seconds; NaN when not known (the chain node never answered, the chain is not followed).
     *
     * @param lastBlockAgeSeconds since the follower first saw the chain's current tip
     * @param failedRounds      rounds that failed since the node started
     * @param openDeposits      deposits not yet final, by state
     * @param oldestUnconfirmed since when the oldest deposit not yet confirmed has waited (0 when none)
     * @param withdrawals       withdrawals not yet final, by state
     */
    public record ChainFigures(boolean up, double tipHeight, double processedHeight, double answerAgeSeconds, double lastBlockAgeSeconds,
                               double pollAgeSeconds,
                               int withdrawalsOutstanding, double oldestOutstandingSeconds, long failedRounds,
                               Map<DepositStatus, Integer> openDeposits, double oldestUnconfirmed,
                               Map<WithdrawalStatus, Integer> withdrawals) {
        double lag() {
            return Double.isNaN(tipHeight) || Double.isNaN(processedHeight) ? Double.NaN : Math.max(0, tipHeight - processedHeight);
        }
    }

    private static final AtomicReference<Source> SERVING = new AtomicReference<>();
    private static final Map<String, Boolean> REGISTERED = new ConcurrentHashMap<>();
    /** One scrape reads a chain's figures once: its gauges (a dozen) share them for a second. */
    private static final Map<String, Cached> CACHE = new ConcurrentHashMap<>();
    private static final long CACHE_NANOS = 1_000_000_000L;

    private record Cached(Source source, long atNanos, Optional<ChainFigures> figures) {
    }

    private NodeMetrics() {
    }

    /** Makes {@code source} the one the gauges read, registering what is not registered yet. */
    public static void serve(Source source) {
        SERVING.set(source);
        node("coffer.webhooks.pending", "Webhook deliveries waiting to be tried or retried (at least this many)", s -> s.webhooksPending());
        counter("coffer.webhooks.failed", "Webhook deliveries given up on (FAILED) since the node started", List.of(),
                s -> s.webhooksFailed());
        node("coffer.webhooks.overdue.seconds", "How long the most overdue webhook delivery has been due", Source::webhooksOverdueSeconds);
        node("coffer.custody.state", "1 unsealed, 0 sealed (cannot sign), -1 no wallet, 2 watch-only", Source::custody);
        node("coffer.store.size.bytes", "Bytes of the store's files on disk", s -> s.storeBytes());
        node("coffer.checkout.live.pages", "Checkout pages holding a live-status stream open", s -> s.livePages());
        for (io.coffer.core.alert.AlertKind kind : io.coffer.core.alert.AlertKind.values()) {
            String label = kind.label();
            if (REGISTERED.putIfAbsent("coffer.alerts.open|" + label, true) == null) {
                Metrics.globalRegistry().getOrCreate(Gauge.builder("coffer.alerts.open", () -> {
                    Source s = SERVING.get();
                    return s == null ? Double.NaN : s.openAlerts().getOrDefault(label, 0);
                }).tags(List.of(Tag.create("kind", label))).description("Operator alerts not yet acknowledged, by kind"));
            }
        }
        for (String chain : source.chains()) {
            chain(chain, "coffer.chain.up", "1 when the chain node answered its last probe", f -> f.up() ? 1 : 0);
            chain(chain, "coffer.chain.tip.height", "The chain's tip as its node last said", ChainFigures::tipHeight);
            chain(chain, "coffer.chain.processed.height", "The height Coffer's follower has processed", ChainFigures::processedHeight);
            chain(chain, "coffer.chain.lag.blocks", "Blocks between the tip and what the follower processed", ChainFigures::lag);
            chain(chain, "coffer.chain.answer.age.seconds", "Seconds since the chain node last answered", ChainFigures::answerAgeSeconds);
            chain(chain, "coffer.chain.last.block.age.seconds", "Seconds since Coffer first saw the chain's current tip",
                    ChainFigures::lastBlockAgeSeconds);
            chain(chain, "coffer.chain.poll.age.seconds", "Seconds since the follower's last round", ChainFigures::pollAgeSeconds);
            chain(chain, "coffer.withdrawals.outstanding", "Withdrawals signed and not yet confirmed", f -> f.withdrawalsOutstanding());
            chain(chain, "coffer.withdrawals.oldest.outstanding.seconds", "Age of the oldest withdrawal not yet confirmed (0 when none)",
                    ChainFigures::oldestOutstandingSeconds);
            counter("coffer.chain.failed.rounds", "Rounds of the chain follower that failed (chain node unreachable or refusing)",
                    List.of(Tag.create("chain", chain)), s -> s.chain(chain).map(ChainFigures::failedRounds).orElse(0L));
            chain(chain, "coffer.deposits.oldest.unconfirmed.seconds", "Age of the oldest deposit seen and not yet confirmed (0 when none)",
                    ChainFigures::oldestUnconfirmed);
            for (DepositStatus state : DepositStatus.values()) {
                if (!state.isFinal()) {
                    chain(chain, List.of(Tag.create("state", label(state))), "coffer.deposits.open", "Deposits not yet final, by state",
                            f -> f.openDeposits().getOrDefault(state, 0));
                }
            }
            for (WithdrawalStatus state : WithdrawalStatus.values()) {
                if (!state.isFinal()) {
                    chain(chain, List.of(Tag.create("state", label(state))), "coffer.withdrawals.open", "Withdrawals not yet final, by state",
                            f -> f.withdrawals().getOrDefault(state, 0));
                }
            }
        }
    }

    /** The node stopped: its gauges read NaN until another serves. */
    public static void stop(Source source) {
        SERVING.compareAndSet(source, null);
    }

    private static void node(String name, String description, ToDoubleFunction<Source> figure) {
        if (REGISTERED.putIfAbsent(name, true) == null) {
            Metrics.globalRegistry().getOrCreate(Gauge.builder(name, () -> {
                Source s = SERVING.get();
                return s == null ? Double.NaN : figure.applyAsDouble(s);
            }).description(description));
        }
    }

    private static void chain(String chain, String name, String description, ToDoubleFunction<ChainFigures> figure) {
        chain(chain, List.of(), name, description, figure);
    }

    private static void chain(String chain, List<Tag> more, String name, String description, ToDoubleFunction<ChainFigures> figure) {
        List<Tag> tags = new java.util.ArrayList<>(more);
        tags.add(0, Tag.create("chain", chain));
        if (REGISTERED.putIfAbsent(name + "|" + tags, true) == null) {
            Metrics.globalRegistry().getOrCreate(Gauge.builder(name, () -> {
                Source s = SERVING.get();
                return s == null ? Double.NaN : figures(s, chain).map(figure::applyAsDouble).orElse(Double.NaN);
            }).tags(tags).description(description));
        }
    }

    /** A counter whose count the node keeps ({@code _total} in Prometheus); 0 when no node serves. */
    private static void counter(String name, String description, List<Tag> tags, java.util.function.ToLongFunction<Source> count) {
        if (REGISTERED.putIfAbsent(name + "|" + tags, true) == null) {
            Metrics.globalRegistry().getOrCreate(io.helidon.metrics.api.FunctionalCounter.builder(name, SERVING, ref -> {
                Source s = ref.get();
                return s == null ? 0L : count.applyAsLong(s);
            }).tags(tags).description(description));
        }
    }

    /** The serving node's figures of {@code chain}, read at most once a second however many gauges ask. */
    private static Optional<ChainFigures> figures(Source s, String chain) {
        long now = System.nanoTime();
        Cached c = CACHE.get(chain);
        if (c == null || c.source() != s || now - c.atNanos() > CACHE_NANOS) {
            c = new Cached(s, now, s.chain(chain));
            CACHE.put(chain, c);
        }
        return c.figures();
    }

    private static String label(Enum<?> state) {
        return state.name().toLowerCase(java.util.Locale.ROOT);
    }
}
