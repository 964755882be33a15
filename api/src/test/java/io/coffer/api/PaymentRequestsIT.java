package io.coffer.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.ErrorInfo;
import io.coffer.proto.v1.AdminGrpc;
import io.coffer.proto.v1.CancelPaymentRequestRequest;
import io.coffer.proto.v1.CreateApiKeyRequest;
import io.coffer.proto.v1.CreatePaymentRequestRequest;
import io.coffer.proto.v1.CreateTenantRequest;
import io.coffer.proto.v1.GetPaymentRequestRequest;
import io.coffer.proto.v1.ListPaymentRequestsRequest;
import io.coffer.proto.v1.PaymentRequest;
import io.coffer.proto.v1.PaymentRequestStatus;
import io.coffer.proto.v1.PaymentsGrpc;
import io.coffer.proto.v1.Scope;
import io.coffer.proto.v1.SpeedPolicy;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Payment requests over real gRPC on real dev chains: pay exact and under, confirm, cancel, isolation, bad input. */
@WithDevnet
class PaymentRequestsIT {
    @TempDir
    Path dir;

    private static Metadata bearer(String secret) {
        Metadata m = new Metadata();
        m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + secret);
        return m;
    }

    private static PaymentRequest await(Supplier<PaymentRequest> get, PaymentRequestStatus status) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        PaymentRequest pr = get.get();
        while (pr.getStatus() != status) {
            assertTrue(System.nanoTime() < deadline, "waiting for " + status + ", at " + pr.getStatus());
            Thread.sleep(100);
            pr = get.get();
        }
        return pr;
    }

    @Test
    void createPayConfirmUnderpayCancel(BitcoindNode btc, AnvilNode anvil) throws Exception {
        if (btc.height() < 110) {
            btc.mine(110);
        }
        Path file = dir.resolve("coffer.yaml");
        Files.writeString(file, NodeIT.yaml(dir.resolve("data"), btc.rpcUrl(), anvil.rpcUrl(), "")
                .replace("    data-dir: " + dir.resolve("data"), "    data-dir: " + dir.resolve("data") + "\n    dev-mode: true")
                .replace("      rpc-password: " + BitcoindNode.RPC_PASSWORD, "      rpc-password: " + BitcoindNode.RPC_PASSWORD
                        + "\n      poll-interval: 200ms"));
        try (CofferNode node = CofferNode.start(NodeConfiguration.load(file, Map.of()))) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            try {
                var admin = AdminGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(
                        bearer(Files.readString(dir.resolve("data/operator.token")).trim())));
                String shop = admin.createTenant(CreateTenantRequest.newBuilder().setName("shop").build()).getId();
                String other = admin.createTenant(CreateTenantRequest.newBuilder().setName("other").build()).getId();
                var payments = PaymentsGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(
                        admin.createApiKey(CreateApiKeyRequest.newBuilder().setTenantId(shop).addScopes(Scope.SCOPE_READ)
                                .addScopes(Scope.SCOPE_PAYMENTS).build()).getSecret())));
                var otherPayments = PaymentsGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(
                        admin.createApiKey(CreateApiKeyRequest.newBuilder().setTenantId(other).addScopes(Scope.SCOPE_READ)
                                .addScopes(Scope.SCOPE_PAYMENTS).build()).getSecret())));

                CreatePaymentRequestRequest order = CreatePaymentRequestRequest.newBuilder().setAsset("bitcoin/BTC").setAmount("250000")
                        .setSpeedPolicy(SpeedPolicy.SPEED_POLICY_MEDIUM).setOrderId("order-1").setDescription("Two coffees")
                        .setIdempotencyKey("order-1").build();
                PaymentRequest pr = payments.createPaymentRequest(order);
                assertEquals(PaymentRequestStatus.PAYMENT_REQUEST_STATUS_PENDING, pr.getStatus());
                assertEquals("bitcoin:" + pr.getAddress() + "?amount=0.0025&message=Two%20coffees", pr.getPaymentUri());
                assertEquals(1, pr.getRequiredConfirmations());
                assertEquals(pr.getId(), payments.createPaymentRequest(order).getId(), "same key, same request");
                StatusRuntimeException reused = assertThrows(StatusRuntimeException.class,
                        () -> payments.createPaymentRequest(order.toBuilder().setAmount("1").build()));
                assertEquals(Status.Code.ALREADY_EXISTS, reused.getStatus().getCode());

                btc.minerWallet("sendtoaddress", pr.getAddress(), "0.0025");
                String id = pr.getId();
                Supplier<PaymentRequest> get = () -> payments.getPaymentRequest(GetPaymentRequestRequest.newBuilder().setId(id).build());
                await(get, PaymentRequestStatus.PAYMENT_REQUEST_STATUS_PAID_UNCONFIRMED);
                btc.mine(1);
                PaymentRequest confirmed = await(get, PaymentRequestStatus.PAYMENT_REQUEST_STATUS_CONFIRMED);
                assertEquals("250000", confirmed.getAmountConfirmed().getValue());
                assertEquals(1, confirmed.getPaymentsCount());
                StatusRuntimeException notCancellable = assertThrows(StatusRuntimeException.class,
                        () -> payments.cancelPaymentRequest(CancelPaymentRequestRequest.newBuilder().setId(id).build()));
                assertEquals(Status.Code.FAILED_PRECONDITION, notCancellable.getStatus().getCode());

                // Underpaid, then cancelled by the merchant.
                PaymentRequest small = payments.createPaymentRequest(order.toBuilder().setIdempotencyKey("order-2").setOrderId("order-2").build());
                btc.minerWallet("sendtoaddress", small.getAddress(), "0.001");
                btc.mine(1);
                await(() -> payments.getPaymentRequest(GetPaymentRequestRequest.newBuilder().setId(small.getId()).build()),
                        PaymentRequestStatus.PAYMENT_REQUEST_STATUS_UNDERPAID);
                assertEquals(PaymentRequestStatus.PAYMENT_REQUEST_STATUS_CANCELLED,
                        payments.cancelPaymentRequest(CancelPaymentRequestRequest.newBuilder().setId(small.getId()).build()).getStatus());

                // Another tenant cannot see either request: NOT_FOUND, as for a missing one.
                assertEquals(Status.Code.NOT_FOUND, assertThrows(StatusRuntimeException.class, () -> otherPayments.getPaymentRequest(
                        GetPaymentRequestRequest.newBuilder().setId(id).build())).getStatus().getCode());
                assertEquals(0, otherPayments.listPaymentRequests(ListPaymentRequestsRequest.getDefaultInstance()).getPaymentRequestsCount());
                assertEquals(2, payments.listPaymentRequests(ListPaymentRequestsRequest.getDefaultInstance()).getPaymentRequestsCount());

                // An ETH request gets an EIP-681 URI.
                PaymentRequest eth = payments.createPaymentRequest(CreatePaymentRequestRequest.newBuilder().setAsset("ethereum/ETH")
                        .setAmount("1000000000000000").setIdempotencyKey("eth-1").build());
                assertEquals("ethereum:" + eth.getAddress() + "@31337?value=1000000000000000", eth.getPaymentUri());

                // Bad input names the field and creates nothing.
                Map<String, CreatePaymentRequestRequest> bad = Map.of(
                        "amount", order.toBuilder().setIdempotencyKey("b1").setAmount("-5").build(),
                        "asset", order.toBuilder().setIdempotencyKey("b2").setAsset("doge/DOGE").build(),
                        "idempotency_key", order.toBuilder().setIdempotencyKey("").build(),
                        "order_id", order.toBuilder().setIdempotencyKey("b4").setOrderId("x".repeat(201)).build(),
                        "required_confirmations", order.toBuilder().setIdempotencyKey("b5").setSpeedPolicy(SpeedPolicy.SPEED_POLICY_UNSPECIFIED)
                                .setRequiredConfirmations(101).build(),
                        "expires_at", order.toBuilder().setIdempotencyKey("b6").setExpiresAt(com.google.protobuf.Timestamp.newBuilder()
                                .setSeconds(1)).build());
                for (var e : bad.entrySet()) {
                    StatusRuntimeException ex = assertThrows(StatusRuntimeException.class, () -> payments.createPaymentRequest(e.getValue()));
                    assertEquals(Status.Code.INVALID_ARGUMENT, ex.getStatus().getCode(), e.getKey());
                    assertEquals(e.getKey(), StatusProto.fromThrowable(ex).getDetails(0).unpack(ErrorInfo.class).getMetadataOrThrow("field"));
                }
                assertEquals(3, payments.listPaymentRequests(ListPaymentRequestsRequest.getDefaultInstance()).getPaymentRequestsCount(),
                        "nothing was created by the bad requests");
            } finally {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }
}
