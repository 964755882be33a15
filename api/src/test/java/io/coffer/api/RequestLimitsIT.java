package io.coffer.api;

import static io.coffer.api.ApiTests.bearer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.ErrorInfo;
import io.coffer.api.grpc.TransportGuard;
import io.coffer.proto.v1.CreateApiKeyRequest;
import io.coffer.proto.v1.CreatePaymentRequestRequest;
import io.coffer.proto.v1.CreateTenantRequest;
import io.coffer.proto.v1.GetBalanceRequest;
import io.coffer.proto.v1.PaymentsGrpc;
import io.coffer.proto.v1.Scope;
import io.coffer.proto.v1.WalletGrpc;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.WithDevnet;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What anyone who can reach the port may send, answered at once under the error contract: oversized and compressed messages
 * (with and without credentials), and refused credentials, each with an {@code ErrorInfo}; the node's log gets at most a few
 * bounded lines and never the bytes sent, and the connection keeps serving.
 */
@WithDevnet
class RequestLimitsIT {
    @TempDir
    Path dir;

    /** Every record the node logs while the test runs. */
    static final class Capture extends Handler {
        final List<LogRecord> records = java.util.Collections.synchronizedList(new ArrayList<>());

        @Override
        public void publish(LogRecord r) {
            if (r.getLoggerName() == null || !r.getLoggerName().startsWith("io.grpc.netty")) { // the test's client is not the node
                records.add(r);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        long bytes() {
            synchronized (records) {
                return records.stream().mapToLong(r -> String.valueOf(r.getMessage()).length()
                        + (r.getThrown() == null ? 0 : String.valueOf(r.getThrown()).length() + 200L * r.getThrown().getStackTrace().length)).sum();
            }
        }
    }

    private static ErrorInfo info(StatusRuntimeException e) {
        com.google.rpc.Status s = StatusProto.fromThrowable(e);
        assertTrue(s != null && s.getDetailsCount() == 1, "ErrorInfo in grpc-status-details-bin: " + e);
        try {
            return s.getDetails(0).unpack(ErrorInfo.class);
        } catch (com.google.protobuf.InvalidProtocolBufferException x) {
            throw new AssertionError(x);
        }
    }

    private static StatusRuntimeException refused(Status.Code code, String reason, Supplier<Object> call) {
        long start = System.nanoTime();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::get);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(code, e.getStatus().getCode(), e.toString());
        assertEquals(reason, info(e).getReason(), e.toString());
        assertTrue(ms < 20_000, "answered, not left to the deadline: " + ms + " ms");
        return e;
    }

    @Test
    void oversizedAndCompressedRequestsAreRefusedAtOnceWithoutFloodingTheLog(BitcoindNode btc, AnvilNode anvil) throws Exception {
        Capture capture = new Capture();
        Logger root = Logger.getLogger("");
        root.addHandler(capture);
        try (CofferNode node = CofferNode.start(ApiTests.devConfig(dir, btc, anvil, "", ""))) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            try {
                var admin = ApiTests.operator(ch, dir.resolve("data"));
                String shop = admin.createTenant(CreateTenantRequest.newBuilder().setName("shop").build()).getId();
                Metadata key = bearer(admin.createApiKey(CreateApiKeyRequest.newBuilder().setTenantId(shop).addScopes(Scope.SCOPE_READ)
                        .addScopes(Scope.SCOPE_PAYMENTS).build()).getSecret());
                var anonymous = PaymentsGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS);
                var payments = PaymentsGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(key));
                var wallet = WalletGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(key));
                CreatePaymentRequestRequest base = CreatePaymentRequestRequest.newBuilder().setAsset("bitcoin/BTC").setAmount("1000")
                        .setIdempotencyKey("big").build();
                long logBefore = capture.bytes();
                int sent = 0;
                for (int size : new int[] {3 << 20, 2_200_000, TransportGuard.MAX_MESSAGE_BYTES + 1}) {
                    CreatePaymentRequestRequest big = base.toBuilder().setDescription("x".repeat(size)).build();
                    sent += big.getSerializedSize();
                    StatusRuntimeException e = refused(Status.Code.RESOURCE_EXHAUSTED, "MESSAGE_TOO_LARGE",
                            () -> anonymous.createPaymentRequest(big));
                    assertEquals(Integer.toString(TransportGuard.MAX_MESSAGE_BYTES), info(e).getMetadataOrThrow("max_bytes"));
                    refused(Status.Code.RESOURCE_EXHAUSTED, "MESSAGE_TOO_LARGE",
                            () -> payments.withDeadlineAfter(30, TimeUnit.SECONDS).createPaymentRequest(big));
                }
                // Just under the limit the message is read and the field named: the limit is the transport's, not the field's.
                CreatePaymentRequestRequest under = base.toBuilder().setDescription("x".repeat(TransportGuard.MAX_MESSAGE_BYTES - 100)).build();
                refused(Status.Code.INVALID_ARGUMENT, "FIELD_TOO_LONG", () -> payments.createPaymentRequest(under));

                // A compressed request: refused before anything decompresses it.
                refused(Status.Code.UNIMPLEMENTED, "COMPRESSION_UNSUPPORTED",
                        () -> wallet.withCompression("gzip").getBalance(GetBalanceRequest.newBuilder().setAsset("bitcoin/BTC").build()));

                // The same connection keeps serving.
                assertEquals("0", wallet.getBalance(GetBalanceRequest.newBuilder().setAsset("bitcoin/BTC").build()).getConfirmed());
                long logged = capture.bytes() - logBefore;
                assertTrue(logged < 4_000, "at most a few short lines for " + sent + " bytes sent, not " + logged + " bytes of log: "
                        + capture.records.stream().map(r -> r.getLevel() + " " + r.getMessage()).toList());
                synchronized (capture.records) {
                    for (LogRecord r : capture.records) {
                        assertTrue(!String.valueOf(r.getMessage()).contains("xxxxxxxx") && !String.valueOf(r.getMessage()).contains("78787878"),
                                "no payload in the log: " + r.getMessage());
                        assertTrue(r.getLevel().intValue() < java.util.logging.Level.SEVERE.intValue(), "no SEVERE: " + r.getMessage());
                    }
                }
            } finally {
                ch.shutdownNow();
            }
        } finally {
            root.removeHandler(capture);
        }
    }
}
