package io.coffer.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.ErrorInfo;
import io.coffer.proto.v1.AdminApproveTransferRequest;
import io.coffer.proto.v1.Alert;
import io.coffer.proto.v1.AlertKind;
import io.coffer.proto.v1.AssetLimits;
import io.coffer.proto.v1.CreateApiKeyRequest;
import io.coffer.proto.v1.CreateDepositAddressRequest;
import io.coffer.proto.v1.CreateTenantRequest;
import io.coffer.proto.v1.CreateTransferRequest;
import io.coffer.proto.v1.GetBalanceRequest;
import io.coffer.proto.v1.ListAlertsRequest;
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
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bitcoinj.base.BitcoinNetwork;
import org.bitcoinj.base.SegwitAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The anomaly rules on a real node (bitcoind): a transfer to a never-paid address above the tenant's threshold, and one to a
 * look-alike of an address it paid (a valid regtest address ground to share the paid one's first and last four characters),
 * each held for approval with its reason and an ANOMALY alert, and sent by an operator's approval; a burst of failed
 * authentications with one API key locks it (even its right secret) and raises an AUTH_FAILURES alert; a day far above the
 * tenant's usual volume (its history made over three days of a dev node whose clock is set ahead) is held.
 */
@WithDevnet
class AnomalyIT {
    @TempDir
    Path dir;

    private static Metadata bearer(String secret) {
        Metadata m = new Metadata();
        m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + secret);
        return m;
    }

    /** A valid regtest P2WPKH address other than {@code paid} with the same first and last four characters after "bcrt1q". */
    static String lookAlike(String paid) {
        SegwitAddress p = (SegwitAddress) org.bitcoinj.base.AddressParser.getDefault(BitcoinNetwork.REGTEST).parseAddress(paid);
        byte[] program = p.getWitnessProgram().clone();
        String head = paid.substring(6, 10);
        String tail = paid.substring(paid.length() - 4);
        SecureRandom random = new SecureRandom();
        byte[] tailBytes = new byte[program.length - 3];
        for (int i = 0; i < 50_000_000; i++) { // about 2^20 tries expected: the last four characters are checksum
            random.nextBytes(tailBytes);
            System.arraycopy(tailBytes, 0, program, 3, tailBytes.length); // the first 3 bytes hold the first four characters
            String candidate = SegwitAddress.fromProgram(BitcoinNetwork.REGTEST, 0, program).toString();
            if (candidate.endsWith(tail) && candidate.startsWith("bcrt1q" + head) && !candidate.equals(paid)) {
                return candidate;
            }
        }
        throw new AssertionError("no look-alike found");
    }

    private static String reason(StatusRuntimeException e) throws Exception {
        return StatusProto.fromThrowable(e).getDetails(0).unpack(ErrorInfo.class).getReason();
    }

    @Test
    void heldTransfersWaitForAnOperatorAndAKeyUnderAttackIsLocked(BitcoindNode btc, AnvilNode anvil) throws Exception {
        if (btc.height() < 110) {
            btc.mine(110);
        }
        try (CofferNode node = CofferNode.start(ApiTests.devConfig(dir, btc, anvil, "", ""))) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            try {
                var admin = ApiTests.operator(ch, dir.resolve("data"));
                String tenant = admin.createTenant(CreateTenantRequest.newBuilder().setName("shop").build()).getId();
                String secret = admin.createApiKey(CreateApiKeyRequest.newBuilder().setTenantId(tenant).addScopes(Scope.SCOPE_READ)
                        .addScopes(Scope.SCOPE_PAYMENTS).addScopes(Scope.SCOPE_TRANSFERS).build()).getSecret();
                var auth = MetadataUtils.newAttachHeadersInterceptor(bearer(secret));
                var wallet = WalletGrpc.newBlockingStub(ch).withInterceptors(auth);
                var transfers = TransfersGrpc.newBlockingStub(ch).withInterceptors(auth);
                for (int i = 0; i < 3; i++) {
                    btc.minerWallet("sendtoaddress", wallet.createDepositAddress(CreateDepositAddressRequest.newBuilder()
                            .setAsset("bitcoin/BTC").build()).getAddress(), "0.5");
                }
                btc.mine(1);
                ApiTests.await("funds", () -> wallet.getBalance(GetBalanceRequest.newBuilder().setAsset("bitcoin/BTC").build())
                        .getConfirmed().equals("150000000"));
                admin.setTransferPolicy(SetTransferPolicyRequest.newBuilder().setPolicy(TransferPolicy.newBuilder().setTenantId(tenant)
                        .setHoldLookalikeDestinations(true).addLimits(AssetLimits.newBuilder().setAsset("bitcoin/BTC")
                                .setNewDestinationAbove("20000000"))).build());

                // Small to a new address: sent, and the address is known from now on.
                String supplier = btc.minerWallet("getnewaddress", "", "bech32").asText();
                assertEquals(TransferStatus.TRANSFER_STATUS_BROADCAST, transfers.createTransfer(CreateTransferRequest.newBuilder()
                        .setAsset("bitcoin/BTC").setDestination(supplier).setAmount("1000000").setIdempotencyKey("first").build()).getStatus());
                // Above the threshold to a never-paid address: held, with the reason.
                Transfer fresh = transfers.createTransfer(CreateTransferRequest.newBuilder().setAsset("bitcoin/BTC")
                        .setDestination(btc.minerWallet("getnewaddress", "", "bech32").asText()).setAmount("30000000")
                        .setIdempotencyKey("fresh").build());
                assertEquals(TransferStatus.TRANSFER_STATUS_AWAITING_APPROVAL, fresh.getStatus());
                assertTrue(fresh.getHoldReason().startsWith("new destination: 30000000 bitcoin/BTC"), fresh.getHoldReason());
                // A look-alike of the supplier's address, even small: held.
                String poison = lookAlike(supplier);
                Transfer poisoned = transfers.createTransfer(CreateTransferRequest.newBuilder().setAsset("bitcoin/BTC").setDestination(poison)
                        .setAmount("1000").setIdempotencyKey("poison").build());
                assertEquals(TransferStatus.TRANSFER_STATUS_AWAITING_APPROVAL, poisoned.getStatus());
                assertTrue(poisoned.getHoldReason().contains("look-alike destination: " + poison + " resembles " + supplier),
                        poisoned.getHoldReason());
                List<Alert> anomalies = admin.listAlerts(ListAlertsRequest.getDefaultInstance()).getAlertsList().stream()
                        .filter(a -> a.getKind() == AlertKind.ALERT_KIND_ANOMALY).toList();
                assertEquals(List.of(fresh.getId(), poisoned.getId()), anomalies.stream().map(a -> a.getDetailsOrThrow("destination")
                        .equals(poison) ? poisoned.getId() : fresh.getId()).toList());
                assertTrue(anomalies.get(0).getDetailsOrThrow("rule 1").startsWith("new destination"), anomalies.toString());

                // The operator who looked at it approves: sent.
                Transfer sent = admin.approveTransfer(AdminApproveTransferRequest.newBuilder().setTenantId(tenant).setTransferId(fresh.getId())
                        .build());
                assertEquals(TransferStatus.TRANSFER_STATUS_BROADCAST, sent.getStatus());
                assertEquals(List.of("breakglass"), sent.getApprovedByList());

                // Ten wrong secrets for the key within five minutes: locked, even for its right secret; an alert names it.
                String keyId = secret.substring(0, secret.indexOf('_', 3));
                var guessing = WalletGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(keyId + "_guess")));
                for (int i = 0; i < 10; i++) {
                    StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                            () -> guessing.getBalance(GetBalanceRequest.newBuilder().setAsset("bitcoin/BTC").build()));
                    assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
                }
                StatusRuntimeException locked = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                        () -> wallet.getBalance(GetBalanceRequest.newBuilder().setAsset("bitcoin/BTC").build()));
                assertEquals("KEY_LOCKED", reason(locked));
                assertTrue(admin.listAlerts(ListAlertsRequest.getDefaultInstance()).getAlertsList().stream()
                        .anyMatch(a -> a.getKind() == AlertKind.ALERT_KIND_AUTH_FAILURES && a.getSubject().equals("ak_" + keyId.substring(3))),
                        "an alert names the key");
            } finally {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * The velocity rule on a real node: a dev node's clock set ahead a day at each restart (coffer.node.dev-clock-offset) gives
     * the tenant two days of 0.01 BTC; a third day's 0.05 BTC is over three times its average day and waits for approval.
     */
    @Test
    void aDayFarAboveTheTenantsUsualVolumeWaitsForApproval(BitcoindNode btc, AnvilNode anvil) throws Exception {
        if (btc.height() < 110) {
            btc.mine(110);
        }
        String tenant = null;
        String secret = null;
        String payee = btc.minerWallet("getnewaddress", "", "bech32").asText();
        for (int day = 0; day <= 2; day++) {
            Path file = dir.resolve("coffer.yaml");
            java.nio.file.Files.writeString(file, io.coffer.testkit.Devnet.nodeYaml(dir.resolve("data"), btc.rpcUrl(), anvil.rpcUrl(), true)
                    .replace("    dev-mode: true\n", "    dev-mode: true\n    dev-clock-offset: " + day + "d\n"));
            try (CofferNode node = CofferNode.start(NodeConfiguration.load(file, java.util.Map.of()))) {
                ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
                try {
                    var admin = ApiTests.operator(ch, dir.resolve("data"));
                    if (tenant == null) {
                        tenant = admin.createTenant(CreateTenantRequest.newBuilder().setName("steady shop").build()).getId();
                        secret = admin.createApiKey(CreateApiKeyRequest.newBuilder().setTenantId(tenant).addScopes(Scope.SCOPE_READ)
                                .addScopes(Scope.SCOPE_PAYMENTS).addScopes(Scope.SCOPE_TRANSFERS).build()).getSecret();
                        var wallet = WalletGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(secret)));
                        for (int i = 0; i < 3; i++) {
                            btc.minerWallet("sendtoaddress", wallet.createDepositAddress(CreateDepositAddressRequest.newBuilder()
                                    .setAsset("bitcoin/BTC").build()).getAddress(), "0.5");
                        }
                        btc.mine(1);
                        ApiTests.await("funds", () -> wallet.getBalance(GetBalanceRequest.newBuilder().setAsset("bitcoin/BTC").build())
                                .getConfirmed().equals("150000000"));
                        admin.setTransferPolicy(SetTransferPolicyRequest.newBuilder().setPolicy(TransferPolicy.newBuilder().setTenantId(tenant)
                                .setVelocityFactor(3)).build());
                    }
                    var transfers = TransfersGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(secret)));
                    Transfer t = transfers.createTransfer(CreateTransferRequest.newBuilder().setAsset("bitcoin/BTC").setDestination(payee)
                            .setAmount(day < 2 ? "1000000" : "5000000").setIdempotencyKey("day-" + day).build());
                    if (day < 2) {
                        assertEquals(TransferStatus.TRANSFER_STATUS_BROADCAST, t.getStatus(), "day " + day + ": " + t.getHoldReason());
                        btc.mine(1);
                    } else {
                        assertEquals(TransferStatus.TRANSFER_STATUS_AWAITING_APPROVAL, t.getStatus());
                        assertTrue(t.getHoldReason().startsWith("velocity: 5000000 bitcoin/BTC in 24 hours, over 3 times the average day of 1000000"),
                                t.getHoldReason());
                    }
                } finally {
                    ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                }
            }
        }
    }
}
