package io.coffer.cli;

import io.coffer.proto.v1.CounterCap;
import io.coffer.proto.v1.CounterCredential;
import io.coffer.proto.v1.CreateCounterCredentialRequest;
import io.coffer.proto.v1.CreatedCounterCredential;
import io.coffer.proto.v1.ListCounterCredentialsRequest;
import io.coffer.proto.v1.RevokeCounterCredentialRequest;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code coffer counter ...}: shop counter credentials (operator token). */
final class CounterCommands {
    private CounterCommands() {
    }

    @Command(name = "counter", description = "Shop counters: a till's device that can only create and read one tenant's payment requests.",
            subcommands = {Create.class, ListCommand.class, Revoke.class})
    static final class Group {
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Issue a counter credential; its pairing code is printed once (type it on the device at /counter).")
    static final class Create implements Callable<Integer> {
        @Mixin
        OperatorAuth auth = new OperatorAuth();
        @Option(names = "--tenant", required = true, description = "Tenant id (tn_...).")
        String tenant;
        @Option(names = "--label", defaultValue = "", description = "Which till (\"front desk\"); also the description of its requests.")
        String label;
        @Option(names = "--cap", description = "ASSET=MAX: the largest amount (base units) one request of ASSET may ask for; repeat per asset.")
        List<String> caps = List.of();
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            CofferCli cli = (CofferCli) spec.root().userObject();
            CreateCounterCredentialRequest.Builder r = CreateCounterCredentialRequest.newBuilder().setTenantId(tenant).setLabel(label);
            for (String cap : caps) {
                int eq = cap.indexOf('=');
                if (eq <= 0) {
                    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--cap takes ASSET=MAX, e.g. bitcoin/BTC=500000");
                }
                r.addCaps(CounterCap.newBuilder().setAsset(cap.substring(0, eq)).setMax(cap.substring(eq + 1)));
            }
            CreatedCounterCredential c = CustodyCommands.call(cli, auth, s -> s.createCounterCredential(r.build()));
            var out = spec.commandLine().getOut();
            out.printf("counter %s for tenant %s%s%n", c.getCredential().getId(), c.getCredential().getTenantId(), caps(c.getCredential()));
            out.printf("pairing code (shown once; type it on the till's device):%n%s%n", c.getPairingCode());
            if (!c.getCounterUrl().isEmpty()) {
                out.printf("open on the device: %s%n", c.getCounterUrl());
            }
            out.flush();
            return Exits.OK;
        }
    }

    static String caps(CounterCredential c) {
        return c.getCapsCount() == 0 ? "" : ", caps " + c.getCapsList().stream().map(x -> x.getAsset() + "<=" + x.getMax())
                .collect(Collectors.joining(" "));
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List counter credentials (never their codes).")
    static final class ListCommand implements Callable<Integer> {
        @Mixin
        OperatorAuth auth = new OperatorAuth();
        @Option(names = "--tenant", defaultValue = "", description = "Only this tenant's.")
        String tenant;
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            CofferCli cli = (CofferCli) spec.root().userObject();
            for (CounterCredential c : CustodyCommands.call(cli, auth, s -> s.listCounterCredentials(
                    ListCounterCredentialsRequest.newBuilder().setTenantId(tenant).build())).getCredentialsList()) {
                spec.commandLine().getOut().printf("%s tenant %s %s%s%s%n", c.getId(), c.getTenantId(), c.getLabel(), caps(c),
                        c.getRevoked() ? " REVOKED" : "");
            }
            return Exits.OK;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "End a counter credential: its devices are refused at once.")
    static final class Revoke implements Callable<Integer> {
        @Mixin
        OperatorAuth auth = new OperatorAuth();
        @Parameters(paramLabel = "COUNTER_ID")
        String id;
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            CofferCli cli = (CofferCli) spec.root().userObject();
            CounterCredential c = CustodyCommands.call(cli, auth, s -> s.revokeCounterCredential(
                    RevokeCounterCredentialRequest.newBuilder().setId(id).build()));
            spec.commandLine().getOut().printf("%s revoked%n", c.getId());
            return Exits.OK;
        }
    }
}
