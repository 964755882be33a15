package io.coffer.core.store;

import java.math.BigInteger;
import java.nio.file.Path;

/**
 * A second process for the store tests, started with the test classpath: the lock and crash tests
 * need a real other process, not a second object in the same JVM.
 */
public final class StoreChild {
    private StoreChild() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        switch (args[0]) {
            case "hold-lock" -> {
                try (Store store = LevelDbStore.open(dir, StoreTest.SCHEMA)) {
                    System.out.println("locked");
                    System.out.flush();
                    Thread.sleep(60_000);
                }
            }
            case "write-loop", "write-loop-long" -> {
                // Each batch moves one unit between two tables and bumps a counter: all three or none. A new
                // round continues the sequence where the last whole batch left it, so every round adds rows
                // that the parent can check against the counter, however fast or slow this machine writes.
                Store store = LevelDbStore.open(dir, StoreTest.SCHEMA);
                long from = Long.parseLong(store.get(StoreTest.NAMES, "counter").orElse("0")) + 1;
                for (long i = from; ; i++) {
                    store.batch()
                            .put(StoreTest.LEDGER, i, BigInteger.valueOf(i))
                            .put(StoreTest.NAMES, "entry-" + i, StoreTest.entry(args[0], i))
                            .put(StoreTest.NAMES, "counter", Long.toString(i))
                            .commit();
                    if (i == from + StoreTest.BATCHES_BEFORE_KILL) {
                        System.out.println("written " + i);
                        System.out.flush();
                    }
                }
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }
}
