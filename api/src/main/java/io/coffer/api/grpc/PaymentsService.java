package io.coffer.api.grpc;

import io.coffer.api.proto.Protos;
import io.coffer.core.error.CofferException;
import io.coffer.core.payment.PaymentRequestService;
import io.coffer.core.tenant.TenantService;
import io.coffer.proto.v1.CancelPaymentRequestRequest;
import io.coffer.proto.v1.CreatePaymentRequestRequest;
import io.coffer.proto.v1.GetPaymentRequestRequest;
import io.coffer.proto.v1.ListPaymentRequestsRequest;
import io.coffer.proto.v1.ListPaymentRequestsResponse;
import io.coffer.proto.v1.PaymentRequest;
import io.coffer.proto.v1.PaymentsGrpc;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.Set;

/**
 * {@code coffer.v1.Payments}: create, get, list and cancel payment requests for the calling key's tenant.
 * Thin: validation and rules live in {@link PaymentRequestService}.
 */
public final class PaymentsService extends PaymentsGrpc.PaymentsImplBase {
    public static final Set<String> IMPLEMENTED = Set.of(PaymentsGrpc.getCreatePaymentRequestMethod().getFullMethodName(),
            PaymentsGrpc.getGetPaymentRequestMethod().getFullMethodName(), PaymentsGrpc.getListPaymentRequestsMethod().getFullMethodName(),
            PaymentsGrpc.getCancelPaymentRequestMethod().getFullMethodName());

    private final PaymentRequestService requests;
    private final Protos protos;

    public PaymentsService(PaymentRequestService requests, Protos protos) {
        this.requests = requests;
        this.protos = protos;
    }

    @Override
    public void createPaymentRequest(CreatePaymentRequestRequest r, StreamObserver<PaymentRequest> out) {
        ErrorMapper.answer(out, () -> {
            TenantService.Principal p = ApiKeyAuth.principal();
            io.coffer.core.payment.SpeedPolicy policy = switch (RequestFields.known("speed_policy", r.getSpeedPolicy(),
                    r.getSpeedPolicyValue(), true)) {
                case SPEED_POLICY_HIGH -> io.coffer.core.payment.SpeedPolicy.HIGH;
                case SPEED_POLICY_MEDIUM -> io.coffer.core.payment.SpeedPolicy.MEDIUM;
                case SPEED_POLICY_LOW_MEDIUM -> io.coffer.core.payment.SpeedPolicy.LOW_MEDIUM;
                case SPEED_POLICY_LOW -> io.coffer.core.payment.SpeedPolicy.LOW;
                case SPEED_POLICY_UNSPECIFIED -> null;
                case UNRECOGNIZED -> throw new IllegalStateException("checked above");
            };
            Integer conf = policy == null && r.hasRequiredConfirmations() ? r.getRequiredConfirmations() : null;
            if (r.hasRequiredConfirmations() && r.getRequiredConfirmations() > 100) {
                throw CofferException.invalid("required_confirmations", "CONFIRMATIONS_OUT_OF_RANGE", "0 to 100");
            }
            Instant expires = r.hasExpiresAt() ? RequestFields.instant(r.getExpiresAt(), "expires_at") : null;
            return toProto(requests.create(p.tenant().id(), p.tenant().accountIndex(), new PaymentRequestService.Create(r.getAsset(),
                    r.getAmount(), expires, conf, r.getOrderId(), r.getMetadataMap(), r.getDescription(), r.getIdempotencyKey(), r.getRedirectUrl(),
                    policy)));
        });
    }

    @Override
    public void getPaymentRequest(GetPaymentRequestRequest r, StreamObserver<PaymentRequest> out) {
        ErrorMapper.answer(out, () -> toProto(requests.get(ApiKeyAuth.principal().tenant().id(), r.getId())));
    }

    @Override
    public void listPaymentRequests(ListPaymentRequestsRequest r, StreamObserver<ListPaymentRequestsResponse> out) {
        ErrorMapper.answer(out, () -> {
            Instant from = r.hasCreatedFrom() ? RequestFields.instant(r.getCreatedFrom(), "created_from") : Instant.MIN;
            Instant to = r.hasCreatedTo() ? RequestFields.instant(r.getCreatedTo(), "created_to") : Instant.MAX;
            if (to.isBefore(from)) {
                throw CofferException.invalid("created_to", "TIME_RANGE_REVERSED", "must not be before 'created_from'");
            }
            if (!r.getAsset().isEmpty() && !requests.knowsAsset(r.getAsset())) {
                throw CofferException.invalid("asset", "ASSET_UNKNOWN", "unknown asset '" + r.getAsset() + "'");
            }
            RequestFields.known("statuses", r.getStatusesList(), r.getStatusesValueList());
            String tenant = ApiKeyAuth.principal().tenant().id();
            int size = RequestFields.pageSize(r.getPage().getPageSize());
            java.util.Set<io.coffer.core.payment.PaymentRequestStatus> statuses = java.util.EnumSet.noneOf(
                    io.coffer.core.payment.PaymentRequestStatus.class);
            r.getStatusesList().forEach(s -> statuses.add(Protos.paymentRequestStatus(s)));
            var page = requests.page(tenant, new PaymentRequestService.ListQuery(from, to, statuses, r.getAsset(), r.getOrderId()),
                    PageTokens.tenantTime(tenant, r.getPage().getPageToken()), size);
            return ListPaymentRequestsResponse.newBuilder().addAllPaymentRequests(page.items().stream().map(this::toProto).toList())
                    .setNextPageToken(PageTokens.tenantTime(page.next())).build();
        });
    }

    @Override
    public void cancelPaymentRequest(CancelPaymentRequestRequest r, StreamObserver<PaymentRequest> out) {
        ErrorMapper.answer(out, () -> {
            TenantService.Principal p = ApiKeyAuth.principal();
            return toProto(requests.cancel(p.tenant().id(), r.getId(), p.key().id()));
        });
    }

    private PaymentRequest toProto(PaymentRequestService.View v) {
        return protos.paymentRequest(v);
    }
}
