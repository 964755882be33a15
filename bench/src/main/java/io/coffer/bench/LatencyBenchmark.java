package io.coffer.bench;

import io.coffer.proto.v1.AdminGrpc;
import io.coffer.proto.v1.CreateApiKeyRequest;
import io.coffer.proto.v1.CreatePaymentRequestRequest;
import io.coffer.proto.v1.CreateTenantRequest;
import io.coffer.proto.v1.Event;
import io.coffer.proto.v1.EventType;
import io.coffer.proto.v1.EventsGrpc;
import io.coffer.proto.v1.PaymentRequest;
import io.coffer.proto.v1.PaymentRequestStatus;
import io.coffer.proto.v1.PaymentsGrpc;
import io.coffer.proto.v1.Scope;
import io.coffer.proto.v1.StreamEventsRequest;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.Devnet;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * How soon events follow the chain, seen from a merchant's backend: the node in its own process on a real bitcoind (its ZMQ
 * announcements configured, as in the dev config) and anvil, the client here holding {@code StreamEvents} open.
 * The Bitcoin figures start when bitcoind's ZMQ announcement reaches a subscriber here (as it reaches the node), which is the
 * goal's definition; the time from the RPC's return is printed beside it (bitcoind announces a block only after its wallet has
 * taken it in, which with a hundred of the wallet's own transactions in the block takes tens of milliseconds).
 * <ul>
 *   <li><b>payment seen</b>: for each of {@code payments} requests in turn, bitcoind's {@code sendtoaddress}, its announcement
 *       of the transaction → the request's PAID_UNCONFIRMED event on the stream;</li>
 *   <li><b>block → CONFIRMED</b>: one block mining them all, bitcoind's first announcement of it (it announces the block's
 *       transactions again before the block itself) → each request's CONFIRMED event; {@value #WARM_BLOCKS} such blocks warm
 *       the node (printed, not counted), the figure is the median of the {@value #BIG_BLOCKS} after them;</li>
 *   <li><b>block of one → CONFIRMED</b>: {@value #SINGLE_BLOCKS} times, a request paid and seen, then a block mining that
 *       payment alone: the block's first announcement → the request's CONFIRMED event;</li>
 *   <li><b>fan-out</b>: {@code streams} streams open on the tenant, one payment → its event on every stream (5 payments);</li>
 *   <li><b>EVM</b>: anvil mines an ETH payment as it is sent (automine) → the request's CONFIRMED event (confirmations 1), with
 *       anvil pushing its new heads over the WebSocket (eth_subscribe), the poll (1 s) only the fallback;</li>
 *   <li><b>EVM payment seen</b>: anvil keeping each payment pending, its send's return (anvil announces the transaction
 *       over the WebSocket, {@code newPendingTransactions}, as it takes it in) → the request's PAID_UNCONFIRMED event.</li>
 * </ul>
 * The baseline of each is the goal (100 ms, 200 ms for fan-out): the ratio is goal / p99, so 1.0 or more meets it.
 *
 * <pre>scripts/bench latency [payments, default 1000] [streams, default 2000]</pre>
 */
public final class LatencyBenchmark {
    private LatencyBenchmark() {
    }

    /** Blocks of {@code payments} payments each, measured one after the other (after {@link #WARM_BLOCKS} not counted). */
    private static final int BIG_BLOCKS = 3;

    /** Blocks of {@code payments} payments each handled before the measured ones, and printed, not counted. */
    private static final int WARM_BLOCKS = 2;

    /** The node's safety depth in the dev config (a deposit is FINAL at this many confirmations). */
    private static final int SAFETY_DEPTH = 6;

    private record Round(Figure figure, long[] nanos) {
    }

    /** Blocks of one payment each measured after the big block. */
    private static final int SINGLE_BLOCKS = 30;

    public static void main(String[] args) throws Exception {
        int payments = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int streams = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        System.out.print(Figure.table(measure(payments, streams)));
    }

    /** What the stream saw: arrival time (nanoTime) of each request's status. */
    private static final class Seen implements StreamObserver<Event> {
        final Map<String, Long> at = new ConcurrentHashMap<>();
        final CountDownLatch open = new CountDownLatch(1);
        volatile long last;

        @Override
        public void onNext(Event e) {
            long now = System.nanoTime();
            last = e.getSequence();
            open.countDown();
            if (e.getType() == EventType.EVENT_TYPE_PAYMENT_REQUEST_UPDATED) {
                PaymentRequest pr = e.getPaymentRequest();
                if (at.putIfAbsent(pr.getId() + "|" + pr.getStatus(), now) == null) {
                    synchronized (this) {
                        notifyAll();
                    }
                }
            }
        }

        @Override
        public void onError(Throwable t) {
            open.countDown();
        }

        @Override
        public void onCompleted() {
        }

        /** Waits until no event came for {@code quietMillis} (the node done with a block's after-effects). */
        void awaitQuiet(long quietMillis, long timeoutMillis) throws InterruptedException {
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
            long seenSeq = -1;
            long since = System.nanoTime();
            while (System.nanoTime() < deadline) {
                if (last != seenSeq) {
                    seenSeq = last;
                    since = System.nanoTime();
                } else if (System.nanoTime() - since >= quietMillis * 1_000_000) {
                    return;
                }
                Thread.sleep(10);
            }
            throw new IllegalStateException("events kept coming for " + timeoutMillis + " ms");
        }

        /**
         * When the event came (its arrival was stamped as it came, so how soon this wakes does not change the figure). Waits on
         * the monitor the stream's thread notifies, not in a spin: a spinning waiter took CPU from the node on two cores.
         */
        long await(String id, PaymentRequestStatus status, long timeoutMillis) throws InterruptedException {
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
            String key = id + "|" + status;
            synchronized (this) {
                while (true) {
                    Long t = at.get(key);
                    if (t != null) {
                        return t;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new IllegalStateException("no " + status + " event for " + id + " within " + timeoutMillis + " ms");
                    }
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
            }
        }
    }

    static List<Figure> measure(int payments, int streams) throws Exception {
        List<Figure> figures = new ArrayList<>();
        Path work = Files.createTempDirectory("coffer-bench-latency-");
        try (BitcoindNode btc = BitcoindNode.start(work.resolve("bitcoind"));
             AnvilNode anvil = AnvilNode.start(work.resolve("anvil"))) {
            // A mature coin per payment: the miner wallet then pays each from a confirmed coin (a chain of unconfirmed change is
            // refused past 25 transactions).
            btc.mine(110 + payments * (WARM_BLOCKS + BIG_BLOCKS) + (SAFETY_DEPTH + 1) * (WARM_BLOCKS + BIG_BLOCKS) + 5 * 2 + SINGLE_BLOCKS + 3);
            String config = Devnet.nodeYaml(work.resolve("data"), btc.rpcUrl(), anvil.rpcUrl(), true)
                    .replace("      rpc-password: " + BitcoindNode.RPC_PASSWORD + "\n", "      rpc-password: " + BitcoindNode.RPC_PASSWORD + "\n"
                            + "      zmq-endpoint: " + btc.zmqEndpoint() + "\n      poll-interval: 1s\n      confirmations: 1\n")
                    .replace("      chain-id: 31337\n", "      chain-id: 31337\n      ws-url: ws://" + anvil.rpcUrl().getAuthority()
                            + "\n      poll-interval: 1s\n      confirmations: 1\n");
            ApiLoadBenchmark.NodeProcess started = ApiLoadBenchmark.startServing(config, false, work.resolve("coffer.yaml"), work.resolve("node.log"));
            Process node = started.process();
            int grpcPort = started.grpcPort();
            List<ManagedChannel> channels = new ArrayList<>();
            List<AutoCloseable> closers = new ArrayList<>();
            try {
                // Events handed to the observer on the connection's own thread (it only stamps and files them), not through an
                // executor hop per message: with 600 events in a row the hops were the client's own delay.
                channels.add(NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().directExecutor().build());
                // The fan-out's streams on connections of their own (100 streams each, as HTTP/2 servers often allow), closed after it.
                List<ManagedChannel> fanChannels = new ArrayList<>();
                for (int i = 0; i < Math.max(1, streams / 100); i++) {
                    fanChannels.add(NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().directExecutor().build());
                }
                channels.addAll(fanChannels);
                var admin = AdminGrpc.newBlockingStub(channels.get(0)).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(
                        ApiLoadBenchmark.bearer(Files.readString(work.resolve("data/operator.token")).trim())));
                String tenant = admin.createTenant(CreateTenantRequest.newBuilder().setName("latency").build()).getId();
                Metadata key = ApiLoadBenchmark.bearer(admin.createApiKey(CreateApiKeyRequest.newBuilder().setTenantId(tenant)
                        .addScopes(Scope.SCOPE_READ).addScopes(Scope.SCOPE_PAYMENTS).build()).getSecret());
                ZmqAnnouncements announced = new ZmqAnnouncements(btc.zmqEndpoint());
                closers.add(announced);
                var pay = PaymentsGrpc.newBlockingStub(channels.get(0)).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(key));
                Seen one = new Seen();
                EventsGrpc.newStub(channels.get(0)).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(key))
                        .streamEvents(StreamEventsRequest.getDefaultInstance(), one);

                // Payment seen, one at a time (the first few warm the paths and are not counted).
                int warm = Math.min(20, payments / 10);
                List<String> ids = new ArrayList<>();
                long[] seen = new long[payments];
                long[] seenFromRpc = new long[payments];
                for (int i = 0; i < warm + payments; i++) {
                    PaymentRequest pr = pay.createPaymentRequest(CreatePaymentRequestRequest.newBuilder().setAsset("bitcoin/BTC")
                            .setAmount("10000").setRequiredConfirmations(1).setIdempotencyKey("lat-" + i).build());
                    String txid = btc.minerWallet("sendtoaddress", pr.getAddress(), "0.0001").asText();
                    long returned = System.nanoTime();
                    long t = one.await(pr.getId(), PaymentRequestStatus.PAYMENT_REQUEST_STATUS_PAID_UNCONFIRMED, 30_000);
                    if (i >= warm) {
                        seen[i - warm] = t - announced.await(txid, 10_000);
                        seenFromRpc[i - warm] = t - returned;
                        ids.add(pr.getId());
                    }
                }
                figures.add(latency("payment seen: ZMQ hashtx -> PAID_UNCONFIRMED, " + payments + " payments",
                        seen, 100));
                latency("  (the same from sendtoaddress's return)", seenFromRpc, 100);

                // One block confirms them all; then again, with as many requests paid without waiting for each. A node meets its
                // first big blocks with code the JIT has not compiled yet (the per-payment paths have run a few hundred times, and
                // the compiler then takes a core of the two while the block is handled): the first WARM_BLOCKS are printed and not
                // counted, as the API bench's warm-up rounds; the figure is the median of the BIG_BLOCKS after them.
                List<Round> rounds = new ArrayList<>();
                for (int round = 0; round < WARM_BLOCKS + BIG_BLOCKS; round++) {
                    if (round > 0) {
                        ids = new ArrayList<>();
                        for (int i = 0; i < payments; i++) {
                            PaymentRequest pr = pay.createPaymentRequest(CreatePaymentRequestRequest.newBuilder().setAsset("bitcoin/BTC")
                                    .setAmount("10000").setRequiredConfirmations(1).setIdempotencyKey("big-" + round + "-" + i).build());
                            btc.minerWallet("sendtoaddress", pr.getAddress(), "0.0001");
                            ids.add(pr.getId());
                        }
                        for (String id : ids) {
                            one.await(id, PaymentRequestStatus.PAYMENT_REQUEST_STATUS_PAID_UNCONFIRMED, 60_000);
                        }
                    }
                    long mining = System.nanoTime();
                    btc.mine(1);
                    long returned = System.nanoTime();
                    long mined = announced.firstAfter(mining, 30_000);
                    long[] confirmed = new long[ids.size()];
                    long[] confirmedFromRpc = new long[ids.size()];
                    for (int i = 0; i < ids.size(); i++) {
                        long t = one.await(ids.get(i), PaymentRequestStatus.PAYMENT_REQUEST_STATUS_CONFIRMED, 60_000);
                        confirmed[i] = t - mined;
                        confirmedFromRpc[i] = t - returned;
                    }
                    String which = round < WARM_BLOCKS ? "warm-up block " + (round + 1) + " of " + WARM_BLOCKS + " (not counted)"
                            : "block " + (round - WARM_BLOCKS + 1) + " of " + BIG_BLOCKS;
                    Figure f = latency(which + ": first ZMQ announcement -> CONFIRMED, " + ids.size() + " in the block", confirmed, 100);
                    if (round >= WARM_BLOCKS) {
                        rounds.add(new Round(f, confirmed));
                    }
                    latency("  (the same from generatetoaddress's return)", confirmedFromRpc, 100);
                    // Its deposits final before the next round (each block until then rewrites their confirmations).
                    btc.mine(SAFETY_DEPTH);
                    one.awaitQuiet(2_000, 30_000);
                }
                Round median = rounds.stream().sorted(java.util.Comparator.comparingDouble(r -> r.figure().value())).toList()
                        .get(BIG_BLOCKS / 2);
                figures.add(latency("block: first ZMQ announcement -> CONFIRMED, " + payments + " in the block, median of "
                        + BIG_BLOCKS + " blocks", median.nanos(), 100));

                // A block paying one request, as most of a shop's blocks are: its announcement -> the request's CONFIRMED.
                long[] single = new long[SINGLE_BLOCKS];
                for (int i = -3; i < SINGLE_BLOCKS; i++) { // the first three warm the path and are not counted
                    PaymentRequest pr = pay.createPaymentRequest(CreatePaymentRequestRequest.newBuilder().setAsset("bitcoin/BTC")
                            .setAmount("10000").setRequiredConfirmations(1).setIdempotencyKey("single-" + i).build());
                    btc.minerWallet("sendtoaddress", pr.getAddress(), "0.0001");
                    one.await(pr.getId(), PaymentRequestStatus.PAYMENT_REQUEST_STATUS_PAID_UNCONFIRMED, 30_000);
                    long start = System.nanoTime();
                    btc.mine(1);
                    long at = announced.firstAfter(start, 30_000);
                    long took = one.await(pr.getId(), PaymentRequestStatus.PAYMENT_REQUEST_STATUS_CONFIRMED, 30_000) - at;
                    if (i >= 0) {
                        single[i] = took;
                    }
                }
                figures.add(latency("block: first ZMQ announcement -> CONFIRMED, 1 in the block, " + SINGLE_BLOCKS + " blocks", single, 100));

                // Fan-out: many streams on the tenant, each from the newest event on.
                List<Seen> many = new ArrayList<>();
                for (int s = 0; s < streams; s++) {
                    Seen x = new Seen();
                    many.add(x);
                    EventsGrpc.newStub(fanChannels.get(s % fanChannels.size())).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(key))
                            .streamEvents(StreamEventsRequest.newBuilder().setAfterSequence(one.last).build(), x);
                }
                // Each stream has its first event once a request is created (PAYMENT_REQUEST_CREATED).
                pay.createPaymentRequest(CreatePaymentRequestRequest.newBuilder().setAsset("bitcoin/BTC")
                        .setAmount("10000").setIdempotencyKey("fan-open").build());
                for (Seen x : many) {
                    if (!x.open.await(60, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("a stream did not open");
                    }
                }
                long[] fan = new long[streams * 5];
                int k = 0;
                for (int round = 0; round < 5; round++) {
                    PaymentRequest pr = pay.createPaymentRequest(CreatePaymentRequestRequest.newBuilder().setAsset("bitcoin/BTC")
                            .setAmount("10000").setIdempotencyKey("fan-" + round).build());
                    String txid = btc.minerWallet("sendtoaddress", pr.getAddress(), "0.0001").asText();
                    long sent = announced.await(txid, 10_000);
                    for (Seen x : many) {
                        fan[k++] = x.await(pr.getId(), PaymentRequestStatus.PAYMENT_REQUEST_STATUS_PAID_UNCONFIRMED, 60_000) - sent;
                    }
                }
                figures.add(latency("fan-out: ZMQ hashtx -> event on each of " + streams + " streams", fan, 200));
                for (ManagedChannel c : fanChannels) { // the next phase measures one stream, not 2,000 beside it
                    c.shutdownNow();
                    c.awaitTermination(10, TimeUnit.SECONDS);
                }

                // EVM: anvil mines each payment as it is sent; its new head is pushed over the WebSocket (the poll, 1 s, is the fallback).
                int evm = Math.min(payments, 200);
                figures.add(latency("EVM: anvil block -> CONFIRMED (newHeads pushed), " + evm + " payments",
                        evmPayments(pay, anvil, one, evm, "evm-", PaymentRequestStatus.PAYMENT_REQUEST_STATUS_CONFIRMED), 100));

                // EVM payment seen: anvil keeps each payment pending (no automine); it announces it over the WebSocket
                // (newPendingTransactions) as it enters the pool, which is when the send returns here.
                anvil.setAutomine(false);
                long[] evmSeen = evmPayments(pay, anvil, one, evm, "evm-seen-", PaymentRequestStatus.PAYMENT_REQUEST_STATUS_PAID_UNCONFIRMED);
                anvil.mine(1);
                anvil.setAutomine(true);
                figures.add(latency("EVM payment seen: in anvil's pool (send returned) -> PAID_UNCONFIRMED, " + evm + " payments",
                        evmSeen, 100));
            } catch (RuntimeException e) {
                List<String> log = Files.readAllLines(work.resolve("node.log"));
                System.out.println("the node's log, last lines:");
                log.subList(Math.max(0, log.size() - 40), log.size()).forEach(System.out::println);
                throw e;
            } finally {
                for (ManagedChannel c : channels) {
                    c.shutdownNow();
                }
                for (AutoCloseable c : closers) {
                    c.close();
                }
                node.destroy();
                if (!node.waitFor(30, TimeUnit.SECONDS)) {
                    node.destroyForcibly();
                }
            }
        } finally {
            BenchFiles.deleteTree(work);
        }
        return figures;
    }

    /**
     * {@code n} ETH payment requests in turn (five more first, not counted), each paid by anvil: nanoseconds from the send's
     * return to the request's {@code status} on the stream.
     */
    private static long[] evmPayments(PaymentsGrpc.PaymentsBlockingStub pay, AnvilNode anvil, Seen stream, int n, String keyPrefix,
                                      PaymentRequestStatus status) throws InterruptedException {
        long[] took = new long[n];
        for (int i = 0; i < n + 5; i++) {
            PaymentRequest pr = pay.createPaymentRequest(CreatePaymentRequestRequest.newBuilder().setAsset("ethereum/ETH")
                    .setAmount("1000").setRequiredConfirmations(1).setIdempotencyKey(keyPrefix + i).build());
            anvil.send(pr.getAddress(), BigInteger.valueOf(1000));
            long sent = System.nanoTime();
            long t = stream.await(pr.getId(), status, 30_000);
            if (i >= 5) {
                took[i - 5] = t - sent;
            }
        }
        return took;
    }

    /** p50 and p99 of {@code nanos} printed; the figure is the p99 against the goal. */
    private static Figure latency(String what, long[] nanos, double goalMillis) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double p50 = sorted[sorted.length / 2] / 1e6;
        double p99 = sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * 0.99) - 1)] / 1e6;
        System.out.printf(Locale.ROOT, "%-100s p50 %8.1f ms  p99 %8.1f ms  max %8.1f ms%n", what, p50, p99, sorted[sorted.length - 1] / 1e6);
        return Figure.time("latency", what + ", p99 (p50 " + String.format(Locale.ROOT, "%.0f", p50) + ")", p99, "ms", "the goal",
                goalMillis, ">= 1.0");
    }
}
