package io.coffer.cli;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code coffer health [SERVICE...]}: the node's grpc.health.v1 status, overall and per service. */
@Command(name = "health", description = "Ask the node's grpc.health.v1 service whether it is serving.")
final class HealthCommand implements Callable<Integer> {
    @ParentCommand
    CofferCli cli;

    @Parameters(arity = "0..*", paramLabel = "SERVICE", description = "Services to check, e.g. coffer.v1.Payments (default: the node as a whole).")
    List<String> services = List.of();

    @Override
    public Integer call() {
        ManagedChannel ch = cli.channel();
        try {
            int exit = 0;
            for (String service : services.isEmpty() ? List.of("") : services) {
                HealthCheckResponse r;
                try {
                    r = HealthGrpc.newBlockingStub(ch).withDeadlineAfter(cli.timeoutSeconds, TimeUnit.SECONDS)
                            .check(HealthCheckRequest.newBuilder().setService(service).build());
                } catch (StatusRuntimeException e) {
                    if (e.getStatus().getCode() == Status.Code.UNAVAILABLE || e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
                        cli.spec.commandLine().getErr().println("coffer: node " + cli.node + " unreachable: " + e.getStatus().getCode());
                        return CofferCli.EXIT_UNREACHABLE;
                    }
                    cli.spec.commandLine().getOut().println((service.isEmpty() ? "node" : service) + ": " + e.getStatus().getCode());
                    exit = CofferCli.EXIT_NOT_SERVING;
                    continue;
                }
                cli.spec.commandLine().getOut().println((service.isEmpty() ? "node" : service) + ": " + r.getStatus());
                if (r.getStatus() != HealthCheckResponse.ServingStatus.SERVING) {
                    exit = CofferCli.EXIT_NOT_SERVING;
                }
            }
            return exit;
        } finally {
            CofferCli.close(ch);
        }
    }
}
