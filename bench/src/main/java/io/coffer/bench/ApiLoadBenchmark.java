package io.coffer.bench;

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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;

/**
 * Merchant API throughput and latency at a fixed concurrency, each as a ratio to the same server's cheapest RPC, then the same
 * again while customers hold checkout pages open live.
 *
 * <p>The node runs in its own process, started from the built jar as in production (dev chains, real LevelDB, the auth
 * interceptor, the error mapper); this JVM only drives it, so the load driver's own work is not the node's. The baseline is
 * {@code grpc.health.v1.Health/Check} on the same server and connections: an RPC that does no work, so the ratio shows what
 * Coffer's own work (authentication, the store, address derivation) costs on top of the transport. GetBalance reads;
 * CreatePaymentRequest derives a fresh address and writes the request, its idempotency key and index in one synced batch.
 * The three (and, with {@code history}, GetBalance of a tenant whose account has that many deposits) are measured in turn,
 * {@value #ROUNDS} rounds of half the given seconds each, after warm-up rounds until every path's rate settles; each figure is
 * the median of its rounds.
 *
 * <p>Then {@code live} Server-Sent Events connections (browsers' live checkout pages, HTTP/1.1 each, spread over 100 requests of
 * the same tenant, so every request created wakes them all) are opened and held while the phases run again; the table gives each
 * RPC's p99 without them as a fraction of its p99 with them (goal: at least 0.9).
 *
 * <pre>scripts/bench api [concurrency, default 64] [seconds, default 10] [live pages, default 1000] [history, default 100000]</pre>
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
        int live = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        int history = args.length > 3 ? Integer.parseInt(args[3]) : 100_000;
        System.out.print(Figure.table(measure(concurrency, seconds, live, history)));
    }

    /**
     * The phases without live pages as figures (the live-page comparison is printed only). With {@code history} above 0, a
     * second tenant's account holds that many confirmed Bitcoin deposits, written into the node's store before it starts
     * (records, not chain transactions: what GetBalance reads), and GetBalance is measured for it too.
     */
    static List<Figure> measure(int concurrency, int seconds, int live, int history) throws Exception {
        List<Figure> figures = new ArrayList<>();
        Path work = Files.createTempDirectory("coffer-bench-api-");
        try (BitcoindNode btc = BitcoindNode.start(work.resolve("bitcoind"));
             AnvilNode anvil = AnvilNode.start(work.resolve("anvil"))) {
            Path yaml = work.resolve("coffer.yaml");
            String config = Devnet.nodeYaml(work.resolve("data"), btc.rpcUrl(), anvil.rpcUrl(), true);
            if (history > 0) {
                prefill(work.resolve("data"), HEAVY_ACCOUNT, history);
            }
            NodeProcess started = startServing(config, true, yaml, work.resolve("node.log"));
            Process node = started.process();
            int grpcPort = started.grpcPort();
            List<ManagedChannel> channels = new ArrayList<>();
            try {
                // A few connections, as a merchant backend's client pool would have.
                for (int i = 0; i < 4; i++) {
                    channels.add(NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build());
                }
                List<HealthGrpc.HealthBlockingStub> health = channels.stream().map(HealthGrpc::newBlockingStub).toList();
                var admin = AdminGrpc.newBlockingStub(channels.get(0)).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(
                        bearer(Files.readString(work.resolve("data/operator.token")).trim())));
                String tenant = admin.createTenant(CreateTenantRequest.newBuilder().setName("bench").build()).getId();
                Metadata key = bearer(admin.createApiKey(CreateApiKeyRequest.newBuilder().setTenantId(tenant)
                        .addScopes(Scope.SCOPE_READ).addScopes(Scope.SCOPE_PAYMENTS).build()).getSecret());
                List<WalletGrpc.WalletBlockingStub> wallet = channels.stream().map(c -> WalletGrpc.newBlockingStub(c)
                        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(key))).toList();
                List<PaymentsGrpc.PaymentsBlockingStub> payments = channels.stream().map(c -> PaymentsGrpc.newBlockingStub(c)
                        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(key))).toList();
                List<WalletGrpc.WalletBlockingStub> heavyWallet = List.of();
                if (history > 0) {
                    var heavy = admin.createTenant(CreateTenantRequest.newBuilder().setName("with history").build());
                    if (heavy.getAccountIndex() != HEAVY_ACCOUNT) {
                        throw new IllegalStateException("the second tenant got HD account " + heavy.getAccountIndex() + ", not " + HEAVY_ACCOUNT);
                    }
                    Metadata heavyKey = bearer(admin.createApiKey(CreateApiKeyRequest.newBuilder().setTenantId(heavy.getId())
                            .addScopes(Scope.SCOPE_READ).build()).getSecret());
                    heavyWallet = channels.stream().map(c -> WalletGrpc.newBlockingStub(c)
                            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(heavyKey))).toList();
                }
                AtomicLong ids = new AtomicLong();
                GetBalanceRequest balance = GetBalanceRequest.newBuilder().setAsset("bitcoin/BTC").build();

                IntConsumer check = w -> health.get(w % 4).check(HealthCheckRequest.getDefaultInstance());
                IntConsumer getBalance = w -> wallet.get(w % 4).getBalance(balance);
                IntConsumer createRequest = w -> payments.get(w % 4).createPaymentRequest(CreatePaymentRequestRequest.newBuilder()
                        .setAsset("bitcoin/BTC").setAmount("150000").setOrderId("o-" + ids.get())
                        .setIdempotencyKey("bench-" + ids.incrementAndGet()).build());

                List<WalletGrpc.WalletBlockingStub> hw = heavyWallet;
                IntConsumer heavyBalance = w -> hw.get(w % 4).getBalance(balance);
                List<String> names = new ArrayList<>(List.of("Health/Check (baseline)", "Wallet/GetBalance", "Payments/CreatePaymentRequest"));
                List<IntConsumer> calls = new ArrayList<>(List.of(check, getBalance, createRequest));
                if (history > 0) { // the tenant with history measured in the same alternated rounds as the rest
                    names.add("Wallet/GetBalance, tenant with " + history + " deposits");
                    calls.add(heavyBalance);
                }

                warmUp(names, calls, concurrency);
                List<Figures> without = phases(names, calls, calls.indexOf(createRequest), concurrency, seconds);
                print("Merchant API at " + concurrency + " concurrent calls, " + ROUNDS + " rounds of " + Math.max(1, seconds / 2)
                        + " s per phase, node in its own process", without);
                double baseRate = without.get(0).perSecond();
                double baseP99 = without.get(0).p99Micros();
                String at = ", " + concurrency + " concurrent";
                figures.add(Figure.rate("api", "Wallet/GetBalance" + (history > 0 ? ", a tenant without history (node: " + history
                        + " deposits)" : " (a tenant without history)") + at, without.get(1).perSecond(), "calls/s",
                        "Health/Check, same server", baseRate, ">= 0.9"));
                if (history > 0) {
                    figures.add(Figure.rate("api", "Wallet/GetBalance, a tenant with " + history + " deposits" + at, without.get(3).perSecond(),
                            "calls/s", "Health/Check, same server", baseRate, ">= 0.9"));
                    figures.add(afterAChange(btc, payments.get(0), wallet.get(0), hw.get(0), health.get(0), balance, history));
                }
                figures.add(Figure.rate("api", "Payments/CreatePaymentRequest" + at, without.get(2).perSecond(), "calls/s",
                        "Health/Check, same server", baseRate, ">= 0.5"));
                figures.add(Figure.time("api", "Payments/CreatePaymentRequest p99" + at, without.get(2).p99Micros(), "us",
                        "Health/Check p99", baseP99, ">= 0.5 (p99 <= 2x Health's)"));

                if (live > 0) {
                    List<String> pages = new ArrayList<>();
                    for (int i = 0; i < 100; i++) {
                        pages.add(payments.get(0).createPaymentRequest(CreatePaymentRequestRequest.newBuilder().setAsset("bitcoin/BTC")
                                .setAmount("1000").setIdempotencyKey("page-" + i).build()).getCheckoutUrl());
                    }
                    try (LivePages open = LivePages.open(pages, live)) {
                        List<Figures> with = phases(names.stream().map(n -> n + " +" + live + " live pages").toList(), calls, calls.indexOf(createRequest), concurrency,
                                seconds);
                        print("The same with " + open.connected() + " live checkout pages held open (" + open.messages()
                                + " status messages pushed to them during the phases)", with);
                        System.out.printf(Locale.ROOT, "%n%-32s %14s %14s %10s%n", "rpc", "p99 without us", "p99 with us", "ratio");
                        for (int i = 0; i < without.size(); i++) {
                            System.out.printf(Locale.ROOT, "%-32s %14d %14d %10.2f%n", without.get(i).name(), without.get(i).p99Micros(),
                                    with.get(i).p99Micros(), (double) without.get(i).p99Micros() / with.get(i).p99Micros());
                        }
                        System.out.println("(ratio: p99 without the live pages as a fraction of p99 with them; goal >= 0.9)");
                    }
                }
            } finally {
                for (ManagedChannel c : channels) {
                    c.shutdownNow();
                }
                node.destroy(); // SIGTERM: the node's graceful stop
                if (!node.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    node.destroyForcibly();
                }
                printWarnings(work.resolve("node.log"));
            }
        } finally {
            BenchFiles.deleteTree(work);
        }
        return figures;
    }

    /**
     * GetBalance of the tenant with history right after a block changed the ledger (a deposit to the other tenant, mined; the
     * call made as soon as the node shows it), one call at a time, against one Health/Check made beside it (each first in every
     * other round); the medians of {@link #CHANGES} rounds. A balance recomputed after each change costs its account's whole history here; a kept one, a read.
     */
    private static Figure afterAChange(BitcoindNode btc, PaymentsGrpc.PaymentsBlockingStub payments, WalletGrpc.WalletBlockingStub light,
            WalletGrpc.WalletBlockingStub heavy, HealthGrpc.HealthBlockingStub health, GetBalanceRequest balance, int history)
            throws InterruptedException {
        if (btc.height() < 101) {
            btc.mine((int) (101 - btc.height())); // the miner's first coinbase spendable
        }
        String address = payments.createPaymentRequest(CreatePaymentRequestRequest.newBuilder().setAsset("bitcoin/BTC")
                .setAmount("100000").setIdempotencyKey("after-a-change").build()).getAddress();
        long[] heavyMicros = new long[CHANGES];
        long[] healthMicros = new long[CHANGES];
        for (int i = 0; i < CHANGES; i++) {
            var before = light.getBalance(balance);
            btc.minerWallet("sendtoaddress", address, "0.001");
            btc.mine(1);
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            while (light.getBalance(balance).equals(before)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the node did not record the deposit within 30 s");
                }
                Thread.sleep(5);
            }
            // Which goes first alternates: the first call after a block meets the node still busy with it.
            for (int k = 0; k < 2; k++) {
                long t0 = System.nanoTime();
                if ((i + k) % 2 == 0) {
                    heavy.getBalance(balance);
                    heavyMicros[i] = (System.nanoTime() - t0) / 1000;
                } else {
                    health.check(HealthCheckRequest.getDefaultInstance());
                    healthMicros[i] = (System.nanoTime() - t0) / 1000;
                }
            }
        }
        java.util.Arrays.sort(heavyMicros);
        java.util.Arrays.sort(healthMicros);
        System.out.printf(Locale.ROOT, "%nGetBalance of the tenant with %d deposits right after a block changed the ledger: median %d us "
                + "(Health/Check beside it: %d us), %d rounds%n", history, heavyMicros[CHANGES / 2], healthMicros[CHANGES / 2], CHANGES);
        return Figure.time("api", "Wallet/GetBalance right after a block changed the ledger, tenant with " + history
                + " deposits, one call (median of " + CHANGES + ")", heavyMicros[CHANGES / 2], "us", "Health/Check, one call beside it",
                healthMicros[CHANGES / 2], "~1 (history costs nothing)");
    }

    private static final int CHANGES = 21;

    /** Rounds of the phases, alternated; each figure is its median over them. */
    private static final int ROUNDS = 3;

    /**
     * The phases in turn ({@code calls}: Health/Check first, the baseline), {@value #ROUNDS} times, each phase half of
     * {@code seconds} (so JIT, GC and the disk weigh on every side alike); the medians of each, in that order, each round printed.
     * {@code writer} (CreatePaymentRequest's index), the one phase that writes, ends every round, and the reading phases
     * before it take turns at the head of the round: LevelDB compacts what a write phase wrote in the seconds after it, on the
     * same two cores, so the phase right after it runs slower (in a fixed order the tenant with history, always next, read 0.75 of Health/Check where the
     * tenant without read 0.92); now each reading phase follows it in one round of three, which its median leaves out.
     */
    private static List<Figures> phases(List<String> names, List<IntConsumer> calls, int writer, int concurrency, int seconds)
            throws InterruptedException {
        List<List<Figures>> rounds = new ArrayList<>();
        calls.forEach(c -> rounds.add(new ArrayList<>()));
        int each = Math.max(1, seconds / 2);
        List<Integer> reads = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            if (i != writer) {
                reads.add(i);
            }
        }
        for (int r = 0; r < ROUNDS; r++) {
            List<Integer> order = new ArrayList<>(reads);
            java.util.Collections.rotate(order, -(r % Math.max(1, reads.size())));
            if (writer >= 0) {
                order.add(writer);
            }
            for (int i : order) {
                Figures f = run(names.get(i), calls.get(i), concurrency, each);
                rounds.get(i).add(f);
                System.out.printf(Locale.ROOT, "  round %d %-46s %10.0f calls/s  p50 %7d us  p99 %7d us%n", r + 1, f.name(), f.perSecond(),
                        f.p50Micros(), f.p99Micros());
            }
        }
        List<Figures> out = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            List<Figures> f = rounds.get(i);
            out.add(new Figures(names.get(i) + ", median of " + ROUNDS, Math.round(median(f.stream().mapToDouble(Figures::perSecond))),
                    1.0, Math.round(median(f.stream().mapToDouble(Figures::p50Micros))), Math.round(median(f.stream()
                    .mapToDouble(Figures::p99Micros))), f.stream().mapToLong(Figures::errors).sum()));
        }
        return out;
    }

    private static double median(java.util.stream.DoubleStream values) {
        double[] v = values.sorted().toArray();
        return v[v.length / 2];
    }

    private static void print(String title, List<Figures> f) {
        double baseRate = f.get(0).perSecond();
        double baseP50 = f.get(0).p50Micros();
        double baseP99 = f.get(0).p99Micros();
        System.out.printf(Locale.ROOT, "%n%s, %d cores%n", title, Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "%-50s %10s %9s %9s %8s %10s %10s %10s%n", "rpc", "calls/s", "p50 us", "p99 us", "errors",
                "rate x", "p50 x", "p99 x");
        for (Figures x : f) {
            System.out.printf(Locale.ROOT, "%-50s %10.0f %9d %9d %8d %10.3f %10.2f %10.2f%n", x.name(), x.perSecond(), x.p50Micros(),
                    x.p99Micros(), x.errors(), x.perSecond() / baseRate, x.p50Micros() / baseP50, x.p99Micros() / baseP99);
        }
        System.out.println("(rate x: throughput as a fraction of the baseline's; p50 x / p99 x: latency as a multiple of the baseline's)");
    }

    /** The HD account of the second tenant created on a fresh node (the first gets 0). */
    private static final int HEAVY_ACCOUNT = 1;

    /** {@code count} confirmed deposits of 1,000 sat to HD account {@code account} on chain "bitcoin", in a new store. */
    private static void prefill(Path dataDir, int account, int count) {
        java.time.Instant at = java.time.Instant.parse("2026-01-01T00:00:00Z");
        java.util.Random random = new java.util.Random(5);
        try (io.coffer.core.store.Store store = io.coffer.core.store.LevelDbStore.open(dataDir, io.coffer.core.CofferSchema.current())) {
            for (int done = 0; done < count; ) {
                io.coffer.core.store.Batch b = store.batch();
                for (int i = 0; i < 10_000 && done < count; i++, done++) {
                    byte[] txid = new byte[32];
                    random.nextBytes(txid);
                    var id = new io.coffer.core.chain.DepositId(java.util.HexFormat.of().formatHex(txid), 0);
                    b.put(io.coffer.core.chain.ChainTables.DEPOSITS, new io.coffer.core.chain.ChainTables.ChainDeposit("bitcoin", id),
                            new io.coffer.core.chain.Deposit("bitcoin", id, "bcrt1q-history-" + done, account, "bitcoin/BTC",
                                    java.math.BigInteger.valueOf(1000), io.coffer.core.chain.DepositStatus.CONFIRMED, 1, "00", 100, at, at, List.of()));
                }
                b.commit();
            }
        }
    }

    /** The node from the built jar, with the JDK running this benchmark. */
    /** The node's warnings and errors during the run (at most 20 lines): what the server saw of a call that failed. */
    static void printWarnings(Path log) throws java.io.IOException {
        if (!Files.exists(log)) {
            return;
        }
        List<String> lines;
        try (var all = Files.lines(log)) {
            lines = all.filter(l -> (l.contains("WARNING") || l.contains("SEVERE") || l.contains("Exception")) && !l.contains("DEV MODE")).limit(20)
                    .map(l -> l.length() > 600 ? l.substring(0, 600) + "..." : l).toList();
        }
        if (!lines.isEmpty()) {
            System.out.println("the node's warnings and errors (at most 20):");
            lines.forEach(l -> System.out.println("  " + l));
        }
    }

    /** An exception and its causes on one line: the client's INTERNAL status alone hides what the transport saw. */
    static String causes(Throwable e) {
        StringBuilder out = new StringBuilder(e.toString());
        for (Throwable c = e.getCause(); c != null && out.length() < 2000; c = c.getCause()) {
            out.append(" <- ").append(c);
        }
        return out.toString();
    }

    static Process startNode(Path yaml, Path log) throws java.io.IOException {
        Path jar;
        try (var files = Files.list(Devnet.projectRoot().resolve("api/target"))) {
            jar = files.filter(p -> p.getFileName().toString().matches("coffer-api-.*\\.jar") && !p.toString().contains("-sources")
                    && !p.toString().contains("-tests")).findFirst().orElseThrow(() -> new IllegalStateException("build api first"));
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", Jit.KEEP_COMPILER_THREADS));
        // Options for the node's JVM, to profile it under this load (e.g. -XX:StartFlightRecording=filename=node.jfr).
        String opts = System.getenv().getOrDefault("BENCH_NODE_JAVA_OPTS", "").trim();
        if (!opts.isEmpty()) {
            command.addAll(List.of(opts.split("\\s+")));
        }
        command.addAll(List.of("-jar", jar.toString(), "--config", yaml.toString()));
        Process node = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        // A bench stopped by a signal runs no finally block, only shutdown hooks (the dev chains have theirs): without this the
        // node outlived it, holding its ports, its data directory and gigabytes of memory.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (node.isAlive()) {
                node.destroy(); // SIGTERM: the node's graceful stop
                try {
                    if (!node.waitFor(10, TimeUnit.SECONDS)) {
                        node.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    node.destroyForcibly();
                }
            }
        }, "bench-node-reaper"));
        return node;
    }

    /** A node process and the ports it serves on. */
    record NodeProcess(Process process, int grpcPort, int checkoutPort) {
    }

    /**
     * Starts the node from {@code config} (the built-in dev configuration, whose listeners' {@code port: 0} lines are replaced
     * by ports free a moment ago: the gRPC one, and the checkout one when {@code checkout}) and waits until it serves. Another
     * process can take a probed port before the node binds it (an outgoing connection's ephemeral port, say: it happened in a
     * {@code bench all} run); the node then stops saying a listener did not start, and starts again on other ports, three
     * times at most.
     */
    static NodeProcess startServing(String config, boolean checkout, Path yaml, Path log) throws Exception {
        for (int attempt = 1; ; attempt++) {
            int[] ports = Devnet.freePorts(2);
            String withPorts = config.replaceFirst("\n  port: 0\n", "\n  port: " + ports[0] + "\n");
            if (checkout) {
                withPorts = withPorts.replaceFirst("\n      port: 0\n", "\n      port: " + ports[1] + "\n");
            }
            Files.writeString(yaml, withPorts);
            Process node = startNode(yaml, log);
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", ports[0]).usePlaintext().build();
            try {
                awaitServing(HealthGrpc.newBlockingStub(channel), node, log);
                return new NodeProcess(node, ports[0], checkout ? ports[1] : 0);
            } catch (IllegalStateException notServing) {
                if (attempt >= 3 || node.isAlive() || !Files.readString(log).contains("Failed to start listener")) {
                    throw notServing;
                }
                System.out.println("the node could not bind a probed port (taken meanwhile): starting it again on others");
            } finally {
                channel.shutdownNow();
            }
        }
    }

    static void awaitServing(HealthGrpc.HealthBlockingStub health, Process node, Path log) throws Exception {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (true) {
            try {
                health.withDeadlineAfter(1, java.util.concurrent.TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance());
                return;
            } catch (RuntimeException notYet) {
                if (!node.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the node did not start; its log: " + log);
                }
                Thread.sleep(200);
            }
        }
    }

    static Metadata bearer(String secret) {
        Metadata m = new Metadata();
        m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + secret);
        return m;
    }

    /** Warm-up rounds at least, at most, and how close each path's rate must come to its previous round's to count as settled. */
    private static final int WARM_MIN = 3;
    private static final int WARM_MAX = 6;
    private static final double SETTLED = 0.10;

    /**
     * Warms every path alike (JIT, connections, LevelDB caches): rounds of 3 s per path, in turn, until every path's rate is
     * within {@value #SETTLED} of its previous round's ({@value #WARM_MIN} to {@value #WARM_MAX} rounds). A fixed two rounds
     * were too few: CreatePaymentRequest, the path with the most code, still gained ~30% a round after 30 s of load (the
     * compiler still took a third of the node's CPU), so its ratio was measured before its steady state.
     */
    private static void warmUp(List<String> names, List<IntConsumer> calls, int concurrency) throws InterruptedException {
        double[] previous = null;
        for (int round = 1; round <= WARM_MAX; round++) {
            double[] rates = new double[calls.size()];
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < calls.size(); i++) {
                rates[i] = run("warm-up", calls.get(i), concurrency, 3).perSecond();
                String name = names.get(i).replaceFirst(" \\(baseline\\)", "").replaceFirst(", tenant with \\d+ deposits", " (history)");
                line.append(String.format(Locale.ROOT, "  %s %.0f", name, rates[i]));
            }
            System.out.println("  warm-up " + round + " (calls/s):" + line);
            boolean settled = previous != null && round >= WARM_MIN;
            for (int i = 0; settled && i < rates.length; i++) {
                settled = Math.abs(rates[i] - previous[i]) <= SETTLED * previous[i];
            }
            if (settled) {
                return;
            }
            previous = rates;
        }
        System.out.println("  warm-up: rates still moving after " + WARM_MAX + " rounds; measuring anyway");
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
                            if (errors.incrementAndGet() == 1) {
                                System.out.println(name + ": first error: " + causes(e)); // what a failed call said, once per phase
                            }
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
