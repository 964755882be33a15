package io.coffer.api.grpc;

import io.coffer.core.tenant.Scope;
import io.coffer.proto.v1.EventsGrpc;
import io.coffer.proto.v1.PaymentsGrpc;
import io.coffer.proto.v1.TransfersGrpc;
import io.coffer.proto.v1.WalletGrpc;
import io.grpc.MethodDescriptor;
import java.util.HashMap;
import java.util.Map;

/** The scope every merchant RPC needs, as documented in the .proto files. One table, checked by {@link ApiKeyAuth}. */
public final class Scopes {
    private Scopes() {
    }

    public static Map<String, Scope> table() {
        Map<String, Scope> m = new HashMap<>();
        put(m, Scope.READ, WalletGrpc.getListAssetsMethod(), WalletGrpc.getGetBalanceMethod(), WalletGrpc.getListBalancesMethod(),
                WalletGrpc.getListHistoryMethod(), WalletGrpc.getListDepositAddressesMethod(),
                PaymentsGrpc.getGetPaymentRequestMethod(), PaymentsGrpc.getListPaymentRequestsMethod(),
                EventsGrpc.getStreamEventsMethod(), EventsGrpc.getListEventsMethod(),
                TransfersGrpc.getGetTransferMethod(), TransfersGrpc.getListTransfersMethod());
        put(m, Scope.PAYMENTS, WalletGrpc.getCreateDepositAddressMethod(), PaymentsGrpc.getCreatePaymentRequestMethod(),
                PaymentsGrpc.getCancelPaymentRequestMethod());
        put(m, Scope.TRANSFERS, TransfersGrpc.getEstimateFeeMethod(), TransfersGrpc.getCreateTransferMethod(), TransfersGrpc.getBumpFeeMethod());
        put(m, Scope.ADMIN, TransfersGrpc.getApproveTransferMethod(), TransfersGrpc.getRejectTransferMethod(),
                EventsGrpc.getSetWebhookMethod(), EventsGrpc.getGetWebhookMethod(), EventsGrpc.getListWebhookDeliveriesMethod(),
                EventsGrpc.getRedeliverEventMethod());
        return m;
    }

    private static void put(Map<String, Scope> m, Scope s, MethodDescriptor<?, ?>... methods) {
        for (MethodDescriptor<?, ?> md : methods) {
            m.put(md.getFullMethodName(), s);
        }
    }
}
