package io.coffer.core.chain;

import java.time.Instant;

/**
 * One change of one deposit: written in the same batch as the change (outbox), numbered per chain. A
 * consumer that has processed sequence {@code n} asks for events after {@code n} and misses nothing.
 *
 * @param deposit the deposit as it is after the change
 */
public record DepositEvent(long sequence, Instant at, Deposit deposit) {
}
