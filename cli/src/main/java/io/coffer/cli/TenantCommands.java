package io.coffer.cli;

import io.coffer.proto.v1.ApiKey;
import io.coffer.proto.v1.CreateApiKeyRequest;
import io.coffer.proto.v1.CreateTenantRequest;
import io.coffer.proto.v1.CreatedApiKey;
import io.coffer.proto.v1.ListApiKeysRequest;
import io.coffer.proto.v1.ListTenantsRequest;
import io.coffer.proto.v1.RevokeApiKeyRequest;
import io.coffer.proto.v1.RotateApiKeyRequest;
import io.coffer.proto.v1.Scope;
import io.coffer.proto.v1.Tenant;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code coffer tenant ...} and {@code coffer apikey ...}: tenants and their API keys (operator token). */
final class TenantCommands {
    private TenantCommands() {
    }

    @Command(name = "tenant", description = "Create and list tenants (each gets its own HD account on every chain).",
            subcommands = {TenantCreate.class, TenantList.class})
    static final class TenantGroup {
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a tenant.")
    static final class TenantCreate implements Callable<Integer> {
        @ParentCommand
        TenantGroup group;
        @Mixin
        OperatorAuth auth = new OperatorAuth();
        @Parameters(paramLabel = "NAME", description = "The tenant's name (unique).")
        String name;
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            CofferCli cli = (CofferCli) spec.root().userObject();
            Tenant t = CustodyCommands.call(cli, auth, s -> s.createTenant(CreateTenantRequest.newBuilder().setName(name).build()));
            spec.commandLine().getOut().printf("%s %s (HD account %d)%n", t.getId(), t.getName(), t.getAccountIndex());
            return Exits.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List tenants.")
    static final class TenantList implements Callable<Integer> {
        @Mixin
        OperatorAuth auth = new OperatorAuth();
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            CofferCli cli = (CofferCli) spec.root().userObject();
            for (Tenant t : CustodyCommands.call(cli, auth, s -> s.listTenants(ListTenantsRequest.getDefaultInstance())).getTenantsList()) {
                spec.commandLine().getOut().printf("%s %-30s account %d%n", t.getId(), t.getName(), t.getAccountIndex());
            }
            return Exits.OK;
        }
    }

    @Command(name = "apikey", description = "Create, list, rotate and revoke API keys.",
            subcommands = {KeyCreate.class, KeyList.class, KeyRotate.class, KeyRevoke.class})
    static final class KeyGroup {
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create an API key; its secret is printed once.")
    static final class KeyCreate implements Callable<Integer> {
        @Mixin
        OperatorAuth auth = new OperatorAuth();
        @Option(names = "--tenant", required = true, description = "Tenant id (tn_...).")
        String tenant;
        @Option(names = "--scope", required = true, description = "read, payments, transfers or admin; repeat for several.")
        List<String> scopes;
        @Option(names = "--label", defaultValue = "", description = "A note for yourself (at most 100 characters).")
        String label;
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            CofferCli cli = (CofferCli) spec.root().userObject();
            CreateApiKeyRequest.Builder req = CreateApiKeyRequest.newBuilder().setTenantId(tenant).setLabel(label);
            for (String s : scopes) {
                try {
                    req.addScopes(Scope.valueOf("SCOPE_" + s.toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "unknown scope '" + s + "'");
                }
            }
            CreatedApiKey k = CustodyCommands.call(cli, auth, st -> st.createApiKey(req.build()));
            print(spec.commandLine().getOut(), k);
            return Exits.OK;
        }
    }

    static void print(PrintWriter out, CreatedApiKey k) {
        out.printf("key %s for tenant %s, scopes %s%n", k.getKey().getId(), k.getKey().getTenantId(), k.getKey().getScopesList());
        out.printf("secret (shown once; send as 'authorization: Bearer <secret>'):%n%s%n", k.getSecret());
        out.flush();
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List keys (never their secrets).")
    static final class KeyList implements Callable<Integer> {
        @Mixin
        OperatorAuth auth = new OperatorAuth();
        @Option(names = "--tenant", defaultValue = "", description = "Only this tenant's keys.")
        String tenant;
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            CofferCli cli = (CofferCli) spec.root().userObject();
            for (ApiKey k : CustodyCommands.call(cli, auth, s -> s.listApiKeys(ListApiKeysRequest.newBuilder().setTenantId(tenant).build()))
                    .getKeysList()) {
                String used = k.hasLastUsedAt() ? "last-used " + java.time.Instant.ofEpochSecond(k.getLastUsedAt().getSeconds()) : "never-used";
                spec.commandLine().getOut().printf("%s tenant %s %s %s %s%s%n", k.getId(), k.getTenantId(), k.getScopesList(), used,
                        k.getLabel(), k.getRevoked() ? " REVOKED" : "");
            }
            return Exits.OK;
        }
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true, description = "New secret for a key; the old one works for --grace-seconds.")
    static final class KeyRotate implements Callable<Integer> {
        @Mixin
        OperatorAuth auth = new OperatorAuth();
        @Parameters(paramLabel = "KEY_ID")
        String id;
        @Option(names = "--grace-seconds", defaultValue = "0", description = "How long the old secret keeps working (default 0).")
        int grace;
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            CofferCli cli = (CofferCli) spec.root().userObject();
            print(spec.commandLine().getOut(), CustodyCommands.call(cli, auth,
                    s -> s.rotateApiKey(RotateApiKeyRequest.newBuilder().setId(id).setGraceSeconds(grace).build())));
            return Exits.OK;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a key at once.")
    static final class KeyRevoke implements Callable<Integer> {
        @Mixin
        OperatorAuth auth = new OperatorAuth();
        @Parameters(paramLabel = "KEY_ID")
        String id;
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            CofferCli cli = (CofferCli) spec.root().userObject();
            ApiKey k = CustodyCommands.call(cli, auth, s -> s.revokeApiKey(RevokeApiKeyRequest.newBuilder().setId(id).build()));
            spec.commandLine().getOut().printf("%s revoked%n", k.getId());
            return Exits.OK;
        }
    }
}
