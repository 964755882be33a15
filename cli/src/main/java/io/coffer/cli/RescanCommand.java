package io.coffer.cli;

import io.coffer.proto.v1.AdminGrpc;
import io.coffer.proto.v1.RescanProgress;
import io.coffer.proto.v1.RescanRequest;
import io.grpc.ManagedChannel;
import java.io.PrintWriter;
import java.util.Iterator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code coffer rescan --chain bitcoin --from-height N}: re-scan a chain for deposits (after a restore). */
@Command(name = "rescan", mixinStandardHelpOptions = true,
        description = "Re-scan a chain from a height for deposits to every derived address, with progress.")
final class RescanCommand implements Callable<Integer> {
    @ParentCommand
    CofferCli cli;
    @Mixin
    OperatorAuth auth = new OperatorAuth();
    @Option(names = "--chain", required = true, description = "Chain name from the node's configuration.")
    String chain;
    @Option(names = "--from-height", required = true, description = "First block height to scan.")
    long fromHeight;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        var interceptor = auth.interceptor();
        ManagedChannel ch = cli.channel();
        try {
            PrintWriter out = spec.commandLine().getOut();
            Iterator<RescanProgress> it = AdminGrpc.newBlockingStub(ch).withInterceptors(interceptor)
                    .rescan(RescanRequest.newBuilder().setChain(chain).setFromHeight(fromHeight).build());
            while (it.hasNext()) {
                RescanProgress p = it.next();
                out.printf("%s height %d of %d, %d deposits, %d addresses watched%s%n", p.getDone() ? "done:" : "scanning:",
                        p.getHeight(), p.getTipHeight(), p.getDepositsFound(), p.getAddressesWatched(),
                        p.hasProgress() ? "; " + ProgressLine.of(p.getDone() ? "scanned" : "rescan", p.getProgress()) : "");
                out.flush();
            }
            return Exits.OK;
        } finally {
            CofferCli.close(ch);
        }
    }
}
