package io.coffer.api.grpc;

import com.google.protobuf.Timestamp;
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
import java.nio.charset.StandardCharsets;
import java.util.Base64;
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
    public interface Chains {
        List<io.coffer.proto.v1.Asset> assets();

        /** @throws CofferException INVALID_ARGUMENT (field asset) for an unknown asset */
        Balance balance(int account, String asset);

        List<HistoryEntry> history(int account, int limit);

        DepositAddress newAddress(int account, String asset, String label);

        List<DepositAddress> addresses(int account, String chain);
    }

    private final Chains chains;

    public WalletService(Chains chains) {
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
            int size = pageSize(request.getPage().getPageSize());
            int offset = offset(request.getPage().getPageToken());
            if (!request.getAsset().isEmpty() && chains.assets().stream().noneMatch(a -> a.getId().equals(request.getAsset()))) {
                throw CofferException.invalid("asset", "ASSET_UNKNOWN", "unknown asset '" + request.getAsset() + "'");
            }
            java.time.Instant from = request.hasFrom() ? instant(request.getFrom(), "from") : java.time.Instant.MIN;
            java.time.Instant to = request.hasTo() ? instant(request.getTo(), "to") : java.time.Instant.MAX;
            if (to.isBefore(from)) {
                throw CofferException.invalid("to", "TIME_RANGE_REVERSED", "must not be before 'from'");
            }
            List<HistoryEntry> all = chains.history(account(), 10_000).stream()
                    .filter(h -> request.getAsset().isEmpty() || h.asset().equals(request.getAsset()))
                    .filter(h -> !h.at().isBefore(from) && h.at().isBefore(to))
                    .toList();
            java.util.Map<String, String> nativeOfChain = new java.util.HashMap<>();
            chains.assets().stream().filter(a -> a.getContract().isEmpty()).forEach(a -> nativeOfChain.put(a.getChain(), a.getId()));
            ListHistoryResponse.Builder b = ListHistoryResponse.newBuilder();
            for (HistoryEntry h : all.subList(Math.min(offset, all.size()), Math.min(offset + size, all.size()))) {
                b.addEntries(io.coffer.proto.v1.HistoryEntry.newBuilder().setId(h.id())
                        .setDirection(h.incoming() ? io.coffer.proto.v1.HistoryEntry.Direction.DIRECTION_IN
                                : io.coffer.proto.v1.HistoryEntry.Direction.DIRECTION_OUT)
                        .setAmount(Amount.newBuilder().setAsset(h.asset()).setValue(h.amount().toString()))
                        .setFee(Amount.newBuilder().setAsset(nativeOfChain.getOrDefault(h.asset().substring(0, h.asset().indexOf('/')), ""))
                                .setValue(h.fee().toString()))
                        .setTxid(h.txid()).setConfirmations(h.confirmations()).setStatus(txStatus(h.status()))
                        .setAddress(h.address()).setFirstSeen(Timestamp.newBuilder().setSeconds(h.at().getEpochSecond())));
            }
            if (offset + size < all.size()) {
                b.setNextPageToken(token(offset + size));
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
            int size = pageSize(request.getPage().getPageSize());
            int offset = offset(request.getPage().getPageToken());
            if (!request.getChain().isEmpty() && chains.assets().stream().noneMatch(a -> a.getChain().equals(request.getChain()))) {
                throw CofferException.invalid("chain", "CHAIN_UNKNOWN", "unknown chain; ListAssets names the chains");
            }
            List<DepositAddress> all = chains.addresses(account(), request.getChain());
            ListDepositAddressesResponse.Builder b = ListDepositAddressesResponse.newBuilder()
                    .addAllAddresses(all.subList(Math.min(offset, all.size()), Math.min(offset + size, all.size())));
            if (offset + size < all.size()) {
                b.setNextPageToken(token(offset + size));
            }
            return b.build();
        });
    }

    static TxStatus txStatus(String status) {
        return switch (status) {
            case "SEEN", "SIGNED", "BROADCAST", "BROADCAST_UNKNOWN" -> TxStatus.TX_STATUS_SEEN;
            case "CONFIRMING" -> TxStatus.TX_STATUS_CONFIRMING;
            case "CONFIRMED" -> TxStatus.TX_STATUS_CONFIRMED;
            case "FINAL" -> TxStatus.TX_STATUS_FINAL;
            case "REORGED" -> TxStatus.TX_STATUS_REORGED;
            case "REPLACED" -> TxStatus.TX_STATUS_REPLACED;
            case "FAILED" -> TxStatus.TX_STATUS_FAILED;
            default -> TxStatus.TX_STATUS_UNSPECIFIED;
        };
    }

    /** A page size from its uint32 field (which Java reads signed: 2^31 and above arrive negative). */
    static int pageSize(int requested) {
        if (requested < 0 || requested > 500) {
            throw CofferException.invalid("page.page_size", "PAGE_SIZE_TOO_LARGE", "at most 500");
        }
        return requested == 0 ? 50 : requested;
    }

    static int offset(String token) {
        if (token.isEmpty()) {
            return 0;
        }
        try {
            int o = Integer.parseInt(new String(Base64.getUrlDecoder().decode(token), StandardCharsets.US_ASCII).substring(2));
            // Tokens are offsets this node wrote; a forged huge one must not overflow offset + size.
            if (o < 0 || o > MAX_OFFSET) {
                throw new IllegalArgumentException();
            }
            return o;
        } catch (RuntimeException e) {
            throw CofferException.invalid("page.page_token", "PAGE_TOKEN_INVALID", "not a token from a previous reply");
        }
    }

    private static final int MAX_OFFSET = 100_000_000;

    /**
     * A client's Timestamp as an Instant, inside the range protobuf defines (0001-01-01 to 9999-12-31, nanos 0 to
     * 999,999,999); anything else is the client's mistake, named by {@code field}, not an internal error.
     */
    static java.time.Instant instant(Timestamp t, String field) {
        if (t.getSeconds() < -62_135_596_800L || t.getSeconds() > 253_402_300_799L || t.getNanos() < 0 || t.getNanos() > 999_999_999) {
            throw CofferException.invalid(field, "TIMESTAMP_OUT_OF_RANGE", "seconds from 0001-01-01 to 9999-12-31, nanos 0 to 999999999");
        }
        return java.time.Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

    static String token(int offset) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("o:" + offset).getBytes(StandardCharsets.US_ASCII));
    }
}
