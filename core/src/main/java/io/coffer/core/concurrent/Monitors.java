package io.coffer.core.concurrent;

import java.util.function.BooleanSupplier;

/** Waiting on an object's monitor without letting an interrupt change the order of things. */
public final class Monitors {
    private Monitors() {
    }

    /**
     * Waits on {@code monitor} (which the caller holds) while {@code condition} is true. An interrupt does not cut the wait
     * short — whoever waits here has a place in an order (a queue of writes, a turn after an exclusive step) that must not be
     * given up half-way — it is kept: the thread's interrupt flag is set again on return.
     */
    public static void waitWhile(Object monitor, BooleanSupplier condition) {
        boolean interrupted = false;
        while (condition.getAsBoolean()) {
            try {
                monitor.wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
