package io.coffer.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.ErrorInfo;
import io.coffer.api.grpc.PlannedServices;
import io.coffer.core.config.ConfigException;
import io.coffer.core.store.StoreException;
import io.coffer.proto.v1.AdminGrpc;
import io.coffer.proto.v1.CreatePaymentRequestRequest;
import io.coffer.proto.v1.CreateTenantRequest;
import io.coffer.proto.v1.GetSealStatusRequest;
import io.coffer.proto.v1.PaymentsGrpc;
import io.coffer.proto.v1.SealStatus;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.Devnet;
import io.coffer.testkit.WithDevnet;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node as a whole, wired by production code, against real bitcoind and anvil. */
@WithDevnet
class NodeIT {
    @TempDir
    Path dir;

    static String yaml(Path dataDir, URI bitcoin, URI evm, String extraChains) {
        return Devnet.nodeYaml(dataDir, bitcoin, evm, false) + extraChains;
    }

    private NodeConfiguration config(BitcoindNode btc, AnvilNode anvil, String extra) throws IOException {
        Path file = dir.resolve("coffer-" + System.nanoTime() + ".yaml");
        Files.writeString(file, yaml(dir.resolve("data"), btc.rpcUrl(), anvil.rpcUrl(), extra));
        return NodeConfiguration.load(file, Map.of());
    }

    private static ManagedChannel channel(CofferNode node) {
        return NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
    }

    @Test
    void servesHealthReflectionMetricsAndEveryRpc(BitcoindNode btc, AnvilNode anvil) throws Exception {
        try (CofferNode node = CofferNode.start(config(btc, anvil, ""))) {
            ManagedChannel ch = channel(node);
            try {
                HealthCheckResponse health = HealthGrpc.newBlockingStub(ch).check(HealthCheckRequest.getDefaultInstance());
                assertEquals(HealthCheckResponse.ServingStatus.SERVING, health.getStatus());
                assertEquals(HealthCheckResponse.ServingStatus.SERVING, HealthGrpc.newBlockingStub(ch)
                        .check(HealthCheckRequest.newBuilder().setService("coffer.v1.Payments").build()).getStatus());

                Set<String> services = listServices(ch);
                for (PlannedServices.Contract c : PlannedServices.CONTRACT) {
                    assertTrue(services.contains(c.service().getName()), c.service().getName() + " in " + services);
                }
                assertTrue(services.contains("grpc.health.v1.Health"), services.toString());

                StatusRuntimeException anonymous = assertThrows(StatusRuntimeException.class, () -> PaymentsGrpc.newBlockingStub(ch)
                        .createPaymentRequest(CreatePaymentRequestRequest.getDefaultInstance()));
                assertEquals(Status.Code.UNAUTHENTICATED, anonymous.getStatus().getCode(), "merchant RPCs need an API key first");

                // Custody RPCs need the operator token written into the data dir at start.
                StatusRuntimeException noToken = assertThrows(StatusRuntimeException.class,
                        () -> AdminGrpc.newBlockingStub(ch).getSealStatus(GetSealStatusRequest.getDefaultInstance()));
                assertEquals(Status.Code.UNAUTHENTICATED, noToken.getStatus().getCode());
                Metadata auth = new Metadata();
                auth.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
                        "Bearer " + Files.readString(dir.resolve("data/operator.token")).trim());
                SealStatus status = AdminGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth))
                        .getSealStatus(GetSealStatusRequest.getDefaultInstance());
                assertEquals(SealStatus.Mode.MODE_UNINITIALIZED, status.getMode());
                // Every RPC of the contract is served now: a report for an unknown tenant is the caller's mistake, not UNIMPLEMENTED.
                var admin = AdminGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth));
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> admin.exportReport(
                        io.coffer.proto.v1.ExportReportRequest.getDefaultInstance()).hasNext());
                assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
                ErrorInfo info = StatusProto.fromThrowable(e).getDetails(0).unpack(ErrorInfo.class);
                assertEquals("TENANT_NOT_FOUND", info.getReason());
                assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(dir.resolve("data/operator.token"))));
            } finally {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }

            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + node.port() + "/observe/metrics")).header("accept", "text/plain").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.body().contains("# TYPE"), "Prometheus text format");

            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + node.port() + "/observe/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ready.statusCode(), ready.body());
            assertTrue(ready.body().contains("chain-bitcoin") && ready.body().contains("regtest"), ready.body());
            assertTrue(ready.body().contains("chain-ethereum") && ready.body().contains("31337"), ready.body());
        }
    }

    @Test
    void anUnreachableChainMakesReadinessDownButTheNodeStarts(BitcoindNode btc, AnvilNode anvil) throws Exception {
        String extra = """
                    - name: sidechain
                      kind: evm
                      chain-id: 1337
                      rpc-url: http://127.0.0.1:%d
                """.formatted(Devnet.freePort());
        try (CofferNode node = CofferNode.start(config(btc, anvil, extra))) {
            HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + node.port() + "/observe/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(503, health.statusCode(), health.body());
            assertTrue(health.body().contains("chain-sidechain"), health.body());
        }
    }

    @Test
    void healthAnswersAtOnceWhileAChainNodeIsFrozen(BitcoindNode btc, AnvilNode anvil) throws Exception {
        try (CofferNode node = CofferNode.start(config(btc, anvil, ""))) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/observe/health"))
                    .timeout(Duration.ofSeconds(2)).build();
            assertEquals(200, http.send(health, HttpResponse.BodyHandlers.ofString()).statusCode());
            btc.freeze();
            try {
                // Every probe answers within its 2 s timeout (a timeout throws and fails the test); readiness turns DOWN for
                // bitcoin once its node has not answered for the probe's limit, and ethereum stays UP.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
                HttpResponse<String> r;
                do {
                    assertTrue(System.nanoTime() < deadline, "bitcoin readiness DOWN while its node is frozen");
                    r = http.send(health, HttpResponse.BodyHandlers.ofString());
                    Thread.sleep(200);
                } while (r.statusCode() != 503);
                Map<String, com.fasterxml.jackson.databind.JsonNode> checks = new java.util.HashMap<>();
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).get("checks").forEach(c -> checks.put(c.get("name").asText(), c));
                assertEquals("DOWN", checks.get("chain-bitcoin").get("status").asText(), r.body());
                String error = checks.get("chain-bitcoin").get("data").get("error").asText();
                assertTrue(error.startsWith("no answer from the chain node for") || error.startsWith("last answer"), r.body());
                assertEquals("regtest", checks.get("chain-bitcoin").get("data").get("network").asText(), "the last known state is shown");
                assertEquals("UP", checks.get("chain-ethereum").get("status").asText(), r.body());
            } finally {
                btc.thaw();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            while (http.send(health, HttpResponse.BodyHandlers.ofString()).statusCode() != 200) {
                assertTrue(System.nanoTime() < deadline, "UP again once the node answers");
                Thread.sleep(200);
            }
        }
    }

    @Test
    void aChainOnAnotherNetworkStopsTheStartNamingTheKey(BitcoindNode btc, AnvilNode anvil) throws Exception {
        String extra = """
                    - name: mislabelled
                      kind: evm
                      chain-id: 1
                      rpc-url: %s
                """.formatted(anvil.rpcUrl());
        NodeConfiguration c = config(btc, anvil, extra);
        ConfigException e = assertThrows(ConfigException.class, () -> CofferNode.start(c));
        assertEquals("coffer.chains.2.chain-id", e.field());
        // The failed start released the data dir.
        try (CofferNode node = CofferNode.start(config(btc, anvil, ""))) {
            assertTrue(node.isRunning());
        }
    }

    @Test
    void aSecondNodeOnTheSameDataDirIsRefusedAndCloseReleasesEverything(BitcoindNode btc, AnvilNode anvil) throws Exception {
        NodeConfiguration c = config(btc, anvil, "");
        int port;
        try (CofferNode node = CofferNode.start(c)) {
            port = node.port();
            StoreException.Locked e = assertThrows(StoreException.Locked.class, () -> CofferNode.start(c));
            assertTrue(e.getMessage().contains(dir.resolve("data").toString()), e.getMessage());
        }
        assertFalse(accepts(port), "the port is closed after close()");
        try (CofferNode again = CofferNode.start(c)) {
            assertTrue(again.isRunning());
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static Set<String> listServices(ManagedChannel ch) throws Exception {
        CompletableFuture<Set<String>> result = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> req = ServerReflectionGrpc.newStub(ch).serverReflectionInfo(new StreamObserver<>() {
            @Override
            public void onNext(ServerReflectionResponse r) {
                result.complete(r.getListServicesResponse().getServiceList().stream().map(ServiceResponse::getName)
                        .collect(Collectors.toCollection(TreeSet::new)));
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                result.complete(Set.of());
            }
        });
        req.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        Set<String> s = result.get(10, TimeUnit.SECONDS);
        req.onCompleted();
        return s;
    }
}
