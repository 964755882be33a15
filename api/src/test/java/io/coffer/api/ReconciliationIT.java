package io.coffer.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.ErrorInfo;
import io.coffer.chain.bitcoin.BitcoinTransactionFactory;
import io.coffer.chain.evm.EvmRpcClient;
import io.coffer.chain.evm.EvmTransactionFactory;
import io.coffer.core.CofferSchema;
import io.coffer.core.audit.AuditLog;
import io.coffer.core.chain.AddressInfo;
import io.coffer.core.chain.ChainTables;
import io.coffer.core.chain.Deposit;
import io.coffer.core.chain.DepositStatus;
import io.coffer.core.config.EvmChainConfig;
import io.coffer.core.custody.AccountScheme;
import io.coffer.core.custody.Vault;
import io.coffer.core.store.KeyWriter;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import io.coffer.core.transfer.AccountWithdrawalService;
import io.coffer.core.transfer.TransactionFactory;
import io.coffer.proto.v1.AckAlertRequest;
import io.coffer.proto.v1.Alert;
import io.coffer.proto.v1.AlertKind;
import io.coffer.proto.v1.CreateApiKeyRequest;
import io.coffer.proto.v1.CreateDepositAddressRequest;
import io.coffer.proto.v1.CreateTenantRequest;
import io.coffer.proto.v1.CreateTransferRequest;
import io.coffer.proto.v1.GetBalanceRequest;
import io.coffer.proto.v1.ListAlertsRequest;
import io.coffer.proto.v1.Scope;
import io.coffer.proto.v1.Tenant;
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
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Continuous reconciliation on real nodes: the chain changed behind the node's back — with the node stopped, the test opens
 * the wallet it created (the dev seed) and spends one of the wallet's Bitcoin coins and sends ETH from a tenant's hot address,
 * signing outside Coffer — and once the node has followed the new blocks, each chain has a RECONCILIATION alert with the exact
 * rows, its transfers are refused (CHAIN_PAUSED) while the other chain's are not, an acknowledgement resumes them and the same
 * rows are not raised again.
 */
@WithDevnet
class ReconciliationIT {
    @TempDir
    Path dir;

    private static Metadata bearer(String secret) {
        Metadata m = new Metadata();
        m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + secret);
        return m;
    }

    private NodeConfiguration config(BitcoindNode btc, AnvilNode anvil) throws java.io.IOException {
        return ApiTests.devConfig(dir, btc, anvil, "      confirmations: 1\n      poll-interval: 200ms\n      sweep-threshold: 1000000000000000\n",
                "  reconciliation:\n    every-blocks: 1\n");
    }

    private static java.math.BigInteger ethBalance(AnvilNode anvil, String address) {
        return new java.math.BigInteger(anvil.rpc("eth_getBalance", address, "latest").asText().substring(2), 16);
    }

    private static String reason(StatusRuntimeException e) throws Exception {
        return StatusProto.fromThrowable(e).getDetails(0).unpack(ErrorInfo.class).getReason();
    }

    @Test
    void spendsOutsideCofferRaiseAnAlertPerChainPauseItsTransfersUntilAcknowledged(BitcoindNode btc, AnvilNode anvil) throws Exception {
        if (btc.height() < 110) {
            btc.mine(110);
        }
        Path data = dir.resolve("data");
        Tenant tenant;
        String apiKey;
        String hot;
        try (CofferNode node = CofferNode.start(config(btc, anvil))) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            try {
                var admin = ApiTests.operator(ch, data);
                tenant = admin.createTenant(CreateTenantRequest.newBuilder().setName("shop").build());
                apiKey = admin.createApiKey(CreateApiKeyRequest.newBuilder().setTenantId(tenant.getId()).addScopes(Scope.SCOPE_READ)
                        .addScopes(Scope.SCOPE_PAYMENTS).addScopes(Scope.SCOPE_TRANSFERS).build()).getSecret();
                var wallet = WalletGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(apiKey)));
                for (int i = 0; i < 2; i++) {
                    btc.minerWallet("sendtoaddress", wallet.createDepositAddress(CreateDepositAddressRequest.newBuilder()
                            .setAsset("bitcoin/BTC").build()).getAddress(), "0.5");
                }
                btc.mine(1);
                String ethDeposit = wallet.createDepositAddress(CreateDepositAddressRequest.newBuilder().setAsset("ethereum/ETH").build())
                        .getAddress();
                anvil.send(ethDeposit, BigInteger.TEN.pow(18));
                hot = NodeParts.evm(node, "ethereum").orElseThrow().withdrawals().hotAddress(tenant.getAccountIndex());
                String hotAddress = hot;
                ApiTests.await("two coins confirmed and the ETH swept to the hot address", () -> {
                    anvil.mine(1);
                    return wallet.getBalance(GetBalanceRequest.newBuilder().setAsset("bitcoin/BTC").build()).getConfirmed().equals("100000000")
                            && ethBalance(anvil, hotAddress).signum() > 0
                            && wallet.getBalance(GetBalanceRequest.newBuilder().setAsset("ethereum/ETH").build()).getPendingOutgoing().equals("0");
                });
                assertTrue(admin.listAlerts(ListAlertsRequest.getDefaultInstance()).getAlertsList().isEmpty(), "a healthy node: no alert");
            } finally {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }

        // Behind the node's back: the wallet's keys, from the seed this test's dev node created, used outside Coffer.
        String minerAddress = btc.minerWallet("getnewaddress").asText();
        String spentCoin;
        String btcTxid;
        String ethTxid;
        EvmChainConfig evm = (EvmChainConfig) NodeConfiguration.load(dir.resolve("coffer.yaml"), java.util.Map.of()).coffer().chains()
                .stream().filter(c -> c instanceof EvmChainConfig).findFirst().orElseThrow();
        try (Store store = LevelDbStore.openAndUpgrade(data, CofferSchema.current())) {
            Vault vault = new Vault(store, data, new AuditLog(store, Clock.systemUTC()));
            vault.unsealWithPassphrase(Files.readString(data.resolve("dev-unseal.passphrase")).strip().toCharArray(), "test");
            Deposit coin = store.list(ChainTables.DEPOSITS, ChainTables.DEPOSITS.prefix(KeyWriter.key().string("bitcoin").build()),
                    Integer.MAX_VALUE).stream().map(e -> e.getValue()).filter(d -> d.account() == tenant.getAccountIndex()
                    && d.status().isConfirmed()).findFirst().orElseThrow();
            AddressInfo at = store.get(ChainTables.ADDRESSES, new ChainTables.ChainAddress("bitcoin", coin.address())).orElseThrow();
            var path = AccountScheme.byId(at.scheme()).accountPath(at.account()).child(at.change()).child(at.index());
            var built = new BitcoinTransactionFactory(org.bitcoinj.base.BitcoinNetwork.REGTEST).build(List.of(new TransactionFactory.Input(
                    coin.id(), coin.amount(), path)), minerAddress, coin.amount().subtract(BigInteger.valueOf(5_000)), null, BigInteger.ZERO,
                    vault.signer());
            btcTxid = btc.rpc("sendrawtransaction", HexFormat.of().formatHex(built.raw())).asText();
            spentCoin = coin.id().toString();

            EvmRpcClient rpc = new EvmRpcClient(evm);
            EvmTransactionFactory factory = new EvmTransactionFactory(rpc, evm);
            byte[] r = new byte[20];
            new java.security.SecureRandom().nextBytes(r);
            var tx = new AccountWithdrawalService.Tx("ethereum/ETH", hot, AccountScheme.EVM.accountPath(tenant.getAccountIndex()).child(1).child(0),
                    "0x" + HexFormat.of().formatHex(r), BigInteger.TEN.pow(16), factory.minedNonce(hot), 21_000, factory.fees());
            ethTxid = anvil.sendRaw(factory.build(tx, vault.signer()).raw());
            vault.close();
        }
        btc.mine(1);
        anvil.mine(1);

        try (CofferNode node = CofferNode.start(config(btc, anvil))) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            try {
                var admin = ApiTests.operator(ch, data);
                var transfers = TransfersGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(apiKey)));
                Alert[] found = new Alert[2];
                ApiTests.await("an alert per chain", () -> {
                    for (Alert a : admin.listAlerts(ListAlertsRequest.getDefaultInstance()).getAlertsList()) {
                        if (a.getKind() == AlertKind.ALERT_KIND_RECONCILIATION) {
                            found[a.getSubject().equals("bitcoin") ? 0 : 1] = a;
                        }
                    }
                    return found[0] != null && found[1] != null;
                });
                assertEquals(1, found[0].getDetailsCount(), found[0].toString());
                String btcRow = found[0].getDetailsOrThrow("spent " + spentCoin);
                assertTrue(btcRow.contains("spent by " + btcTxid), btcRow);
                assertTrue(found[1].getDetailsMap().entrySet().stream().anyMatch(e -> e.getKey().startsWith("spent " + hot + ":")
                        && e.getValue().contains("spent by " + ethTxid) && e.getValue().contains("10000000000000000 ethereum/ETH")), found[1].toString());

                // Both chains paused: a transfer on either is refused before anything is written.
                for (String[] t : List.of(new String[] {"bitcoin/BTC", minerAddress, "1000000"},
                        new String[] {"ethereum/ETH", "0x" + "12".repeat(20), "1000000000000000"})) {
                    StatusRuntimeException paused = assertThrows(StatusRuntimeException.class, () -> transfers.createTransfer(CreateTransferRequest
                            .newBuilder().setAsset(t[0]).setDestination(t[1]).setAmount(t[2]).setIdempotencyKey("paused-" + t[0]).build()));
                    assertEquals(Status.Code.FAILED_PRECONDITION, paused.getStatus().getCode());
                    assertEquals("CHAIN_PAUSED", reason(paused));
                }

                // Acknowledged: bitcoin resumes (ethereum stays paused), and the same rows are not raised again.
                admin.ackAlert(AckAlertRequest.newBuilder().setId(found[0].getId()).setNote("our own cold-wallet sweep").build());
                assertFalse(transfers.createTransfer(CreateTransferRequest.newBuilder().setAsset("bitcoin/BTC").setDestination(minerAddress)
                        .setAmount("1000000").setIdempotencyKey("after-ack").build()).getId().isEmpty());
                assertEquals("CHAIN_PAUSED", reason(assertThrows(StatusRuntimeException.class, () -> transfers.createTransfer(
                        CreateTransferRequest.newBuilder().setAsset("ethereum/ETH").setDestination("0x" + "12".repeat(20))
                                .setAmount("1000000000000000").setIdempotencyKey("still-paused").build()))));
                // Compared again now (as every N blocks): the accepted rows raise nothing.
                var reconciler = node.chains().reconciler().orElseThrow();
                assertTrue(reconciler.run(node.chains().module("bitcoin").orElseThrow()).isEmpty(), "accepted rows are not raised again");
                assertTrue(reconciler.run(node.chains().module("ethereum").orElseThrow()).isPresent(), "the unacknowledged chain still differs");
                assertTrue(admin.listAlerts(ListAlertsRequest.getDefaultInstance()).getAlertsList().stream()
                        .noneMatch(a -> a.getSubject().equals("bitcoin")));
                var audit = admin.listAuditLog(io.coffer.proto.v1.ListAuditLogRequest.newBuilder().setLimit(500).build()).getEntriesList();
                assertTrue(audit.stream().anyMatch(e -> e.getAction().equals("alert.ack") && e.getSubject().equals(Long.toString(found[0].getId()))
                        && e.getActor().equals("breakglass")));
            } finally {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }
}
