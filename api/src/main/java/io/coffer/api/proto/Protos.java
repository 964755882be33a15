package io.coffer.api.proto;

import com.google.protobuf.Timestamp;
import io.coffer.core.audit.AuditLog;
import io.coffer.core.chain.AssetId;
import io.coffer.core.chain.Deposit;
import io.coffer.core.chain.TxProgress;
import io.coffer.core.custody.Vault;
import io.coffer.core.driver.AssetInfo;
import io.coffer.core.driver.ChainRegistry;
import io.coffer.core.payment.PaymentRequestService;
import io.coffer.core.payment.PaymentStatusRule;
import io.coffer.core.tenant.ApiKey;
import io.coffer.core.tenant.Scope;
import io.coffer.core.tenant.Tenant;
import io.coffer.core.transfer.FeePriority;
import io.coffer.core.transfer.HistoryEntry;
import io.coffer.core.transfer.TenantTransfer;
import io.coffer.core.transfer.TransferPolicy;
import io.coffer.core.transfer.TransferService;
import io.coffer.core.transfer.TransferStatus;
import io.coffer.core.transfer.Withdrawal;
import io.coffer.core.wallet.AccountBalance;
import io.coffer.core.wallet.DepositAddress;
import io.coffer.proto.v1.Amount;
import io.coffer.proto.v1.Asset;
import io.coffer.proto.v1.AssetLimits;
import io.coffer.proto.v1.AuditEntry;
import io.coffer.proto.v1.Balance;
import io.coffer.proto.v1.ChainKind;
import io.coffer.proto.v1.DepositEvent;
import io.coffer.proto.v1.Eip1559Fee;
import io.coffer.proto.v1.FeeEstimate;
import io.coffer.proto.v1.FeeRate;
import io.coffer.proto.v1.Payment;
import io.coffer.proto.v1.PaymentRequest;
import io.coffer.proto.v1.PaymentRequestStatus;
import io.coffer.proto.v1.RescanProgress;
import io.coffer.proto.v1.SealStatus;
import io.coffer.proto.v1.Transfer;
import io.coffer.proto.v1.TxStatus;
import java.math.BigInteger;
import java.time.Instant;

/**
 * The one mapper between core objects and {@code coffer.v1} messages. Instances know the chains (a transfer's fee is shown in
 * its chain's fee asset; an account chain's transfer shows its nonce); everything else is static. Enum mappings are
 * exhaustive switches, so a state added in core and not here fails the build, not a call.
 */
public final class Protos {
    private final ChainRegistry chains;
    private final java.util.function.Function<String, String> checkoutUrl;

    /** @param checkoutUrl a payment request id's checkout page URL, or "" when the node serves none */
    public Protos(ChainRegistry chains, java.util.function.Function<String, String> checkoutUrl) {
        this.chains = chains;
        this.checkoutUrl = checkoutUrl;
    }

    public static Amount amount(String asset, BigInteger value) {
        return Amount.newBuilder().setAsset(asset).setValue(value.toString()).build();
    }

    /** A coin (UTXO) or nonce (account chains) of the wallet spent by a transaction the ledger did not make. */
    public static io.coffer.proto.v1.ForeignSpend foreignSpend(io.coffer.core.chain.ForeignSpends.Spend f) {
        io.coffer.proto.v1.ForeignSpend.Builder b = io.coffer.proto.v1.ForeignSpend.newBuilder().setChain(f.chain())
                .setCoin(f.coin().toString()).setAmount(amount(f.asset(), f.amount())).setSpentByTxid(f.spentBy()).setHeight(f.height());
        if (!f.feeAsset().isEmpty()) {
            b.setFee(amount(f.feeAsset(), f.fee()));
        }
        return b.build();
    }

    public static Timestamp timestamp(Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }

    // ---- wallet

    public static Asset asset(AssetInfo a) {
        return Asset.newBuilder().setId(a.id()).setChain(a.chain()).setSymbol(a.symbol()).setDecimals(a.decimals())
                .setContract(a.contract()).setEvmChainId(a.evmChainId()).setBitcoinNetwork(a.bitcoinNetwork())
                .setChainKind(chainKind(a.accountBased())).build();
    }

    public static ChainKind chainKind(boolean accountBased) {
        return accountBased ? ChainKind.CHAIN_KIND_EVM : ChainKind.CHAIN_KIND_BITCOIN;
    }

    public static Balance balance(AccountBalance b) {
        return Balance.newBuilder().setAsset(b.asset()).setConfirmed(b.confirmed().toString())
                .setPendingIncoming(b.pendingIncoming().toString()).setPendingOutgoing(b.pendingOutgoing().toString())
                .setAsOfHeight(b.asOfHeight()).build();
    }

    public static io.coffer.proto.v1.DepositAddress depositAddress(DepositAddress a) {
        var b = io.coffer.proto.v1.DepositAddress.newBuilder().setAddress(a.address()).setChain(a.chain())
                .setDerivationPath(a.path()).setLabel(a.label());
        a.created().ifPresent(c -> b.setCreated(timestamp(c)));
        return b.build();
    }

    public io.coffer.proto.v1.HistoryEntry historyEntry(HistoryEntry h) {
        return io.coffer.proto.v1.HistoryEntry.newBuilder().setId(h.id())
                .setDirection(h.incoming() ? io.coffer.proto.v1.HistoryEntry.Direction.DIRECTION_IN
                        : io.coffer.proto.v1.HistoryEntry.Direction.DIRECTION_OUT)
                .setAmount(amount(h.asset(), h.amount()))
                .setFee(amount(chains.feeAsset(AssetId.chainOf(h.asset())), h.fee()))
                .setTxid(h.txid()).setConfirmations(h.confirmations()).setStatus(txStatus(h.status()))
                .setAddress(h.address()).setFirstSeen(Timestamp.newBuilder().setSeconds(h.at().getEpochSecond())).build();
    }

    public static TxStatus txStatus(TxProgress p) {
        return switch (p) {
            case SEEN -> TxStatus.TX_STATUS_SEEN;
            case CONFIRMING -> TxStatus.TX_STATUS_CONFIRMING;
            case CONFIRMED -> TxStatus.TX_STATUS_CONFIRMED;
            case FINAL -> TxStatus.TX_STATUS_FINAL;
            case REORGED -> TxStatus.TX_STATUS_REORGED;
            case REPLACED -> TxStatus.TX_STATUS_REPLACED;
            case FAILED -> TxStatus.TX_STATUS_FAILED;
        };
    }

    // ---- payments

    public PaymentRequest paymentRequest(PaymentRequestService.View v) {
        var pr = v.request();
        PaymentStatusRule.Evaluation e = v.evaluation();
        PaymentRequest.Builder b = PaymentRequest.newBuilder().setId(pr.id()).setStatus(paymentRequestStatus(e.status()))
                .setAmount(amount(pr.asset(), pr.amount())).setAmountPaid(amount(pr.asset(), e.paid()))
                .setAmountConfirmed(amount(pr.asset(), e.confirmed())).setOverpaid(amount(pr.asset(), e.overpaid()))
                .setAddress(pr.address()).setPaymentUri(pr.paymentUri()).setRequiredConfirmations(pr.requiredConfirmations())
                .setCreatedAt(timestamp(pr.createdAt())).setOrderId(pr.orderId()).putAllMetadata(pr.metadata())
                .setDescription(pr.description()).setFinal(e.isFinal()).setHasLatePayments(!e.late().isEmpty())
                .setRedirectUrl(pr.redirectUrl()).setCheckoutUrl(checkoutUrl.apply(pr.id()));
        if (pr.expiresAt() != null) {
            b.setExpiresAt(timestamp(pr.expiresAt()));
        }
        e.counted().forEach(d -> b.addPayments(payment(d, false)));
        e.late().forEach(d -> b.addPayments(payment(d, true)));
        return b.build();
    }

    public static PaymentRequestStatus paymentRequestStatus(io.coffer.core.payment.PaymentRequestStatus s) {
        return switch (s) {
            case PENDING -> PaymentRequestStatus.PAYMENT_REQUEST_STATUS_PENDING;
            case PAID_UNCONFIRMED -> PaymentRequestStatus.PAYMENT_REQUEST_STATUS_PAID_UNCONFIRMED;
            case UNDERPAID -> PaymentRequestStatus.PAYMENT_REQUEST_STATUS_UNDERPAID;
            case CONFIRMED -> PaymentRequestStatus.PAYMENT_REQUEST_STATUS_CONFIRMED;
            case EXPIRED -> PaymentRequestStatus.PAYMENT_REQUEST_STATUS_EXPIRED;
            case CANCELLED -> PaymentRequestStatus.PAYMENT_REQUEST_STATUS_CANCELLED;
        };
    }

    /** A status filter of a list call (the caller checked it is a known value). */
    public static io.coffer.core.payment.PaymentRequestStatus paymentRequestStatus(PaymentRequestStatus s) {
        return switch (s) {
            case PAYMENT_REQUEST_STATUS_PENDING -> io.coffer.core.payment.PaymentRequestStatus.PENDING;
            case PAYMENT_REQUEST_STATUS_PAID_UNCONFIRMED -> io.coffer.core.payment.PaymentRequestStatus.PAID_UNCONFIRMED;
            case PAYMENT_REQUEST_STATUS_UNDERPAID -> io.coffer.core.payment.PaymentRequestStatus.UNDERPAID;
            case PAYMENT_REQUEST_STATUS_CONFIRMED -> io.coffer.core.payment.PaymentRequestStatus.CONFIRMED;
            case PAYMENT_REQUEST_STATUS_EXPIRED -> io.coffer.core.payment.PaymentRequestStatus.EXPIRED;
            case PAYMENT_REQUEST_STATUS_CANCELLED -> io.coffer.core.payment.PaymentRequestStatus.CANCELLED;
            case PAYMENT_REQUEST_STATUS_UNSPECIFIED, UNRECOGNIZED -> throw new IllegalArgumentException("not a status: " + s);
        };
    }

    private static Payment payment(Deposit d, boolean late) {
        return Payment.newBuilder().setDepositId(d.id().publicId()).setTxid(d.id().txid()).setIndex(d.id().index())
                .setAmount(amount(d.asset(), d.amount())).setConfirmations(d.confirmations()).setStatus(txStatus(TxProgress.of(d.status())))
                .setLate(late).setFirstSeen(timestamp(d.firstSeen())).build();
    }

    public static DepositEvent depositEvent(Deposit d, String paymentRequestId) {
        return DepositEvent.newBuilder().setDepositId(d.id().publicId()).setAddress(d.address()).setAmount(amount(d.asset(), d.amount()))
                .setTxid(d.id().txid()).setIndex(d.id().index()).setConfirmations(d.confirmations())
                .setStatus(txStatus(TxProgress.of(d.status()))).setPaymentRequestId(paymentRequestId).setBlockHeight(d.blockHeight())
                .build();
    }

    // ---- transfers

    /** The transfer as the API shows it (also the subject of transfer events). */
    public Transfer transfer(TransferService.View v) {
        TenantTransfer t = v.transfer();
        Withdrawal w = v.withdrawal();
        Instant updated = w != null && w.updatedAt().isAfter(t.updatedAt()) ? w.updatedAt() : t.updatedAt();
        Transfer.Builder b = Transfer.newBuilder().setId(t.id()).setStatus(transferStatus(v.status()))
                .setAmount(amount(t.asset(), t.amount())).setDestination(t.destination()).setIdempotencyKey(t.idempotencyKey())
                .setRefundOfPaymentRequestId(t.refundOf()).setMemo(t.memo()).addAllApprovedBy(t.approvals())
                .setFailureReason(v.failureReason()).setCreatedAt(timestamp(t.createdAt())).setUpdatedAt(timestamp(updated))
                .setFinal(v.isFinal()).setHoldReason(v.holdReason());
        if (w != null) {
            String chain = AssetId.chainOf(t.asset());
            b.setFee(amount(chains.feeAsset(chain), w.fee())).setTxid(w.txid()).addAllReplacedTxids(w.replacedTxids())
                    .setConfirmations(w.confirmations());
            if (chains.accountBased(chain)) {
                b.setNonce(io.coffer.core.transfer.NonceSlot.of(w).nonce());
            }
        }
        return b.build();
    }

    public static io.coffer.proto.v1.TransferStatus transferStatus(TransferStatus s) {
        return switch (s) {
            case AWAITING_APPROVAL -> io.coffer.proto.v1.TransferStatus.TRANSFER_STATUS_AWAITING_APPROVAL;
            case SIGNED -> io.coffer.proto.v1.TransferStatus.TRANSFER_STATUS_SIGNED;
            case BROADCAST -> io.coffer.proto.v1.TransferStatus.TRANSFER_STATUS_BROADCAST;
            case BROADCAST_UNKNOWN -> io.coffer.proto.v1.TransferStatus.TRANSFER_STATUS_BROADCAST_UNKNOWN;
            case CONFIRMING -> io.coffer.proto.v1.TransferStatus.TRANSFER_STATUS_CONFIRMING;
            case CONFIRMED -> io.coffer.proto.v1.TransferStatus.TRANSFER_STATUS_CONFIRMED;
            case FAILED -> io.coffer.proto.v1.TransferStatus.TRANSFER_STATUS_FAILED;
            case REJECTED -> io.coffer.proto.v1.TransferStatus.TRANSFER_STATUS_REJECTED;
            case CONFLICTED -> io.coffer.proto.v1.TransferStatus.TRANSFER_STATUS_CONFLICTED;
            case REVERTED -> io.coffer.proto.v1.TransferStatus.TRANSFER_STATUS_REVERTED;
        };
    }

    /** A status filter of a list call (the caller checked it is a known value). */
    public static TransferStatus transferStatus(io.coffer.proto.v1.TransferStatus s) {
        return switch (s) {
            case TRANSFER_STATUS_AWAITING_APPROVAL -> TransferStatus.AWAITING_APPROVAL;
            case TRANSFER_STATUS_SIGNED -> TransferStatus.SIGNED;
            case TRANSFER_STATUS_BROADCAST -> TransferStatus.BROADCAST;
            case TRANSFER_STATUS_BROADCAST_UNKNOWN -> TransferStatus.BROADCAST_UNKNOWN;
            case TRANSFER_STATUS_CONFIRMING -> TransferStatus.CONFIRMING;
            case TRANSFER_STATUS_CONFIRMED -> TransferStatus.CONFIRMED;
            case TRANSFER_STATUS_FAILED -> TransferStatus.FAILED;
            case TRANSFER_STATUS_REJECTED -> TransferStatus.REJECTED;
            case TRANSFER_STATUS_CONFLICTED -> TransferStatus.CONFLICTED;
            case TRANSFER_STATUS_REVERTED -> TransferStatus.REVERTED;
            case TRANSFER_STATUS_UNSPECIFIED, UNRECOGNIZED -> throw new IllegalArgumentException("not a status: " + s);
        };
    }

    /** A request's priority (the caller checked it is a known value); unspecified is NORMAL. */
    public static FeePriority feePriority(io.coffer.proto.v1.FeePriority p) {
        return switch (p) {
            case FEE_PRIORITY_LOW -> FeePriority.LOW;
            case FEE_PRIORITY_UNSPECIFIED, FEE_PRIORITY_NORMAL -> FeePriority.NORMAL;
            case FEE_PRIORITY_HIGH -> FeePriority.HIGH;
            case UNRECOGNIZED -> throw new IllegalArgumentException("not a priority");
        };
    }

    public static FeeEstimate feeEstimate(TransferService.Quote q) {
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
    }

    // ---- admin

    public static io.coffer.proto.v1.TransferPolicy transferPolicy(TransferPolicy p) {
        io.coffer.proto.v1.TransferPolicy.Builder b = io.coffer.proto.v1.TransferPolicy.newBuilder().setTenantId(p.tenant())
                .setApprovalQuorum(p.quorum());
        p.limits().forEach((asset, l) -> b.addLimits(AssetLimits.newBuilder().setAsset(asset)
                .setPerTransferMax(l.perTransferMax() == null ? "" : l.perTransferMax().toString())
                .setRolling24HMax(l.rolling24hMax() == null ? "" : l.rolling24hMax().toString())
                .setApprovalThreshold(l.approvalThreshold() == null ? "" : l.approvalThreshold().toString())
                .setNewDestinationAbove(l.newDestinationAbove() == null ? "" : l.newDestinationAbove().toString())));
        b.setHoldLookalikeDestinations(p.holdLookalikes()).setVelocityFactor(p.velocityFactor());
        for (TransferPolicy.AllowEntry a : p.allowlist()) {
            b.addAllowlist(io.coffer.proto.v1.AllowlistEntry.newBuilder().setChain(a.chain()).setAddress(a.address()).setLabel(a.label())
                    .setEffectiveAt(timestamp(a.effectiveAt())));
        }
        return b.build();
    }

    public static io.coffer.proto.v1.Tenant tenant(Tenant t) {
        return io.coffer.proto.v1.Tenant.newBuilder().setId(t.id()).setName(t.name()).setAccountIndex(t.accountIndex())
                .setCreatedAt(Timestamp.newBuilder().setSeconds(t.createdAt().getEpochSecond())).build();
    }

    public static io.coffer.proto.v1.ApiKey apiKey(ApiKey k) {
        var b = io.coffer.proto.v1.ApiKey.newBuilder().setId(k.id()).setTenantId(k.tenantId()).setLabel(k.label()).setRevoked(k.revoked())
                .setCreatedAt(Timestamp.newBuilder().setSeconds(k.createdAt().getEpochSecond())).setApprovalsNeedTotpOf(k.approvalOperator());
        if (k.lastUsedAt() != null) {
            b.setLastUsedAt(Timestamp.newBuilder().setSeconds(k.lastUsedAt().getEpochSecond()));
        }
        k.scopes().forEach(s -> b.addScopes(scope(s)));
        return b.build();
    }

    public static io.coffer.proto.v1.Scope scope(Scope s) {
        return switch (s) {
            case READ -> io.coffer.proto.v1.Scope.SCOPE_READ;
            case PAYMENTS -> io.coffer.proto.v1.Scope.SCOPE_PAYMENTS;
            case TRANSFERS -> io.coffer.proto.v1.Scope.SCOPE_TRANSFERS;
            case ADMIN -> io.coffer.proto.v1.Scope.SCOPE_ADMIN;
        };
    }

    /** A requested scope (the caller checked it is a known value). */
    public static Scope scope(io.coffer.proto.v1.Scope s) {
        return switch (s) {
            case SCOPE_READ -> Scope.READ;
            case SCOPE_PAYMENTS -> Scope.PAYMENTS;
            case SCOPE_TRANSFERS -> Scope.TRANSFERS;
            case SCOPE_ADMIN -> Scope.ADMIN;
            case SCOPE_UNSPECIFIED, UNRECOGNIZED -> throw new IllegalArgumentException("not a scope: " + s);
        };
    }

    public static SealStatus sealStatus(Vault.Status s) {
        SealStatus.Mode mode = switch (s.state()) {
            case UNINITIALIZED -> SealStatus.Mode.MODE_UNINITIALIZED;
            case SEALED -> SealStatus.Mode.MODE_SEALED;
            case UNSEALED -> SealStatus.Mode.MODE_UNSEALED;
            case WATCH_ONLY -> SealStatus.Mode.MODE_WATCH_ONLY;
        };
        return SealStatus.newBuilder().setMode(mode).setThreshold(s.threshold()).setShareCount(s.shareCount())
                .setProgress(s.progress()).setMasterFingerprint(s.masterFingerprint() == 0 ? "" : s.fingerprintHex()).build();
    }

    public static AuditEntry auditEntry(AuditLog.Entry e) {
        return AuditEntry.newBuilder().setSequence(e.sequence()).setAt(timestamp(e.at())).setActor(e.actor()).setAction(e.action())
                .setSubject(e.subject()).putAllDetails(e.details()).build();
    }

    public static io.coffer.proto.v1.ChainStatus chainStatus(io.coffer.core.driver.ChainStatus c) {
        var b = io.coffer.proto.v1.ChainStatus.newBuilder().setChain(c.chain()).setKind(chainKind(c.accountBased()))
                .setConnected(c.connected()).setNetwork(c.network()).setTipHeight(c.tipHeight()).setTipHash(c.tipHash())
                .setProcessedHeight(c.processedHeight()).setLastError(c.lastError());
        c.catchUp().ifPresent(p -> b.setCatchUp(workProgress(p)));
        c.lastBlockAt().ifPresent(t -> b.setLastBlockAt(timestamp(t)));
        return b.build();
    }

    public static io.coffer.proto.v1.Alert alert(io.coffer.core.alert.Alert a) {
        var b = io.coffer.proto.v1.Alert.newBuilder().setId(a.id()).setRaisedAt(timestamp(a.at()))
                .setKind(switch (a.kind()) {
                    case RECONCILIATION -> io.coffer.proto.v1.AlertKind.ALERT_KIND_RECONCILIATION;
                    case ANOMALY -> io.coffer.proto.v1.AlertKind.ALERT_KIND_ANOMALY;
                    case AUTH_FAILURES -> io.coffer.proto.v1.AlertKind.ALERT_KIND_AUTH_FAILURES;
                }).setSubject(a.subject()).setSummary(a.summary()).putAllDetails(a.details()).setNote(a.ackNote());
        a.ackedBy().ifPresent(b::setAcknowledgedBy);
        a.ackedAt().ifPresent(t -> b.setAcknowledgedAt(timestamp(t)));
        return b.build();
    }

    public static io.coffer.proto.v1.Operator operator(io.coffer.core.operator.Operator o, boolean totp) {
        var b = io.coffer.proto.v1.Operator.newBuilder().setName(o.name()).setPublicKey(com.google.protobuf.ByteString.copyFrom(o.publicKey()))
                .setCreatedAt(timestamp(o.createdAt())).setCreatedBy(o.createdBy()).setDisabled(o.disabled()).setTotpEnrolled(totp);
        o.roles().stream().sorted().forEach(r -> b.addRoles(operatorRole(r)));
        return b.build();
    }

    public static io.coffer.proto.v1.OperatorRole operatorRole(io.coffer.core.operator.OperatorRole r) {
        return switch (r) {
            case CUSTODIAN -> io.coffer.proto.v1.OperatorRole.OPERATOR_ROLE_CUSTODIAN;
            case ADMIN -> io.coffer.proto.v1.OperatorRole.OPERATOR_ROLE_ADMIN;
            case APPROVER -> io.coffer.proto.v1.OperatorRole.OPERATOR_ROLE_APPROVER;
            case AUDITOR -> io.coffer.proto.v1.OperatorRole.OPERATOR_ROLE_AUDITOR;
        };
    }

    /** A role named in a request (UNSPECIFIED and unknown numbers are refused before: {@code RequestFields.known}). */
    public static io.coffer.core.operator.OperatorRole operatorRole(io.coffer.proto.v1.OperatorRole r) {
        return switch (r) {
            case OPERATOR_ROLE_CUSTODIAN -> io.coffer.core.operator.OperatorRole.CUSTODIAN;
            case OPERATOR_ROLE_ADMIN -> io.coffer.core.operator.OperatorRole.ADMIN;
            case OPERATOR_ROLE_APPROVER -> io.coffer.core.operator.OperatorRole.APPROVER;
            case OPERATOR_ROLE_AUDITOR -> io.coffer.core.operator.OperatorRole.AUDITOR;
            case OPERATOR_ROLE_UNSPECIFIED, UNRECOGNIZED -> throw io.coffer.core.error.CofferException.invalid("roles", "ENUM_VALUE_UNKNOWN", "not a role");
        };
    }

    public static io.coffer.proto.v1.WorkProgress workProgress(io.coffer.core.progress.Progress.Report p) {
        var b = io.coffer.proto.v1.WorkProgress.newBuilder().setDone(Math.max(0, p.done())).setTotal(Math.max(0, p.total()))
                .setUnit(p.unit()).setRatePerSecond(p.rate());
        p.eta().ifPresent(d -> b.setEta(com.google.protobuf.Duration.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano())));
        return b.build();
    }

    public static io.coffer.proto.v1.CounterCredential counterCredential(io.coffer.core.checkout.CounterCredential c) {
        var b = io.coffer.proto.v1.CounterCredential.newBuilder().setId(c.id()).setTenantId(c.tenantId()).setLabel(c.label())
                .setCreatedAt(timestamp(c.createdAt())).setRevoked(c.revoked());
        c.caps().forEach((asset, max) -> b.addCaps(io.coffer.proto.v1.CounterCap.newBuilder().setAsset(asset).setMax(max.toString())));
        return b.build();
    }

    // ---- events

    /** A tenant's webhook as the API shows it (never its secret: only SetWebhook's answer carries that). */
    public static io.coffer.proto.v1.Webhook webhook(io.coffer.core.event.Webhook w) {
        return io.coffer.proto.v1.Webhook.newBuilder().setUrl(w.url()).setUpdatedAt(timestamp(w.updatedAt())).build();
    }

    public static io.coffer.proto.v1.WebhookDelivery webhookDelivery(io.coffer.core.event.Delivery d) {
        io.coffer.proto.v1.WebhookDelivery.State state = switch (d.state()) {
            case PENDING -> io.coffer.proto.v1.WebhookDelivery.State.STATE_PENDING;
            case DELIVERED -> io.coffer.proto.v1.WebhookDelivery.State.STATE_DELIVERED;
            case FAILED -> io.coffer.proto.v1.WebhookDelivery.State.STATE_FAILED;
        };
        return io.coffer.proto.v1.WebhookDelivery.newBuilder().setEventId(d.eventId()).setSequence(d.sequence()).setState(state)
                .setAttempts(d.attempts()).setLastHttpStatus(d.lastHttpStatus()).setLastError(d.lastError())
                .setNextAttemptAt(timestamp(d.nextAttemptAt())).build();
    }

    public static RescanProgress rescanProgress(io.coffer.core.driver.RescanProgress p) {
        return RescanProgress.newBuilder().setHeight(p.height()).setTipHeight(p.tipHeight()).setDepositsFound(p.depositsFound())
                .setAddressesWatched(p.addressesWatched()).setDone(p.done()).setProgress(workProgress(p.progress())).build();
    }
}
