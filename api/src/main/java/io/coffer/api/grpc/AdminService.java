package io.coffer.api.grpc;

import io.coffer.api.proto.Protos;
import io.coffer.core.audit.AuditLog;
import io.coffer.core.custody.Vault;
import io.coffer.core.error.CofferException;
import io.coffer.core.keys.MnemonicException;
import io.coffer.core.keys.Secrets;
import io.coffer.proto.v1.AdminGrpc;
import io.coffer.proto.v1.ChainsStatus;
import io.coffer.proto.v1.GetChainsStatusRequest;
import io.coffer.proto.v1.GetSealStatusRequest;
import io.coffer.proto.v1.ListAuditLogRequest;
import io.coffer.proto.v1.ListAuditLogResponse;
import io.coffer.proto.v1.RescanProgress;
import io.coffer.proto.v1.RescanRequest;
import io.coffer.proto.v1.SealRequest;
import io.coffer.proto.v1.SealStatus;
import io.coffer.proto.v1.UnsealRequest;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The custody half of {@code coffer.v1.Admin}: seal status, share-by-share unseal, seal, audit log. Thin:
 * each call goes to the {@link Vault} or the {@link AuditLog} and answers; errors go through
 * {@link ErrorMapper}. The other Admin RPCs are still planned (see {@link PlannedServices}).
 */
public final class AdminService extends AdminGrpc.AdminImplBase {
    /** The RPCs this class serves. */
    public static final Set<String> IMPLEMENTED = Set.of(
            AdminGrpc.getGetSealStatusMethod().getFullMethodName(),
            AdminGrpc.getCreateBackupMethod().getFullMethodName(),
            AdminGrpc.getReleaseRestoreMethod().getFullMethodName(),
            AdminGrpc.getGetRestoreStatusMethod().getFullMethodName(),
            AdminGrpc.getUnsealMethod().getFullMethodName(),
            AdminGrpc.getSealMethod().getFullMethodName(),
            AdminGrpc.getListAuditLogMethod().getFullMethodName(),
            AdminGrpc.getGetChainsStatusMethod().getFullMethodName(),
            AdminGrpc.getRescanMethod().getFullMethodName(),
            AdminGrpc.getCreateTenantMethod().getFullMethodName(),
            AdminGrpc.getListTenantsMethod().getFullMethodName(),
            AdminGrpc.getCreateApiKeyMethod().getFullMethodName(),
            AdminGrpc.getListApiKeysMethod().getFullMethodName(),
            AdminGrpc.getRevokeApiKeyMethod().getFullMethodName(),
            AdminGrpc.getRotateApiKeyMethod().getFullMethodName(),
            AdminGrpc.getSetTransferPolicyMethod().getFullMethodName(),
            AdminGrpc.getGetTransferPolicyMethod().getFullMethodName(),
            AdminGrpc.getExportReportMethod().getFullMethodName(),
            AdminGrpc.getCreateCounterCredentialMethod().getFullMethodName(),
            AdminGrpc.getListCounterCredentialsMethod().getFullMethodName(),
            AdminGrpc.getRevokeCounterCredentialMethod().getFullMethodName(),
            AdminGrpc.getAddOperatorMethod().getFullMethodName(),
            AdminGrpc.getListOperatorsMethod().getFullMethodName(),
            AdminGrpc.getDisableOperatorMethod().getFullMethodName(),
            AdminGrpc.getEnrollTotpMethod().getFullMethodName(),
            AdminGrpc.getConfirmTotpMethod().getFullMethodName(),
            AdminGrpc.getApproveTransferMethod().getFullMethodName(),
            AdminGrpc.getRejectTransferMethod().getFullMethodName(),
            AdminGrpc.getListAlertsMethod().getFullMethodName(),
            AdminGrpc.getStreamAlertsMethod().getFullMethodName(),
            AdminGrpc.getAckAlertMethod().getFullMethodName());

    /** Runs a rescan of a chain, telling progress as it goes. */
    public interface Rescanner {
        /**
         * @throws CofferException INVALID_ARGUMENT (unknown chain, height above the tip), FAILED_PRECONDITION (not followed)
         */
        void rescan(String chain, long fromHeight, java.util.function.Consumer<io.coffer.core.driver.RescanProgress> progress)
                throws Exception;
    }

    private final Vault vault;
    private final AuditLog audit;
    private final Supplier<List<io.coffer.core.driver.ChainStatus>> chains;
    private final Rescanner rescanner;
    private final io.coffer.core.tenant.TenantService tenants;
    private final java.util.function.Consumer<io.coffer.core.tenant.Tenant> onTenantCreated;
    private final io.coffer.core.transfer.TransferService transfers;
    private final io.coffer.core.report.ReportService reports;
    private final io.coffer.core.checkout.CounterService counters;
    private final io.coffer.core.backup.BackupService backups;
    /** The counter page's URL, "" when the node serves no checkout listener. */
    private final Supplier<String> counterUrl;
    private final io.coffer.core.operator.OperatorService operators;
    private final Protos protos;
    private final io.coffer.core.alert.AlertService alerts;

    public AdminService(Vault vault, AuditLog audit, Supplier<List<io.coffer.core.driver.ChainStatus>> chains, Rescanner rescanner,
                        io.coffer.core.tenant.TenantService tenants, java.util.function.Consumer<io.coffer.core.tenant.Tenant> onTenantCreated,
                        io.coffer.core.transfer.TransferService transfers, io.coffer.core.report.ReportService reports,
                        io.coffer.core.checkout.CounterService counters, Supplier<String> counterUrl,
                        io.coffer.core.backup.BackupService backups, io.coffer.core.operator.OperatorService operators, Protos protos,
                        io.coffer.core.alert.AlertService alerts) {
        this.alerts = alerts;
        this.backups = backups;
        this.operators = operators;
        this.protos = protos;
        this.counters = counters;
        this.counterUrl = counterUrl;
        this.transfers = transfers;
        this.reports = reports;
        this.vault = vault;
        this.audit = audit;
        this.chains = chains;
        this.rescanner = rescanner;
        this.tenants = tenants;
        this.onTenantCreated = onTenantCreated;
    }

    @Override
    public void setTransferPolicy(io.coffer.proto.v1.SetTransferPolicyRequest request, StreamObserver<io.coffer.proto.v1.TransferPolicy> out) {
        ErrorMapper.answer(out, () -> {
            io.coffer.proto.v1.TransferPolicy p = request.getPolicy();
            requireTenant(p.getTenantId());
            java.util.Map<String, io.coffer.core.transfer.TransferPolicy.Limits> limits = new java.util.LinkedHashMap<>();
            for (io.coffer.proto.v1.AssetLimits l : p.getLimitsList()) {
                if (limits.put(l.getAsset(), new io.coffer.core.transfer.TransferPolicy.Limits(limit(l.getPerTransferMax(), "per_transfer_max"),
                        limit(l.getRolling24HMax(), "rolling_24h_max"), limit(l.getApprovalThreshold(), "approval_threshold"),
                        limit(l.getNewDestinationAbove(), "new_destination_above"))) != null) {
                    throw CofferException.invalid("policy.limits.asset", "ASSET_TWICE", "asset '" + l.getAsset() + "' is listed twice");
                }
            }
            List<io.coffer.core.transfer.TransferPolicy.AllowEntry> allow = new java.util.ArrayList<>();
            for (io.coffer.proto.v1.AllowlistEntry a : p.getAllowlistList()) {
                allow.add(new io.coffer.core.transfer.TransferPolicy.AllowEntry(a.getChain(), a.getAddress(), a.getLabel(), java.time.Instant.EPOCH));
            }
            if (p.getApprovalQuorum() < 0 || p.getApprovalQuorum() > 10) {
                throw CofferException.invalid("policy.approval_quorum", "QUORUM_OUT_OF_RANGE", "0 to 10");
            }
            if (p.getVelocityFactor() > 1000) {
                throw CofferException.invalid("policy.velocity_factor", "FACTOR_OUT_OF_RANGE", "0 (off) to 1000");
            }
            return Protos.transferPolicy(transfers.setPolicy(new io.coffer.core.transfer.TransferPolicy(p.getTenantId(), limits, allow,
                    p.getApprovalQuorum(), p.getHoldLookalikeDestinations(), p.getVelocityFactor()), actor()));
        });
    }

    @Override
    public void getTransferPolicy(io.coffer.proto.v1.GetTransferPolicyRequest request, StreamObserver<io.coffer.proto.v1.TransferPolicy> out) {
        ErrorMapper.answer(out, () -> {
            requireTenant(request.getTenantId());
            return Protos.transferPolicy(transfers.policy(request.getTenantId()));
        });
    }

    @Override
    public void exportReport(io.coffer.proto.v1.ExportReportRequest request, StreamObserver<io.coffer.proto.v1.ReportChunk> out) {
        try {
            io.coffer.core.tenant.Tenant t = requireTenant(request.getTenantId());
            io.coffer.core.report.ReportService.Kind kind = switch (RequestFields.known("kind", request.getKind(), request.getKindValue(), false)) {
                case KIND_PAYMENT_REQUESTS -> io.coffer.core.report.ReportService.Kind.PAYMENT_REQUESTS;
                case KIND_DEPOSITS -> io.coffer.core.report.ReportService.Kind.DEPOSITS;
                case KIND_TRANSFERS -> io.coffer.core.report.ReportService.Kind.TRANSFERS;
                default -> throw new IllegalStateException("checked above");
            };
            if (!request.hasFrom() || !request.hasTo()) {
                throw CofferException.invalid(request.hasFrom() ? "to" : "from", "TIME_RANGE_MISSING", "both 'from' and 'to' are required");
            }
            java.time.Instant from = RequestFields.instant(request.getFrom(), "from");
            java.time.Instant to = RequestFields.instant(request.getTo(), "to");
            reports.export(t.id(), t.accountIndex(), kind, from, to, actor(), chunk -> out.onNext(io.coffer.proto.v1.ReportChunk.newBuilder()
                    .setData(com.google.protobuf.ByteString.copyFromUtf8(chunk)).build()));
            out.onCompleted();
        } catch (RuntimeException e) {
            out.onError(ErrorMapper.toStatus(e));
        }
    }

    @Override
    public void createBackup(io.coffer.proto.v1.CreateBackupRequest request, StreamObserver<io.coffer.proto.v1.BackupChunk> out) {
        char[] passphrase = request.getPassphrase().toCharArray();
        // The latest progress rides on the next chunk to leave (the last one carries the final figures).
        java.util.concurrent.atomic.AtomicReference<io.coffer.proto.v1.WorkProgress> progress = new java.util.concurrent.atomic.AtomicReference<>();
        try {
            // Chunks of up to 1 MiB leave as they are written: a large store is never held whole in memory here.
            java.io.OutputStream stream = new java.io.OutputStream() {
                private final java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();

                @Override
                public void write(int b) {
                    buffer.write(b);
                    drain(false);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    buffer.write(b, off, len);
                    drain(false);
                }

                @Override
                public void flush() {
                    drain(true);
                }

                private void drain(boolean all) {
                    if (buffer.size() >= (1 << 20) || (all && buffer.size() > 0)) {
                        var chunk = io.coffer.proto.v1.BackupChunk.newBuilder().setData(com.google.protobuf.ByteString.copyFrom(
                                buffer.toByteArray()));
                        var p = progress.getAndSet(null);
                        if (p != null) {
                            chunk.setProgress(p);
                        }
                        out.onNext(chunk.build());
                        buffer.reset();
                    }
                }
            };
            // Its end flushes the stream: the last chunk leaves.
            backups.backup(stream, passphrase, actor(), r -> progress.set(Protos.workProgress(r)));
            out.onCompleted();
        } catch (RuntimeException e) {
            out.onError(ErrorMapper.toStatus(e));
        } finally {
            java.util.Arrays.fill(passphrase, '\0');
        }
    }

    @Override
    public void releaseRestore(io.coffer.proto.v1.ReleaseRestoreRequest request, StreamObserver<io.coffer.proto.v1.RestoreStatus> out) {
        ErrorMapper.answer(out, () -> restoreStatus(backups.release(actor())).build());
    }

    @Override
    public void getRestoreStatus(io.coffer.proto.v1.GetRestoreStatusRequest request, StreamObserver<io.coffer.proto.v1.RestoreStatus> out) {
        ErrorMapper.answer(out, () -> {
            io.coffer.core.backup.BackupService.Status s = backups.status();
            io.coffer.proto.v1.RestoreStatus.Builder b = s.restore().map(AdminService::restoreStatus)
                    .orElseGet(io.coffer.proto.v1.RestoreStatus::newBuilder);
            s.foreignSpends().forEach(f -> b.addForeignSpends(io.coffer.api.proto.Protos.foreignSpend(f)));
            return b.build();
        });
    }

    private static io.coffer.proto.v1.RestoreStatus.Builder restoreStatus(io.coffer.core.backup.RestoreMark m) {
        io.coffer.proto.v1.RestoreStatus.Builder b = io.coffer.proto.v1.RestoreStatus.newBuilder().setRestored(true)
                .setBackupCreatedAt(ts(m.backupCreatedAt())).setRestoredAt(ts(m.restoredAt())).setReleasedBy(m.releasedBy());
        m.releasedAt().ifPresent(at -> b.setReleasedAt(ts(at)));
        return b;
    }

    private static com.google.protobuf.Timestamp ts(java.time.Instant i) {
        return com.google.protobuf.Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }

    private io.coffer.core.tenant.Tenant requireTenant(String id) {
        if (id.isEmpty() || id.length() > 64) {
            throw new CofferException(io.coffer.core.error.ErrorKind.NOT_FOUND, "TENANT_NOT_FOUND", "tenant_id", "tenant_id: no such tenant",
                    java.util.Map.of(), null);
        }
        return tenants.tenant(id).orElseThrow(() -> new CofferException(io.coffer.core.error.ErrorKind.NOT_FOUND, "TENANT_NOT_FOUND",
                "tenant_id", "tenant_id: no such tenant", java.util.Map.of(), null));
    }

    private static java.math.BigInteger limit(String v, String field) {
        if (v.isEmpty()) {
            return null;
        }
        if (!v.matches("0|[1-9][0-9]{0,77}")) {
            throw CofferException.invalid("policy.limits." + field, "AMOUNT_MALFORMED", "base units, digits only, or empty for no limit");
        }
        return new java.math.BigInteger(v);
    }

    private static java.math.BigInteger capOf(String v) {
        if (!v.matches("[1-9][0-9]{0,77}")) {
            throw CofferException.invalid("caps.max", "AMOUNT_MALFORMED", "a positive amount in base units, digits only");
        }
        return new java.math.BigInteger(v);
    }

    @Override
    public void createCounterCredential(io.coffer.proto.v1.CreateCounterCredentialRequest request,
            StreamObserver<io.coffer.proto.v1.CreatedCounterCredential> out) {
        ErrorMapper.answer(out, () -> {
            requireTenant(request.getTenantId());
            java.util.Map<String, java.math.BigInteger> caps = new java.util.LinkedHashMap<>();
            for (io.coffer.proto.v1.CounterCap cap : request.getCapsList()) {
                if (cap.getAsset().length() > 64 || caps.put(cap.getAsset(), capOf(cap.getMax())) != null) {
                    throw CofferException.invalid("caps.asset", "ASSET_TWICE", "asset '" + cap.getAsset() + "' is listed twice");
                }
            }
            var issued = counters.issue(request.getTenantId(), request.getLabel(), caps, actor());
            return io.coffer.proto.v1.CreatedCounterCredential.newBuilder().setCredential(Protos.counterCredential(issued.credential()))
                    .setPairingCode(issued.pairingCode()).setCounterUrl(counterUrl.get()).build();
        });
    }

    @Override
    public void listCounterCredentials(io.coffer.proto.v1.ListCounterCredentialsRequest request,
            StreamObserver<io.coffer.proto.v1.ListCounterCredentialsResponse> out) {
        ErrorMapper.answer(out, () -> {
            if (!request.getTenantId().isEmpty()) {
                requireTenant(request.getTenantId());
            }
            return io.coffer.proto.v1.ListCounterCredentialsResponse.newBuilder().addAllCredentials(counters.list(request.getTenantId())
                    .stream().map(Protos::counterCredential).toList()).build();
        });
    }

    @Override
    public void revokeCounterCredential(io.coffer.proto.v1.RevokeCounterCredentialRequest request,
            StreamObserver<io.coffer.proto.v1.CounterCredential> out) {
        ErrorMapper.answer(out, () -> Protos.counterCredential(counters.revoke(request.getId(), actor())));
    }

    @Override
    public void createTenant(io.coffer.proto.v1.CreateTenantRequest request, StreamObserver<io.coffer.proto.v1.Tenant> out) {
        ErrorMapper.answer(out, () -> {
            io.coffer.core.tenant.Tenant t = tenants.createTenant(request.getName(), actor());
            onTenantCreated.accept(t);
            return Protos.tenant(t);
        });
    }

    @Override
    public void listTenants(io.coffer.proto.v1.ListTenantsRequest request, StreamObserver<io.coffer.proto.v1.ListTenantsResponse> out) {
        ErrorMapper.answer(out, () -> {
            var b = io.coffer.proto.v1.ListTenantsResponse.newBuilder();
            tenants.tenants().forEach(t -> b.addTenants(Protos.tenant(t)));
            return b.build();
        });
    }

    @Override
    public void createApiKey(io.coffer.proto.v1.CreateApiKeyRequest request, StreamObserver<io.coffer.proto.v1.CreatedApiKey> out) {
        ErrorMapper.answer(out, () -> {
            java.util.Set<io.coffer.core.tenant.Scope> scopes = java.util.EnumSet.noneOf(io.coffer.core.tenant.Scope.class);
            for (io.coffer.proto.v1.Scope s : RequestFields.known("scopes", request.getScopesList(), request.getScopesValueList())) {
                scopes.add(Protos.scope(s));
            }
            String totpOf = request.getApprovalsNeedTotpOf();
            if (!totpOf.isEmpty() && operators.get(totpOf).filter(o -> !o.disabled()).isEmpty()) {
                throw new CofferException(io.coffer.core.error.ErrorKind.NOT_FOUND, "OPERATOR_NOT_FOUND", "approvals_need_totp_of",
                        "no enabled operator named " + totpOf, java.util.Map.of(), null);
            }
            var created = tenants.createKey(request.getTenantId(), scopes, request.getLabel(), totpOf, actor());
            return io.coffer.proto.v1.CreatedApiKey.newBuilder().setKey(Protos.apiKey(created.key())).setSecret(created.secret()).build();
        });
    }

    @Override
    public void listApiKeys(io.coffer.proto.v1.ListApiKeysRequest request, StreamObserver<io.coffer.proto.v1.ListApiKeysResponse> out) {
        ErrorMapper.answer(out, () -> {
            var b = io.coffer.proto.v1.ListApiKeysResponse.newBuilder();
            tenants.keys(request.getTenantId()).forEach(k -> b.addKeys(Protos.apiKey(k)));
            return b.build();
        });
    }

    @Override
    public void revokeApiKey(io.coffer.proto.v1.RevokeApiKeyRequest request, StreamObserver<io.coffer.proto.v1.ApiKey> out) {
        ErrorMapper.answer(out, () -> Protos.apiKey(tenants.revokeKey(request.getId(), actor())));
    }

    @Override
    public void rotateApiKey(io.coffer.proto.v1.RotateApiKeyRequest request, StreamObserver<io.coffer.proto.v1.CreatedApiKey> out) {
        ErrorMapper.answer(out, () -> {
            var created = tenants.rotateKey(request.getId(), java.time.Duration.ofSeconds(request.getGraceSeconds()), actor());
            return io.coffer.proto.v1.CreatedApiKey.newBuilder().setKey(Protos.apiKey(created.key())).setSecret(created.secret()).build();
        });
    }

    @Override
    public void rescan(RescanRequest request, StreamObserver<RescanProgress> out) {
        try {
            if (request.getChain().isBlank() || request.getChain().length() > 32) {
                throw CofferException.invalid("chain", "CHAIN_UNKNOWN", "a configured chain name is required");
            }
            audit.append(actor(), "chain.rescan", request.getChain(), java.util.Map.of("from_height", Long.toString(request.getFromHeight())));
            rescanner.rescan(request.getChain(), request.getFromHeight(), p -> out.onNext(Protos.rescanProgress(p)));
            out.onCompleted();
        } catch (Exception e) {
            out.onError(ErrorMapper.toStatus(e instanceof java.util.concurrent.ExecutionException x && x.getCause() != null ? x.getCause() : e));
        }
    }

    @Override
    public void getChainsStatus(GetChainsStatusRequest request, StreamObserver<ChainsStatus> out) {
        ErrorMapper.answer(out, () -> {
            ChainsStatus.Builder b = ChainsStatus.newBuilder();
            chains.get().forEach(c -> b.addChains(Protos.chainStatus(c)));
            return b.build();
        });
    }

    @Override
    public void getSealStatus(GetSealStatusRequest request, StreamObserver<SealStatus> out) {
        ErrorMapper.answer(out, () -> Protos.sealStatus(vault.status()));
    }

    @Override
    public void unseal(UnsealRequest request, StreamObserver<SealStatus> out) {
        ErrorMapper.answer(out, () -> {
            String actor = actor();
            if (request.getReset()) {
                vault.resetUnseal(actor);
                if (request.getShare().isBlank()) {
                    return Protos.sealStatus(vault.status());
                }
            }
            if (request.getShare().isBlank()) {
                throw CofferException.invalid("share", "SHARE_MISSING", "a SLIP-39 share is required");
            }
            if (request.getShare().length() > 2000 || request.getPassphrase().length() > 1000) {
                throw CofferException.invalid(request.getShare().length() > 2000 ? "share" : "passphrase", "FIELD_TOO_LONG",
                        "too long");
            }
            // The proto strings cannot be wiped; the copies handed to the vault are, as soon as it is done.
            char[] share = request.getShare().toCharArray();
            char[] pass = request.getPassphrase().toCharArray();
            try {
                return Protos.sealStatus(vault.submitShare(share, pass, actor));
            } catch (MnemonicException e) {
                throw CofferException.invalid("share", e.code(), e.getMessage());
            } finally {
                Secrets.wipe(share);
                Secrets.wipe(pass);
            }
        });
    }

    @Override
    public void seal(SealRequest request, StreamObserver<SealStatus> out) {
        ErrorMapper.answer(out, () -> Protos.sealStatus(vault.seal(actor())));
    }

    @Override
    public void listAuditLog(ListAuditLogRequest request, StreamObserver<ListAuditLogResponse> out) {
        ErrorMapper.answer(out, () -> {
            int limit = request.getLimit() == 0 ? 50 : request.getLimit();
            // uint32: 2^31 and above arrive as negative ints.
            if (limit < 0 || limit > 500) {
                throw CofferException.invalid("limit", "LIMIT_TOO_LARGE", "at most 500");
            }
            ListAuditLogResponse.Builder b = ListAuditLogResponse.newBuilder();
            for (AuditLog.Entry e : audit.list(request.getAfterSequence(), limit)) {
                b.addEntries(Protos.auditEntry(e));
            }
            return b.build();
        });
    }

    @Override
    public void addOperator(io.coffer.proto.v1.AddOperatorRequest request, StreamObserver<io.coffer.proto.v1.AddOperatorResponse> out) {
        ErrorMapper.answer(out, () -> {
            java.util.Set<io.coffer.core.operator.OperatorRole> roles = java.util.EnumSet.noneOf(io.coffer.core.operator.OperatorRole.class);
            RequestFields.known("roles", request.getRolesList(), request.getRolesValueList()).forEach(r -> roles.add(Protos.operatorRole(r)));
            var added = operators.add(actor(), request.getName(), roles, request.getPublicKey().toByteArray());
            var b = io.coffer.proto.v1.AddOperatorResponse.newBuilder().setApprovals(added.approvals()).setNeeded(added.needed());
            added.operator().ifPresent(o -> b.setOperator(Protos.operator(o, operators.hasTotp(o.name()))));
            return b.build();
        });
    }

    @Override
    public void listOperators(io.coffer.proto.v1.ListOperatorsRequest request, StreamObserver<io.coffer.proto.v1.ListOperatorsResponse> out) {
        ErrorMapper.answer(out, () -> {
            var b = io.coffer.proto.v1.ListOperatorsResponse.newBuilder();
            operators.list().forEach(o -> b.addOperators(Protos.operator(o, operators.hasTotp(o.name()))));
            return b.build();
        });
    }

    @Override
    public void disableOperator(io.coffer.proto.v1.DisableOperatorRequest request, StreamObserver<io.coffer.proto.v1.Operator> out) {
        ErrorMapper.answer(out, () -> {
            var o = operators.disable(actor(), request.getName());
            return Protos.operator(o, operators.hasTotp(o.name()));
        });
    }

    @Override
    public void enrollTotp(io.coffer.proto.v1.EnrollTotpRequest request, StreamObserver<io.coffer.proto.v1.EnrollTotpResponse> out) {
        ErrorMapper.answer(out, () -> io.coffer.proto.v1.EnrollTotpResponse.newBuilder()
                .setOtpauthUri(operators.enrollTotp(actor(), selfOr(request.getName()), AdminAuth.TOTP_CODE.get())).build());
    }

    @Override
    public void confirmTotp(io.coffer.proto.v1.ConfirmTotpRequest request, StreamObserver<io.coffer.proto.v1.Operator> out) {
        ErrorMapper.answer(out, () -> {
            String name = selfOr(request.getName());
            operators.confirmTotp(actor(), name, request.getCode());
            return Protos.operator(operators.get(name).orElseThrow(), true);
        });
    }

    /**
     * The operator a TOTP call is about: the caller itself (an empty name), or anyone by break-glass.
     *
     * @throws CofferException PERMISSION_DENIED OTHER_OPERATOR
     */
    private static String selfOr(String name) {
        io.coffer.core.operator.Operator self = AdminAuth.OPERATOR.get();
        if (self == null) {
            if (name.isEmpty()) {
                throw CofferException.invalid("name", "OPERATOR_NAME_INVALID", "name the operator (break-glass is no operator)");
            }
            return name;
        }
        if (!name.isEmpty() && !name.equals(self.name())) {
            throw new CofferException(io.coffer.core.error.ErrorKind.PERMISSION_DENIED, "OTHER_OPERATOR", "name",
                    "an operator enrolls its own second factor (another's only by break-glass)", java.util.Map.of(), null);
        }
        return self.name();
    }

    @Override
    public void approveTransfer(io.coffer.proto.v1.AdminApproveTransferRequest request, StreamObserver<io.coffer.proto.v1.Transfer> out) {
        ErrorMapper.answer(out, () -> {
            io.coffer.core.tenant.Tenant t = requireTenant(request.getTenantId());
            return protos.transfer(transfers.approve(new io.coffer.core.transfer.TransferService.Caller(t.id(), t.accountIndex(), actor()),
                    request.getTransferId()));
        });
    }

    @Override
    public void rejectTransfer(io.coffer.proto.v1.AdminRejectTransferRequest request, StreamObserver<io.coffer.proto.v1.Transfer> out) {
        ErrorMapper.answer(out, () -> {
            io.coffer.core.tenant.Tenant t = requireTenant(request.getTenantId());
            return protos.transfer(transfers.reject(new io.coffer.core.transfer.TransferService.Caller(t.id(), t.accountIndex(), actor()),
                    request.getTransferId(), request.getReason()));
        });
    }

    @Override
    public void listAlerts(io.coffer.proto.v1.ListAlertsRequest request, StreamObserver<io.coffer.proto.v1.ListAlertsResponse> out) {
        ErrorMapper.answer(out, () -> {
            int limit = request.getLimit() == 0 ? 100 : request.getLimit();
            if (limit > 500) {
                throw CofferException.invalid("limit", "LIMIT_TOO_LARGE", "at most 500");
            }
            var b = io.coffer.proto.v1.ListAlertsResponse.newBuilder();
            alerts.list(request.getAfterId(), limit, !request.getIncludeAcknowledged()).forEach(a -> b.addAlerts(Protos.alert(a)));
            return b.build();
        });
    }

    @Override
    public void streamAlerts(io.coffer.proto.v1.StreamAlertsRequest request, StreamObserver<io.coffer.proto.v1.Alert> out) {
        io.grpc.stub.ServerCallStreamObserver<io.coffer.proto.v1.Alert> call = (io.grpc.stub.ServerCallStreamObserver<io.coffer.proto.v1.Alert>) out;
        java.util.concurrent.atomic.AtomicBoolean gone = new java.util.concurrent.atomic.AtomicBoolean();
        call.setOnCancelHandler(() -> {
            gone.set(true);
            alerts.wake();
        });
        long after = request.getAfterId();
        try {
            while (!gone.get() && !Thread.currentThread().isInterrupted()) {
                for (io.coffer.core.alert.Alert a : alerts.list(after, 100, false)) {
                    out.onNext(Protos.alert(a));
                    after = a.id();
                }
                alerts.awaitAfter(after, 15_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (!gone.get()) {
                out.onError(ErrorMapper.toStatus(e));
            }
            return;
        }
        if (!gone.get()) {
            out.onCompleted();
        }
    }

    @Override
    public void ackAlert(io.coffer.proto.v1.AckAlertRequest request, StreamObserver<io.coffer.proto.v1.Alert> out) {
        ErrorMapper.answer(out, () -> Protos.alert(alerts.ack(request.getId(), actor(), request.getNote())));
    }

    private static String actor() {
        String a = OperatorToken.ACTOR.get();
        return a == null ? "unknown" : a;
    }
}
