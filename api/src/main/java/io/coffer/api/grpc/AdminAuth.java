package io.coffer.api.grpc;

import io.coffer.core.audit.AuditLog;
import io.coffer.core.error.CofferException;
import io.coffer.core.error.ErrorKind;
import io.coffer.core.operator.Operator;
import io.coffer.core.operator.OperatorService;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * Authenticates Admin calls: a named operator's signed call (its roles checked against {@link AdminAccess}, its TOTP code where
 * the rule asks one), or the break-glass token of the data directory (everything, audited at every call). Puts the actor
 * ({@code op:<name>} or {@code breakglass}) and the operator in the call's context for the audit log.
 */
public final class AdminAuth implements ServerInterceptor {
    /** The operator's TOTP code, where a rule needs one. */
    public static final Metadata.Key<String> TOTP = Metadata.Key.of("x-coffer-totp", Metadata.ASCII_STRING_MARSHALLER);
    /** The operator of the current call; absent for break-glass. */
    public static final Context.Key<Operator> OPERATOR = Context.key("coffer-operator");
    /** The TOTP code the call carried (EnrollTotp checks it itself when replacing an enrollment). */
    public static final Context.Key<String> TOTP_CODE = Context.key("coffer-totp");
    private static final String SCHEME = OperatorService.AUTH_SCHEME;

    private final OperatorToken token;
    private final OperatorService operators;
    private final AuditLog audit;

    public AdminAuth(OperatorToken token, OperatorService operators, AuditLog audit) {
        this.token = token;
        this.operators = operators;
        this.audit = audit;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        String auth = headers.get(OperatorToken.AUTHORIZATION);
        try {
            if (auth == null) {
                throw new CofferException(ErrorKind.UNAUTHENTICATED, "CREDENTIALS_MISSING", "authorization", "missing credentials: sign the "
                        + "call as an operator ('authorization: Coffer-Operator ...') or send the break-glass token ('Bearer <token>', file "
                        + OperatorToken.FILE + " in the node's data dir)", Map.of(), null);
            }
            if (auth.startsWith("Bearer ")) {
                if (!token.matches(auth.substring(7).trim())) {
                    throw new CofferException(ErrorKind.UNAUTHENTICATED, "CREDENTIALS_INVALID", "authorization", "invalid operator token",
                            Map.of(), null);
                }
                audit.append(OperatorService.BREAK_GLASS, "breakglass.call", method, Map.of());
                return Contexts.interceptCall(Context.current().withValue(OperatorToken.ACTOR, OperatorService.BREAK_GLASS), call, headers, next);
            }
            if (!auth.startsWith(SCHEME)) {
                throw new CofferException(ErrorKind.UNAUTHENTICATED, "CREDENTIALS_INVALID", "authorization",
                        "unknown authorization scheme: 'Coffer-Operator ...' or 'Bearer <token>'", Map.of(), null);
            }
            Map<String, String> p = params(auth.substring(SCHEME.length()));
            Operator op = operators.authenticate(p.get("name"), timestamp(p.get("ts")), p.get("nonce"), method, signature(p.get("sig")));
            AdminAccess.Rule rule = AdminAccess.rule(method).orElseThrow(() -> roleMissing(method, "no operator role"));
            if (!rule.allows(op.roles())) {
                throw roleMissing(method, rule.roles().stream().map(io.coffer.core.operator.OperatorRole::label).sorted()
                        .reduce((a, b) -> a + " or " + b).orElse("any"));
            }
            String code = headers.get(TOTP);
            if (rule.totp()) {
                operators.requireTotp(op.name(), code, method);
            }
            Context ctx = Context.current().withValue(OperatorToken.ACTOR, op.actor()).withValue(OPERATOR, op)
                    .withValue(TOTP_CODE, code == null ? "" : code);
            return Contexts.interceptCall(ctx, call, headers, next);
        } catch (CofferException e) {
            return ErrorMapper.refuse(call, e);
        }
    }

    private static CofferException roleMissing(String method, String roles) {
        return new CofferException(ErrorKind.PERMISSION_DENIED, "ROLE_MISSING", "authorization", method + " needs the role " + roles,
                Map.of("role", roles, "method", method), null);
    }

    /** {@code name=alice, ts=..., nonce=..., sig=...}: comma-separated, each key once. */
    private static Map<String, String> params(String s) {
        Map<String, String> out = new HashMap<>();
        if (s.length() > 400) {
            return out;
        }
        for (String part : s.split(",")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                out.putIfAbsent(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
            }
        }
        return out;
    }

    private static long timestamp(String ts) {
        try {
            return ts == null ? Long.MIN_VALUE : Long.parseLong(ts);
        } catch (NumberFormatException e) {
            return Long.MIN_VALUE;
        }
    }

    private static byte[] signature(String sig) {
        try {
            return sig == null ? null : Base64.getUrlDecoder().decode(sig);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
