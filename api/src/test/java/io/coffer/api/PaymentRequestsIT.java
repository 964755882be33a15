package io.coffer.api;

import static io.coffer.api.ApiTests.bearer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.ErrorInfo;
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
import io.coffer.testkit.Devnet;
import io.coffer.testkit.Solc;
import io.coffer.testkit.WithDevnet;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint8;

/**
 * Payment requests over real gRPC on real dev chains: pay exact / under / over / late, confirm, expire, cancel, an ERC-20
 * request, isolation, bad input.
 */
@WithDevnet
class PaymentRequestsIT {
    @TempDir
    Path dir;


    /** A dev-mode node on both dev chains, Bitcoin polled every 200 ms; {@code evm} adds lines to the ethereum chain. */
    private NodeConfiguration config(BitcoindNode btc, AnvilNode anvil, String evm) throws java.io.IOException {
        return ApiTests.devConfig(dir, btc, anvil, evm, "");
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
        try (CofferNode node = CofferNode.start(config(btc, anvil, ""))) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            try {
                var admin = ApiTests.operator(ch, dir.resolve("data"));
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
                // More confirmations than the chain follows (Bitcoin's reorg-safety depth, 6 by default): a payment is final there,
                // so the request could never be confirmed. Refused, naming the most allowed.
                StatusRuntimeException deep = assertThrows(StatusRuntimeException.class, () -> payments.createPaymentRequest(order.toBuilder()
                        .setIdempotencyKey("b7").setSpeedPolicy(SpeedPolicy.SPEED_POLICY_UNSPECIFIED).setRequiredConfirmations(7).build()));
                assertEquals(Status.Code.INVALID_ARGUMENT, deep.getStatus().getCode());
                ErrorInfo deepInfo = StatusProto.fromThrowable(deep).getDetails(0).unpack(ErrorInfo.class);
                assertEquals("required_confirmations", deepInfo.getMetadataOrThrow("field"));
                assertEquals("CONFIRMATIONS_OUT_OF_RANGE", deepInfo.getReason());
                assertTrue(deep.getStatus().getDescription().contains("0 to 6"), deep.getStatus().getDescription());
                assertEquals(3, payments.listPaymentRequests(ListPaymentRequestsRequest.getDefaultInstance()).getPaymentRequestsCount(),
                        "nothing was created by the bad requests");
                // Pages of 2 through 7 requests, with two created between pages: newest first, each of the first 7 once.
                for (int i = 0; i < 4; i++) {
                    payments.createPaymentRequest(order.toBuilder().setIdempotencyKey("page-" + i).setOrderId("page-" + i).build());
                }
                java.util.List<String> expected = payments.listPaymentRequests(ListPaymentRequestsRequest.newBuilder()
                        .setPage(io.coffer.proto.v1.PageRequest.newBuilder().setPageSize(500)).build()).getPaymentRequestsList().stream()
                        .map(PaymentRequest::getId).toList();
                assertEquals(7, expected.size());
                java.util.List<String> paged = new java.util.ArrayList<>();
                String token = "";
                do {
                    var page = payments.listPaymentRequests(ListPaymentRequestsRequest.newBuilder().setPage(io.coffer.proto.v1.PageRequest
                            .newBuilder().setPageSize(2).setPageToken(token)).build());
                    assertTrue(page.getPaymentRequestsCount() <= 2);
                    page.getPaymentRequestsList().forEach(p -> paged.add(p.getId()));
                    token = page.getNextPageToken();
                    payments.createPaymentRequest(order.toBuilder().setIdempotencyKey("late-" + paged.size()).setOrderId("late-" + paged.size())
                            .build());
                } while (!token.isEmpty());
                assertEquals(expected, paged, "newest first, every request once, none of those created while paging");
            } finally {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    private static void awaitThat(Supplier<Boolean> condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.get()) {
            assertTrue(System.nanoTime() < deadline, "waiting for " + what);
            Thread.sleep(100);
        }
    }

    /** Over-payment, expiry then a late payment on Bitcoin; an ERC-20 request paid and confirmed on anvil. */
    @Test
    void overpaidExpiredLateAndTokenRequests(BitcoindNode btc, AnvilNode anvil) throws Exception {
        if (btc.height() < 110) {
            btc.mine(110);
        }
        anvil.setAutomine(true);
        Solc.Contract c = Solc.compile(Devnet.projectRoot().resolve("chains/evm/src/test/resources/contracts/TestToken.sol"), "TestToken");
        String ctor = FunctionEncoder.encodeConstructor(List.of(new Utf8String("Test Dollar"), new Utf8String("USDC"), new Uint8(6),
                new Uint256(BigInteger.TEN.pow(15))));
        String token = anvil.receipt(anvil.transact(null, c.bin() + ctor)).get("contractAddress").asText();
        NodeConfiguration config = config(btc, anvil, "      confirmations: 2\n      poll-interval: 200ms\n"
                + "      tokens:\n        - symbol: USDC\n          contract: \"" + token + "\"\n          decimals: 6\n");
        anvil.setAutomine(false);
        try (CofferNode node = CofferNode.start(config)) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            try {
                var admin = ApiTests.operator(ch, dir.resolve("data"));
                String shop = admin.createTenant(CreateTenantRequest.newBuilder().setName("shop").build()).getId();
                var payments = PaymentsGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(
                        admin.createApiKey(CreateApiKeyRequest.newBuilder().setTenantId(shop).addScopes(Scope.SCOPE_READ)
                                .addScopes(Scope.SCOPE_PAYMENTS).build()).getSecret())));
                Function<String, PaymentRequest> get = id -> payments.getPaymentRequest(GetPaymentRequestRequest.newBuilder().setId(id).build());

                // Over-payment: confirmed, and the surplus is reported rather than lost.
                PaymentRequest over = payments.createPaymentRequest(CreatePaymentRequestRequest.newBuilder().setAsset("bitcoin/BTC")
                        .setAmount("250000").setRequiredConfirmations(1).setIdempotencyKey("over").build());
                btc.minerWallet("sendtoaddress", over.getAddress(), "0.003");
                btc.mine(1);
                PaymentRequest overDone = await(() -> get.apply(over.getId()), PaymentRequestStatus.PAYMENT_REQUEST_STATUS_CONFIRMED);
                assertEquals("300000", overDone.getAmountPaid().getValue());
                assertEquals("50000", overDone.getOverpaid().getValue());

                // Expiry, then a payment after it: the request stays EXPIRED, the payment is recorded and flagged late.
                Instant expiry = Instant.now().plusSeconds(2);
                CreatePaymentRequestRequest soonOrder = CreatePaymentRequestRequest.newBuilder().setAsset("bitcoin/BTC")
                        .setAmount("100000").setIdempotencyKey("soon").setExpiresAt(com.google.protobuf.Timestamp.newBuilder()
                                .setSeconds(expiry.getEpochSecond()).setNanos(expiry.getNano())).build();
                PaymentRequest soon = payments.createPaymentRequest(soonOrder);
                await(() -> get.apply(soon.getId()), PaymentRequestStatus.PAYMENT_REQUEST_STATUS_EXPIRED);
                // A client retrying after a long outage, past the expiry it asked for, gets the original request, not an error.
                PaymentRequest retried = payments.createPaymentRequest(soonOrder);
                assertEquals(soon.getId(), retried.getId(), "the same request, whatever the clock says now");
                assertEquals(PaymentRequestStatus.PAYMENT_REQUEST_STATUS_EXPIRED, retried.getStatus());
                StatusRuntimeException reused = assertThrows(StatusRuntimeException.class,
                        () -> payments.createPaymentRequest(soonOrder.toBuilder().setAmount("100001").build()));
                assertEquals(Status.Code.ALREADY_EXISTS, reused.getStatus().getCode(), "the same key with another body is still refused");
                btc.minerWallet("sendtoaddress", soon.getAddress(), "0.001");
                awaitThat(() -> get.apply(soon.getId()).getHasLatePayments(), "the late payment to be recorded");
                PaymentRequest late = get.apply(soon.getId());
                assertEquals(PaymentRequestStatus.PAYMENT_REQUEST_STATUS_EXPIRED, late.getStatus());
                assertEquals(1, late.getPaymentsCount());
                assertTrue(late.getPayments(0).getLate());
                assertEquals("100000", late.getPayments(0).getAmount().getValue());
                assertEquals("0", late.getAmountPaid().getValue(), "a late payment does not count towards the request");
                btc.mine(1);

                // An ERC-20 request: EIP-681 transfer URI, paid from the dev account, confirmed after 2 blocks.
                PaymentRequest usdc = payments.createPaymentRequest(CreatePaymentRequestRequest.newBuilder().setAsset("ethereum/USDC")
                        .setAmount("12500000").setIdempotencyKey("usdc").build());
                assertEquals(2, usdc.getRequiredConfirmations());
                assertEquals(("ethereum:" + token + "@31337/transfer?address=" + usdc.getAddress() + "&uint256=12500000").toLowerCase(),
                        usdc.getPaymentUri().toLowerCase());
                anvil.transact(token, FunctionEncoder.encode(new org.web3j.abi.datatypes.Function("transfer",
                        List.of(new Address(usdc.getAddress()), new Uint256(BigInteger.valueOf(12_500_000))), List.of())));
                await(() -> get.apply(usdc.getId()), PaymentRequestStatus.PAYMENT_REQUEST_STATUS_PAID_UNCONFIRMED);
                anvil.mine(2);
                PaymentRequest usdcDone = await(() -> get.apply(usdc.getId()), PaymentRequestStatus.PAYMENT_REQUEST_STATUS_CONFIRMED);
                assertEquals("ethereum/USDC", usdcDone.getAmountConfirmed().getAsset());
                assertEquals("12500000", usdcDone.getAmountConfirmed().getValue());
            } finally {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                anvil.setAutomine(true);
            }
        }
    }
}
