package io.coffer.core.transfer;

import io.coffer.core.error.CofferException;
import io.coffer.core.error.ErrorKind;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The chain side of {@link TransferService} for unit tests of its rules (limits, approvals, refunds, idempotency): two assets,
 * a spendable amount per account that each withdrawal takes from, and withdrawals kept in memory by id and by key. It counts
 * the sends per key, so a test can show that nothing was ever sent twice. Shared through core's test-jar.
 */
public final class FakeTransferChains implements TransferService.Sending {
    public static final String BTC = "bitcoin/BTC";
    public static final String ETH = "ethereum/ETH";
    private final Map<String, BigInteger> spendable = new ConcurrentHashMap<>();
    private final Map<String, Withdrawal> byId = new ConcurrentHashMap<>();
    private final Map<String, Withdrawal> byKey = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> sends = new ConcurrentHashMap<>();
    private volatile boolean sealed;
    private volatile CofferException refuseNextSend;
    private volatile CrashPoint dieAt;
    private volatile WithdrawalSink sink;
    private volatile io.coffer.core.store.Store sinkStore;
    private volatile CofferException refuseAfterStoring;

    /** Where the next send stops as if the process died there (the exception is no answer: nothing after it runs). */
    public enum CrashPoint {
        /** The transfer is stored; the chain never saw the send. */
        BEFORE_THE_CHAIN_STORES,
        /** The chain stored (and sent) the withdrawal; the transfer never learnt of it. */
        AFTER_THE_CHAIN_STORES
    }

    /** A process that stopped dead at a crash point (thrown, so a test can carry on as the restarted process). */
    public static final class ProcessDied extends RuntimeException {
        ProcessDied(CrashPoint at) {
            super("the process died " + at);
        }
    }

    public void dieAtNextSend(CrashPoint at) {
        dieAt = at;
    }

    /** Gives {@code account} {@code amount} more of {@code asset} to spend. */
    public void fund(int account, String asset, long amount) {
        spendable.merge(account + "|" + asset, BigInteger.valueOf(amount), BigInteger::add);
    }

    public void sealed(boolean sealed) {
        this.sealed = sealed;
    }

    /**
     * From now on each new withdrawal is also written as the ledger writes its signed one: a batch of {@code store} committed
     * through {@code sink} (the transfer service, which adds its transfer's changes and events to it).
     */
    public void writesThrough(WithdrawalSink sink, io.coffer.core.store.Store store) {
        this.sinkStore = store;
        this.sink = sink;
    }

    /**
     * The next send, once its withdrawal is written, counts {@code stored} down and waits for {@code go} before it returns (as a
     * broadcast and the outcome's write take their time), holding this fake's monitor: other sends wait for it.
     */
    public void pauseAfterStoring(java.util.concurrent.CountDownLatch stored, java.util.concurrent.CountDownLatch go) {
        pauseAfterStoring = new java.util.concurrent.CountDownLatch[] {stored, go};
    }

    private volatile java.util.concurrent.CountDownLatch[] pauseAfterStoring;

    /** The next send stores its withdrawal (and sends it), then throws {@code e}, as a failure after the signed write would. */
    public void refuseAfterStoring(CofferException e) {
        refuseAfterStoring = e;
    }

    /** The next send fails with {@code e} before anything is signed. */
    public void refuseNextSend(CofferException e) {
        refuseNextSend = e;
    }

    /** How many times a withdrawal was created for {@code idempotencyKey} (a repeat returns the first one, not counted). */
    public int sends(String idempotencyKey) {
        return sends.getOrDefault(idempotencyKey, new AtomicInteger()).get();
    }

    public int withdrawals() {
        return byId.size();
    }

    @Override
    public boolean knows(String asset) {
        return BTC.equals(asset) || ETH.equals(asset);
    }

    @Override
    public BigInteger maxAmount(String asset) {
        return BTC.equals(asset) ? BigInteger.valueOf(2_100_000_000_000_000L) : BigInteger.TWO.pow(256).subtract(BigInteger.ONE);
    }

    @Override
    public String destination(String asset, String destination) {
        return destinationOnChain(asset.substring(0, asset.indexOf('/')), destination, "destination");
    }

    @Override
    public String destinationOnChain(String chain, String destination, String field) {
        boolean ok = chain.equals("bitcoin") ? destination != null && destination.matches("bcrt1q[a-z0-9]{8,60}")
                : destination != null && destination.matches("0x[0-9a-fA-F]{40}");
        if (!ok) {
            throw CofferException.invalid(field, "ADDRESS_INVALID", "not an address of chain " + chain);
        }
        return chain.equals("bitcoin") ? destination : destination.toLowerCase();
    }

    @Override
    public boolean knowsChain(String chain) {
        return chain.equals("bitcoin") || chain.equals("ethereum");
    }

    @Override
    public BigInteger spendable(int account, String asset) {
        return spendable.getOrDefault(account + "|" + asset, BigInteger.ZERO);
    }

    @Override
    public void requireSigning() {
        if (sealed) {
            throw new CofferException(ErrorKind.FAILED_PRECONDITION, "SEALED", "the wallet is sealed");
        }
    }

    @Override
    public TransferService.Quote quote(int account, String asset, String destination, BigInteger amount, FeePriority priority, Optional<FeeRate> feeRate) {
        return new TransferService.Quote(asset, BigInteger.valueOf(141), 141, "1", null, null);
    }

    @Override
    public synchronized Withdrawal send(int account, String asset, String destination, BigInteger amount, FeePriority priority,
            Optional<FeeRate> feeRate, String idempotencyKey) {
        Withdrawal known = byKey.get(idempotencyKey);
        if (known != null) {
            return known;
        }
        CofferException refusal = refuseNextSend;
        if (refusal != null) {
            refuseNextSend = null;
            throw refusal;
        }
        CrashPoint die = dieAt;
        if (die == CrashPoint.BEFORE_THE_CHAIN_STORES) {
            dieAt = null;
            throw new ProcessDied(die);
        }
        requireSigning();
        BigInteger left = spendable(account, asset).subtract(amount);
        if (left.signum() < 0) {
            throw new CofferException(ErrorKind.FAILED_PRECONDITION, "INSUFFICIENT_FUNDS", "amount", "insufficient funds", Map.of(), null);
        }
        spendable.put(account + "|" + asset, left);
        Instant now = Instant.now();
        Withdrawal w = new Withdrawal("wd_" + (byId.size() + 1), asset.substring(0, asset.indexOf('/')), account, destination, amount,
                BigInteger.valueOf(141), 1000, WithdrawalStatus.BROADCAST, "tx" + (byId.size() + 1), new byte[] {1}, List.of(), -1, List.of(),
                idempotencyKey, 0, "", now, now, asset, "");
        byId.put(w.id(), w);
        byKey.put(idempotencyKey, w);
        sends.computeIfAbsent(idempotencyKey, k -> new AtomicInteger()).incrementAndGet();
        if (sink != null) {
            sink.queue(sinkStore.batch(), w).await();
        }
        java.util.concurrent.CountDownLatch[] pause = pauseAfterStoring;
        if (pause != null) {
            pauseAfterStoring = null;
            pause[0].countDown();
            try {
                if (!pause[1].await(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    throw new IllegalStateException("a paused send was never let go");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        CofferException late = refuseAfterStoring;
        if (late != null) {
            refuseAfterStoring = null;
            throw late;
        }
        if (die == CrashPoint.AFTER_THE_CHAIN_STORES) {
            dieAt = null;
            throw new ProcessDied(die);
        }
        return w;
    }

    @Override
    public Optional<Withdrawal> withdrawal(String asset, String id) {
        return Optional.ofNullable(byId.get(id));
    }

    @Override
    public Optional<Withdrawal> withdrawalByKey(String asset, String idempotencyKey) {
        return Optional.ofNullable(byKey.get(idempotencyKey));
    }

    @Override
    public Withdrawal bump(String asset, String withdrawalId, Optional<FeeRate> feeRate) {
        throw new UnsupportedOperationException("not used by these tests");
    }

    @Override
    public boolean isFinal(String asset, Withdrawal w) {
        return false;
    }
}
