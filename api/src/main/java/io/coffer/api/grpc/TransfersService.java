package io.coffer.api.grpc;

import com.google.protobuf.Timestamp;
import io.coffer.core.chain.AssetIds;
import io.coffer.core.error.CofferException;
import io.coffer.core.tenant.TenantService;
import io.coffer.core.transfer.TenantTransfer;
import io.coffer.core.transfer.TransferService;
import io.coffer.core.transfer.Withdrawal;
import io.coffer.proto.v1.Amount;
import io.coffer.proto.v1.ApproveTransferRequest;
import io.coffer.proto.v1.BumpFeeRequest;
import io.coffer.proto.v1.CreateTransferRequest;
import io.coffer.proto.v1.Eip1559Fee;
import io.coffer.proto.v1.EstimateFeeRequest;
import io.coffer.proto.v1.FeeEstimate;
import io.coffer.proto.v1.FeePriority;
import io.coffer.proto.v1.FeeRate;
import io.coffer.proto.v1.GetTransferRequest;
import io.coffer.proto.v1.ListTransfersRequest;
import io.coffer.proto.v1.ListTransfersResponse;
import io.coffer.proto.v1.RejectTransferRequest;
import io.coffer.proto.v1.Transfer;
import io.coffer.proto.v1.TransferStatus;
import io.coffer.proto.v1.TransfersGrpc;
import io.grpc.stub.StreamObserver;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * {@code coffer.v1.Transfers}: a tenant's outgoing transfers. Thin: rules, policies and idempotency live in {@link TransferService}.
 */
public final class TransfersService extends TransfersGrpc.TransfersImplBase {
    public static final Set<String> IMPLEMENTED = Set.of(TransfersGrpc.getEstimateFeeMethod().getFullMethodName(),
            TransfersGrpc.getCreateTransferMethod().getFullMethodName(), TransfersGrpc.getGetTransferMethod().getFullMethodName(),
            TransfersGrpc.getListTransfersMethod().getFullMethodName(), TransfersGrpc.getBumpFeeMethod().getFullMethodName(),
            TransfersGrpc.getApproveTransferMethod().getFullMethodName(), TransfersGrpc.getRejectTransferMethod().getFullMethodName());

    /** What a transfer's rendering needs to know about its chain. */
    public interface ChainFacts {
        /** The asset network fees are paid in ("bitcoin/BTC", "ethereum/ETH"). */
        String feeAsset(String chain);

        /** True for account chains (EVM), whose transactions carry a nonce. */
        boolean accountBased(String chain);
    }

    private final TransferService transfers;
    private final ChainFacts facts;

    public TransfersService(TransferService transfers, ChainFacts facts) {
        this.transfers = transfers;
        this.facts = facts;
    }

    private static TransferService.Caller caller() {
        TenantService.Principal p = ApiKeyAuth.principal();
        return new TransferService.Caller(p.tenant().id(), p.tenant().accountIndex(), p.key().id());
    }

    @Override
    public void estimateFee(EstimateFeeRequest r, StreamObserver<FeeEstimate> out) {
        ErrorMapper.answer(out, () -> {
            TransferService.Quote q = transfers.estimate(caller(), r.getAsset(), r.getDestination(), r.getAmount(), priority(r.getPriority(), r.getPriorityValue()), 0);
            FeeRate.Builder rate = FeeRate.newBuilder();
            if (q.satPerVbyte() != null) {
                rate.setSatPerVbyte(q.satPerVbyte());
            } else if (q.maxPriorityFeePerGas() != null) {
                rate.setEip1559(Eip1559Fee.newBuilder().setMaxFeePerGasWei(q.maxFeePerGas().toString())
                        .setMaxPriorityFeePerGasWei(q.maxPriorityFeePerGas().toString()));
            } else {
                rate.setLegacyGasPriceWei(q.maxFeePerGas().toString());
            }
            return FeeEstimate.newBuilder().setFee(amount(q.feeAsset(), q.fee())).setFeeRate(rate).setSize(q.size()).build();
        });
    }

    @Override
    public void createTransfer(CreateTransferRequest r, StreamObserver<Transfer> out) {
        String tenant = ApiKeyAuth.principal().tenant().id();
        // Past the call budget (a slow chain node) the caller gets the transfer as stored so far, not yet sent, if it was.
        ErrorMapper.answer(out, () -> toProto(transfers.create(caller(), new TransferService.Create(r.getAsset(), r.getDestination(),
                r.getAmount(), priority(r.getPriority(), r.getPriorityValue()), r.hasFeeRate() ? feeRate(r.getFeeRate()) : 0, r.getIdempotencyKey(),
                r.getRefundOfPaymentRequestId(), r.getMemo()))), transfers.knowsAsset(r.getAsset()) ? io.coffer.core.chain.AssetIds.chainOf(r.getAsset()) : null,
                () -> transfers.byIdempotencyKey(tenant, r.getIdempotencyKey()).map(this::toProto));
    }

    @Override
    public void getTransfer(GetTransferRequest r, StreamObserver<Transfer> out) {
        ErrorMapper.answer(out, () -> toProto(transfers.get(ApiKeyAuth.principal().tenant().id(), r.getId())));
    }

    @Override
    public void listTransfers(ListTransfersRequest r, StreamObserver<ListTransfersResponse> out) {
        ErrorMapper.answer(out, () -> {
            Instant from = r.hasCreatedFrom() ? RequestFields.instant(r.getCreatedFrom(), "created_from") : Instant.MIN;
            Instant to = r.hasCreatedTo() ? RequestFields.instant(r.getCreatedTo(), "created_to") : Instant.MAX;
            if (to.isBefore(from)) {
                throw CofferException.invalid("created_to", "TIME_RANGE_REVERSED", "must not be before 'created_from'");
            }
            if (!r.getAsset().isEmpty() && !transfers.knowsAsset(r.getAsset())) {
                throw CofferException.invalid("asset", "ASSET_UNKNOWN", "unknown asset '" + r.getAsset() + "'");
            }
            RequestFields.known("statuses", r.getStatusesList(), r.getStatusesValueList());
            String tenant = ApiKeyAuth.principal().tenant().id();
            int size = RequestFields.pageSize(r.getPage().getPageSize());
            java.util.Set<String> statuses = new java.util.HashSet<>();
            r.getStatusesList().forEach(s -> statuses.add(s.name().substring("TRANSFER_STATUS_".length())));
            var page = transfers.page(tenant, new TransferService.ListQuery(from, to, statuses, r.getAsset()),
                    RequestFields.cursor(tenant, r.getPage().getPageToken()), size);
            return ListTransfersResponse.newBuilder().addAllTransfers(page.items().stream().map(this::toProto).toList())
                    .setNextPageToken(RequestFields.cursorToken(page.next())).build();
        });
    }

    @Override
    public void bumpFee(BumpFeeRequest r, StreamObserver<Transfer> out) {
        ErrorMapper.answer(out, () -> toProto(transfers.bump(caller(), r.getId(), r.hasFeeRate() ? feeRate(r.getFeeRate()) : 0)));
    }

    @Override
    public void approveTransfer(ApproveTransferRequest r, StreamObserver<Transfer> out) {
        ErrorMapper.answer(out, () -> toProto(transfers.approve(caller(), r.getId())));
    }

    @Override
    public void rejectTransfer(RejectTransferRequest r, StreamObserver<Transfer> out) {
        ErrorMapper.answer(out, () -> toProto(transfers.reject(caller(), r.getId(), r.getReason())));
    }

    private static io.coffer.core.transfer.FeePriority priority(FeePriority p, int number) {
        return switch (RequestFields.known("priority", p, number, true)) {
            case FEE_PRIORITY_LOW -> io.coffer.core.transfer.FeePriority.LOW;
            case FEE_PRIORITY_UNSPECIFIED, FEE_PRIORITY_NORMAL -> io.coffer.core.transfer.FeePriority.NORMAL;
            case FEE_PRIORITY_HIGH -> io.coffer.core.transfer.FeePriority.HIGH;
            case UNRECOGNIZED -> throw new IllegalStateException("checked above");
        };
    }

    /** An explicit fee rate as milli-satoshi per vbyte; only Bitcoin's form is accepted (EVM fees follow the chain). */
    private static long feeRate(FeeRate r) {
        if (r.getRateCase() != FeeRate.RateCase.SAT_PER_VBYTE) {
            throw CofferException.invalid("fee_rate", "FEE_RATE_UNSUPPORTED", "only sat_per_vbyte (Bitcoin) can be given; EVM fees follow the "
                    + "chain (use priority)");
        }
        String v = r.getSatPerVbyte();
        if (!v.matches("[0-9]{1,6}(\\.[0-9]{1,3})?")) {
            throw CofferException.invalid("fee_rate.sat_per_vbyte", "FEE_RATE_MALFORMED", "a decimal like \"12\" or \"1.5\" (at most 3 decimals)");
        }
        long milli = new BigDecimal(v).movePointRight(3).longValueExact();
        if (milli < 1000) {
            throw CofferException.invalid("fee_rate.sat_per_vbyte", "FEE_RATE_TOO_LOW", "at least 1 sat/vB");
        }
        return milli;
    }

    /** The transfer as the API shows it (also the subject of transfer events). */
    public Transfer toProto(TransferService.View v) {
        return toProto(v, facts);
    }

    static Transfer toProto(TransferService.View v, ChainFacts facts) {
        TenantTransfer t = v.transfer();
        Withdrawal w = v.withdrawal();
        Instant updated = w != null && w.updatedAt().isAfter(t.updatedAt()) ? w.updatedAt() : t.updatedAt();
        Transfer.Builder b = Transfer.newBuilder().setId(t.id()).setStatus(TransferStatus.valueOf("TRANSFER_STATUS_" + v.status()))
                .setAmount(amount(t.asset(), t.amount())).setDestination(t.destination()).setIdempotencyKey(t.idempotencyKey())
                .setRefundOfPaymentRequestId(t.refundOf()).setMemo(t.memo()).addAllApprovedBy(t.approvals())
                .setFailureReason(v.failureReason()).setCreatedAt(ts(t.createdAt())).setUpdatedAt(ts(updated)).setFinal(v.isFinal());
        if (w != null) {
            String chain = AssetIds.chainOf(t.asset());
            b.setFee(amount(facts.feeAsset(chain), w.fee())).setTxid(w.txid()).addAllReplacedTxids(w.replacedTxids())
                    .setConfirmations(w.confirmations());
            if (facts.accountBased(chain)) {
                b.setNonce(w.inputs().get(0).index() & 0xFFFFFFFFL);
            }
        }
        return b.build();
    }

    private static Amount amount(String asset, java.math.BigInteger value) {
        return Amount.newBuilder().setAsset(asset).setValue(value.toString()).build();
    }

    private static Timestamp ts(Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }
}
