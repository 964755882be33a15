package io.coffer.api.grpc;

import io.coffer.api.proto.Protos;
import io.coffer.core.chain.AssetId;
import io.coffer.core.error.CofferException;
import io.coffer.core.tenant.TenantService;
import io.coffer.core.transfer.TransferService;
import io.coffer.proto.v1.ApproveTransferRequest;
import io.coffer.proto.v1.BumpFeeRequest;
import io.coffer.proto.v1.CreateTransferRequest;
import io.coffer.proto.v1.EstimateFeeRequest;
import io.coffer.proto.v1.FeeEstimate;
import io.coffer.proto.v1.FeePriority;
import io.coffer.proto.v1.FeeRate;
import io.coffer.proto.v1.GetTransferRequest;
import io.coffer.proto.v1.ListTransfersRequest;
import io.coffer.proto.v1.ListTransfersResponse;
import io.coffer.proto.v1.RejectTransferRequest;
import io.coffer.proto.v1.Transfer;
import io.coffer.proto.v1.TransfersGrpc;
import io.grpc.stub.StreamObserver;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Set;

/**
 * {@code coffer.v1.Transfers}: a tenant's outgoing transfers. Thin: rules, policies and idempotency live in {@link TransferService}.
 */
public final class TransfersService extends TransfersGrpc.TransfersImplBase {
    public static final Set<String> IMPLEMENTED = Set.of(TransfersGrpc.getEstimateFeeMethod().getFullMethodName(),
            TransfersGrpc.getCreateTransferMethod().getFullMethodName(), TransfersGrpc.getGetTransferMethod().getFullMethodName(),
            TransfersGrpc.getListTransfersMethod().getFullMethodName(), TransfersGrpc.getBumpFeeMethod().getFullMethodName(),
            TransfersGrpc.getApproveTransferMethod().getFullMethodName(), TransfersGrpc.getRejectTransferMethod().getFullMethodName());

    private final TransferService transfers;
    private final Protos protos;

    public TransfersService(TransferService transfers, Protos protos, io.coffer.core.operator.OperatorService operators) {
        this.transfers = transfers;
        this.protos = protos;
        this.operators = operators;
    }

    private final io.coffer.core.operator.OperatorService operators;

    private static TransferService.Caller caller() {
        TenantService.Principal p = ApiKeyAuth.principal();
        return new TransferService.Caller(p.tenant().id(), p.tenant().accountIndex(), p.key().id());
    }

    @Override
    public void estimateFee(EstimateFeeRequest r, StreamObserver<FeeEstimate> out) {
        ErrorMapper.answer(out, () -> Protos.feeEstimate(transfers.estimate(caller(), r.getAsset(), r.getDestination(), r.getAmount(),
                priority(r.getPriority(), r.getPriorityValue()), java.util.Optional.empty())));
    }

    @Override
    public void createTransfer(CreateTransferRequest r, StreamObserver<Transfer> out) {
        String tenant = ApiKeyAuth.principal().tenant().id();
        // Past the call budget (a slow chain node) the caller gets the transfer as stored so far, not yet sent, if it was.
        ErrorMapper.answer(out, () -> toProto(transfers.create(caller(), new TransferService.Create(r.getAsset(), r.getDestination(),
                r.getAmount(), priority(r.getPriority(), r.getPriorityValue()), r.hasFeeRate() ? java.util.Optional.of(feeRate(r.getFeeRate())) : java.util.Optional.empty(), r.getIdempotencyKey(),
                r.getRefundOfPaymentRequestId(), r.getMemo()))), transfers.knowsAsset(r.getAsset()) ? AssetId.chainOf(r.getAsset()) : null,
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
            java.util.Set<io.coffer.core.transfer.TransferStatus> statuses = java.util.EnumSet.noneOf(io.coffer.core.transfer.TransferStatus.class);
            r.getStatusesList().forEach(s -> statuses.add(Protos.transferStatus(s)));
            var page = transfers.page(tenant, new TransferService.ListQuery(from, to, statuses, r.getAsset()),
                    PageTokens.tenantTime(tenant, r.getPage().getPageToken()), size);
            return ListTransfersResponse.newBuilder().addAllTransfers(page.items().stream().map(this::toProto).toList())
                    .setNextPageToken(PageTokens.tenantTime(page.next())).build();
        });
    }

    @Override
    public void bumpFee(BumpFeeRequest r, StreamObserver<Transfer> out) {
        ErrorMapper.answer(out, () -> toProto(transfers.bump(caller(), r.getId(), r.hasFeeRate() ? java.util.Optional.of(feeRate(r.getFeeRate())) : java.util.Optional.empty())));
    }

    @Override
    public void approveTransfer(ApproveTransferRequest r, StreamObserver<Transfer> out) {
        ErrorMapper.answer(out, () -> {
            ApiKeyAuth.requireBoundTotp(operators, "approve"); // a key bound to an operator's second factor cannot approve alone
            return toProto(transfers.approve(caller(), r.getId()));
        });
    }

    @Override
    public void rejectTransfer(RejectTransferRequest r, StreamObserver<Transfer> out) {
        ErrorMapper.answer(out, () -> toProto(transfers.reject(caller(), r.getId(), r.getReason())));
    }

    private static io.coffer.core.transfer.FeePriority priority(FeePriority p, int number) {
        return Protos.feePriority(RequestFields.known("priority", p, number, true));
    }

    /** An explicit fee rate; only Bitcoin's form is accepted (EVM fees follow the chain). */
    private static io.coffer.core.transfer.FeeRate feeRate(FeeRate r) {
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
        return io.coffer.core.transfer.FeeRate.milliSatPerVbyte(milli);
    }

    private Transfer toProto(TransferService.View v) {
        return protos.transfer(v);
    }
}
