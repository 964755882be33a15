package io.coffer.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.Devnet;
import io.coffer.testkit.TestTls;
import io.coffer.testkit.WithDevnet;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on the gRPC port, configured the Helidon way ({@code server.tls.private-key}): a client trusting the node's certificate
 * gets answers; a plaintext client does not.
 */
@WithDevnet
class TlsIT {
    @TempDir
    Path dir;

    @Test
    void grpcOverTls(BitcoindNode btc, AnvilNode anvil) throws Exception {
        TestTls pki = TestTls.create(dir);
        Path file = dir.resolve("coffer.yaml");
        Files.writeString(file, pki.onPort(Devnet.nodeYaml(dir.resolve("data"), btc.rpcUrl(), anvil.rpcUrl(), true)));
        try (CofferNode node = CofferNode.start(NodeConfiguration.load(file, Map.of()))) {
            ManagedChannel tls = NettyChannelBuilder.forAddress("127.0.0.1", node.port())
                    .sslContext(GrpcSslContexts.forClient().trustManager(pki.pem().toFile()).build()).build();
            ManagedChannel plain = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            try {
                assertEquals(HealthCheckResponse.ServingStatus.SERVING, HealthGrpc.newBlockingStub(tls).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .check(HealthCheckRequest.getDefaultInstance()).getStatus());
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> HealthGrpc.newBlockingStub(plain)
                        .withDeadlineAfter(5, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance()));
                // The node answers a plaintext HTTP/2 preface with a TLS alert: the client sees a broken connection, never data.
                assertTrue(e.getStatus().getCode() == Status.Code.UNAVAILABLE || e.getStatus().getCode() == Status.Code.INTERNAL,
                        e.getStatus().toString());
            } finally {
                tls.shutdownNow();
                plain.shutdownNow();
            }
        }
    }

    /** The checkout listener with TLS of its own: its links are https, its pages answer over TLS, a counter's cookie is Secure. */
    @Test
    void checkoutPagesOverTls(BitcoindNode btc, AnvilNode anvil) throws Exception {
        TestTls pki = TestTls.create(dir);
        String socketTls = pki.serverYaml().lines().map(l -> "    " + l).collect(java.util.stream.Collectors.joining("\n", "", "\n"));
        String yaml = Devnet.nodeYaml(dir.resolve("data"), btc.rpcUrl(), anvil.rpcUrl(), true)
                .replace("      port: 0\n", "      port: 0\n" + socketTls);
        Path file = dir.resolve("coffer.yaml");
        Files.writeString(file, yaml);
        try (CofferNode node = CofferNode.start(NodeConfiguration.load(file, Map.of()))) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            try {
                var admin = ApiTests.operator(ch, dir.resolve("data"));
                String shop = admin.createTenant(io.coffer.proto.v1.CreateTenantRequest.newBuilder().setName("shop").build()).getId();
                var payments = io.coffer.proto.v1.PaymentsGrpc.newBlockingStub(ch).withInterceptors(io.grpc.stub.MetadataUtils
                        .newAttachHeadersInterceptor(ApiTests.bearer(admin.createApiKey(io.coffer.proto.v1.CreateApiKeyRequest.newBuilder()
                                .setTenantId(shop).addScopes(io.coffer.proto.v1.Scope.SCOPE_PAYMENTS).build()).getSecret())));
                String url = payments.createPaymentRequest(io.coffer.proto.v1.CreatePaymentRequestRequest.newBuilder()
                        .setAsset("bitcoin/BTC").setAmount("10000").setIdempotencyKey("tls-1").build()).getCheckoutUrl();
                assertTrue(url.startsWith("https://127.0.0.1:" + node.checkoutPort().orElseThrow() + "/pay/"), url);

                java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                try (var in = Files.newInputStream(pki.pem())) {
                    trust.setCertificateEntry("coffer", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
                }
                var tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trust);
                javax.net.ssl.SSLContext ssl = javax.net.ssl.SSLContext.getInstance("TLS");
                ssl.init(null, tmf.getTrustManagers(), null);
                var http = java.net.http.HttpClient.newBuilder().sslContext(ssl).build();
                var page = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertEquals(200, page.statusCode());
                assertTrue(page.body().contains("Waiting for payment"));

                var counter = admin.createCounterCredential(io.coffer.proto.v1.CreateCounterCredentialRequest.newBuilder()
                        .setTenantId(shop).setLabel("till").build());
                var paired = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(counter.getCounterUrl() + "/pair"))
                        .header("Content-Type", "application/json").header("X-Coffer-Counter", "1")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"code\":\"" + counter.getPairingCode() + "\"}")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertEquals(200, paired.statusCode(), paired.body());
                String cookie = paired.headers().firstValue("Set-Cookie").orElseThrow();
                assertTrue(cookie.contains("; Secure") && cookie.contains("; HttpOnly") && cookie.contains("SameSite=Strict"), cookie);
            } finally {
                ch.shutdownNow();
            }
        }
    }
}
