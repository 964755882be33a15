package io.coffer.cli;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code coffer} command. */
@Command(name = "coffer", mixinStandardHelpOptions = true, version = "coffer 0.1.0",
        description = "Admin CLI for a Coffer wallet node.",
        subcommands = {HealthCommand.class, ServicesCommand.class, CeremonyCommand.class, CustodyCommands.Status.class,
            CustodyCommands.Unseal.class, CustodyCommands.Seal.class, CustodyCommands.Audit.class, RescanCommand.class,
            ChainsCommand.class, OperatorCommands.Group.class, AlertCommands.Group.class, TenantCommands.TenantGroup.class, TenantCommands.KeyGroup.class, WalletCommands.class, PaymentCommands.class,
            EventCommands.Group.class, EventCommands.WebhookGroup.class, TransferCommands.Group.class, TransferCommands.PolicyGroup.class,
            ReportCommand.class, CounterCommands.Group.class, BackupCommands.Create.class, BackupCommands.Restore.class,
            CommandLine.HelpCommand.class})
public final class CofferCli implements Callable<Integer> {
    static final int EXIT_NOT_SERVING = 1;
    static final int EXIT_UNREACHABLE = 4;

    @Option(names = "--node", defaultValue = "${env:COFFER_NODE:-127.0.0.1:7433}",
            description = "Node gRPC address host:port (env COFFER_NODE; default ${DEFAULT-VALUE}).")
    String node;

    @Option(names = "--timeout", defaultValue = "10", description = "Seconds to wait for the node (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--tls", description = "Talk TLS to the node, trusting the system's certificate authorities.")
    boolean tls;

    @Option(names = "--tls-ca", defaultValue = "${env:COFFER_TLS_CA}",
            description = "Talk TLS to the node, trusting this PEM certificate (the node's own, or its CA). Env COFFER_TLS_CA.")
    java.nio.file.Path tlsCa;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // The CLI's output is for people: library INFO lines (LevelDB schema notes, gRPC) would bury it.
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        System.exit(commandLine().execute(args));
    }

    /** The configured command line: one exception handler maps every failure to its exit code ({@link Exits}). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new CofferCli());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> Exits.handle(e, cmd));
        return cl;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 2;
    }

    /** A channel to the node: TLS with --tls / --tls-ca (the node's {@code server.tls}), plaintext otherwise. */
    ManagedChannel channel() {
        int colon = node.lastIndexOf(':');
        if (colon < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--node must be host:port, got '" + node + "'");
        }
        int port;
        try {
            port = Integer.parseInt(node.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--node port is not a number: '" + node + "'");
        }
        NettyChannelBuilder b = NettyChannelBuilder.forAddress(node.substring(0, colon), port);
        if (tlsCa != null) {
            try {
                b.sslContext(io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts.forClient().trustManager(tlsCa.toFile()).build());
            } catch (javax.net.ssl.SSLException | IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--tls-ca: cannot use " + tlsCa + " (" + e.getMessage() + ")");
            }
        } else if (tls) {
            b.useTransportSecurity();
        } else {
            b.usePlaintext();
        }
        return b.build();
    }

    static void close(ManagedChannel ch) {
        ch.shutdownNow();
        try {
            ch.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
