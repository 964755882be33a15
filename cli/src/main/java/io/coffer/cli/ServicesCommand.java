package io.coffer.cli;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code coffer services}: the gRPC services the node exposes, read through server reflection. */
@Command(name = "services", description = "List the gRPC services the node exposes (server reflection).")
final class ServicesCommand implements Callable<Integer> {
    @ParentCommand
    CofferCli cli;

    @Override
    public Integer call() throws InterruptedException {
        ManagedChannel ch = cli.channel();
        try {
            CompletableFuture<List<String>> names = new CompletableFuture<>();
            StreamObserver<ServerReflectionRequest> req = ServerReflectionGrpc.newStub(ch)
                    .withDeadlineAfter(cli.timeoutSeconds, TimeUnit.SECONDS)
                    .serverReflectionInfo(new StreamObserver<>() {
                        @Override
                        public void onNext(ServerReflectionResponse r) {
                            names.complete(r.getListServicesResponse().getServiceList().stream()
                                    .map(ServiceResponse::getName).distinct().sorted().toList());
                        }

                        @Override
                        public void onError(Throwable t) {
                            names.completeExceptionally(t);
                        }

                        @Override
                        public void onCompleted() {
                            names.complete(List.of());
                        }
                    });
            req.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
            try {
                names.get(cli.timeoutSeconds, TimeUnit.SECONDS).forEach(cli.spec.commandLine().getOut()::println);
                req.onCompleted();
                return 0;
            } catch (ExecutionException | TimeoutException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                String why = cause instanceof StatusRuntimeException s ? s.getStatus().getCode().toString() : cause.getClass().getSimpleName();
                cli.spec.commandLine().getErr().println("coffer: node " + cli.node + " unreachable: " + why);
                return CofferCli.EXIT_UNREACHABLE;
            }
        } finally {
            CofferCli.close(ch);
        }
    }
}
