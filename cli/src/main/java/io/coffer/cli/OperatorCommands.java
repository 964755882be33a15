package io.coffer.cli;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import io.coffer.core.operator.OperatorKeyFile;
import io.coffer.proto.v1.AddOperatorRequest;
import io.coffer.proto.v1.AddOperatorResponse;
import io.coffer.proto.v1.AdminApproveTransferRequest;
import io.coffer.proto.v1.AdminRejectTransferRequest;
import io.coffer.proto.v1.ConfirmTotpRequest;
import io.coffer.proto.v1.DisableOperatorRequest;
import io.coffer.proto.v1.EnrollTotpRequest;
import io.coffer.proto.v1.ListOperatorsRequest;
import io.coffer.proto.v1.Operator;
import io.coffer.proto.v1.OperatorRole;
import io.coffer.proto.v1.Transfer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code coffer operator ...}: named operators — a key of one's own ({@code keygen}), adding (by break-glass, or a quorum of
 * admins), listing, disabling; the second factor ({@code totp enroll | confirm}); transfer approvals by approvers.
 */
final class OperatorCommands {
    private OperatorCommands() {
    }

    @Command(name = "operator", description = "Named operators: keys, roles, second factor, approvals.",
            subcommands = {Keygen.class, Add.class, ListCommand.class, Disable.class, TotpGroup.class, Approve.class, Reject.class})
    static final class Group {
    }

    static String roles(Operator o) {
        return o.getRolesList().stream().map(r -> r.name().substring("OPERATOR_ROLE_".length()).toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(","));
    }

    static void print(PrintWriter out, Operator o) {
        out.printf("%s %s%s totp %s created %s by %s key %s%n", o.getName(), roles(o), o.getDisabled() ? " DISABLED" : "",
                o.getTotpEnrolled() ? "yes" : "no", Instant.ofEpochSecond(o.getCreatedAt().getSeconds()), o.getCreatedBy(),
                HexFormat.of().formatHex(o.getPublicKey().toByteArray()));
    }

    @Command(name = "keygen", mixinStandardHelpOptions = true,
            description = {"Makes your operator key on your own machine: the private key sealed with a passphrase in --out (0600),",
                "the public key printed for the admins who add you ('coffer operator add NAME --role ... --public-key HEX')."})
    static final class Keygen implements Callable<Integer> {
        @Option(names = "--out", required = true, description = "The key file to write (never overwritten).")
        Path out;
        @Option(names = "--passphrase-file", description = "File whose first line is the key's passphrase (12+ characters); default: asked twice.")
        Path passphraseFile;
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            char[] pass = passphraseFile != null ? OperatorAuth.passphraseFile(passphraseFile) : BackupCommands.passphrase(null, true);
            try {
                byte[] pub = OperatorKeyFile.generate(out, pass, new SecureRandom());
                PrintWriter w = spec.commandLine().getOut();
                w.println("wrote " + out + " (keep it and its passphrase on your machine only)");
                w.println("public key " + HexFormat.of().formatHex(pub));
                w.flush();
                return Exits.OK;
            } catch (java.nio.file.FileAlreadyExistsException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), out + " exists: a key file is never overwritten");
            } finally {
                java.util.Arrays.fill(pass, '\0');
            }
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Adds an operator. With the break-glass token: at once. As an admin: a proposal; each other admin runs the",
                "same command until the quorum (coffer.operators.quorum) is reached. Needs --totp as an operator."})
    static final class Add implements Callable<Integer> {
        @Mixin
        OperatorAuth auth = new OperatorAuth();
        @Parameters(index = "0", description = "The operator's name (a-z 0-9 . _ -, starting with a letter).")
        String name;
        @Option(names = "--role", required = true, description = "custodian, admin, approver or auditor; repeat for several.")
        List<String> roles;
        @Option(names = "--public-key", required = true, description = "The operator's public key, hex (from its 'coffer operator keygen').")
        String publicKey;
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            CofferCli cli = (CofferCli) spec.root().userObject();
            AddOperatorRequest.Builder r = AddOperatorRequest.newBuilder().setName(name);
            for (String role : roles) {
                try {
                    r.addRoles(OperatorRole.valueOf("OPERATOR_ROLE_" + role.toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "unknown role '" + role + "': custodian, admin, approver or auditor");
                }
            }
            try {
                r.setPublicKey(com.google.protobuf.ByteString.copyFrom(HexFormat.of().parseHex(publicKey.strip())));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--public-key: hex, as 'coffer operator keygen' printed it");
            }
            AddOperatorResponse a = CustodyCommands.call(cli, auth, s -> s.addOperator(r.build()));
            PrintWriter out = spec.commandLine().getOut();
            if (a.hasOperator()) {
                out.print("added: ");
                print(out, a.getOperator());
            } else {
                out.printf("proposed: %s needs %d of %d admins' approvals (each runs the same command)%n", name, a.getNeeded() - a.getApprovals(),
                        a.getNeeded());
            }
            out.flush();
            return Exits.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every operator: roles, second factor, who added it, its key.")
    static final class ListCommand implements Callable<Integer> {
        @Mixin
        OperatorAuth auth = new OperatorAuth();
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            CofferCli cli = (CofferCli) spec.root().userObject();
            PrintWriter out = spec.commandLine().getOut();
            CustodyCommands.call(cli, auth, s -> s.listOperators(ListOperatorsRequest.getDefaultInstance())).getOperatorsList()
                    .forEach(o -> print(out, o));
            out.flush();
            return Exits.OK;
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true, description = "Disables an operator: its next call is refused. Needs --totp.")
    static final class Disable implements Callable<Integer> {
        @Mixin
        OperatorAuth auth = new OperatorAuth();
        @Parameters(index = "0", description = "The operator's name.")
        String name;
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            CofferCli cli = (CofferCli) spec.root().userObject();
            Operator o = CustodyCommands.call(cli, auth, s -> s.disableOperator(DisableOperatorRequest.newBuilder().setName(name).build()));
            print(spec.commandLine().getOut(), o);
            spec.commandLine().getOut().flush();
            return Exits.OK;
        }
    }

    @Command(name = "totp", description = "Your second factor: enroll (a QR code for your authenticator app), then confirm with a code.",
            subcommands = {Enroll.class, Confirm.class})
    static final class TotpGroup {
    }

    @Command(name = "enroll", mixinStandardHelpOptions = true,
            description = {"Starts your TOTP enrollment: scan the QR code (or type the secret) into your authenticator app, then run",
                "'coffer operator totp confirm CODE'. Replacing a confirmed enrollment needs --totp with a current code."})
    static final class Enroll implements Callable<Integer> {
        @Mixin
        OperatorAuth auth = new OperatorAuth();
        @Option(names = "--name", defaultValue = "", description = "Another operator's (break-glass only: a lost phone).")
        String name;
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            CofferCli cli = (CofferCli) spec.root().userObject();
            String uri = CustodyCommands.call(cli, auth, s -> s.enrollTotp(EnrollTotpRequest.newBuilder().setName(name).build())).getOtpauthUri();
            PrintWriter out = spec.commandLine().getOut();
            out.println(qr(uri));
            out.println(uri);
            out.println("secret " + uri.replaceAll(".*[?&]secret=([A-Z2-7]+).*", "$1") + " (SHA-1, 6 digits, 30 s)");
            out.println("then: coffer operator totp confirm <code from the app>");
            out.flush();
            return Exits.OK;
        }
    }

    @Command(name = "confirm", mixinStandardHelpOptions = true, description = "Confirms your enrollment with a code from the app.")
    static final class Confirm implements Callable<Integer> {
        @Mixin
        OperatorAuth auth = new OperatorAuth();
        @Parameters(index = "0", description = "The app's current 6-digit code.")
        String code;
        @Option(names = "--name", defaultValue = "", description = "Another operator's (break-glass only).")
        String name;
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            CofferCli cli = (CofferCli) spec.root().userObject();
            Operator o = CustodyCommands.call(cli, auth, s -> s.confirmTotp(ConfirmTotpRequest.newBuilder().setName(name).setCode(code).build()));
            print(spec.commandLine().getOut(), o);
            spec.commandLine().getOut().flush();
            return Exits.OK;
        }
    }

    @Command(name = "approve", mixinStandardHelpOptions = true, description = "Approves a tenant's transfer awaiting approval (approver; --totp).")
    static final class Approve implements Callable<Integer> {
        @Mixin
        OperatorAuth auth = new OperatorAuth();
        @Option(names = "--tenant", required = true, description = "Tenant id (tn_...).")
        String tenant;
        @Parameters(index = "0", description = "The transfer id (tr_...).")
        String id;
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            CofferCli cli = (CofferCli) spec.root().userObject();
            Transfer t = CustodyCommands.call(cli, auth, s -> s.approveTransfer(AdminApproveTransferRequest.newBuilder().setTenantId(tenant)
                    .setTransferId(id).build()));
            spec.commandLine().getOut().printf("%s %s approvals %s%n", t.getId(), t.getStatus().name().replace("TRANSFER_STATUS_", ""),
                    String.join(",", t.getApprovedByList()));
            spec.commandLine().getOut().flush();
            return Exits.OK;
        }
    }

    @Command(name = "reject", mixinStandardHelpOptions = true, description = "Rejects a tenant's transfer awaiting approval (approver).")
    static final class Reject implements Callable<Integer> {
        @Mixin
        OperatorAuth auth = new OperatorAuth();
        @Option(names = "--tenant", required = true, description = "Tenant id (tn_...).")
        String tenant;
        @Option(names = "--reason", defaultValue = "", description = "Why (recorded; up to 200 characters).")
        String reason;
        @Parameters(index = "0", description = "The transfer id (tr_...).")
        String id;
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            CofferCli cli = (CofferCli) spec.root().userObject();
            Transfer t = CustodyCommands.call(cli, auth, s -> s.rejectTransfer(AdminRejectTransferRequest.newBuilder().setTenantId(tenant)
                    .setTransferId(id).setReason(reason).build()));
            spec.commandLine().getOut().printf("%s %s%n", t.getId(), t.getStatus().name().replace("TRANSFER_STATUS_", ""));
            spec.commandLine().getOut().flush();
            return Exits.OK;
        }
    }

    /** A QR code in the terminal: two modules per character cell (upper/lower half blocks), dark on light, a quiet zone of 2. */
    static String qr(String text) {
        BitMatrix m;
        try {
            m = new QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, 0, 0, Map.of(EncodeHintType.ERROR_CORRECTION, ErrorCorrectionLevel.L,
                    EncodeHintType.MARGIN, 2));
        } catch (WriterException e) {
            throw new IllegalArgumentException("too long for a QR code", e);
        }
        StringBuilder b = new StringBuilder();
        for (int y = 0; y < m.getHeight(); y += 2) {
            for (int x = 0; x < m.getWidth(); x++) {
                boolean top = m.get(x, y);
                boolean bottom = y + 1 < m.getHeight() && m.get(x, y + 1);
                // Light cells are drawn (block characters), dark ones left blank: readable on a dark terminal; a light one inverts it.
                b.append(top ? (bottom ? ' ' : '\u2584') : (bottom ? '\u2580' : '\u2588'));
            }
            b.append('\n');
        }
        return b.toString();
    }
}
