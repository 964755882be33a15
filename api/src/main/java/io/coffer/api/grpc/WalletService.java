package io.coffer.api.grpc;

import io.coffer.api.proto.Protos;
import io.coffer.core.error.CofferException;
import io.coffer.core.transfer.AccountHistory;
import io.coffer.core.wallet.AccountService;
import io.coffer.proto.v1.Balance;
import io.coffer.proto.v1.CreateDepositAddressRequest;
import io.coffer.proto.v1.DepositAddress;
import io.coffer.proto.v1.GetBalanceRequest;
import io.coffer.proto.v1.ListAssetsRequest;
import io.coffer.proto.v1.ListAssetsResponse;
import io.coffer.proto.v1.ListBalancesRequest;
import io.coffer.proto.v1.ListBalancesResponse;
import io.coffer.proto.v1.ListDepositAddressesRequest;
import io.coffer.proto.v1.ListDepositAddressesResponse;
import io.coffer.proto.v1.ListHistoryRequest;
import io.coffer.proto.v1.ListHistoryResponse;
import io.coffer.proto.v1.WalletGrpc;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.Set;

/**
 * {@code coffer.v1.Wallet}: what a tenant holds and where it can receive. Every call is for the calling API
 * key's tenant only (its HD account on every chain); there is no way to name another tenant. Thin over {@link AccountService}.
 */
public final class WalletService extends WalletGrpc.WalletImplBase {
    public static final Set<String> IMPLEMENTED = Set.of(WalletGrpc.getListAssetsMethod().getFullMethodName(),
            WalletGrpc.getGetBalanceMethod().getFullMethodName(), WalletGrpc.getListBalancesMethod().getFullMethodName(),
            WalletGrpc.getListHistoryMethod().getFullMethodName(), WalletGrpc.getCreateDepositAddressMethod().getFullMethodName(),
            WalletGrpc.getListDepositAddressesMethod().getFullMethodName());

    private final AccountService accounts;
    private final Protos protos;

    public WalletService(AccountService accounts, Protos protos) {
        this.accounts = accounts;
        this.protos = protos;
    }

    private static int account() {
        return ApiKeyAuth.principal().tenant().accountIndex();
    }

    @Override
    public void listAssets(ListAssetsRequest request, StreamObserver<ListAssetsResponse> out) {
        ErrorMapper.answer(out, () -> ListAssetsResponse.newBuilder().addAllAssets(accounts.assets().stream().map(Protos::asset).toList())
                .build());
    }

    @Override
    public void getBalance(GetBalanceRequest request, StreamObserver<Balance> out) {
        ErrorMapper.answer(out, () -> {
            if (request.getAsset().isBlank() || request.getAsset().length() > 64) {
                throw CofferException.invalid("asset", "ASSET_UNKNOWN", "an asset id such as 'bitcoin/BTC' is required");
            }
            return Protos.balance(accounts.balance(account(), request.getAsset()));
        });
    }

    @Override
    public void listBalances(ListBalancesRequest request, StreamObserver<ListBalancesResponse> out) {
        ErrorMapper.answer(out, () -> ListBalancesResponse.newBuilder()
                .addAllBalances(accounts.balances(account()).stream().map(Protos::balance).toList()).build());
    }

    @Override
    public void listHistory(ListHistoryRequest request, StreamObserver<ListHistoryResponse> out) {
        ErrorMapper.answer(out, () -> {
            if (request.getAsset().length() > 64) {
                throw CofferException.invalid("asset", "ASSET_UNKNOWN", "not an asset id");
            }
            Instant from = request.hasFrom() ? RequestFields.instant(request.getFrom(), "from") : Instant.MIN;
            Instant to = request.hasTo() ? RequestFields.instant(request.getTo(), "to") : Instant.MAX;
            if (to.isBefore(from)) {
                throw CofferException.invalid("to", "TIME_RANGE_REVERSED", "must not be before 'from'");
            }
            int account = account();
            AccountHistory.Page page = accounts.history(account, from, to, request.getAsset(),
                    PageTokens.history(account, request.getPage().getPageToken()), RequestFields.pageSize(request.getPage().getPageSize()));
            return ListHistoryResponse.newBuilder().setNextPageToken(PageTokens.history(page.next()))
                    .addAllEntries(page.items().stream().map(protos::historyEntry).toList()).build();
        });
    }

    @Override
    public void createDepositAddress(CreateDepositAddressRequest request, StreamObserver<DepositAddress> out) {
        ErrorMapper.answer(out, () -> {
            if (request.getLabel().length() > 200) {
                throw CofferException.invalid("label", "FIELD_TOO_LONG", "at most 200 characters");
            }
            if (request.getAsset().isBlank() || request.getAsset().length() > 64) {
                throw CofferException.invalid("asset", "ASSET_UNKNOWN", "an asset id such as 'bitcoin/BTC' is required");
            }
            return Protos.depositAddress(accounts.newAddress(account(), request.getAsset(), request.getLabel()));
        });
    }

    @Override
    public void listDepositAddresses(ListDepositAddressesRequest request, StreamObserver<ListDepositAddressesResponse> out) {
        ErrorMapper.answer(out, () -> {
            if (request.getChain().length() > 64) {
                throw CofferException.invalid("chain", "CHAIN_UNKNOWN", "unknown chain; ListAssets names the chains");
            }
            AccountService.AddressPage page = accounts.addresses(account(), request.getChain(),
                    PageTokens.address(request.getPage().getPageToken()), RequestFields.pageSize(request.getPage().getPageSize()));
            return ListDepositAddressesResponse.newBuilder().addAllAddresses(page.items().stream().map(Protos::depositAddress).toList())
                    .setNextPageToken(PageTokens.address(page.next())).build();
        });
    }
}
