package io.coffer.api;

import static io.coffer.api.ApiTests.bearer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.ErrorInfo;
import io.coffer.proto.v1.CreateApiKeyRequest;
import io.coffer.proto.v1.CreateDepositAddressRequest;
import io.coffer.proto.v1.CreateTenantRequest;
import io.coffer.proto.v1.GetBalanceRequest;
import io.coffer.proto.v1.ListAssetsRequest;
import io.coffer.proto.v1.ListBalancesRequest;
import io.coffer.proto.v1.ListDepositAddressesRequest;
import io.coffer.proto.v1.ListHistoryRequest;
import io.coffer.proto.v1.PageRequest;
import io.coffer.proto.v1.Scope;
import io.coffer.proto.v1.WalletGrpc;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.WithDevnet;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tenants, API keys and the Wallet service over real gRPC, on real dev chains. */
@WithDevnet
class MerchantWalletIT {
    @TempDir
    Path dir;


    @Test
    void tenantsSeeOnlyTheirOwnMoneyAndScopesAreEnforced(BitcoindNode btc, AnvilNode anvil) throws Exception {
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
                var admin = ApiTests.operator(ch, dir.resolve("data"));
                String shop = admin.createTenant(CreateTenantRequest.newBuilder().setName("shop").build()).getId();
                String other = admin.createTenant(CreateTenantRequest.newBuilder().setName("other").build()).getId();
                Function<String, WalletGrpc.WalletBlockingStub> as = secret -> WalletGrpc.newBlockingStub(ch)
                        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(secret)));
                var shopWallet = as.apply(admin.createApiKey(CreateApiKeyRequest.newBuilder().setTenantId(shop)
                        .addScopes(Scope.SCOPE_READ).addScopes(Scope.SCOPE_PAYMENTS).build()).getSecret());
                var shopReadOnly = as.apply(admin.createApiKey(CreateApiKeyRequest.newBuilder().setTenantId(shop)
                        .addScopes(Scope.SCOPE_READ).build()).getSecret());
                var otherWallet = as.apply(admin.createApiKey(CreateApiKeyRequest.newBuilder().setTenantId(other)
                        .addScopes(Scope.SCOPE_READ).addScopes(Scope.SCOPE_PAYMENTS).build()).getSecret());

                List<String> assets = shopWallet.listAssets(ListAssetsRequest.getDefaultInstance()).getAssetsList().stream()
                        .map(a -> a.getId() + ":" + a.getDecimals()).toList();
                assertEquals(List.of("bitcoin/BTC:8", "ethereum/ETH:18"), assets);

                var address = shopWallet.createDepositAddress(CreateDepositAddressRequest.newBuilder().setAsset("bitcoin/BTC")
                        .setLabel("order 42").build());
                assertTrue(address.getAddress().startsWith("bcrt1q"), address.getAddress());
                assertEquals("m/84'/1'/0'/0/0", address.getDerivationPath(), "tenant shop owns account 0");
                var otherAddress = otherWallet.createDepositAddress(CreateDepositAddressRequest.newBuilder().setAsset("ethereum/ETH").build());
                assertEquals("m/44'/60'/1'/0/0", otherAddress.getDerivationPath(), "tenant other owns account 1");

                btc.minerWallet("sendtoaddress", address.getAddress(), "0.015");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!shopWallet.getBalance(GetBalanceRequest.newBuilder().setAsset("bitcoin/BTC").build()).getPendingIncoming().equals("1500000")) {
                    assertTrue(System.nanoTime() < deadline, "the payment is seen");
                    Thread.sleep(100);
                }
                btc.mine(1);
                while (!shopWallet.getBalance(GetBalanceRequest.newBuilder().setAsset("bitcoin/BTC").build()).getConfirmed().equals("1500000")) {
                    assertTrue(System.nanoTime() < deadline, "the payment confirms");
                    Thread.sleep(100);
                }
                var history = shopWallet.listHistory(ListHistoryRequest.getDefaultInstance()).getEntriesList();
                assertEquals(1, history.size());
                assertEquals("1500000", history.get(0).getAmount().getValue());
                assertEquals(address.getAddress(), history.get(0).getAddress());

                // The other tenant sees none of it.
                assertEquals("0", otherWallet.getBalance(GetBalanceRequest.newBuilder().setAsset("bitcoin/BTC").build()).getConfirmed());
                assertTrue(otherWallet.listHistory(ListHistoryRequest.getDefaultInstance()).getEntriesList().isEmpty());
                assertTrue(otherWallet.listDepositAddresses(ListDepositAddressesRequest.getDefaultInstance()).getAddressesList().stream()
                        .noneMatch(a -> a.getAddress().equals(address.getAddress())));
                assertEquals(2, shopWallet.listBalances(ListBalancesRequest.getDefaultInstance()).getBalancesCount());
                // The label given at creation is stored with the address and listed back with its issue time.
                var listed = shopWallet.listDepositAddresses(ListDepositAddressesRequest.newBuilder().setChain("bitcoin").build())
                        .getAddressesList().stream().filter(a -> a.getAddress().equals(address.getAddress())).findFirst().orElseThrow();
                assertEquals("order 42", listed.getLabel());
                assertEquals(address.getCreated(), listed.getCreated());

                // Pages of addresses: newest first (the last chain's first), by cursor, so one issued while a client pages
                // (at the top) never shifts or repeats what it has yet to read.
                for (int i = 0; i < 6; i++) {
                    shopWallet.createDepositAddress(CreateDepositAddressRequest.newBuilder().setAsset(i % 3 == 0 ? "ethereum/ETH" : "bitcoin/BTC")
                            .setLabel("page " + i).build());
                }
                List<String> whole = shopWallet.listDepositAddresses(ListDepositAddressesRequest.getDefaultInstance()).getAddressesList().stream()
                        .map(a -> a.getChain() + "|" + a.getDerivationPath()).toList();
                List<String> paged = new java.util.ArrayList<>();
                String pageToken = "";
                int pages = 0;
                do {
                    var page = shopWallet.listDepositAddresses(ListDepositAddressesRequest.newBuilder()
                            .setPage(PageRequest.newBuilder().setPageSize(3).setPageToken(pageToken)).build());
                    assertTrue(page.getAddressesCount() <= 3);
                    page.getAddressesList().forEach(a -> paged.add(a.getChain() + "|" + a.getDerivationPath()));
                    pageToken = page.getNextPageToken();
                    if (pages++ == 0) {
                        shopWallet.createDepositAddress(CreateDepositAddressRequest.newBuilder().setAsset("bitcoin/BTC").build()); // at the top
                    }
                } while (!pageToken.isEmpty());
                assertEquals(whole, paged, "every address once, in order, the one issued meanwhile not among them");
                assertEquals("ethereum|m/44'/60'/0'/0/1", whole.get(0), "the last chain's newest first");
                assertEquals("bitcoin|m/84'/1'/0'/0/" + (whole.stream().filter(a -> a.startsWith("bitcoin|")).count() - 1),
                        whole.stream().filter(a -> a.startsWith("bitcoin|")).findFirst().orElseThrow());
                assertEquals("bitcoin|m/84'/1'/0'/0/0", whole.get(whole.size() - 1), "the oldest last");
                assertEquals(whole.size() + 1, shopWallet.listDepositAddresses(ListDepositAddressesRequest.getDefaultInstance()).getAddressesCount());

                // Auth matrix: no key, a wrong key, a key without the scope.
                var anonymous = WalletGrpc.newBlockingStub(ch);
                assertEquals(Status.Code.UNAUTHENTICATED, assertThrows(StatusRuntimeException.class,
                        () -> anonymous.listBalances(ListBalancesRequest.getDefaultInstance())).getStatus().getCode());
                assertEquals(Status.Code.UNAUTHENTICATED, assertThrows(StatusRuntimeException.class,
                        () -> as.apply("ck_0000000000000000_forged").listBalances(ListBalancesRequest.getDefaultInstance())).getStatus().getCode());
                StatusRuntimeException denied = assertThrows(StatusRuntimeException.class, () -> shopReadOnly.createDepositAddress(
                        CreateDepositAddressRequest.newBuilder().setAsset("bitcoin/BTC").build()));
                assertEquals(Status.Code.PERMISSION_DENIED, denied.getStatus().getCode());
                assertTrue(denied.getStatus().getDescription().contains("payments"), denied.getStatus().getDescription());

                // Bad input names the field.
                StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class,
                        () -> shopWallet.getBalance(GetBalanceRequest.newBuilder().setAsset("dogecoin/DOGE").build()));
                assertEquals(Status.Code.INVALID_ARGUMENT, unknown.getStatus().getCode());
                assertEquals("asset", StatusProto.fromThrowable(unknown).getDetails(0).unpack(ErrorInfo.class).getMetadataOrThrow("field"));
                StatusRuntimeException token = assertThrows(StatusRuntimeException.class, () -> shopWallet.listHistory(
                        ListHistoryRequest.newBuilder().setPage(PageRequest.newBuilder().setPageToken("garbage!")).build()));
                assertEquals("page.page_token", StatusProto.fromThrowable(token).getDetails(0).unpack(ErrorInfo.class).getMetadataOrThrow("field"));
                StatusRuntimeException huge = assertThrows(StatusRuntimeException.class, () -> shopWallet.createDepositAddress(
                        CreateDepositAddressRequest.newBuilder().setAsset("bitcoin/BTC").setLabel("x".repeat(201)).build()));
                assertEquals("label", StatusProto.fromThrowable(huge).getDetails(0).unpack(ErrorInfo.class).getMetadataOrThrow("field"));
            } finally {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }
}
