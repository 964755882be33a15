package io.coffer.api;

import static io.coffer.api.ApiTests.bearer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Message;
import io.coffer.api.grpc.Scopes;
import io.coffer.proto.v1.AdminGrpc;
import io.coffer.proto.v1.ApproveTransferRequest;
import io.coffer.proto.v1.AssetLimits;
import io.coffer.proto.v1.BumpFeeRequest;
import io.coffer.proto.v1.CancelPaymentRequestRequest;
import io.coffer.proto.v1.CreateApiKeyRequest;
import io.coffer.proto.v1.CreateDepositAddressRequest;
import io.coffer.proto.v1.CreatePaymentRequestRequest;
import io.coffer.proto.v1.CreateTenantRequest;
import io.coffer.proto.v1.CreateTransferRequest;
import io.coffer.proto.v1.EventsGrpc;
import io.coffer.proto.v1.GetBalanceRequest;
import io.coffer.proto.v1.GetPaymentRequestRequest;
import io.coffer.proto.v1.GetTransferRequest;
import io.coffer.proto.v1.ListEventsRequest;
import io.coffer.proto.v1.PaymentsGrpc;
import io.coffer.proto.v1.RedeliverEventRequest;
import io.coffer.proto.v1.RejectTransferRequest;
import io.coffer.proto.v1.Scope;
import io.coffer.proto.v1.SetTransferPolicyRequest;
import io.coffer.proto.v1.SetWebhookRequest;
import io.coffer.proto.v1.TransferPolicy;
import io.coffer.proto.v1.TransfersGrpc;
import io.coffer.proto.v1.WalletGrpc;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.WithDevnet;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every merchant RPC × (no key, a key of its tenant lacking the RPC's scope, another tenant's key on its objects) → UNAUTHENTICATED,
 * PERMISSION_DENIED, NOT_FOUND; lists seen through another tenant's key hold none of its data; the Admin service takes the
 * operator token only, never an API key. The method list comes from the service descriptors, so a new RPC is covered by itself.
 */
@WithDevnet
class AuthMatrixIT {
    @TempDir
    Path dir;


    private static final List<ServiceDescriptor> MERCHANT = List.of(WalletGrpc.getServiceDescriptor(), PaymentsGrpc.getServiceDescriptor(),
            EventsGrpc.getServiceDescriptor(), TransfersGrpc.getServiceDescriptor());

    /** Calls any method with a request and optional headers; returns the status code (OK when it answered). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Status.Code call(ManagedChannel ch, MethodDescriptor md, Message request, Metadata headers) {
        io.grpc.Channel c = headers == null ? ch : io.grpc.ClientInterceptors.intercept(ch, MetadataUtils.newAttachHeadersInterceptor(headers));
        CallOptions opts = CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS);
        try {
            if (md.getType() == MethodDescriptor.MethodType.SERVER_STREAMING) {
                var it = ClientCalls.blockingServerStreamingCall(c, md, opts.withDeadlineAfter(2, TimeUnit.SECONDS), request);
                it.hasNext();
            } else {
                ClientCalls.blockingUnaryCall(c, md, opts, request);
            }
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            // A stream that answered and then ran to its deadline got past authentication.
            if (md.getType() == MethodDescriptor.MethodType.SERVER_STREAMING && e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
                return Status.Code.OK;
            }
            // common.proto's contract: every failed call carries an ErrorInfo with a stable reason; refusals name the header.
            com.google.rpc.Status details = io.grpc.protobuf.StatusProto.fromThrowable(e);
            assertTrue(details != null && details.getDetailsCount() == 1, md.getFullMethodName() + ": no ErrorInfo with " + e);
            try {
                com.google.rpc.ErrorInfo info = details.getDetails(0).unpack(com.google.rpc.ErrorInfo.class);
                assertEquals("coffer", info.getDomain(), md.getFullMethodName());
                assertFalse(info.getReason().isEmpty(), md.getFullMethodName());
                if (e.getStatus().getCode() == Status.Code.UNAUTHENTICATED || e.getStatus().getCode() == Status.Code.PERMISSION_DENIED) {
                    assertEquals("authorization", info.getMetadataOrDefault("field", ""), md.getFullMethodName() + " " + info);
                    assertTrue(java.util.Set.of("CREDENTIALS_MISSING", "CREDENTIALS_INVALID", "SCOPE_MISSING").contains(info.getReason()),
                            md.getFullMethodName() + " " + info);
                }
            } catch (com.google.protobuf.InvalidProtocolBufferException x) {
                throw new AssertionError(x);
            }
            return e.getStatus().getCode();
        }
    }

    private static Message prototype(MethodDescriptor<?, ?> md) {
        return (Message) ((MethodDescriptor.PrototypeMarshaller<?>) md.getRequestMarshaller()).getMessagePrototype();
    }

    @Test
    void everyRpcRefusesWithoutKeyWithoutScopeAndAcrossTenants(BitcoindNode btc, AnvilNode anvil) throws Exception {
        if (btc.height() < 110) {
            btc.mine(110);
        }

        try (CofferNode node = CofferNode.start(ApiTests.devConfig(dir, btc, anvil, "", ""))) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            try {
                Metadata operator = bearer(Files.readString(dir.resolve("data/operator.token")).trim());
                var admin = AdminGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(operator));
                String a = admin.createTenant(CreateTenantRequest.newBuilder().setName("tenant-a").build()).getId();
                String b = admin.createTenant(CreateTenantRequest.newBuilder().setName("tenant-b").build()).getId();
                Map<Scope, Metadata> lacking = new HashMap<>();
                Set<Scope> all = EnumSet.of(Scope.SCOPE_READ, Scope.SCOPE_PAYMENTS, Scope.SCOPE_TRANSFERS, Scope.SCOPE_ADMIN);
                for (Scope missing : all) {
                    Set<Scope> others = EnumSet.copyOf(all);
                    others.remove(missing);
                    lacking.put(missing, bearer(admin.createApiKey(CreateApiKeyRequest.newBuilder().setTenantId(a).addAllScopes(others).build())
                            .getSecret()));
                }
                Metadata keyA = bearer(admin.createApiKey(CreateApiKeyRequest.newBuilder().setTenantId(a).addAllScopes(all).build()).getSecret());
                Metadata keyB = bearer(admin.createApiKey(CreateApiKeyRequest.newBuilder().setTenantId(b).addAllScopes(all).build()).getSecret());
                Metadata approverA = bearer(admin.createApiKey(CreateApiKeyRequest.newBuilder().setTenantId(a).addScopes(Scope.SCOPE_ADMIN)
                        .build()).getSecret());

                // Tenant A's objects: a funded account, a payment request, a transfer awaiting approval, a sent one, events.
                var walletA = WalletGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(keyA));
                String addressA = walletA.createDepositAddress(CreateDepositAddressRequest.newBuilder().setAsset("bitcoin/BTC").build()).getAddress();
                btc.minerWallet("sendtoaddress", addressA, "1.0");
                // Two coins: the sent transfer locks one until its change confirms, the approved one spends the other.
                btc.minerWallet("sendtoaddress", walletA.createDepositAddress(CreateDepositAddressRequest.newBuilder().setAsset("bitcoin/BTC")
                        .build()).getAddress(), "1.0");
                btc.mine(1);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                for (var bal = walletA.getBalance(GetBalanceRequest.newBuilder().setAsset("bitcoin/BTC").build());
                        !bal.getConfirmed().equals("200000000");
                        bal = walletA.getBalance(GetBalanceRequest.newBuilder().setAsset("bitcoin/BTC").build())) {
                    // What the node had when it gave up, beside the chain's tip: which step of the deposits' way did not happen.
                    String seen = "confirmed " + bal.getConfirmed() + ", pending incoming " + bal.getPendingIncoming() + " at height "
                            + bal.getAsOfHeight() + "; chain tip " + btc.height();
                    assertTrue(System.nanoTime() < deadline, () -> "funds: " + seen);
                    Thread.sleep(100);
                }
                var prA = PaymentsGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(keyA))
                        .createPaymentRequest(CreatePaymentRequestRequest.newBuilder().setAsset("bitcoin/BTC").setAmount("1000")
                                .setIdempotencyKey("a-1").build());
                admin.setTransferPolicy(SetTransferPolicyRequest.newBuilder().setPolicy(TransferPolicy.newBuilder().setTenantId(a)
                        .setApprovalQuorum(1).addLimits(AssetLimits.newBuilder().setAsset("bitcoin/BTC").setApprovalThreshold("50000000"))).build());
                var transfersA = TransfersGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(keyA));
                String dest = btc.minerWallet("getnewaddress").asText();
                var waiting = transfersA.createTransfer(CreateTransferRequest.newBuilder().setAsset("bitcoin/BTC").setDestination(dest)
                        .setAmount("60000000").setIdempotencyKey("t-1").build());
                var sent = transfersA.createTransfer(CreateTransferRequest.newBuilder().setAsset("bitcoin/BTC").setDestination(dest)
                        .setAmount("100000").setIdempotencyKey("t-2").build());
                var eventsA = EventsGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(keyA));
                eventsA.setWebhook(SetWebhookRequest.newBuilder().setUrl("http://127.0.0.1:9/hook").build());
                String eventA = eventsA.listEvents(ListEventsRequest.getDefaultInstance()).getEvents(0).getId();

                // Requests that name tenant A's objects; anything else sends the empty request.
                Map<String, Message> aimedAtA = Map.of(
                        PaymentsGrpc.getGetPaymentRequestMethod().getFullMethodName(), GetPaymentRequestRequest.newBuilder().setId(prA.getId()).build(),
                        PaymentsGrpc.getCancelPaymentRequestMethod().getFullMethodName(),
                        CancelPaymentRequestRequest.newBuilder().setId(prA.getId()).build(),
                        TransfersGrpc.getGetTransferMethod().getFullMethodName(), GetTransferRequest.newBuilder().setId(sent.getId()).build(),
                        TransfersGrpc.getBumpFeeMethod().getFullMethodName(), BumpFeeRequest.newBuilder().setId(sent.getId()).build(),
                        TransfersGrpc.getApproveTransferMethod().getFullMethodName(), ApproveTransferRequest.newBuilder().setId(waiting.getId()).build(),
                        TransfersGrpc.getRejectTransferMethod().getFullMethodName(), RejectTransferRequest.newBuilder().setId(waiting.getId()).build(),
                        EventsGrpc.getRedeliverEventMethod().getFullMethodName(), RedeliverEventRequest.newBuilder().setEventId(eventA).build(),
                        TransfersGrpc.getCreateTransferMethod().getFullMethodName(), CreateTransferRequest.newBuilder().setAsset("bitcoin/BTC")
                                .setDestination(dest).setAmount("1000").setIdempotencyKey("refund-of-a").setRefundOfPaymentRequestId(prA.getId()).build());

                Map<String, io.coffer.core.tenant.Scope> scopes = Scopes.table();
                List<String> checked = new ArrayList<>();
                for (ServiceDescriptor sd : MERCHANT) {
                    for (MethodDescriptor<?, ?> md : sd.getMethods()) {
                        String name = md.getFullMethodName();
                        Scope needed = Scope.valueOf("SCOPE_" + scopes.get(name).name());
                        Message request = aimedAtA.getOrDefault(name, prototype(md));
                        assertEquals(Status.Code.UNAUTHENTICATED, call(ch, md, request, null), name + " without a key");
                        assertEquals(Status.Code.UNAUTHENTICATED, call(ch, md, request, bearer("ck_not-a-key")), name + " with a bad key");
                        assertEquals(Status.Code.PERMISSION_DENIED, call(ch, md, request, lacking.get(needed)), name + " without " + needed);
                        if (aimedAtA.containsKey(name)) {
                            assertEquals(Status.Code.NOT_FOUND, call(ch, md, request, keyB), name + " on tenant A's object with tenant B's key");
                        }
                        checked.add(name);
                    }
                }
                assertEquals(scopes.keySet(), Set.copyOf(checked), "every RPC has a scope, and every scoped RPC was checked");

                // Reads through tenant B's key hold none of A's data.
                var walletB = WalletGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(keyB));
                assertEquals("0", walletB.getBalance(GetBalanceRequest.newBuilder().setAsset("bitcoin/BTC").build()).getConfirmed());
                String seenByB = walletB.listHistory(io.coffer.proto.v1.ListHistoryRequest.getDefaultInstance()).toString()
                        + walletB.listDepositAddresses(io.coffer.proto.v1.ListDepositAddressesRequest.getDefaultInstance())
                        + walletB.listBalances(io.coffer.proto.v1.ListBalancesRequest.getDefaultInstance())
                        + PaymentsGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(keyB))
                                .listPaymentRequests(io.coffer.proto.v1.ListPaymentRequestsRequest.getDefaultInstance())
                        + TransfersGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(keyB))
                                .listTransfers(io.coffer.proto.v1.ListTransfersRequest.getDefaultInstance())
                        + EventsGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(keyB))
                                .listEvents(ListEventsRequest.getDefaultInstance())
                        + EventsGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(keyB))
                                .listWebhookDeliveries(io.coffer.proto.v1.ListWebhookDeliveriesRequest.getDefaultInstance());
                for (String secretOfA : List.of(addressA, prA.getId(), prA.getAddress(), waiting.getId(), sent.getId(), sent.getTxid(), eventA, a)) {
                    assertFalse(seenByB.contains(secretOfA), "tenant B sees " + secretOfA);
                }
                assertEquals(Status.Code.NOT_FOUND, call(ch, EventsGrpc.getGetWebhookMethod(), io.coffer.proto.v1.GetWebhookRequest
                        .getDefaultInstance(), keyB), "B has no webhook; A's is not shown");
                // A's own admin key may approve A's transfer: the matrix above refused B, not the capability.
                assertEquals(Status.Code.OK, call(ch, TransfersGrpc.getApproveTransferMethod(),
                        ApproveTransferRequest.newBuilder().setId(waiting.getId()).build(), approverA));

                // The Admin service is the operator's: no API key, even one with the admin scope, gets in.
                for (MethodDescriptor<?, ?> md : AdminGrpc.getServiceDescriptor().getMethods()) {
                    assertEquals(Status.Code.UNAUTHENTICATED, call(ch, md, prototype(md), null), md.getFullMethodName() + " without a token");
                    assertEquals(Status.Code.UNAUTHENTICATED, call(ch, md, prototype(md), keyA), md.getFullMethodName() + " with an API key");
                }
            } finally {
                ch.shutdownNow();
            }
        }
    }
}
