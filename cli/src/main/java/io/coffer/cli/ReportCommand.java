package io.coffer.cli;

import io.coffer.proto.v1.ExportReportRequest;
import io.coffer.proto.v1.ReportChunk;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code coffer report}: a tenant's CSV report (operator token), to stdout or a file. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "CSV of a tenant's payment requests, deposits or transfers created in [from, to) (UTC), oldest first.")
final class ReportCommand implements Callable<Integer> {
    @Mixin
    OperatorAuth auth = new OperatorAuth();
    @Option(names = "--tenant", required = true, description = "The tenant id (tn_...).")
    String tenant;
    @Option(names = "--kind", required = true, description = "payment-requests, deposits or transfers.")
    String kind;
    @Option(names = "--from", required = true, description = "Start: a date (2026-01-01, UTC midnight) or an instant (2026-01-01T12:00:00Z).")
    String from;
    @Option(names = "--to", required = true, description = "End (exclusive), same forms; at most 366 days after --from.")
    String to;
    @Option(names = "--out", description = "Write to this file (created 0600, never overwritten) instead of stdout.")
    Path out;
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        ExportReportRequest.Kind k = switch (kind) {
            case "payment-requests" -> ExportReportRequest.Kind.KIND_PAYMENT_REQUESTS;
            case "deposits" -> ExportReportRequest.Kind.KIND_DEPOSITS;
            case "transfers" -> ExportReportRequest.Kind.KIND_TRANSFERS;
            default -> throw new CommandLine.ParameterException(spec.commandLine(), "--kind must be payment-requests, deposits or transfers");
        };
        ExportReportRequest r = ExportReportRequest.newBuilder().setTenantId(tenant).setKind(k).setFrom(ts(instant(from, "--from")))
                .setTo(ts(instant(to, "--to"))).build();
        CofferCli cli = (CofferCli) spec.root().userObject();
        // Read the whole stream before writing a file, so a refused report leaves no half-written file behind.
        StringBuilder csv = new StringBuilder();
        CustodyCommands.call(cli, auth, s -> {
            Iterator<ReportChunk> it = s.exportReport(r);
            it.forEachRemaining(c -> csv.append(c.getData().toStringUtf8()));
            return null;
        });
        if (out == null) {
            spec.commandLine().getOut().print(csv);
            spec.commandLine().getOut().flush();
        } else {
            Files.createFile(out, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            try (OutputStream o = Files.newOutputStream(out, StandardOpenOption.WRITE)) {
                o.write(csv.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            spec.commandLine().getOut().println("wrote " + out + " (" + csv.toString().lines().count() + " lines with the header)");
        }
        return Exits.OK;
    }

    private Instant instant(String v, String option) {
        try {
            return v.length() == 10 ? LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + " must be a date like 2026-01-01 or an instant like "
                    + "2026-01-01T12:00:00Z, got '" + v + "'");
        }
    }

    private static com.google.protobuf.Timestamp ts(Instant i) {
        return com.google.protobuf.Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }
}
