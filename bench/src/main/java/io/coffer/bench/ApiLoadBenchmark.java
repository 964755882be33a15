package io.coffer.bench;

import io.coffer.api.CofferNode;
import io.coffer.api.NodeConfiguration;
import io.coffer.proto.v1.AdminGrpc;
import io.coffer.proto.v1.CreateApiKeyRequest;
import io.coffer.proto.v1.CreatePaymentRequestRequest;
import io.coffer.proto.v1.CreateTenantRequest;
import io.coffer.proto.v1.GetBalanceRequest;
import io.coffer.proto.v1.PaymentsGrpc;
import io.coffer.proto.v1.Scope;
import io.coffer.proto.v1.WalletGrpc;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.Devnet;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;

/**
 * Merchant API throughput and latency at a fixed concurrency, each as a ratio to the same server's cheapest RPC.
 *
 * <p>The node runs as in production (dev chains, real LevelDB, the auth interceptor, the error mapper). The baseline is
 * {@code grpc.health.v1.Health/Check} on the same server and connections: an RPC that does no work, so the ratio shows
 * what Coffer's own work (authentication, the store, address derivation) costs on top of the transport. GetBalance
 * reads; CreatePaymentRequest derives a fresh address and writes the request, its idempotency key and index in one
 * synced batch.
 *
 * <pre>scripts/bench api [concurrency, default 64] [seconds per phase, default 10]</pre>
 */
public final class ApiLoadBenchmark {
    private ApiLoadBenchmark() {
    }

    /** One phase's figures. */
    record Figures(String name, long calls, double seconds, long p50Micros, long p99Micros, long errors) {
        double perSecond() {
            return calls / seconds;
        }
    }

    public static void main(String[] args) throws Exception {
        int concurrency = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        Path work = Files.createTempDirectory("coffer-bench-api-");
        try (BitcoindNode btc = BitcoindNode.start(work.resolve("bitcoind"));
             AnvilNode anvil = AnvilNode.start(work.resolve("anvil"))) {
            Path yaml = work.resolve("coffer.yaml");
            Files.writeString(yaml, Devnet.nodeYaml(work.resolve("data"), btc.rpcUrl(), anvil.rpcUrl(), true));
            try (CofferNode node = CofferNode.start(NodeConfiguration.load(yaml, Map.of()))) {
                // A few connections, as a merchant backend's client pool would have.
                List<ManagedChannel> channels = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    channels.add(NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build());
                }
                var admin = AdminGrpc.newBlockingStub(channels.get(0)).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(
                        bearer(Files.readString(work.resolve("data/operator.token")).trim())));
                String tenant = admin.createTenant(CreateTenantRequest.newBuilder().setName("bench").build()).getId();
                Metadata key = bearer(admin.createApiKey(CreateApiKeyRequest.newBuilder().setTenantId(tenant)
                        .addScopes(Scope.SCOPE_READ).addScopes(Scope.SCOPE_PAYMENTS).build()).getSecret());
                List<HealthGrpc.HealthBlockingStub> health = channels.stream().map(HealthGrpc::newBlockingStub).toList();
                List<WalletGrpc.WalletBlockingStub> wallet = channels.stream().map(c -> WalletGrpc.newBlockingStub(c)
                        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(key))).toList();
                List<PaymentsGrpc.PaymentsBlockingStub> payments = channels.stream().map(c -> PaymentsGrpc.newBlockingStub(c)
                        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(key))).toList();
                AtomicLong ids = new AtomicLong();
                GetBalanceRequest balance = GetBalanceRequest.newBuilder().setAsset("bitcoin/BTC").build();

                IntConsumer check = w -> health.get(w % 4).check(HealthCheckRequest.getDefaultInstance());
                IntConsumer getBalance = w -> wallet.get(w % 4).getBalance(balance);
                IntConsumer createRequest = w -> payments.get(w % 4).createPaymentRequest(CreatePaymentRequestRequest.newBuilder()
                        .setAsset("bitcoin/BTC").setAmount("150000").setOrderId("o-" + ids.get())
                        .setIdempotencyKey("bench-" + ids.incrementAndGet()).build());

                // Warm up every path (JIT, connections, LevelDB caches), then measure the baseline first and last.
                run("warm-up", check, concurrency, 2);
                run("warm-up", getBalance, concurrency, 2);
                run("warm-up", createRequest, concurrency, 2);
                Figures base1 = run("Health/Check (baseline)", check, concurrency, seconds);
                Figures bal = run("Wallet/GetBalance", getBalance, concurrency, seconds);
                Figures pr = run("Payments/CreatePaymentRequest", createRequest, concurrency, seconds);
                Figures base2 = run("Health/Check (baseline, again)", check, concurrency, seconds);
                double baseRate = (base1.perSecond() + base2.perSecond()) / 2;
                double baseP50 = (base1.p50Micros() + base2.p50Micros()) / 2.0;
                double baseP99 = (base1.p99Micros() + base2.p99Micros()) / 2.0;

                System.out.printf(Locale.ROOT, "%nMerchant API at %d concurrent calls, %d s per phase, %d cores%n", concurrency, seconds,
                        Runtime.getRuntime().availableProcessors());
                System.out.printf(Locale.ROOT, "%-32s %10s %9s %9s %8s %10s %10s %10s%n", "rpc", "calls/s", "p50 us", "p99 us", "errors",
                        "rate x", "p50 x", "p99 x");
                for (Figures f : List.of(base1, base2, bal, pr)) {
                    System.out.printf(Locale.ROOT, "%-32s %10.0f %9d %9d %8d %10.3f %10.2f %10.2f%n", f.name(), f.perSecond(), f.p50Micros(),
                            f.p99Micros(), f.errors(), f.perSecond() / baseRate, f.p50Micros() / baseP50, f.p99Micros() / baseP99);
                }
                System.out.println("(rate x: throughput as a fraction of the baseline's; p50 x / p99 x: latency as a multiple of the baseline's)");
                for (ManagedChannel c : channels) {
                    c.shutdownNow();
                }
            }
        }
    }

    private static Metadata bearer(String secret) {
        Metadata m = new Metadata();
        m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + secret);
        return m;
    }

    /** {@code concurrency} closed-loop callers for {@code seconds}; every call's latency is kept for exact percentiles. */
    private static Figures run(String name, IntConsumer call, int concurrency, int seconds) throws InterruptedException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long[][] latencies = new long[concurrency][];
        int[] counts = new int[concurrency];
        AtomicLong errors = new AtomicLong();
        CountDownLatch done = new CountDownLatch(concurrency);
        long start = System.nanoTime();
        for (int w = 0; w < concurrency; w++) {
            int worker = w;
            Thread.ofPlatform().daemon().start(() -> {
                long[] mine = new long[1 << 16];
                int n = 0;
                try {
                    while (System.nanoTime() < end) {
                        long t0 = System.nanoTime();
                        try {
                            call.accept(worker);
                        } catch (RuntimeException e) {
                            errors.incrementAndGet();
                            continue;
                        }
                        if (n == mine.length) {
                            mine = Arrays.copyOf(mine, n * 2);
                        }
                        mine[n++] = System.nanoTime() - t0;
                    }
                } finally {
                    latencies[worker] = mine;
                    counts[worker] = n;
                    done.countDown();
                }
            });
        }
        done.await();
        double elapsed = (System.nanoTime() - start) / 1e9;
        int total = Arrays.stream(counts).sum();
        long[] all = new long[total];
        int at = 0;
        for (int w = 0; w < concurrency; w++) {
            System.arraycopy(latencies[w], 0, all, at, counts[w]);
            at += counts[w];
        }
        Arrays.sort(all);
        long p50 = total == 0 ? 0 : all[(int) (total * 0.50)] / 1000;
        long p99 = total == 0 ? 0 : all[Math.min(total - 1, (int) (total * 0.99))] / 1000;
        return new Figures(name, total, elapsed, p50, p99, errors.get());
    }
}
