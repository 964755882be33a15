package io.coffer.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The commit queue itself, with a writer that records what it was given (the store's own tests cover it on LevelDB). */
class GroupCommitTest {
    private static List<byte[]> op(String key) {
        List<byte[]> ops = new ArrayList<>();
        ops.add(key.getBytes(StandardCharsets.UTF_8));
        ops.add(new byte[0]);
        return ops;
    }

    private static String key(List<byte[]> ops) {
        return new String(ops.get(0), StandardCharsets.UTF_8);
    }

    @Test
    void concurrentCommitsShareWritesInTheOrderTheyWereQueued() throws Exception {
        List<String> written = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger groups = new AtomicInteger();
        try (GroupCommit commits = new GroupCommit(group -> {
            groups.incrementAndGet();
            group.forEach(ops -> written.add(key(ops)));
            try {
                Thread.sleep(2); // an fsync's time: commits queued meanwhile go together
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "test-commit")) {
            int threads = 16;
            int each = 50;
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> all = new ArrayList<>();
            List<String> returned = Collections.synchronizedList(new ArrayList<>());
            for (int t = 0; t < threads; t++) {
                int id = t;
                all.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < each; i++) {
                        String k = id + ":" + i;
                        commits.commit(op(k), failure -> { });
                        assertTrue(written.contains(k), "written before the commit returns: " + k);
                        returned.add(k);
                    }
                }));
            }
            start.countDown();
            for (Thread t : all) {
                t.join();
            }
            assertEquals(threads * each, returned.size());
            assertEquals(threads * each, written.size());
            assertTrue(groups.get() < threads * each / 2, "commits shared writes: " + groups.get() + " writes for " + threads * each);
            // One thread's commits are written in its order.
            for (int t = 0; t < threads; t++) {
                String prefix = t + ":";
                List<String> mine = written.stream().filter(k -> k.startsWith(prefix)).toList();
                for (int i = 0; i < each; i++) {
                    assertEquals(prefix + i, mine.get(i));
                }
            }
            // Queued one after the other without waiting: written in that order.
            Batch.Queued first = commits.submit(op("x1"), failure -> { }, false);
            Batch.Queued second = commits.submit(op("x2"), failure -> { }, false);
            second.await();
            first.await();
            assertEquals(List.of("x1", "x2"), written.subList(written.size() - 2, written.size()));
        }
    }

    @Test
    void aFailedWriteFailsItsGroupAndEveryLaterCommit() {
        AtomicInteger calls = new AtomicInteger();
        try (GroupCommit commits = new GroupCommit(group -> {
            if (calls.incrementAndGet() == 2) {
                throw new StoreException("disk full");
            }
        }, "test-commit")) {
            commits.commit(op("a"), failure -> { });
            StoreException e = assertThrows(StoreException.class, () -> commits.commit(op("b"), failure -> { }));
            assertEquals("disk full", e.getMessage());
            StoreException later = assertThrows(StoreException.class, () -> commits.commit(op("c"), failure -> { }));
            assertTrue(later.getMessage().contains("restart the node"), later.getMessage());
            assertEquals(2, calls.get(), "nothing written after the failure");
        }
    }

    @Test
    void closeWritesWhatWasQueuedAndRefusesMore() {
        List<String> written = Collections.synchronizedList(new ArrayList<>());
        GroupCommit commits = new GroupCommit(group -> group.forEach(ops -> written.add(key(ops))), "test-commit");
        Batch.Queued q = commits.submit(op("last"), failure -> { }, false);
        commits.close();
        q.await();
        assertEquals(List.of("last"), written);
        assertThrows(StoreException.class, () -> commits.commit(op("late"), failure -> { }));
    }

    /** A commit queue holding unhurried batches up to {@code holdNanos}, adding each group it writes (its keys) to {@code groups}. */
    private static GroupCommit recording(List<List<String>> groups, long holdNanos) {
        return new GroupCommit(group -> groups.add(group.stream().map(GroupCommitTest::key).toList()), "test-commit", holdNanos);
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void unhurriedBatchesAreHeldForTheNextOneToShareItsWriteInOrder() {
        List<List<String>> groups = Collections.synchronizedList(new ArrayList<>());
        try (GroupCommit commits = recording(groups, java.util.concurrent.TimeUnit.MINUTES.toNanos(10))) {
            Batch.Queued told = commits.submit(op("told"), failure -> { }, true);
            Batch.Queued another = commits.submit(op("another told"), failure -> { }, true);
            commits.commit(op("next"), failure -> { }); // not held: written at once, with what waited before it
            told.await();
            another.await();
            assertEquals(List.of(List.of("told", "another told", "next")), groups);
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void anUnhurriedBatchAloneIsWrittenOnItsOwnOnceItsHoldEnds() {
        List<List<String>> groups = Collections.synchronizedList(new ArrayList<>());
        try (GroupCommit commits = recording(groups, java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(1))) {
            commits.submit(op("told"), failure -> { }, true).await(); // returns: nothing came to share it, so it went alone
            assertEquals(List.of(List.of("told")), groups);
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void closeWritesAnUnhurriedBatchWithoutHoldingIt() {
        List<List<String>> groups = Collections.synchronizedList(new ArrayList<>());
        GroupCommit commits = recording(groups, java.util.concurrent.TimeUnit.MINUTES.toNanos(10));
        Batch.Queued q = commits.submit(op("told"), failure -> { }, true);
        commits.close(); // a stop does not wait out the hold
        q.await();
        assertEquals(List.of(List.of("told")), groups);
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aHurriedUnhurriedBatchIsWrittenWithoutWaitingOutItsHold() {
        List<List<String>> groups = Collections.synchronizedList(new ArrayList<>());
        try (GroupCommit commits = recording(groups, java.util.concurrent.TimeUnit.MINUTES.toNanos(10))) {
            Batch.Queued told = commits.submit(op("told"), failure -> { }, true);
            told.hurry(); // someone now waits for it and queues nothing behind it
            told.await(); // returns well before ten minutes
            told.hurry(); // written: nothing more to do
            assertEquals(List.of(List.of("told")), groups);
        }
    }
}
