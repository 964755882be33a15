package io.coffer.api.grpc;

import io.coffer.core.audit.AuditLog;
import io.coffer.core.tenant.Scope;
import io.coffer.core.tenant.TenantService;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.coffer.core.error.CofferException;
import java.util.Optional;
import io.coffer.core.error.ErrorKind;
import java.util.Map;

/**
 * Authenticates merchant API calls ({@code authorization: Bearer ck_...}) and checks the scope the RPC
 * needs (see each service's proto comment). No or unknown key: UNAUTHENTICATED; a key without the scope:
 * PERMISSION_DENIED — both before the request is read, so nothing leaks. Calls needing the admin scope
 * are written to the audit log with the key id.
 */
public final class ApiKeyAuth implements ServerInterceptor {
    /** The authenticated caller, for the services. */
    public static final Context.Key<TenantService.Principal> PRINCIPAL = Context.key("coffer-principal");

    private final TenantService tenants;
    private final AuditLog audit;
    private final Map<String, Scope> scopeOf;

    /** @param scopeOf full method name -> the scope it needs (every method of the protected services) */
    public ApiKeyAuth(TenantService tenants, AuditLog audit, Map<String, Scope> scopeOf) {
        this.tenants = tenants;
        this.audit = audit;
        this.scopeOf = Map.copyOf(scopeOf);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String auth = headers.get(OperatorToken.AUTHORIZATION);
        String secret = auth != null && auth.startsWith("Bearer ") ? auth.substring(7).trim() : null;
        if (secret == null) {
            return ErrorMapper.refuse(call, new CofferException(ErrorKind.UNAUTHENTICATED, "CREDENTIALS_MISSING", "authorization",
                    "missing credentials: send 'authorization: Bearer <API key>'", Map.of(), null));
        }
        Optional<TenantService.Principal> principal;
        try {
            principal = tenants.authenticate(secret);
        } catch (CofferException e) {
            return ErrorMapper.refuse(call, e); // KEY_LOCKED
        }
        if (principal.isEmpty()) {
            return ErrorMapper.refuse(call, new CofferException(ErrorKind.UNAUTHENTICATED, "CREDENTIALS_INVALID", "authorization",
                    "invalid, revoked or expired API key", Map.of(), null));
        }
        String method = call.getMethodDescriptor().getFullMethodName();
        Scope needed = scopeOf.get(method);
        if (needed == null || !principal.get().has(needed)) {
            String scope = needed == null ? "?" : needed.name().toLowerCase();
            return ErrorMapper.refuse(call, new CofferException(ErrorKind.PERMISSION_DENIED, "SCOPE_MISSING", "authorization",
                    "this API key lacks the scope '" + scope + "' that " + method + " needs", Map.of("scope", scope, "method", method), null));
        }
        if (needed == Scope.ADMIN) {
            audit.append(principal.get().key().id(), "api.admin_call", principal.get().tenant().id(), Map.of("method", method));
        }
        String totp = headers.get(AdminAuth.TOTP);
        return Contexts.interceptCall(Context.current().withValue(PRINCIPAL, principal.get()).withValue(AdminAuth.TOTP_CODE, totp == null ? "" : totp),
                call, headers, next);
    }

    /**
     * A key bound to an operator's second factor (at creation): its approvals and webhook changes need that operator's current
     * code in {@code x-coffer-totp}. Nothing for other keys.
     */
    static void requireBoundTotp(io.coffer.core.operator.OperatorService operators, String action) {
        var key = principal().key();
        if (key.approvalsNeedTotp()) {
            operators.requireTotp(key.approvalOperator(), AdminAuth.TOTP_CODE.get(), action + " by " + key.id());
        }
    }

    /** The caller of the current call. */
    public static TenantService.Principal principal() {
        TenantService.Principal p = PRINCIPAL.get();
        if (p == null) {
            throw new IllegalStateException("no authenticated principal in this call");
        }
        return p;
    }
}
