package io.coffer.api;

import static io.coffer.api.ApiTests.bearer;
import static io.coffer.api.ApiTests.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.coffer.core.CofferSchema;
import io.coffer.core.store.Batch;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import io.coffer.core.transfer.TenantTransfer;
import io.coffer.core.transfer.TransferTables;
import io.coffer.proto.v1.CreateApiKeyRequest;
import io.coffer.proto.v1.CreateDepositAddressRequest;
import io.coffer.proto.v1.CreateTenantRequest;
import io.coffer.proto.v1.CreateTransferRequest;
import io.coffer.proto.v1.GetBalanceRequest;
import io.coffer.proto.v1.GetTransferRequest;
import io.coffer.proto.v1.Scope;
import io.coffer.proto.v1.Tenant;
import io.coffer.proto.v1.Transfer;
import io.coffer.proto.v1.TransferStatus;
import io.coffer.proto.v1.TransfersGrpc;
import io.coffer.proto.v1.WalletGrpc;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.WithDevnet;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A transfer the node stored but had not sent when it stopped (the crash window between the two writes) is sent at the next
 * start, once: a client retry with its key and further restarts never make a second payment.
 */
@WithDevnet
class TransferResumeIT {
    @TempDir
    Path dir;



    @Test
    void aTransferStoredButNotSentIsSentOnceAtTheNextStart(BitcoindNode btc, AnvilNode anvil) throws Exception {
        if (btc.height() < 110) {
            btc.mine(110);
        }

        NodeConfiguration config = ApiTests.devConfig(dir, btc, anvil, "", "");
        String dest = btc.minerWallet("getnewaddress").asText();
        Tenant tenant;
        String key;
        try (CofferNode node = CofferNode.start(config)) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            try {
                var admin = ApiTests.operator(ch, dir.resolve("data"));
                tenant = admin.createTenant(CreateTenantRequest.newBuilder().setName("crashy").build());
                key = admin.createApiKey(CreateApiKeyRequest.newBuilder().setTenantId(tenant.getId()).addScopes(Scope.SCOPE_READ)
                        .addScopes(Scope.SCOPE_PAYMENTS).addScopes(Scope.SCOPE_TRANSFERS).build()).getSecret();
                var wallet = WalletGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(key)));
                btc.minerWallet("sendtoaddress", wallet.createDepositAddress(CreateDepositAddressRequest.newBuilder().setAsset("bitcoin/BTC")
                        .build()).getAddress(), "1.0");
                btc.mine(1);
                await("funds", () -> wallet.getBalance(GetBalanceRequest.newBuilder().setAsset("bitcoin/BTC").build()).getConfirmed()
                        .equals("100000000"));
            } finally {
                ch.shutdownNow();
            }
        }
        // The first write of CreateTransfer, as a crash right after it leaves it: the transfer, its key, its indexes (by time; as
        // stored but not sent, which the start reads); no withdrawal.
        Instant now = Instant.now();
        TenantTransfer stored = new TenantTransfer("tr_00c0ffee00c0ffee", tenant.getId(), tenant.getAccountIndex(), "bitcoin/BTC", dest,
                BigInteger.valueOf(1_000_000), io.coffer.core.transfer.FeePriority.NORMAL, java.util.Optional.empty(), "", "", "crash-1", "ak_gone", List.of(), TenantTransfer.State.SUBMITTING, "", "",
                now, now);
        try (Store store = LevelDbStore.open(dir.resolve("data"), CofferSchema.current())) {
            Batch b = store.batch();
            b.put(TransferTables.TRANSFERS, stored.id(), stored);
            b.put(TransferTables.TRANSFER_KEYS, new io.coffer.core.tenant.TenantTables.TenantKey(tenant.getId(), "crash-1"), stored.id());
            b.put(TransferTables.TRANSFERS_BY_TENANT, new io.coffer.core.tenant.TenantTables.TenantTime(tenant.getId(), now.toEpochMilli(), stored.id()), "");
            b.put(TransferTables.SUBMITTING, stored.id(), "");
            b.commit();
        }
        String txid;
        CreateTransferRequest retry = CreateTransferRequest.newBuilder().setAsset("bitcoin/BTC").setDestination(dest).setAmount("1000000")
                .setIdempotencyKey("crash-1").build();
        for (int run = 0; run < 2; run++) {
            try (CofferNode node = CofferNode.start(config)) {
                ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
                try {
                    var transfers = TransfersGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(key)));
                    await("the resumed transfer broadcast", () -> transfers.getTransfer(GetTransferRequest.newBuilder().setId(stored.id())
                            .build()).getStatus() == TransferStatus.TRANSFER_STATUS_BROADCAST);
                    Transfer again = transfers.createTransfer(retry);
                    assertEquals(stored.id(), again.getId(), "the client's retry is the stored transfer");
                    txid = again.getTxid();
                    assertFalse(txid.isEmpty());
                    assertEquals(1, btc.rpc("getrawmempool").size(), "one transaction, whatever the restarts");
                } finally {
                    ch.shutdownNow();
                }
            }
        }
        btc.mine(1);
        assertEquals(0, new BigDecimal("0.01").compareTo(new BigDecimal(btc.minerWallet("getreceivedbyaddress", dest, 1).asText())),
                "paid exactly once");
    }
}
