package io.coffer.api.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.coffer.core.chain.DepositStatus;
import io.coffer.core.chain.TxProgress;
import io.coffer.core.payment.PaymentRequestStatus;
import io.coffer.core.tenant.Scope;
import io.coffer.core.transfer.TransferStatus;
import io.coffer.core.transfer.WithdrawalStatus;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The enum mappings of the one proto mapper: every core value has its own API value, and API filters map back to it. */
class ProtosTest {
    @Test
    void everyTransferStatusHasItsOwnApiValueAndMapsBack() {
        Set<io.coffer.proto.v1.TransferStatus> seen = EnumSet.noneOf(io.coffer.proto.v1.TransferStatus.class);
        for (TransferStatus s : TransferStatus.values()) {
            io.coffer.proto.v1.TransferStatus api = Protos.transferStatus(s);
            assertEquals("TRANSFER_STATUS_" + s.name(), api.name(), "the API says what core means");
            assertEquals(s, Protos.transferStatus(api));
            seen.add(api);
        }
        assertEquals(TransferStatus.values().length, seen.size());
        // Every API value but UNSPECIFIED is one core knows: a filter can never name a status that does not exist.
        assertEquals(io.coffer.proto.v1.TransferStatus.values().length - 2, seen.size(), "UNSPECIFIED and UNRECOGNIZED aside");
    }

    @Test
    void everyPaymentRequestStatusAndScopeMapsBothWays() {
        for (PaymentRequestStatus s : PaymentRequestStatus.values()) {
            assertEquals("PAYMENT_REQUEST_STATUS_" + s.name(), Protos.paymentRequestStatus(s).name());
            assertEquals(s, Protos.paymentRequestStatus(Protos.paymentRequestStatus(s)));
        }
        for (Scope s : Scope.values()) {
            assertEquals("SCOPE_" + s.name(), Protos.scope(s).name());
            assertEquals(s, Protos.scope(Protos.scope(s)));
        }
    }

    @Test
    void depositsKeepTheirStatusNameAndWithdrawalsShowWhereTheirTransactionIs() {
        for (DepositStatus s : DepositStatus.values()) {
            assertEquals("TX_STATUS_" + s.name(), Protos.txStatus(TxProgress.of(s)).name());
        }
        for (WithdrawalStatus s : WithdrawalStatus.values()) {
            assertNotEquals(io.coffer.proto.v1.TxStatus.TX_STATUS_UNSPECIFIED, Protos.txStatus(s.progress()), s.name());
        }
        assertEquals(io.coffer.proto.v1.TxStatus.TX_STATUS_SEEN, Protos.txStatus(WithdrawalStatus.BROADCAST_UNKNOWN.progress()));
        assertEquals(io.coffer.proto.v1.TxStatus.TX_STATUS_REPLACED, Protos.txStatus(WithdrawalStatus.CONFLICTED.progress()));
        assertEquals(io.coffer.proto.v1.TxStatus.TX_STATUS_FAILED, Protos.txStatus(WithdrawalStatus.REVERTED.progress()));
    }

    @Test
    void feePrioritiesDefaultToNormal() {
        assertEquals(io.coffer.core.transfer.FeePriority.NORMAL, Protos.feePriority(io.coffer.proto.v1.FeePriority.FEE_PRIORITY_UNSPECIFIED));
        assertEquals(io.coffer.core.transfer.FeePriority.HIGH, Protos.feePriority(io.coffer.proto.v1.FeePriority.FEE_PRIORITY_HIGH));
    }
}
