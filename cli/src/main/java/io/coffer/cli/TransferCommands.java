package io.coffer.cli;

import io.coffer.proto.v1.AllowlistEntry;
import io.coffer.proto.v1.ApproveTransferRequest;
import io.coffer.proto.v1.AssetLimits;
import io.coffer.proto.v1.BumpFeeRequest;
import io.coffer.proto.v1.CreateTransferRequest;
import io.coffer.proto.v1.EstimateFeeRequest;
import io.coffer.proto.v1.FeeEstimate;
import io.coffer.proto.v1.FeePriority;
import io.coffer.proto.v1.FeeRate;
import io.coffer.proto.v1.GetTransferPolicyRequest;
import io.coffer.proto.v1.GetTransferRequest;
import io.coffer.proto.v1.ListTransfersRequest;
import io.coffer.proto.v1.RejectTransferRequest;
import io.coffer.proto.v1.SetTransferPolicyRequest;
import io.coffer.proto.v1.Transfer;
import io.coffer.proto.v1.TransferPolicy;
import io.coffer.proto.v1.TransfersGrpc;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code coffer transfer ...} (a tenant's transfers, through an API key) and {@code coffer policy ...} (the operator's rules). */
final class TransferCommands {
    private TransferCommands() {
    }

    static <T> T call(CommandLine.Model.CommandSpec spec, WalletCommands.Key key, Function<TransfersGrpc.TransfersBlockingStub, T> rpc) {
        return WalletCommands.call(spec, key, TransfersGrpc::newBlockingStub, rpc);
    }

    /** One line: id, status, amount, destination, then what is known (txid, fee, approvals, reason). */
    static String line(Transfer t) {
        StringBuilder b = new StringBuilder(t.getId()).append(' ').append(t.getStatus().name().replace("TRANSFER_STATUS_", "")).append(' ')
                .append(t.getAmount().getValue()).append(' ').append(t.getAmount().getAsset()).append(" to ").append(t.getDestination());
        if (!t.getTxid().isEmpty()) {
            b.append(" txid ").append(t.getTxid()).append(" fee ").append(t.getFee().getValue()).append(' ').append(t.getFee().getAsset())
                    .append(' ').append(t.getConfirmations()).append(" conf");
        }
        if (t.getApprovedByCount() > 0) {
            b.append(" approved by ").append(String.join(",", t.getApprovedByList()));
        }
        if (!t.getRefundOfPaymentRequestId().isEmpty()) {
            b.append(" refund of ").append(t.getRefundOfPaymentRequestId());
        }
        if (!t.getFailureReason().isEmpty()) {
            b.append(" (").append(t.getFailureReason()).append(')');
        }
        return b.toString();
    }

    private static FeePriority priority(String p) {
        return switch (p) {
            case "low" -> FeePriority.FEE_PRIORITY_LOW;
            case "high" -> FeePriority.FEE_PRIORITY_HIGH;
            default -> FeePriority.FEE_PRIORITY_NORMAL;
        };
    }

    @Command(name = "transfer", description = "A tenant's outgoing transfers, through an API key: create, show, approve, reject, bump.",
            subcommands = {Create.class, Get.class, ListTransfers.class, Approve.class, Reject.class, Bump.class, Estimate.class})
    static final class Group {
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Sends (or parks for approval) a transfer.")
    static final class Create implements Callable<Integer> {
        @Mixin
        WalletCommands.Key key = new WalletCommands.Key();
        @Option(names = "--asset", required = true, description = "Asset id, e.g. bitcoin/BTC or ethereum/USDC.")
        String asset;
        @Option(names = "--destination", required = true, description = "Destination address.")
        String destination;
        @Option(names = "--amount", required = true, description = "Amount in base units; the fee is paid on top.")
        String amount;
        @Option(names = "--idempotency-key", required = true, description = "Your unique key; a retry with it returns the original transfer.")
        String idempotencyKey;
        @Option(names = "--priority", defaultValue = "normal", description = "low, normal or high.")
        String priority;
        @Option(names = "--sat-per-vbyte", description = "Bitcoin: an explicit fee rate (overrides --priority).")
        String satPerVbyte;
        @Option(names = "--memo", defaultValue = "", description = "Free text kept with the transfer.")
        String memo;
        @Option(names = "--refund-of", defaultValue = "", description = "The payment request (pr_...) this refunds.")
        String refundOf;
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            CreateTransferRequest.Builder r = CreateTransferRequest.newBuilder().setAsset(asset).setDestination(destination).setAmount(amount)
                    .setIdempotencyKey(idempotencyKey).setPriority(priority(priority)).setMemo(memo).setRefundOfPaymentRequestId(refundOf);
            if (satPerVbyte != null) {
                r.setFeeRate(FeeRate.newBuilder().setSatPerVbyte(satPerVbyte));
            }
            spec.commandLine().getOut().println(line(TransferCommands.call(spec, key, s -> s.createTransfer(r.build()))));
            return Exits.OK;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "One transfer.")
    static final class Get implements Callable<Integer> {
        @Mixin
        WalletCommands.Key key = new WalletCommands.Key();
        @Parameters(index = "0", description = "The transfer id (tr_...).")
        String id;
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getOut().println(line(TransferCommands.call(spec, key, s -> s.getTransfer(GetTransferRequest.newBuilder()
                    .setId(id).build()))));
            return Exits.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Transfers, newest first (first page).")
    static final class ListTransfers implements Callable<Integer> {
        @Mixin
        WalletCommands.Key key = new WalletCommands.Key();
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            for (Transfer t : TransferCommands.call(spec, key, s -> s.listTransfers(ListTransfersRequest.getDefaultInstance())).getTransfersList()) {
                spec.commandLine().getOut().println(line(t));
            }
            return Exits.OK;
        }
    }

    @Command(name = "approve", mixinStandardHelpOptions = true, description = "Adds this (admin) key's approval; the quorum sends it.")
    static final class Approve implements Callable<Integer> {
        @Mixin
        WalletCommands.Key key = new WalletCommands.Key();
        @Parameters(index = "0", description = "The transfer id (tr_...).")
        String id;
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getOut().println(line(TransferCommands.call(spec, key, s -> s.approveTransfer(ApproveTransferRequest.newBuilder()
                    .setId(id).build()))));
            return Exits.OK;
        }
    }

    @Command(name = "reject", mixinStandardHelpOptions = true, description = "Rejects a transfer awaiting approval.")
    static final class Reject implements Callable<Integer> {
        @Mixin
        WalletCommands.Key key = new WalletCommands.Key();
        @Parameters(index = "0", description = "The transfer id (tr_...).")
        String id;
        @Option(names = "--reason", defaultValue = "", description = "Why (kept with the transfer and in the audit log).")
        String reason;
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getOut().println(line(TransferCommands.call(spec, key, s -> s.rejectTransfer(RejectTransferRequest.newBuilder()
                    .setId(id).setReason(reason).build()))));
            return Exits.OK;
        }
    }

    @Command(name = "bump", mixinStandardHelpOptions = true, description = "Replaces an unconfirmed transfer by one paying a higher fee.")
    static final class Bump implements Callable<Integer> {
        @Mixin
        WalletCommands.Key key = new WalletCommands.Key();
        @Parameters(index = "0", description = "The transfer id (tr_...).")
        String id;
        @Option(names = "--sat-per-vbyte", description = "Bitcoin: the new fee rate (default: the high estimate).")
        String satPerVbyte;
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            BumpFeeRequest.Builder r = BumpFeeRequest.newBuilder().setId(id);
            if (satPerVbyte != null) {
                r.setFeeRate(FeeRate.newBuilder().setSatPerVbyte(satPerVbyte));
            }
            spec.commandLine().getOut().println(line(TransferCommands.call(spec, key, s -> s.bumpFee(r.build()))));
            return Exits.OK;
        }
    }

    @Command(name = "estimate", mixinStandardHelpOptions = true, description = "The network fee a transfer would pay now.")
    static final class Estimate implements Callable<Integer> {
        @Mixin
        WalletCommands.Key key = new WalletCommands.Key();
        @Option(names = "--asset", required = true, description = "Asset id.")
        String asset;
        @Option(names = "--destination", required = true, description = "Destination address.")
        String destination;
        @Option(names = "--amount", required = true, description = "Amount in base units.")
        String amount;
        @Option(names = "--priority", defaultValue = "normal", description = "low, normal or high.")
        String priority;
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            FeeEstimate f = TransferCommands.call(spec, key, s -> s.estimateFee(EstimateFeeRequest.newBuilder().setAsset(asset)
                    .setDestination(destination).setAmount(amount).setPriority(priority(priority)).build()));
            String rate = f.getFeeRate().hasEip1559() ? f.getFeeRate().getEip1559().getMaxFeePerGasWei() + " wei/gas max"
                    : !f.getFeeRate().getSatPerVbyte().isEmpty() ? f.getFeeRate().getSatPerVbyte() + " sat/vB"
                    : f.getFeeRate().getLegacyGasPriceWei() + " wei/gas";
            spec.commandLine().getOut().printf("fee %s %s (%s, size %d)%n", f.getFee().getValue(), f.getFee().getAsset(), rate, f.getSize());
            return Exits.OK;
        }
    }

    @Command(name = "policy", description = "A tenant's transfer policy (operator token): limits, allowlist, approval quorum.",
            subcommands = {PolicyGet.class, PolicySet.class})
    static final class PolicyGroup {
    }

    static void print(PrintWriter out, TransferPolicy p) {
        out.println("tenant " + p.getTenantId() + ", approval quorum " + p.getApprovalQuorum());
        for (AssetLimits l : p.getLimitsList()) {
            out.printf("limit %s per-transfer %s rolling-24h %s approval-above %s%n", l.getAsset(), or(l.getPerTransferMax()),
                    or(l.getRolling24HMax()), or(l.getApprovalThreshold()));
        }
        for (AllowlistEntry a : p.getAllowlistList()) {
            out.printf("allow %s %s %s(from %s)%n", a.getChain(), a.getAddress(), a.getLabel().isEmpty() ? "" : "\"" + a.getLabel() + "\" ",
                    Instant.ofEpochSecond(a.getEffectiveAt().getSeconds()));
        }
        if (p.getAllowlistCount() == 0) {
            out.println("no allowlist: any destination");
        }
    }

    private static String or(String v) {
        return v.isEmpty() ? "none" : v;
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Shows a tenant's policy.")
    static final class PolicyGet implements Callable<Integer> {
        @Mixin
        OperatorAuth auth = new OperatorAuth();
        @Option(names = "--tenant", required = true, description = "The tenant id (tn_...).")
        String tenant;
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            CofferCli cli = (CofferCli) spec.root().userObject();
            print(spec.commandLine().getOut(), CustodyCommands.call(cli, auth, s -> s.getTransferPolicy(GetTransferPolicyRequest.newBuilder()
                    .setTenantId(tenant).build())));
            return Exits.OK;
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = "Replaces a tenant's policy. New allowlist entries count after the node's allowlist delay.")
    static final class PolicySet implements Callable<Integer> {
        @Mixin
        OperatorAuth auth = new OperatorAuth();
        @Option(names = "--tenant", required = true, description = "The tenant id (tn_...).")
        String tenant;
        @Option(names = "--limit", description = "ASSET:PER_TRANSFER:ROLLING_24H:APPROVAL_ABOVE in base units, empty for none, "
                + "e.g. bitcoin/BTC:50000000:200000000:10000000 (repeatable).")
        List<String> limits = new ArrayList<>();
        @Option(names = "--allow", description = "CHAIN:ADDRESS[:LABEL], e.g. bitcoin:bc1q...:cold-wallet (repeatable).")
        List<String> allow = new ArrayList<>();
        @Option(names = "--quorum", defaultValue = "0", description = "Admin approvals needed above an approval threshold.")
        int quorum;
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            TransferPolicy.Builder p = TransferPolicy.newBuilder().setTenantId(tenant).setApprovalQuorum(quorum);
            for (String l : limits) {
                String[] f = l.split(":", -1);
                if (f.length != 4) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--limit needs ASSET:PER_TRANSFER:ROLLING_24H:APPROVAL_ABOVE, got '"
                            + l + "'");
                }
                p.addLimits(AssetLimits.newBuilder().setAsset(f[0]).setPerTransferMax(f[1]).setRolling24HMax(f[2]).setApprovalThreshold(f[3]));
            }
            for (String a : allow) {
                String[] f = a.split(":", 3);
                if (f.length < 2) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--allow needs CHAIN:ADDRESS[:LABEL], got '" + a + "'");
                }
                p.addAllowlist(AllowlistEntry.newBuilder().setChain(f[0]).setAddress(f[1]).setLabel(f.length > 2 ? f[2] : ""));
            }
            CofferCli cli = (CofferCli) spec.root().userObject();
            print(spec.commandLine().getOut(), CustodyCommands.call(cli, auth, s -> s.setTransferPolicy(SetTransferPolicyRequest.newBuilder()
                    .setPolicy(p).build())));
            return Exits.OK;
        }
    }
}
