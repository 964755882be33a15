package io.coffer.api.observe;

import io.helidon.metrics.api.Gauge;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.Tag;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
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

        double webhooksOverdueSeconds();

        /** 1 unsealed, 0 sealed, -1 no wallet yet, 2 watch-only. */
        double custody();

        long storeBytes();

        long livePages();
    }

    /** One chain's figures. Ages in seconds; NaN when not known (the chain node never answered, the chain is not followed). */
    public record ChainFigures(boolean up, double tipHeight, double processedHeight, double answerAgeSeconds, double pollAgeSeconds,
                               int withdrawalsOutstanding, double oldestOutstandingSeconds) {
        double lag() {
            return Double.isNaN(tipHeight) || Double.isNaN(processedHeight) ? Double.NaN : Math.max(0, tipHeight - processedHeight);
        }
    }

    private static final AtomicReference<Source> SERVING = new AtomicReference<>();
    private static final Map<String, Boolean> REGISTERED = new ConcurrentHashMap<>();

    private NodeMetrics() {
    }

    /** Makes {@code source} the one the gauges read, registering what is not registered yet. */
    public static void serve(Source source) {
        SERVING.set(source);
        node("coffer.webhooks.pending", "Webhook deliveries waiting to be tried or retried (at least this many)", s -> s.webhooksPending());
        node("coffer.webhooks.overdue.seconds", "How long the most overdue webhook delivery has been due", Source::webhooksOverdueSeconds);
        node("coffer.custody.state", "1 unsealed, 0 sealed (cannot sign), -1 no wallet, 2 watch-only", Source::custody);
        node("coffer.store.size.bytes", "Bytes of the store's files on disk", s -> s.storeBytes());
        node("coffer.checkout.live.pages", "Checkout pages holding a live-status stream open", s -> s.livePages());
        for (String chain : source.chains()) {
            chain(chain, "coffer.chain.up", "1 when the chain node answered its last probe", f -> f.up() ? 1 : 0);
            chain(chain, "coffer.chain.tip.height", "The chain's tip as its node last said", ChainFigures::tipHeight);
            chain(chain, "coffer.chain.processed.height", "The height Coffer's follower has processed", ChainFigures::processedHeight);
            chain(chain, "coffer.chain.lag.blocks", "Blocks between the tip and what the follower processed", ChainFigures::lag);
            chain(chain, "coffer.chain.answer.age.seconds", "Seconds since the chain node last answered", ChainFigures::answerAgeSeconds);
            chain(chain, "coffer.chain.poll.age.seconds", "Seconds since the follower's last round", ChainFigures::pollAgeSeconds);
            chain(chain, "coffer.withdrawals.outstanding", "Withdrawals signed and not yet confirmed", f -> f.withdrawalsOutstanding());
            chain(chain, "coffer.withdrawals.oldest.outstanding.seconds", "Age of the oldest withdrawal not yet confirmed (0 when none)",
                    ChainFigures::oldestOutstandingSeconds);
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
        if (REGISTERED.putIfAbsent(name + "|" + chain, true) == null) {
            Function<Source, Optional<ChainFigures>> read = s -> s.chain(chain);
            Metrics.globalRegistry().getOrCreate(Gauge.builder(name, () -> {
                Source s = SERVING.get();
                return s == null ? Double.NaN : read.apply(s).map(figure::applyAsDouble).orElse(Double.NaN);
            }).tags(List.of(Tag.create("chain", chain))).description(description));
        }
    }
}
