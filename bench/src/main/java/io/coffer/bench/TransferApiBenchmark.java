package io.coffer.bench;

import io.coffer.chain.evm.EvmRpcClient;
import io.coffer.core.config.EvmChainConfig;
import io.coffer.proto.v1.AdminGrpc;
import io.coffer.proto.v1.CreateApiKeyRequest;
import io.coffer.proto.v1.CreateDepositAddressRequest;
import io.coffer.proto.v1.CreateTenantRequest;
import io.coffer.proto.v1.CreateTransferRequest;
import io.coffer.proto.v1.GetBalanceRequest;
import io.coffer.proto.v1.Scope;
import io.coffer.proto.v1.Transfer;
import io.coffer.proto.v1.TransferStatus;
import io.coffer.proto.v1.TransfersGrpc;
import io.coffer.proto.v1.WalletGrpc;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.Devnet;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.web3j.crypto.Credentials;

/**
 * EVM transfers as a merchant's backend makes them — {@code Transfers/CreateTransfer} through the merchant API, to a node in
 * its own process, from this process — as a ratio to anvil's raw {@code eth_sendRawTransaction} rate for pre-signed
 * transactions sent from this process too, measured in the same run. Where {@code scripts/bench withdrawals} calls the
 * withdrawal service inside its own JVM, this is the whole path: authentication, the transfer policy, the withdrawal, the
 * answer, each call's client in another process than the node.
 *
 * <p>The tenant has limits as an exchange's payouts would: a rolling 24 h limit on the asset (far above what the run sends) and
 * the velocity rule, so every transfer is checked against what the tenant sent in the last day and the 30 days before — all
 * of the run's transfers, by the end.
 *
 * <p>The node's tenant is funded once (a deposit, swept to its hot address). Each round sends {@code n} of each side with
 * {@code callers} threads a side (the raw side each from a dev key of its own, the node's through one tenant's API key, so
 * from one hot address); anvil mines nothing while a batch runs, then the blocks that empty its pool are mined and the next
 * batch waits until the node has followed them and holds nothing outgoing: every batch starts from the same quiet node.
 * Unmeasured rounds of both sides alternate until the JIT compilers of both processes are quiet and both rates settle (see
 * {@link #warm}), then {@link #ROUNDS} rounds alternate which side goes first; each figure is the median.
 *
 * <pre>scripts/bench transfers [count, default 500] [callers, default 8]</pre>
 */
public final class TransferApiBenchmark {
    private static final int ROUNDS = 3;
    private static final int MAX_CALLERS = 8;
    private static final long WARM_MAX_SECONDS = 180;
    private static final double SETTLED = 0.10;
    private static final double JIT_QUIET = 0.10;

    private TransferApiBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        NodeLogging.install();
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        int callers = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        System.out.print(Figure.table(List.of(measure(n, callers))));
    }

    static Figure measure(int n, int callers) throws Exception {
        if (callers < 1 || callers > MAX_CALLERS) {
            throw new IllegalArgumentException("callers: 1 to " + MAX_CALLERS);
        }
        Path work = Files.createTempDirectory("coffer-bench-transfers-");
        try (BitcoindNode btc = BitcoindNode.start(work.resolve("bitcoind"));
             AnvilNode anvil = AnvilNode.start(work.resolve("anvil"))) {
            anvil.setAutomine(false);
            ApiLoadBenchmark.NodeProcess started = ApiLoadBenchmark.startServing(Devnet.nodeYaml(work.resolve("data"), btc.rpcUrl(),
                    anvil.rpcUrl(), true) + "      confirmations: 1\n      poll-interval: 200ms\n      sweep-threshold: 1000000000000000\n",
                    true, work.resolve("coffer.yaml"), work.resolve("node.log"));
            Process node = started.process();
            int grpcPort = started.grpcPort();
            List<ManagedChannel> channels = new ArrayList<>();
            try {
                for (int i = 0; i < Math.min(4, callers); i++) { // a backend's client pool: a few connections
                    channels.add(NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build());
                }
                var admin = AdminGrpc.newBlockingStub(channels.get(0)).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(
                        ApiLoadBenchmark.bearer(Files.readString(work.resolve("data/operator.token")).trim())));
                String tenant = admin.createTenant(CreateTenantRequest.newBuilder().setName("payouts").build()).getId();
                admin.setTransferPolicy(io.coffer.proto.v1.SetTransferPolicyRequest.newBuilder().setPolicy(io.coffer.proto.v1.TransferPolicy
                        .newBuilder().setTenantId(tenant).setVelocityFactor(10).addLimits(io.coffer.proto.v1.AssetLimits.newBuilder()
                                .setAsset("ethereum/ETH").setRolling24HMax("1" + "0".repeat(30)))).build());
                Metadata key = ApiLoadBenchmark.bearer(admin.createApiKey(CreateApiKeyRequest.newBuilder().setTenantId(tenant)
                        .addScopes(Scope.SCOPE_READ).addScopes(Scope.SCOPE_PAYMENTS).addScopes(Scope.SCOPE_TRANSFERS).build()).getSecret());
                var attach = MetadataUtils.newAttachHeadersInterceptor(key);
                WalletGrpc.WalletBlockingStub wallet = WalletGrpc.newBlockingStub(channels.get(0)).withInterceptors(attach);
                List<TransfersGrpc.TransfersBlockingStub> transfers = channels.stream()
                        .map(c -> TransfersGrpc.newBlockingStub(c).withInterceptors(attach)).toList();

                EvmChainConfig config = new EvmChainConfig("ethereum", AnvilNode.CHAIN_ID, anvil.rpcUrl(), 1, 4, Duration.ofSeconds(1),
                        "ETH", 18, true, List.of());
                EvmRpcClient rpc = new EvmRpcClient(config);
                fund(anvil, wallet);

                List<Credentials> devs = EvmWithdrawalBenchmark.devAccounts(callers);
                long[] nonce = new long[callers];
                long[] nodeCpu = {0};
                int[] batch = {0};
                java.util.function.LongSupplier raw = () -> {
                    try {
                        return EvmWithdrawalBenchmark.rawSends(rpc, devs, nonce, n);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                };
                java.util.function.LongSupplier coffer = () -> {
                    try {
                        int b = batch[0]++;
                        long cpu0 = cpu(node);
                        long took = EvmWithdrawalBenchmark.concurrently(callers, n, i -> {
                            Transfer t = transfers.get(i % transfers.size()).withDeadlineAfter(60, TimeUnit.SECONDS).createTransfer(
                                    CreateTransferRequest.newBuilder().setAsset("ethereum/ETH").setDestination(EvmWithdrawalBenchmark.TO)
                                            .setAmount("1").setIdempotencyKey("bench-" + b + "-" + i).build());
                            if (t.getStatus() != TransferStatus.TRANSFER_STATUS_BROADCAST) {
                                throw new IllegalStateException("transfer " + t.getId() + " is " + t.getStatus() + ": " + t.getFailureReason());
                            }
                        });
                        nodeCpu[0] = cpu(node) - cpu0;
                        EvmWithdrawalBenchmark.mineAll(rpc, n);
                        settled(anvil, wallet);
                        return took;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                };
                warm(n, raw, coffer, node);
                double[] rawRates = new double[ROUNDS];
                double[] cofferRates = new double[ROUNDS];
                double[] cpuPerTransfer = new double[ROUNDS];
                for (int r = 0; r < ROUNDS; r++) {
                    if (r % 2 == 0) {
                        rawRates[r] = n * 1e9 / raw.getAsLong();
                        cofferRates[r] = n * 1e9 / coffer.getAsLong();
                    } else {
                        cofferRates[r] = n * 1e9 / coffer.getAsLong();
                        rawRates[r] = n * 1e9 / raw.getAsLong();
                    }
                    cpuPerTransfer[r] = nodeCpu[0] / 1e3 / n;
                    System.out.printf("round %d: raw %8.1f tx/s, CreateTransfer %8.1f tx/s (%d each, %d caller(s) a side; node CPU %.0f µs a transfer)%n",
                            r + 1, rawRates[r], cofferRates[r], n, callers, cpuPerTransfer[r]);
                }
                java.util.Arrays.sort(rawRates);
                java.util.Arrays.sort(cofferRates);
                java.util.Arrays.sort(cpuPerTransfer);
                double rawRate = rawRates[ROUNDS / 2];
                double cofferRate = cofferRates[ROUNDS / 2];
                System.out.printf("raw eth_sendRawTransaction : %8.1f tx/s (median; %d pre-signed a round, %d sender(s))%n", rawRate, n, callers);
                System.out.printf("Transfers/CreateTransfer   : %8.1f tx/s (median; %d a round through the merchant API, %d caller(s); "
                        + "the node's CPU %.0f µs a transfer)%n", cofferRate, n, callers, cpuPerTransfer[ROUNDS / 2]);
                System.out.printf("ratio                      : %.2f%n", cofferRate / rawRate);
                return Figure.rate("transfers", "Transfers/CreateTransfer (EVM) through the merchant API (tenant with a 24 h limit and the velocity rule), node in its own process, " + n + ", "
                        + callers + " caller(s), median of " + ROUNDS, cofferRate, "tx/s", "raw eth_sendRawTransaction from the same client process, "
                        + n + " pre-signed, " + callers + " sender(s)", rawRate, ">= 0.5");
            } finally {
                for (ManagedChannel c : channels) {
                    c.shutdownNow();
                }
                node.destroy();
                if (!node.waitFor(30, TimeUnit.SECONDS)) {
                    node.destroyForcibly();
                }
                ApiLoadBenchmark.printWarnings(work.resolve("node.log"));
            }
        } finally {
            BenchFiles.deleteTree(work);
        }
    }

    /** CPU nanoseconds the node's process has used so far. */
    private static long cpu(Process node) {
        return node.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    /** 100 ETH paid to a deposit address of the tenant, mined, swept to its hot address and confirmed there. */
    private static void fund(AnvilNode anvil, WalletGrpc.WalletBlockingStub wallet) throws InterruptedException {
        String deposit = wallet.createDepositAddress(CreateDepositAddressRequest.newBuilder().setAsset("ethereum/ETH").build()).getAddress();
        BigInteger amount = BigInteger.TEN.pow(20);
        anvil.send(deposit, amount);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            anvil.mine(1);
            BigInteger left = new BigInteger(anvil.rpc("eth_getBalance", deposit, "latest").asText().substring(2), 16);
            var b = wallet.getBalance(GetBalanceRequest.newBuilder().setAsset("ethereum/ETH").build());
            if (left.compareTo(BigInteger.TEN.pow(15)) < 0 && new BigInteger(b.getConfirmed()).compareTo(BigInteger.TEN.pow(19)) > 0
                    && b.getPendingOutgoing().equals("0")) {
                settled(anvil, wallet);
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the deposit was not swept and confirmed within 120 s: left " + left + ", balance " + b);
            }
            Thread.sleep(100); // the node polls anvil every 200 ms: give it a round before mining again
        }
    }

    /** Waits until the node has followed anvil's tip and holds nothing outgoing (every transfer sent so far confirmed). */
    private static void settled(AnvilNode anvil, WalletGrpc.WalletBlockingStub wallet) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            long tip = anvil.blockNumber();
            var b = wallet.getBalance(GetBalanceRequest.newBuilder().setAsset("ethereum/ETH").build());
            if (b.getAsOfHeight() >= tip && b.getPendingOutgoing().equals("0")) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the node did not follow anvil to " + tip + " within 120 s: " + b);
            }
            Thread.sleep(50); // the node's poll interval is 200 ms: looking more often only costs both sides CPU
        }
    }

    /**
     * Unmeasured rounds of both sides in turn until the JIT is quiet in both processes (each compiled for at most
     * {@value #JIT_QUIET} of the round's wall time) and each rate is within {@value #SETTLED} of its previous round's (at most
     * {@value #WARM_MAX_SECONDS} s). Settled rates alone stopped the warm-up after four rounds with the node's compilers still
     * at 40% of its CPU: it was measured at 3.5 ms of CPU a transfer.
     */
    private static void warm(int n, java.util.function.LongSupplier raw, java.util.function.LongSupplier coffer, Process node) {
        double[] previous = null;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(WARM_MAX_SECONDS);
        for (int round = 1; round <= 2 || System.nanoTime() < until; round++) {
            long wall0 = System.nanoTime();
            long own0 = Jit.ownMillis();
            long node0 = Jit.compilerCpuNanos(node.pid());
            double[] rates = {n * 1e9 / raw.getAsLong(), n * 1e9 / coffer.getAsLong()};
            double wall = System.nanoTime() - wall0;
            double ownJit = (Jit.ownMillis() - own0) * 1e6 / wall;
            double nodeJit = (Jit.compilerCpuNanos(node.pid()) - node0) / wall;
            System.out.printf("warm-up %d: raw %8.1f tx/s, CreateTransfer %8.1f tx/s; JIT compiling %.0f%% of the round in the node, "
                    + "%.0f%% here%n", round, rates[0], rates[1], 100 * nodeJit, 100 * ownJit);
            if (previous != null && nodeJit <= JIT_QUIET && ownJit <= JIT_QUIET && Math.abs(rates[0] - previous[0]) <= SETTLED * previous[0]
                    && Math.abs(rates[1] - previous[1]) <= SETTLED * previous[1]) {
                return;
            }
            previous = rates;
        }
        System.out.println("warm-up: still moving after " + WARM_MAX_SECONDS + " s; measuring anyway");
    }
}
