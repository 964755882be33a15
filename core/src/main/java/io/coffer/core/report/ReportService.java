package io.coffer.core.report;

import io.coffer.core.chain.AssetId;
import io.coffer.core.chain.Deposit;
import io.coffer.core.audit.AuditLog;
import io.coffer.core.error.CofferException;
import io.coffer.core.payment.PaymentRequestService;
import io.coffer.core.payment.PaymentStatusRule;
import io.coffer.core.transfer.TransferService;
import io.coffer.core.transfer.Withdrawal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Writes a tenant's CSV report of one kind for {@code [from, to)} (by creation / first-seen time, oldest first), in chunks.
 * Columns (documented in the README) never change order; new ones are only ever appended.
 */
public final class ReportService {
    /** At most this range per report: a year and a day. */
    public static final Duration MAX_RANGE = Duration.ofDays(366);
    private static final int CHUNK = 64 * 1024;

    public enum Kind {
        PAYMENT_REQUESTS, DEPOSITS, TRANSFERS
    }

    public static final List<String> PAYMENT_REQUEST_COLUMNS = List.of("id", "created_at", "asset", "amount", "status", "amount_paid",
            "amount_confirmed", "overpaid", "late_payments", "address", "required_confirmations", "expires_at", "cancelled_at", "order_id",
            "description");
    public static final List<String> DEPOSIT_COLUMNS = List.of("deposit_id", "first_seen", "chain", "asset", "amount", "address", "txid",
            "output_index", "status", "confirmations", "block_height", "payment_request_id");
    public static final List<String> TRANSFER_COLUMNS = List.of("id", "created_at", "asset", "amount", "fee", "fee_asset", "destination",
            "status", "txid", "confirmations", "idempotency_key", "refund_of_payment_request_id", "approved_by", "failure_reason", "memo");

    /** The chain data a report needs. */
    public interface DepositSource {
        /**
         * The deposits to the account's external addresses on every followed chain first seen in {@code [from, to)}, oldest first
         * (ties: by chain, then id), one at a time: a report reads its period's part of the account's history, not every deposit
         * the node holds.
         */
        void eachDeposit(int account, Instant from, Instant to, Consumer<Deposit> each);

        /** The payment request a deposit paid, or "". */
        String paymentRequestOf(Deposit d);

        /** The asset network fees of {@code chain} are paid in. */
        String feeAsset(String chain);
    }

    private final PaymentRequestService payments;
    private final TransferService transfers;
    private final DepositSource chains;
    private final AuditLog audit;

    public ReportService(PaymentRequestService payments, TransferService transfers, DepositSource chains, AuditLog audit) {
        this.payments = payments;
        this.transfers = transfers;
        this.chains = chains;
        this.audit = audit;
    }

    /**
     * Streams the report to {@code out} in chunks; the first starts with the header row. The export is audited.
     *
     * @throws CofferException INVALID_ARGUMENT (range reversed, empty or over {@link #MAX_RANGE})
     */
    public void export(String tenant, int account, Kind kind, Instant from, Instant to, String actor, Consumer<String> out) {
        if (!to.isAfter(from)) {
            throw CofferException.invalid("to", "TIME_RANGE_REVERSED", "must be after 'from'");
        }
        if (Duration.between(from, to).compareTo(MAX_RANGE) > 0) {
            throw CofferException.invalid("to", "TIME_RANGE_TOO_LONG", "at most 366 days after 'from'");
        }
        audit.append(actor, "report.exported", tenant, Map.of("kind", kind.name().toLowerCase(), "from", from.toString(), "to", to.toString()));
        StringBuilder buf = new StringBuilder();
        Consumer<List<String>> row = fields -> {
            buf.append(Csv.line(fields));
            if (buf.length() >= CHUNK) {
                out.accept(buf.toString());
                buf.setLength(0);
            }
        };
        switch (kind) {
            case PAYMENT_REQUESTS -> {
                row.accept(PAYMENT_REQUEST_COLUMNS);
                payments.eachCreated(tenant, from, to, v -> {
                    var p = v.request();
                    PaymentStatusRule.Evaluation e = v.evaluation();
                    BigInteger late = e.late().stream().map(Deposit::amount).reduce(BigInteger.ZERO, BigInteger::add);
                    row.accept(List.of(p.id(), p.createdAt().toString(), p.asset(), p.amount().toString(), e.status().name(), e.paid().toString(),
                            e.confirmed().toString(), e.overpaid().toString(), late.toString(), p.address(), Integer.toString(p.requiredConfirmations()),
                            p.expiresAt() == null ? "" : p.expiresAt().toString(), p.cancelledAt() == null ? "" : p.cancelledAt().toString(),
                            Csv.text(p.orderId()), Csv.text(p.description())));
                });
            }
            case DEPOSITS -> {
                row.accept(DEPOSIT_COLUMNS);
                chains.eachDeposit(account, from, to, d -> row.accept(List.of(d.id().publicId(), d.firstSeen().toString(), d.chain(),
                        d.asset(), d.amount().toString(), d.address(), d.id().txid(), Integer.toString(d.id().index()), d.status().name(),
                        Integer.toString(d.confirmations()), Long.toString(d.blockHeight()), chains.paymentRequestOf(d))));
            }
            case TRANSFERS -> {
                row.accept(TRANSFER_COLUMNS);
                transfers.eachCreated(tenant, from, to, v -> {
                    var t = v.transfer();
                    Withdrawal w = v.withdrawal();
                    String chain = AssetId.chainOf(t.asset());
                    row.accept(List.of(t.id(), t.createdAt().toString(), t.asset(), t.amount().toString(), w == null ? "" : w.fee().toString(),
                            w == null ? "" : chains.feeAsset(chain), t.destination(), v.status().name(), w == null ? "" : w.txid(),
                            w == null ? "0" : Integer.toString(w.confirmations()), Csv.text(t.idempotencyKey()), t.refundOf(),
                            String.join(" ", t.approvals()), Csv.text(v.failureReason()), Csv.text(t.memo())));
                });
            }
        }
        if (!buf.isEmpty()) {
            out.accept(buf.toString());
        }
    }
}
