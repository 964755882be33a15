package io.coffer.cli;

import io.coffer.proto.v1.AckAlertRequest;
import io.coffer.proto.v1.Alert;
import io.coffer.proto.v1.ListAlertsRequest;
import io.coffer.proto.v1.StreamAlertsRequest;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code coffer alerts list | ack | watch}: what the node found wrong, for the people who run it. */
final class AlertCommands {
    private AlertCommands() {
    }

    @Command(name = "alerts", description = "Operator alerts: the ledger disagreeing with a chain, transfers held by anomaly rules, auth failures.",
            subcommands = {ListCommand.class, Ack.class, Watch.class})
    static final class Group {
    }

    static void print(PrintWriter out, Alert a) {
        out.printf("%d %s %s %s %s%s%n", a.getId(), Instant.ofEpochSecond(a.getRaisedAt().getSeconds()),
                a.getKind().name().replace("ALERT_KIND_", "").toLowerCase(Locale.ROOT), a.getSubject(), a.getSummary(),
                a.getAcknowledgedBy().isEmpty() ? "" : " (acknowledged by " + a.getAcknowledgedBy()
                        + (a.getNote().isEmpty() ? "" : ": " + a.getNote()) + ")");
        a.getDetailsMap().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                .forEach(e -> out.printf("    %s: %s%n", e.getKey(), e.getValue()));
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Open alerts, oldest first, with their rows (--all: acknowledged too).")
    static final class ListCommand implements Callable<Integer> {
        @Mixin
        OperatorAuth auth = new OperatorAuth();
        @Option(names = "--all", description = "Also the acknowledged ones.")
        boolean all;
        @Option(names = "--after", defaultValue = "0", description = "Only alerts after this id.")
        long after;
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            CofferCli cli = (CofferCli) spec.root().userObject();
            PrintWriter out = spec.commandLine().getOut();
            var r = CustodyCommands.call(cli, auth, s -> s.listAlerts(ListAlertsRequest.newBuilder().setAfterId(after).setLimit(500)
                    .setIncludeAcknowledged(all).build()));
            r.getAlertsList().forEach(a -> print(out, a));
            if (r.getAlertsCount() == 0) {
                out.println(all ? "no alerts" : "no open alerts");
            }
            out.flush();
            return Exits.OK;
        }
    }

    @Command(name = "ack", mixinStandardHelpOptions = true,
            description = "Acknowledges an alert (audited; needs --totp as an operator): it closes, and what it paused resumes.")
    static final class Ack implements Callable<Integer> {
        @Mixin
        OperatorAuth auth = new OperatorAuth();
        @Parameters(index = "0", description = "The alert's id.")
        long id;
        @Option(names = "--note", defaultValue = "", description = "What you found (recorded with the acknowledgement).")
        String note;
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            CofferCli cli = (CofferCli) spec.root().userObject();
            Alert a = CustodyCommands.call(cli, auth, s -> s.ackAlert(AckAlertRequest.newBuilder().setId(id).setNote(note).build()));
            print(spec.commandLine().getOut(), a);
            spec.commandLine().getOut().flush();
            return Exits.OK;
        }
    }

    @Command(name = "watch", mixinStandardHelpOptions = true, description = "Prints alerts as they are raised (Ctrl-C to stop).")
    static final class Watch implements Callable<Integer> {
        @Mixin
        OperatorAuth auth = new OperatorAuth();
        @Option(names = "--after", defaultValue = "0", description = "Start after this id (default: every alert, then new ones).")
        long after;
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            CofferCli cli = (CofferCli) spec.root().userObject();
            var interceptor = auth.interceptor();
            var ch = cli.channel();
            try {
                Iterator<Alert> it = io.coffer.proto.v1.AdminGrpc.newBlockingStub(ch).withInterceptors(interceptor)
                        .streamAlerts(StreamAlertsRequest.newBuilder().setAfterId(after).build());
                PrintWriter out = spec.commandLine().getOut();
                while (it.hasNext()) {
                    print(out, it.next());
                    out.flush();
                }
                return Exits.OK;
            } finally {
                CofferCli.close(ch);
            }
        }
    }
}
