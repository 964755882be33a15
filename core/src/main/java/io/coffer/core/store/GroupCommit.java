package io.coffer.core.store;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Group commit: callers that commit at the same time share one synced write. One writer thread takes every batch queued
 * while the previous group was being written and writes them together, in the order they were queued; each caller returns
 * only once the group holding its batch is durable (or with the group's failure, in which case none of it was written).
 *
 * <p>A batch nobody waits for soon ({@link Batch#unhurried()}: the outcome of a send its caller was already told) is not worth
 * a synced write of its own: with only such batches queued, the writer holds them a few milliseconds for the next batch to
 * share the write. Each synced write costs CPU in the kernel as well as time (LevelDB's memory-mapped log: its pages
 * write-protected again, the data, the inode and a flush sent to the disk), and where callers are CPU-bound the fewer writes
 * are worth more than those milliseconds.
 *
 * <p>Why a queue and not LevelDB's own grouping: the order of writes must be the order of {@link #commit} calls, so that a
 * caller that numbers records under its own lock (event sequences) and then commits outside it never has number 7 visible
 * before 6. Commits from one thread keep their order too; a commit made after another returned is written after it.
 */
final class GroupCommit implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(GroupCommit.class.getName());
    /** Batches written in one group at most (bounds a group's size and its first caller's wait). */
    private static final int MAX_GROUP = 1024;
    /**
     * How long an unhurried batch may wait, with only unhurried ones queued, for a batch to share its synced write (see
     * {@link Batch#unhurried()}). A caller sending withdrawals back to back queues its next signed batch well within it (under
     * a millisecond after the last one's outcome); it is also the most an exclusive step waiting for such an outcome pays.
     */
    static final long UNHURRIED_NANOS = 3_000_000;

    private final Consumer<List<List<byte[]>>> write;
    private final long holdNanos;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    /** How many queued batches are not unhurried (under the queue's monitor): while there are any, the writer does not hold. */
    private int hurried;
    private final Thread writer;
    private boolean closing;
    /**
     * The first failed write. Every later commit fails too: after an I/O error nothing more is written until the node restarts
     * and LevelDB recovers from its log (a later group succeeding after an earlier one failed would leave a hole in event
     * sequences numbered before the failure was known).
     */
    private StoreException broken;

    /** One caller's batch and, once written, how it went. */
    private static final class Pending {
        final List<byte[]> ops;
        /**
         * Run by the writer once the group holding it is written or has failed, with the failure or null (before any caller is
         * told).
         */
        final Consumer<StoreException> finished;
        /** Counted down once written or failed: each caller waits on its own, not all on the queue's monitor. */
        final java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        /** Whether it may be held for company ({@link Batch#unhurried()}; under the queue's monitor: {@link #hurry} clears it). */
        boolean unhurried;
        /** For an unhurried batch, the {@link System#nanoTime()} until which it may wait for company. */
        final long holdUntil;
        volatile StoreException failure;

        Pending(List<byte[]> ops, Consumer<StoreException> finished, boolean unhurried, long holdUntil) {
            this.ops = ops;
            this.finished = finished;
            this.unhurried = unhurried;
            this.holdUntil = holdUntil;
        }
    }

    /** @param write writes one group atomically and durably, or throws (then nothing of the group is written) */
    GroupCommit(Consumer<List<List<byte[]>>> write, String name) {
        this(write, name, UNHURRIED_NANOS);
    }

    /** @param holdNanos how long an unhurried batch may be held ({@link #UNHURRIED_NANOS} but in tests) */
    GroupCommit(Consumer<List<List<byte[]>>> write, String name, long holdNanos) {
        this.holdNanos = holdNanos;
        this.write = write;
        this.writer = Thread.ofPlatform().name(name).daemon(true).unstarted(this::run);
        writer.start();
    }

    /**
     * Queues {@code ops} and waits until they are durable.
     *
     * @throws StoreException when the group could not be written (nothing of it was) or the store is closing
     */
    void commit(List<byte[]> ops, Consumer<StoreException> finished) {
        submit(ops, finished, false).await();
    }

    /**
     * Queues {@code ops} behind every batch queued before; {@link Batch.Queued#await()} waits until they are durable.
     * {@code finished} runs once they are written (with null) or their group failed (with the failure), whether or not anyone
     * awaits them; not at all when this throws (nothing was queued). {@code unhurried}: while only unhurried batches are queued,
     * the writer holds them up to {@link #UNHURRIED_NANOS} (from the oldest's queueing) for another to share their synced write.
     */
    Batch.Queued submit(List<byte[]> ops, Consumer<StoreException> finished, boolean unhurried) {
        Pending p = new Pending(ops, finished, unhurried, System.nanoTime() + holdNanos);
        synchronized (queue) {
            if (closing) {
                throw new StoreException("store is closed");
            }
            if (broken != null) {
                throw new StoreException("an earlier write failed (" + broken.getMessage() + "); restart the node", broken);
            }
            queue.add(p);
            if (!p.unhurried) {
                hurried++;
                queue.notifyAll();
            } else if (queue.size() == 1) { // the writer may be waiting with no deadline: it must learn this one's
                queue.notifyAll();
            }
        }
        return new Batch.Queued() {
            @Override
            public void await() {
                GroupCommit.this.await(p);
            }

            @Override
            public void hurry() {
                GroupCommit.this.hurry(p);
            }
        };
    }

    /** {@code p}, if still queued and held, is not held any more: written with the next group, which the writer starts now. */
    private void hurry(Pending p) {
        synchronized (queue) {
            if (p.unhurried && queue.contains(p)) {
                p.unhurried = false;
                hurried++;
                queue.notifyAll();
            }
        }
    }

    /**
     * An interrupt does not cut the wait short (the batch may be written all the same, and a caller must never believe it was
     * not); the thread's interrupt flag is set again after.
     */
    private void await(Pending p) {
        boolean interrupted = false;
        while (true) {
            try {
                p.done.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (p.failure != null) {
            throw p.failure;
        }
    }

    private void run() {
        while (true) {
            List<Pending> group = new ArrayList<>();
            synchronized (queue) {
                while (!closing) {
                    // Only unhurried batches queued: held until the oldest's deadline (it comes first) or company comes.
                    boolean empty = queue.isEmpty();
                    long hold = empty ? 0 : hurried > 0 ? 0 : queue.peek().holdUntil - System.nanoTime();
                    if (!empty && hold <= 0) {
                        break;
                    }
                    try {
                        if (empty) {
                            queue.wait();
                        } else {
                            queue.wait(hold / 1_000_000, (int) (hold % 1_000_000));
                        }
                    } catch (InterruptedException e) {
                        // Only close() stops the writer, after the queue is empty.
                    }
                }
                if (queue.isEmpty()) {
                    return; // closing, nothing left
                }
                while (!queue.isEmpty() && group.size() < MAX_GROUP) {
                    Pending p = queue.poll();
                    if (!p.unhurried) {
                        hurried--;
                    }
                    group.add(p);
                }
            }
            StoreException failure = write(group);
            if (failure != null) {
                synchronized (queue) {
                    if (broken == null) {
                        broken = failure;
                    }
                }
            }
            for (Pending p : group) {
                try {
                    p.finished.accept(failure);
                } catch (RuntimeException | Error e) { // the callers must be told all the same
                    LOG.log(Level.SEVERE, "store: after a write: " + e, e);
                }
                p.failure = failure;
                p.done.countDown();
            }
        }
    }

    /** Writes one group, unless an earlier one failed; the failure, or null. */
    private StoreException write(List<Pending> group) {
        synchronized (queue) {
            if (broken != null) {
                return broken;
            }
        }
        try {
            List<List<byte[]>> ops = new ArrayList<>(group.size());
            for (Pending p : group) {
                ops.add(p.ops);
            }
            write.accept(ops);
            return null;
        } catch (RuntimeException | Error e) { // an Error too: a writer that died silently would leave every caller waiting
            LOG.log(Level.SEVERE, "store: a group of " + group.size() + " commits failed; no more writes until a restart: "
                    + e.getMessage());
            return e instanceof StoreException se ? se : new StoreException("cannot write: " + e.getMessage(), e);
        }
    }

    /** Writes what is queued, then stops the writer; later commits are refused. */
    @Override
    public void close() {
        synchronized (queue) {
            closing = true;
            queue.notifyAll();
        }
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
