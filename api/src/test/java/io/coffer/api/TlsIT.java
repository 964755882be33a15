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
}
