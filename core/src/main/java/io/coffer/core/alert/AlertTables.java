package io.coffer.core.alert;

import io.coffer.core.store.Codecs;
import io.coffer.core.store.RecordCodec;
import io.coffer.core.store.Table;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The alerts' tables (0x90-0x93). */
public final class AlertTables {
    private AlertTables() {
    }

    // alerts: 0x90 | id u64 -> id i64 | at i64 | kind u8 | subject UTF | fingerprint UTF | summary UTF | details (u16 count, UTF key, UTF
    // value) | acked-by UTF (empty: open) | acked-at i64 | note UTF
    public static final Table<Long, Alert> ALERTS = Table.of(0x90, "alerts",
            "id u64 -> id i64 | at i64 | kind u8 | subject UTF | fingerprint UTF | summary UTF | details u16+(UTF,UTF)... | acked-by UTF | acked-at i64 | note UTF",
            Codecs.u64Key(), RecordCodec.of(
                    (a, out) -> {
                        out.writeLong(a.id());
                        out.writeLong(a.at().toEpochMilli());
                        out.writeByte(a.kind().ordinal());
                        out.writeUTF(a.subject());
                        out.writeUTF(a.fingerprint());
                        out.writeUTF(a.summary());
                        Map<String, String> sorted = new TreeMap<>(a.details());
                        out.writeShort(sorted.size());
                        for (var e : sorted.entrySet()) {
                            out.writeUTF(e.getKey());
                            out.writeUTF(e.getValue());
                        }
                        out.writeUTF(a.ackedBy().orElse(""));
                        out.writeLong(a.ackedAt().map(Instant::toEpochMilli).orElse(0L));
                        out.writeUTF(a.ackNote());
                    },
                    in -> {
                        long id = in.readLong();
                        Instant at = Instant.ofEpochMilli(in.readLong());
                        AlertKind kind = AlertKind.values()[in.readUnsignedByte()];
                        String subject = in.readUTF();
                        String fingerprint = in.readUTF();
                        String summary = in.readUTF();
                        int n = in.readUnsignedShort();
                        Map<String, String> details = new TreeMap<>();
                        for (int i = 0; i < n; i++) {
                            details.put(in.readUTF(), in.readUTF());
                        }
                        String by = in.readUTF();
                        long ackedAt = in.readLong();
                        String note = in.readUTF();
                        return new Alert(id, at, kind, subject, fingerprint, summary, details, by.isEmpty() ? Optional.empty() : Optional.of(by),
                                by.isEmpty() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(ackedAt)), note);
                    }));

    // open-alerts: 0x91 | kind|subject|fingerprint string -> id (an open alert per finding: found again, it is not raised again)
    public static final Table<String, Long> OPEN = Table.of(0x91, "open-alerts", "kind|subject|fingerprint string -> alert id u64",
            Codecs.stringKey(), Codecs.int64());

    // alert-webhook: 0x92 | "delivered" -> the last alert id the operators' webhook accepted
    public static final Table<String, Long> DELIVERED = Table.of(0x92, "alert-webhook", "\"delivered\" -> alert id i64",
            Codecs.stringKey(), Codecs.int64());

    public static List<Table<?, ?>> all() {
        return List.of(ALERTS, OPEN, DELIVERED);
    }
}
