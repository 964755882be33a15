package io.coffer.cli;

import io.coffer.core.keys.Secrets;
import io.coffer.proto.v1.AdminGrpc;
import io.coffer.proto.v1.AuditEntry;
import io.coffer.proto.v1.GetSealStatusRequest;
import io.coffer.proto.v1.ListAuditLogRequest;
import io.coffer.proto.v1.ListAuditLogResponse;
import io.coffer.proto.v1.SealRequest;
import io.coffer.proto.v1.SealStatus;
import io.coffer.proto.v1.UnsealRequest;
import io.grpc.ManagedChannel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** The custody commands that talk to a running node: status, unseal, seal, audit. */
final class CustodyCommands {
    private CustodyCommands() {
    }

    static <T> T call(CofferCli cli, OperatorAuth auth, Function<AdminGrpc.AdminBlockingStub, T> rpc) {
        var interceptor = auth.interceptor();
        ManagedChannel ch = cli.channel();
        try {
            return rpc.apply(AdminGrpc.newBlockingStub(ch).withInterceptors(interceptor)
                    .withDeadlineAfter(cli.timeoutSeconds, TimeUnit.SECONDS));
        } finally {
            CofferCli.close(ch);
        }
    }

    static void print(PrintWriter out, SealStatus s) {
        String mode = switch (s.getMode()) {
            case MODE_UNINITIALIZED -> "uninitialized (run 'coffer ceremony init' with the node stopped)";
            case MODE_SEALED -> "sealed";
            case MODE_UNSEALED -> "unsealed";
            case MODE_WATCH_ONLY -> "watch-only";
            default -> s.getMode().name();
        };
        out.printf("custody: %s%n", mode);
        if (!s.getMasterFingerprint().isEmpty()) {
            out.printf("wallet: %s%n", s.getMasterFingerprint());
        }
        if (s.getMode() == SealStatus.Mode.MODE_SEALED) {
            out.printf("unseal progress: %d of %d shares (of %d)%n", s.getProgress(), s.getThreshold(), s.getShareCount());
        }
        out.flush();
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Show whether the node can sign, and unseal progress.")
    static final class Status implements Callable<Integer> {
        @ParentCommand
        CofferCli cli;
        @Mixin
        OperatorAuth auth = new OperatorAuth();
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            print(spec.commandLine().getOut(), CustodyCommands.call(cli, auth, s -> s.getSealStatus(GetSealStatusRequest.getDefaultInstance())));
            return Exits.OK;
        }
    }

    @Command(name = "unseal", mixinStandardHelpOptions = true,
            description = "Hand in one SLIP-39 share (each custodian runs this in turn); at the threshold the node unseals.")
    static final class Unseal implements Callable<Integer> {
        @ParentCommand
        CofferCli cli;
        @Mixin
        OperatorAuth auth = new OperatorAuth();
        @Option(names = "--share-file", description = "File holding the share (default: type it, hidden).")
        Path shareFile;
        @Option(names = "--slip39-passphrase-file", description = "The SLIP-39 passphrase, if the ceremony set one.")
        Path passphraseFile;
        @Option(names = "--reset", description = "Forget the shares handed in so far (before this one, if any).")
        boolean reset;
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            char[] share = reset && shareFile == null ? new char[0]
                    : shareFile != null ? Terminal.readSecretFile(shareFile) : Terminal.readHidden("Share (words, not shown): ");
            char[] pass = passphraseFile == null ? new char[0] : Terminal.readSecretFile(passphraseFile);
            try {
                UnsealRequest req = UnsealRequest.newBuilder().setShare(new String(share)).setPassphrase(new String(pass))
                        .setReset(reset).build();
                SealStatus s = CustodyCommands.call(cli, auth, stub -> stub.unseal(req));
                print(spec.commandLine().getOut(), s);
                return Exits.OK;
            } finally {
                Secrets.wipe(share);
                Secrets.wipe(pass);
            }
        }
    }

    @Command(name = "seal", mixinStandardHelpOptions = true, description = "Drop the signer and wipe the secret from the node's memory.")
    static final class Seal implements Callable<Integer> {
        @ParentCommand
        CofferCli cli;
        @Mixin
        OperatorAuth auth = new OperatorAuth();
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            print(spec.commandLine().getOut(), CustodyCommands.call(cli, auth, s -> s.seal(SealRequest.getDefaultInstance())));
            return Exits.OK;
        }
    }

    @Command(name = "audit", mixinStandardHelpOptions = true, description = "Print the audit log, oldest first.")
    static final class Audit implements Callable<Integer> {
        @ParentCommand
        CofferCli cli;
        @Mixin
        OperatorAuth auth = new OperatorAuth();
        @Option(names = "--after", defaultValue = "0", description = "Only entries after this sequence.")
        long after;
        @Option(names = "--limit", defaultValue = "500", description = "At most this many entries (1..500 per page; pages are followed).")
        int limit;
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            long cursor = after;
            int printed = 0;
            while (printed < limit) {
                long from = cursor;
                int page = Math.min(500, limit - printed);
                ListAuditLogResponse r = CustodyCommands.call(cli, auth, s -> s.listAuditLog(
                        ListAuditLogRequest.newBuilder().setAfterSequence(from).setLimit(page).build()));
                List<AuditEntry> entries = r.getEntriesList();
                for (AuditEntry e : entries) {
                    out.printf("%6d %s %-10s %-24s %s %s%n", e.getSequence(),
                            Instant.ofEpochSecond(e.getAt().getSeconds(), e.getAt().getNanos()), e.getActor(), e.getAction(),
                            e.getSubject(), e.getDetailsMap());
                    cursor = e.getSequence();
                    printed++;
                }
                if (entries.size() < page) {
                    break;
                }
            }
            out.flush();
            return Exits.OK;
        }
    }
}
