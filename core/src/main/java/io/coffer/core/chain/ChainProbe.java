package io.coffer.core.chain;

import io.coffer.core.error.CofferException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The last known state of one chain node, refreshed by {@link #probe()} on a thread of its own, so that a health probe
 * answers at once from what is known, however slow the chain node is. An orchestrator's probe that waited on a frozen
 * chain node would time out and restart a healthy Coffer exactly when it is needed to catch up.
 *
 * <p>The node is up when its last answer is at most {@code staleAfter} old and it was not an error; an answer that is
 * overdue (a call hanging for longer than {@code staleAfter}) makes it down at once, naming how long it has waited.
 */
public final class ChainProbe {
    private final ChainNode node;
    private final Clock clock;
    private final Duration staleAfter;
    /** Null until the first answer; replaced whole, so a reader never sees half of one. */
    private volatile Known known;
    private volatile Instant askingSince;

    /** The last good answer (null before one) and the outcome of the last call ("" when it was good). */
    private record Known(ChainInfo info, Instant answeredAt, String error) {
    }

    /**
     * What is known now.
     *
     * @param info        the last good answer, if any (it stays shown while the node is down, with its age)
     * @param lastAnswer  when the node last answered successfully, if ever
     * @param problem     "" when up; otherwise why not (the node's error, no answer yet, or how long a call has hung)
     */
    public record State(boolean up, Optional<ChainInfo> info, Optional<Instant> lastAnswer, String problem) {
    }

    public ChainProbe(ChainNode node, Clock clock, Duration staleAfter) {
        this.node = node;
        this.clock = clock;
        this.staleAfter = staleAfter;
    }

    public String chainName() {
        return node.chainName();
    }

    /**
     * Asks the chain node (blocking, bounded by its RPC timeout) and records the answer.
     *
     * @return the node's answer
     * @throws ChainUnavailableException when the node cannot be reached or answers with an error (recorded first)
     */
    public ChainInfo probe() {
        askingSince = clock.instant();
        try {
            ChainInfo info = node.info();
            known = new Known(info, clock.instant(), "");
            return info;
        } catch (CofferException e) {
            Known before = known;
            known = new Known(before == null ? null : before.info(), before == null ? null : before.answeredAt(),
                    e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            throw e;
        } finally {
            askingSince = null;
        }
    }

    /** The state from what is known; never calls the chain node. */
    public State state() {
        Instant now = clock.instant();
        Known k = known;
        Instant asking = askingSince;
        Optional<ChainInfo> info = k == null ? Optional.empty() : Optional.ofNullable(k.info());
        Optional<Instant> answered = k == null ? Optional.empty() : Optional.ofNullable(k.answeredAt());
        if (asking != null && Duration.between(asking, now).compareTo(staleAfter) > 0) {
            return new State(false, info, answered, "no answer from the chain node for " + Duration.between(asking, now).toSeconds() + " s");
        }
        if (k == null) {
            return new State(false, info, answered, "not checked yet");
        }
        if (!k.error().isEmpty()) {
            return new State(false, info, answered, k.error());
        }
        if (Duration.between(k.answeredAt(), now).compareTo(staleAfter) > 0) {
            return new State(false, info, answered, "last answer " + Duration.between(k.answeredAt(), now).toSeconds() + " s ago");
        }
        return new State(true, info, answered, "");
    }
}
