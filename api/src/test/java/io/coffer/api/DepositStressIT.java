package io.coffer.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.proto.v1.CreateApiKeyRequest;
import io.coffer.proto.v1.CreateDepositAddressRequest;
import io.coffer.proto.v1.CreateTenantRequest;
import io.coffer.proto.v1.GetBalanceRequest;
import io.coffer.proto.v1.Scope;
import io.coffer.proto.v1.WalletGrpc;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.WithDevnet;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Payments to the first addresses of tenants made while others are being made, all recorded: four operators' threads each
 * create six tenants, an API key and three deposit addresses for each, and pay every address at once from bitcoind's wallet,
 * mining now and then in between; every payment must be recorded to its address and every tenant's confirmed balance be
 * exactly its three payments. (Twice in CI a payment to a new tenant's first address went unrecorded with the node's cursor
 * at the tip; this is that path under concurrency, tenants created, addresses issued, the window extended and payments
 * matched at the same time.)
 */
@WithDevnet
class DepositStressIT {
    private static final int THREADS = 4;
    private static final int TENANTS_PER_THREAD = 6;
    private static final int ADDRESSES_PER_TENANT = 3;

    @TempDir
    Path dir;

    @Test
    void everyPaymentToANewTenantsAddressIsRecorded(BitcoindNode btc, AnvilNode anvil) throws Exception {
        if (btc.height() < 110) {
            btc.mine(110);
        }
        try (CofferNode node = CofferNode.start(ApiTests.devConfig(dir, btc, anvil, "", ""))) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            try {
                var admin = ApiTests.operator(ch, dir.resolve("data"));
                Map<String, String> paid = new ConcurrentHashMap<>();
                Map<String, WalletGrpc.WalletBlockingStub> wallets = new ConcurrentHashMap<>();
                List<Thread> threads = new java.util.ArrayList<>();
                Map<Integer, Throwable> failed = new ConcurrentHashMap<>();
                for (int t = 0; t < THREADS; t++) {
                    int th = t;
                    threads.add(Thread.ofPlatform().uncaughtExceptionHandler((thread, e) -> failed.put(th, e)).start(() -> {
                        for (int i = 0; i < TENANTS_PER_THREAD; i++) {
                            String tenant = admin.createTenant(CreateTenantRequest.newBuilder().setName("t" + th + "-" + i).build())
                                    .getId();
                            var auth = MetadataUtils.newAttachHeadersInterceptor(ApiTests.bearer(admin.createApiKey(
                                    CreateApiKeyRequest.newBuilder().setTenantId(tenant).addScopes(Scope.SCOPE_READ)
                                            .addScopes(Scope.SCOPE_PAYMENTS).build()).getSecret()));
                            var w = WalletGrpc.newBlockingStub(ch).withInterceptors(auth);
                            wallets.put(tenant, w);
                            for (int j = 0; j < ADDRESSES_PER_TENANT; j++) {
                                String a = w.createDepositAddress(CreateDepositAddressRequest.newBuilder().setAsset("bitcoin/BTC")
                                        .build()).getAddress();
                                paid.put(a, btc.minerWallet("sendtoaddress", a, "0.1").asText());
                            }
                            if (i % 2 == 0) {
                                btc.mine(1);
                            }
                        }
                    }));
                }
                for (Thread t : threads) {
                    t.join();
                }
                failed.values().forEach(e -> {
                    throw new AssertionError("a thread making tenants and paying them failed: " + e, e);
                });
                assertEquals(THREADS * TENANTS_PER_THREAD * ADDRESSES_PER_TENANT, paid.size(), "addresses issued, each once");
                btc.mine(1);
                var m = node.chains().module("bitcoin").orElseThrow();
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
                String each = Long.toString(ADDRESSES_PER_TENANT * 10_000_000L);
                while (true) {
                    List<String> missing = paid.keySet().stream().filter(a -> m.follower().depositsTo(a).isEmpty()).toList();
                    long shortOf = wallets.values().stream().filter(w -> !w.getBalance(GetBalanceRequest.newBuilder()
                            .setAsset("bitcoin/BTC").build()).getConfirmed().equals(each)).count();
                    if (missing.isEmpty() && shortOf == 0) {
                        break;
                    }
                    assertTrue(System.nanoTime() < deadline, () -> "missing " + missing.stream().map(a -> a + " watched="
                            + m.addresses().watches(a) + " " + m.addresses().lookup(a) + " tx " + paid.get(a) + " confirmations "
                            + btc.rpc("getrawtransaction", paid.get(a), true).path("confirmations").asLong(0)).toList()
                            + "; tenants whose confirmed balance is not their payments: " + shortOf + "; cursor "
                            + m.follower().cursor() + ", tip " + btc.height() + ", last round error '" + m.lastError() + "'");
                    Thread.sleep(200);
                }
            } finally {
                ch.shutdownNow();
            }
        }
    }
}
