package io.coffer.api.grpc;

import io.coffer.core.operator.OperatorRole;
import io.coffer.proto.v1.AdminGrpc;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Which roles may call each Admin RPC, and which RPCs also need the operator's second factor: the one table the edge checks
 * (and the README's "Operators and roles" table mirrors, kept exact by a test). Break-glass calls pass every rule.
 */
public final class AdminAccess {
    /**
     * @param roles any one of these roles is enough; empty: any operator (its own TOTP enrollment)
     * @param totp  the call also needs a current TOTP code
     */
    public record Rule(Set<OperatorRole> roles, boolean totp) {
        public boolean allows(Set<OperatorRole> held) {
            return roles.isEmpty() ? !held.isEmpty() : held.stream().anyMatch(roles::contains);
        }
    }

    private static final Map<String, Rule> RULES = new LinkedHashMap<>();

    private static void rule(io.grpc.MethodDescriptor<?, ?> method, boolean totp, OperatorRole... roles) {
        RULES.put(method.getFullMethodName(), new Rule(roles.length == 0 ? Set.of() : Set.copyOf(EnumSet.of(roles[0], roles)), totp));
    }

    static {
        final OperatorRole custodian = OperatorRole.CUSTODIAN;
        final OperatorRole admin = OperatorRole.ADMIN;
        final OperatorRole approver = OperatorRole.APPROVER;
        final OperatorRole auditor = OperatorRole.AUDITOR;
        rule(AdminGrpc.getGetSealStatusMethod(), false, custodian, admin, auditor);
        rule(AdminGrpc.getUnsealMethod(), false, custodian);
        rule(AdminGrpc.getSealMethod(), false, custodian);
        rule(AdminGrpc.getGetChainsStatusMethod(), false, custodian, admin, auditor);
        rule(AdminGrpc.getCreateTenantMethod(), false, admin);
        rule(AdminGrpc.getListTenantsMethod(), false, admin, approver, auditor);
        rule(AdminGrpc.getCreateApiKeyMethod(), true, admin);
        rule(AdminGrpc.getListApiKeysMethod(), false, admin, auditor);
        rule(AdminGrpc.getRevokeApiKeyMethod(), false, admin);
        rule(AdminGrpc.getRotateApiKeyMethod(), true, admin);
        rule(AdminGrpc.getSetTransferPolicyMethod(), true, admin);
        rule(AdminGrpc.getGetTransferPolicyMethod(), false, admin, approver, auditor);
        rule(AdminGrpc.getRescanMethod(), false, admin);
        rule(AdminGrpc.getListAuditLogMethod(), false, admin, auditor);
        rule(AdminGrpc.getExportReportMethod(), false, admin, auditor);
        rule(AdminGrpc.getCreateCounterCredentialMethod(), true, admin);
        rule(AdminGrpc.getListCounterCredentialsMethod(), false, admin, auditor);
        rule(AdminGrpc.getRevokeCounterCredentialMethod(), false, admin);
        rule(AdminGrpc.getCreateBackupMethod(), false, admin);
        rule(AdminGrpc.getReleaseRestoreMethod(), true, admin);
        rule(AdminGrpc.getGetRestoreStatusMethod(), false, admin, auditor);
        rule(AdminGrpc.getAddOperatorMethod(), true, admin);
        rule(AdminGrpc.getListOperatorsMethod(), false, admin, auditor);
        rule(AdminGrpc.getDisableOperatorMethod(), true, admin);
        rule(AdminGrpc.getEnrollTotpMethod(), false);
        rule(AdminGrpc.getConfirmTotpMethod(), false);
        rule(AdminGrpc.getApproveTransferMethod(), true, approver);
        rule(AdminGrpc.getRejectTransferMethod(), false, approver);
        rule(AdminGrpc.getListAlertsMethod(), false);
        rule(AdminGrpc.getStreamAlertsMethod(), false);
        rule(AdminGrpc.getAckAlertMethod(), true, admin);
    }

    private AdminAccess() {
    }

    /** The rule of {@code fullMethodName}; every Admin RPC has one (checked at start: an RPC without a rule is refused to all). */
    public static java.util.Optional<Rule> rule(String fullMethodName) {
        return java.util.Optional.ofNullable(RULES.get(fullMethodName));
    }

    /** Every rule, by full method name, in the order of the service. */
    public static Map<String, Rule> all() {
        return java.util.Collections.unmodifiableMap(RULES);
    }
}
