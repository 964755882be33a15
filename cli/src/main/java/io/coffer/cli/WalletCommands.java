package io.coffer.cli;

import io.coffer.proto.v1.Balance;
import io.coffer.proto.v1.CreateDepositAddressRequest;
import io.coffer.proto.v1.DepositAddress;
import io.coffer.proto.v1.HistoryEntry;
import io.coffer.proto.v1.ListBalancesRequest;
import io.coffer.proto.v1.ListHistoryRequest;
import io.coffer.proto.v1.WalletGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code coffer wallet ...}: a tenant's view through its API key (what a merchant backend sees). */
@Command(name = "wallet", description = "A tenant's deposit addresses, balances and history, through an API key.",
        subcommands = {WalletCommands.Address.class, WalletCommands.Balances.class, WalletCommands.History.class})
final class WalletCommands {

    /** The API key: from a file (never on the command line, where other users could see it). */
    static final class Key {
        @Option(names = "--api-key-file", required = true, description = "File holding the API key secret (ck_...).")
        Path file;

        String secret() {
            try {
                return Files.readString(file).strip();
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read the API key file " + file);
            }
        }
    }

    static <T> T call(picocli.CommandLine.Model.CommandSpec spec, Key key, Function<WalletGrpc.WalletBlockingStub, T> rpc) {
        return call(spec, key, WalletGrpc::newBlockingStub, rpc);
    }

    /** One call on any merchant service with the key as bearer token, on a channel closed afterwards. */
    static <S extends io.grpc.stub.AbstractStub<S>, T> T call(picocli.CommandLine.Model.CommandSpec spec, Key key,
                                                              Function<io.grpc.Channel, S> stub, Function<S, T> rpc) {
        CofferCli cli = (CofferCli) spec.root().userObject();
        Metadata m = new Metadata();
        m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key.secret());
        ManagedChannel ch = cli.channel();
        try {
            return rpc.apply(stub.apply(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m))
                    .withDeadlineAfter(cli.timeoutSeconds, TimeUnit.SECONDS));
        } finally {
            CofferCli.close(ch);
        }
    }

    @Command(name = "address", mixinStandardHelpOptions = true, description = "A fresh deposit address for an asset.")
    static final class Address implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Key key = new Key();
        @Option(names = "--asset", required = true, description = "Asset id, e.g. bitcoin/BTC or ethereum/ETH.")
        String asset;
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            DepositAddress a = WalletCommands.call(spec, key, s -> s.createDepositAddress(CreateDepositAddressRequest.newBuilder()
                    .setAsset(asset).build()));
            spec.commandLine().getOut().println(a.getAddress());
            return Exits.OK;
        }
    }

    @Command(name = "balances", mixinStandardHelpOptions = true, description = "Balances of every asset (base units).")
    static final class Balances implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Key key = new Key();
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            for (Balance b : WalletCommands.call(spec, key, s -> s.listBalances(ListBalancesRequest.getDefaultInstance())).getBalancesList()) {
                spec.commandLine().getOut().printf("%-16s confirmed %s  pending in %s  pending out %s%n", b.getAsset(), b.getConfirmed(),
                        b.getPendingIncoming(), b.getPendingOutgoing());
            }
            return Exits.OK;
        }
    }

    @Command(name = "history", mixinStandardHelpOptions = true, description = "Deposits and withdrawals, newest first.")
    static final class History implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Key key = new Key();
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            for (HistoryEntry h : WalletCommands.call(spec, key, s -> s.listHistory(ListHistoryRequest.getDefaultInstance())).getEntriesList()) {
                spec.commandLine().getOut().printf("%s %-3s %s %s  %s (%d conf)  %s%n",
                        java.time.Instant.ofEpochSecond(h.getFirstSeen().getSeconds()), h.getDirection().name().replace("DIRECTION_", ""),
                        h.getAmount().getValue(), h.getAmount().getAsset(), h.getStatus().name().replace("TX_STATUS_", ""),
                        h.getConfirmations(), h.getTxid());
            }
            return Exits.OK;
        }
    }
}
