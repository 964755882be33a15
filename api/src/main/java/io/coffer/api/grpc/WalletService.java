package io.coffer.api.grpc;

import com.google.protobuf.Timestamp;
import io.coffer.core.chain.AssetIds;
import io.coffer.core.error.CofferException;
import io.coffer.core.transfer.HistoryEntry;
import io.coffer.proto.v1.Amount;
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
import io.coffer.proto.v1.TxStatus;
import io.coffer.proto.v1.WalletGrpc;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Set;

/**
 * {@code coffer.v1.Wallet}: what a tenant holds and where it can receive. Every call is for the calling API
 * key's tenant only (its HD account on every chain); there is no way to name another tenant.
 */
public final class WalletService extends WalletGrpc.WalletImplBase {
    public static final Set<String> IMPLEMENTED = Set.of(WalletGrpc.getListAssetsMethod().getFullMethodName(),
            WalletGrpc.getGetBalanceMethod().getFullMethodName(), WalletGrpc.getListBalancesMethod().getFullMethodName(),
            WalletGrpc.getListHistoryMethod().getFullMethodName(), WalletGrpc.getCreateDepositAddressMethod().getFullMethodName(),
            WalletGrpc.getListDepositAddressesMethod().getFullMethodName());

    /** The node's chains, as this service needs them. */
    public interface Accounts {
        List<io.coffer.proto.v1.Asset> assets();

        /** @throws CofferException INVALID_ARGUMENT (field asset) for an unknown asset */
        Balance balance(int account, String asset);

        /** One page of the account's history on every chain (see {@link io.coffer.core.transfer.AccountHistory}). */
        io.coffer.core.transfer.AccountHistory.Page history(int account, java.time.Instant from, java.time.Instant to, String asset,
                java.util.Optional<io.coffer.core.chain.ChainTables.AccountActivity> after, int size);

        DepositAddress newAddress(int account, String asset, String label);

        List<DepositAddress> addresses(int account, String chain);
    }

    private final Accounts chains;

    public WalletService(Accounts chains) {
        this.chains = chains;
    }

    private static int account() {
        return ApiKeyAuth.principal().tenant().accountIndex();
    }

    @Override
    public void listAssets(ListAssetsRequest request, StreamObserver<ListAssetsResponse> out) {
        ErrorMapper.answer(out, () -> ListAssetsResponse.newBuilder().addAllAssets(chains.assets()).build());
    }

    @Override
    public void getBalance(GetBalanceRequest request, StreamObserver<Balance> out) {
        ErrorMapper.answer(out, () -> {
            if (request.getAsset().isBlank() || request.getAsset().length() > 64) {
                throw CofferException.invalid("asset", "ASSET_UNKNOWN", "an asset id such as 'bitcoin/BTC' is required");
            }
            return chains.balance(account(), request.getAsset());
        });
    }

    @Override
    public void listBalances(ListBalancesRequest request, StreamObserver<ListBalancesResponse> out) {
        ErrorMapper.answer(out, () -> {
            ListBalancesResponse.Builder b = ListBalancesResponse.newBuilder();
            int account = account();
            chains.assets().forEach(a -> b.addBalances(chains.balance(account, a.getId())));
            return b.build();
        });
    }

    @Override
    public void listHistory(ListHistoryRequest request, StreamObserver<ListHistoryResponse> out) {
        ErrorMapper.answer(out, () -> {
            if (!request.getAsset().isEmpty() && chains.assets().stream().noneMatch(a -> a.getId().equals(request.getAsset()))) {
                throw CofferException.invalid("asset", "ASSET_UNKNOWN", "unknown asset '" + request.getAsset() + "'");
            }
            java.time.Instant from = request.hasFrom() ? RequestFields.instant(request.getFrom(), "from") : java.time.Instant.MIN;
            java.time.Instant to = request.hasTo() ? RequestFields.instant(request.getTo(), "to") : java.time.Instant.MAX;
            if (to.isBefore(from)) {
                throw CofferException.invalid("to", "TIME_RANGE_REVERSED", "must not be before 'from'");
            }
            int account = account();
            io.coffer.core.transfer.AccountHistory.Page page = chains.history(account, from, to, request.getAsset(),
                    RequestFields.historyCursor(account, request.getPage().getPageToken()), RequestFields.pageSize(request.getPage().getPageSize()));
            java.util.Map<String, String> nativeOfChain = new java.util.HashMap<>();
            chains.assets().stream().filter(a -> a.getContract().isEmpty()).forEach(a -> nativeOfChain.put(a.getChain(), a.getId()));
            ListHistoryResponse.Builder b = ListHistoryResponse.newBuilder().setNextPageToken(RequestFields.historyToken(page.next()));
            for (HistoryEntry h : page.items()) {
                b.addEntries(io.coffer.proto.v1.HistoryEntry.newBuilder().setId(h.id())
                        .setDirection(h.incoming() ? io.coffer.proto.v1.HistoryEntry.Direction.DIRECTION_IN
                                : io.coffer.proto.v1.HistoryEntry.Direction.DIRECTION_OUT)
                        .setAmount(Amount.newBuilder().setAsset(h.asset()).setValue(h.amount().toString()))
                        .setFee(Amount.newBuilder().setAsset(nativeOfChain.getOrDefault(AssetIds.chainOf(h.asset()), ""))
                                .setValue(h.fee().toString()))
                        .setTxid(h.txid()).setConfirmations(h.confirmations()).setStatus(txStatus(h.status()))
                        .setAddress(h.address()).setFirstSeen(Timestamp.newBuilder().setSeconds(h.at().getEpochSecond())));
            }
            return b.build();
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
            return chains.newAddress(account(), request.getAsset(), request.getLabel());
        });
    }

    @Override
    public void listDepositAddresses(ListDepositAddressesRequest request, StreamObserver<ListDepositAddressesResponse> out) {
        ErrorMapper.answer(out, () -> {
            if (!request.getChain().isEmpty() && chains.assets().stream().noneMatch(a -> a.getChain().equals(request.getChain()))) {
                throw CofferException.invalid("chain", "CHAIN_UNKNOWN", "unknown chain; ListAssets names the chains");
            }
            RequestFields.Page<DepositAddress> page = RequestFields.page(chains.addresses(account(), request.getChain()), request.getPage());
            return ListDepositAddressesResponse.newBuilder().addAllAddresses(page.items()).setNextPageToken(page.nextToken()).build();
        });
    }

    static TxStatus txStatus(String status) {
        return switch (status) {
            case "SEEN", "SIGNED", "BROADCAST", "BROADCAST_UNKNOWN" -> TxStatus.TX_STATUS_SEEN;
            case "CONFIRMING" -> TxStatus.TX_STATUS_CONFIRMING;
            case "CONFIRMED" -> TxStatus.TX_STATUS_CONFIRMED;
            case "FINAL" -> TxStatus.TX_STATUS_FINAL;
            case "REORGED" -> TxStatus.TX_STATUS_REORGED;
            case "REPLACED", "CONFLICTED" -> TxStatus.TX_STATUS_REPLACED; // a withdrawal whose inputs another transaction spent
            case "FAILED", "REVERTED" -> TxStatus.TX_STATUS_FAILED; // REVERTED: a withdrawal mined without paying, not yet final
            default -> TxStatus.TX_STATUS_UNSPECIFIED;
        };
    }
}
