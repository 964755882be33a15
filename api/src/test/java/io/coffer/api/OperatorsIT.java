package io.coffer.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.rpc.ErrorInfo;
import io.coffer.api.grpc.AdminAccess;
import io.coffer.core.operator.OperatorKeyFile;
import io.coffer.core.operator.OperatorRole;
import io.coffer.core.operator.OperatorService;
import io.coffer.core.operator.Totp;
import io.coffer.proto.v1.AddOperatorRequest;
import io.coffer.proto.v1.AdminApproveTransferRequest;
import io.coffer.proto.v1.AdminGrpc;
import io.coffer.proto.v1.AssetLimits;
import io.coffer.proto.v1.ConfirmTotpRequest;
import io.coffer.proto.v1.CreateApiKeyRequest;
import io.coffer.proto.v1.CreateDepositAddressRequest;
import io.coffer.proto.v1.CreateTenantRequest;
import io.coffer.proto.v1.CreateTransferRequest;
import io.coffer.proto.v1.DisableOperatorRequest;
import io.coffer.proto.v1.EnrollTotpRequest;
import io.coffer.proto.v1.GetBalanceRequest;
import io.coffer.proto.v1.ListAuditLogRequest;
import io.coffer.proto.v1.ListOperatorsRequest;
import io.coffer.proto.v1.ListTenantsRequest;
import io.coffer.proto.v1.Scope;
import io.coffer.proto.v1.SetTransferPolicyRequest;
import io.coffer.proto.v1.Transfer;
import io.coffer.proto.v1.TransferPolicy;
import io.coffer.proto.v1.TransferStatus;
import io.coffer.proto.v1.TransfersGrpc;
import io.coffer.proto.v1.WalletGrpc;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.WithDevnet;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Named operators on a running node: added by break-glass and by a quorum of admins; every Admin RPC called by each role
 * (allowed or PERMISSION_DENIED ROLE_MISSING, as {@link AdminAccess} and the README say); the second factor asked where the
 * rules ask it, a code good once (the next steps used in turn, no waiting); an approver's TOTP approval sending a transfer;
 * audit entries naming the operator, break-glass calls audited; a disabled operator and a replayed signature refused.
 */
@WithDevnet
class OperatorsIT {
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> TOTP = Metadata.Key.of("x-coffer-totp", Metadata.ASCII_STRING_MARSHALLER);
    private final SecureRandom random = new SecureRandom();

    @TempDir
    Path dir;

    /** An operator as its CLI would be: a name and a key; {@link #admin} signs each call with a fresh nonce. */
    private final class Op {
        final String name;
        final Ed25519PrivateKeyParameters key = new Ed25519PrivateKeyParameters(random);
        byte[] totpSecret;
        long nextStep;

        Op(String name) {
            this.name = name;
        }

        byte[] publicKey() {
            return key.generatePublicKey().getEncoded();
        }

        ClientInterceptor signing(String totp) {
            return new ClientInterceptor() {
                @Override
                public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
                    return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                        @Override
                        public void start(Listener<R> listener, Metadata headers) {
                            byte[] n = new byte[16];
                            random.nextBytes(n);
                            String nonce = HexFormat.of().formatHex(n);
                            long ts = System.currentTimeMillis();
                            headers.put(AUTHORIZATION, OperatorService.authorization(name, ts, nonce,
                                    OperatorKeyFile.sign(key, name, ts, nonce, method.getFullMethodName())));
                            if (totp != null) {
                                headers.put(TOTP, totp);
                            }
                            super.start(listener, headers);
                        }
                    };
                }
            };
        }

        AdminGrpc.AdminBlockingStub admin(Channel ch) {
            return AdminGrpc.newBlockingStub(ch).withInterceptors(signing(null));
        }

        /**
         * The step of the next unused code. The node accepts the step before its now, its now and the one after, each once and in
         * increasing order; the test uses its now and the one after only (whatever step the node's clock has reached by the time
         * the call arrives, they are still in its window), so two codes in a row without waiting, and a third waits for the
         * clock to reach a new step.
         */
        long nextCodeStep() throws InterruptedException {
            while (nextStep > Totp.step(Instant.now()) + 1) {
                Thread.sleep(200); // the next code is not accepted before its step is at most one ahead of the node's clock
            }
            long step = Math.max(nextStep, Totp.step(Instant.now()));
            nextStep = step + 1;
            return step;
        }

        /** A stub whose call carries the next unused code. */
        AdminGrpc.AdminBlockingStub withTotp(Channel ch) throws InterruptedException {
            return AdminGrpc.newBlockingStub(ch).withInterceptors(signing(Totp.code(totpSecret, nextCodeStep())));
        }

        void enroll(Channel ch) throws InterruptedException {
            String uri = admin(ch).enrollTotp(EnrollTotpRequest.getDefaultInstance()).getOtpauthUri();
            totpSecret = Totp.Base32.decode(uri.replaceAll(".*[?&]secret=([A-Z2-7]+).*", "$1"));
            nextStep = 0;
            assertTrue(admin(ch).confirmTotp(ConfirmTotpRequest.newBuilder().setCode(Totp.code(totpSecret, nextCodeStep())).build())
                    .getTotpEnrolled());
        }
    }

    private static String reason(StatusRuntimeException e) throws Exception {
        var s = StatusProto.fromThrowable(e);
        return s == null || s.getDetailsCount() == 0 ? "" : s.getDetails(0).unpack(ErrorInfo.class).getReason();
    }

    private static StatusRuntimeException refused(Status.Code code, String reason, org.junit.jupiter.api.function.Executable call) throws Exception {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
        assertEquals(reason, reason(e), e.getStatus().toString());
        return e;
    }

    private static io.coffer.proto.v1.OperatorRole proto(OperatorRole r) {
        return io.coffer.proto.v1.OperatorRole.valueOf("OPERATOR_ROLE_" + r.name());
    }

    @Test
    void operatorsActByRoleWithASecondFactorAndTheAuditLogNamesThem(BitcoindNode btc, AnvilNode anvil) throws Exception {
        if (btc.height() < 110) {
            btc.mine(110);
        }
        try (CofferNode node = CofferNode.start(ApiTests.devConfig(dir, btc, anvil, "", ""))) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            try {
                var breakGlass = ApiTests.operator(ch, dir.resolve("data"));
                Op ada = new Op("ada");
                Op bo = new Op("bo");
                // Break-glass adds the first admins (as at the key ceremony), at once.
                for (Op o : List.of(ada, bo)) {
                    assertTrue(breakGlass.addOperator(AddOperatorRequest.newBuilder().setName(o.name).addRoles(proto(OperatorRole.ADMIN))
                            .setPublicKey(ByteString.copyFrom(o.publicKey())).build()).hasOperator());
                }
                assertEquals(2, ada.admin(ch).listOperators(ListOperatorsRequest.getDefaultInstance()).getOperatorsCount());

                // An admin's call that needs the second factor: refused until enrolled, then without a code, then with a used one.
                refused(Status.Code.FAILED_PRECONDITION, "TOTP_NOT_ENROLLED", () -> ada.admin(ch).addOperator(AddOperatorRequest.getDefaultInstance()));
                ada.enroll(ch);
                bo.enroll(ch);
                refused(Status.Code.UNAUTHENTICATED, "TOTP_REQUIRED", () -> ada.admin(ch).addOperator(AddOperatorRequest.getDefaultInstance()));

                // The quorum (2): ada proposes, bo's identical call adds; a differing call is not an approval.
                Op cy = new Op("cy");
                Op dee = new Op("dee");
                Op eve = new Op("eve");
                AddOperatorRequest req = AddOperatorRequest.newBuilder().setName(cy.name).addRoles(proto(OperatorRole.CUSTODIAN))
                        .setPublicKey(ByteString.copyFrom(cy.publicKey())).build();
                var proposed = ada.withTotp(ch).addOperator(req);
                assertFalse(proposed.hasOperator(), "a proposal: " + proposed);
                assertEquals(2, proposed.getNeeded());
                refused(Status.Code.FAILED_PRECONDITION, "PROPOSAL_DIFFERS", () -> bo.withTotp(ch).addOperator(req.toBuilder()
                        .addRoles(proto(OperatorRole.ADMIN)).build()));
                assertTrue(bo.withTotp(ch).addOperator(req).hasOperator());
                for (Op o : List.of(dee, eve)) {
                    breakGlass.addOperator(AddOperatorRequest.newBuilder().setName(o.name).addRoles(proto(o == dee ? OperatorRole.APPROVER
                            : OperatorRole.AUDITOR)).setPublicKey(ByteString.copyFrom(o.publicKey())).build());
                }
                String code = Totp.code(ada.totpSecret, ada.nextStep - 1);
                refused(Status.Code.UNAUTHENTICATED, "TOTP_REPLAYED", () -> AdminGrpc.newBlockingStub(ch).withInterceptors(ada.signing(code))
                        .addOperator(AddOperatorRequest.getDefaultInstance()));

                // Every Admin RPC, by every role: allowed (whatever the empty request then gets) or refused for the role.
                Map<OperatorRole, Op> byRole = Map.of(OperatorRole.ADMIN, ada, OperatorRole.CUSTODIAN, cy, OperatorRole.APPROVER, dee,
                        OperatorRole.AUDITOR, eve);
                List<String> matrix = new ArrayList<>();
                for (var m : AdminGrpc.getServiceDescriptor().getMethods()) {
                    if (m.getFullMethodName().endsWith("/Seal") || m.getFullMethodName().endsWith("/EnrollTotp")
                            || m.getFullMethodName().endsWith("/ConfirmTotp")) {
                        continue; // sealing would stop the rest of this test; the TOTP calls are each operator's own (above)
                    }
                    AdminAccess.Rule rule = AdminAccess.rule(m.getFullMethodName()).orElseThrow(() -> new AssertionError("no rule: " + m));
                    for (OperatorRole role : OperatorRole.values()) {
                        StatusRuntimeException e = call(ch, byRole.get(role), m);
                        boolean allowed = rule.allows(Set.of(role));
                        String got = e == null ? "OK" : e.getStatus().getCode() + " " + reason(e);
                        matrix.add(m.getBareMethodName() + " " + role.label() + ": " + got);
                        if (!allowed) {
                            assertEquals("PERMISSION_DENIED ROLE_MISSING", got, m.getFullMethodName() + " by " + role);
                        } else {
                            assertNotEquals("PERMISSION_DENIED ROLE_MISSING", got, m.getFullMethodName() + " by " + role);
                            if (rule.totp()) {
                                assertTrue(got.equals("FAILED_PRECONDITION TOTP_NOT_ENROLLED") || got.equals("UNAUTHENTICATED TOTP_REQUIRED"),
                                        m.getFullMethodName() + " by " + role + " without a code: " + got);
                            }
                        }
                    }
                }
                System.out.println("role x action: " + matrix.size() + " calls\n  " + String.join("\n  ", matrix));

                // An approver's approval (with its second factor) sends a transfer above the tenant's threshold.
                String tenant = ada.admin(ch).listTenants(ListTenantsRequest.getDefaultInstance()).getTenantsList().stream()
                        .findFirst().map(t -> t.getId()).orElseGet(() -> ada.admin(ch).createTenant(CreateTenantRequest.newBuilder()
                                .setName("shop").build()).getId());
                String secret = ada.withTotp(ch).createApiKey(CreateApiKeyRequest.newBuilder().setTenantId(tenant).addScopes(Scope.SCOPE_READ)
                        .addScopes(Scope.SCOPE_TRANSFERS).addScopes(Scope.SCOPE_PAYMENTS).build()).getSecret();
                Metadata bearer = new Metadata();
                bearer.put(AUTHORIZATION, "Bearer " + secret);
                var wallet = WalletGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer));
                var transfers = TransfersGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer));
                for (int i = 0; i < 2; i++) { // a coin per transfer: change is not spendable before it confirms
                    btc.minerWallet("sendtoaddress", wallet.createDepositAddress(CreateDepositAddressRequest.newBuilder().setAsset("bitcoin/BTC")
                            .build()).getAddress(), "0.5");
                }
                btc.mine(1);
                ApiTests.await("funds", () -> wallet.getBalance(GetBalanceRequest.newBuilder().setAsset("bitcoin/BTC").build())
                        .getConfirmed().equals("100000000"));
                ada.withTotp(ch).setTransferPolicy(SetTransferPolicyRequest.newBuilder().setPolicy(TransferPolicy.newBuilder()
                        .setTenantId(tenant).setApprovalQuorum(1).addLimits(AssetLimits.newBuilder().setAsset("bitcoin/BTC")
                                .setApprovalThreshold("1000000"))).build());
                Transfer big = transfers.createTransfer(CreateTransferRequest.newBuilder().setAsset("bitcoin/BTC")
                        .setDestination(btc.minerWallet("getnewaddress").asText()).setAmount("2000000").setIdempotencyKey("big").build());
                assertEquals(TransferStatus.TRANSFER_STATUS_AWAITING_APPROVAL, big.getStatus());
                refused(Status.Code.FAILED_PRECONDITION, "TOTP_NOT_ENROLLED", () -> dee.admin(ch).approveTransfer(AdminApproveTransferRequest
                        .newBuilder().setTenantId(tenant).setTransferId(big.getId()).build()));
                dee.enroll(ch);
                refused(Status.Code.UNAUTHENTICATED, "TOTP_REQUIRED", () -> dee.admin(ch).approveTransfer(AdminApproveTransferRequest.newBuilder()
                        .setTenantId(tenant).setTransferId(big.getId()).build()));
                Transfer sent = dee.withTotp(ch).approveTransfer(AdminApproveTransferRequest.newBuilder().setTenantId(tenant)
                        .setTransferId(big.getId()).build());
                assertEquals(TransferStatus.TRANSFER_STATUS_BROADCAST, sent.getStatus());
                assertEquals(List.of("op:dee"), sent.getApprovedByList());

                // A merchant's admin key bound to dee's second factor: its approval needs dee's code too.
                refused(Status.Code.INVALID_ARGUMENT, "APPROVAL_TOTP_NEEDS_ADMIN", () -> breakGlass.createApiKey(CreateApiKeyRequest.newBuilder()
                        .setTenantId(tenant).addScopes(Scope.SCOPE_READ).setApprovalsNeedTotpOf("dee").build()));
                refused(Status.Code.NOT_FOUND, "OPERATOR_NOT_FOUND", () -> breakGlass.createApiKey(CreateApiKeyRequest.newBuilder()
                        .setTenantId(tenant).addScopes(Scope.SCOPE_ADMIN).setApprovalsNeedTotpOf("nobody").build()));
                var bound = breakGlass.createApiKey(CreateApiKeyRequest.newBuilder().setTenantId(tenant).addScopes(Scope.SCOPE_READ)
                        .addScopes(Scope.SCOPE_ADMIN).setApprovalsNeedTotpOf("dee").build());
                assertEquals("dee", bound.getKey().getApprovalsNeedTotpOf());
                Transfer big2 = transfers.createTransfer(CreateTransferRequest.newBuilder().setAsset("bitcoin/BTC")
                        .setDestination(btc.minerWallet("getnewaddress").asText()).setAmount("2000000").setIdempotencyKey("big-2").build());
                Metadata boundKey = new Metadata();
                boundKey.put(AUTHORIZATION, "Bearer " + bound.getSecret());
                var boundTransfers = TransfersGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(boundKey));
                refused(Status.Code.UNAUTHENTICATED, "TOTP_REQUIRED", () -> boundTransfers.approveTransfer(io.coffer.proto.v1.ApproveTransferRequest
                        .newBuilder().setId(big2.getId()).build()));
                refused(Status.Code.UNAUTHENTICATED, "TOTP_REQUIRED", () -> io.coffer.proto.v1.EventsGrpc.newBlockingStub(ch)
                        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(boundKey)).setWebhook(io.coffer.proto.v1.SetWebhookRequest
                                .newBuilder().setUrl("https://attacker.example/hook").build()));
                Metadata withCode = new Metadata();
                withCode.put(TOTP, Totp.code(dee.totpSecret, dee.nextCodeStep()));
                assertEquals(TransferStatus.TRANSFER_STATUS_BROADCAST, boundTransfers.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(
                        withCode)).approveTransfer(io.coffer.proto.v1.ApproveTransferRequest.newBuilder().setId(big2.getId()).build()).getStatus());

                // The audit log names each operator; break-glass calls are audited as such.
                var audit = eve.admin(ch).listAuditLog(ListAuditLogRequest.newBuilder().setLimit(500).build()).getEntriesList();
                assertTrue(audit.stream().anyMatch(a -> a.getAction().equals("operator.add") && a.getSubject().equals("cy")
                        && a.getActor().equals("op:bo")), "added by the quorum's last admin");
                assertTrue(audit.stream().anyMatch(a -> a.getAction().equals("operator.propose") && a.getActor().equals("op:ada")));
                assertTrue(audit.stream().anyMatch(a -> a.getAction().equals("policy.updated") && a.getActor().equals("op:ada")));
                assertTrue(audit.stream().anyMatch(a -> a.getAction().equals("transfer.approved") && a.getActor().equals("op:dee")));
                assertTrue(audit.stream().anyMatch(a -> a.getAction().equals("breakglass.call") && a.getActor().equals("breakglass")
                        && a.getSubject().equals("coffer.v1.Admin/AddOperator")));
                assertTrue(audit.stream().anyMatch(a -> a.getAction().equals("operator.totp.failed") && a.getSubject().equals("ada")));

                // A replayed signature, and a disabled operator, are refused before anything else.
                Metadata once = new Metadata();
                long ts = System.currentTimeMillis();
                String nonce = "replayed-nonce-0123456789";
                once.put(AUTHORIZATION, OperatorService.authorization("eve", ts, nonce, OperatorKeyFile.sign(eve.key, "eve", ts, nonce,
                        AdminGrpc.getListOperatorsMethod().getFullMethodName())));
                var replaying = AdminGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(once));
                replaying.listOperators(ListOperatorsRequest.getDefaultInstance());
                refused(Status.Code.UNAUTHENTICATED, "CREDENTIALS_INVALID", () -> replaying.listOperators(ListOperatorsRequest.getDefaultInstance()));
                ada.withTotp(ch).disableOperator(DisableOperatorRequest.newBuilder().setName("eve").build());
                refused(Status.Code.UNAUTHENTICATED, "CREDENTIALS_INVALID", () -> eve.admin(ch).listOperators(ListOperatorsRequest.getDefaultInstance()));
            } finally {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    /** Calls {@code m} as {@code op} with an empty request; the refusal, or null when it answered. */
    @SuppressWarnings("unchecked")
    private static StatusRuntimeException call(Channel ch, Op op, MethodDescriptor<?, ?> m) {
        MethodDescriptor<Message, Message> method = (MethodDescriptor<Message, Message>) m;
        Message empty = (Message) ((MethodDescriptor.PrototypeMarshaller<?>) method.getRequestMarshaller()).getMessagePrototype();
        Channel signed = io.grpc.ClientInterceptors.intercept(ch, op.signing(null));
        try {
            if (method.getType() == MethodDescriptor.MethodType.SERVER_STREAMING) {
                // StreamAlerts stays open: allowed, it runs until the deadline; refused, it ends at once with ROLE_MISSING.
                long seconds = method.getFullMethodName().endsWith("/StreamAlerts") ? 2 : 20;
                var it = ClientCalls.blockingServerStreamingCall(signed, method, CallOptions.DEFAULT.withDeadlineAfter(seconds, TimeUnit.SECONDS), empty);
                while (it.hasNext()) {
                    it.next();
                }
            } else {
                ClientCalls.blockingUnaryCall(signed, method, CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), empty);
            }
            return null;
        } catch (StatusRuntimeException e) {
            return e;
        }
    }
}
