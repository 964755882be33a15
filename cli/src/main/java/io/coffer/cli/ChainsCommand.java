package io.coffer.cli;

import io.coffer.proto.v1.ChainKind;
import io.coffer.proto.v1.ChainStatus;
import io.coffer.proto.v1.GetChainsStatusRequest;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code coffer chains}: each chain's node, its tip, what Coffer processed, and a catch-up's progress while there is one. */
@Command(name = "chains", mixinStandardHelpOptions = true,
        description = "Each chain: connected?, its tip, the height Coffer processed, and while catching up how long until it is current.")
final class ChainsCommand implements Callable<Integer> {
    @ParentCommand
    CofferCli cli;
    @Mixin
    OperatorAuth auth = new OperatorAuth();
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        for (ChainStatus c : CustodyCommands.call(cli, auth, a -> a.getChainsStatus(GetChainsStatusRequest.getDefaultInstance()))
                .getChainsList()) {
            String kind = c.getKind() == ChainKind.CHAIN_KIND_EVM ? "evm" : "bitcoin";
            if (c.getConnected()) {
                out.printf("%s (%s, %s): tip %d, processed %d, %d behind%s%n", c.getChain(), kind, c.getNetwork(), c.getTipHeight(),
                        c.getProcessedHeight(), Math.max(0, c.getTipHeight() - c.getProcessedHeight()),
                        c.getLastError().isEmpty() ? "" : "; last error: " + c.getLastError());
            } else {
                out.printf("%s (%s): node not reachable (%s); processed %d%n", c.getChain(), kind, c.getLastError(), c.getProcessedHeight());
            }
            if (c.hasCatchUp()) {
                out.println("  " + ProgressLine.of("catching up", c.getCatchUp()));
            }
        }
        out.flush();
        return Exits.OK;
    }
}
