package io.coffer.core.audit;

import io.coffer.core.store.Codecs;
import io.coffer.core.store.RecordCodec;
import io.coffer.core.store.Table;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The audit log's table (its id, 0x12, is the one it had when it lived with custody's tables). */
public final class AuditTables {
    private AuditTables() {
    }

    // audit: 0x12 | sequence u64 -> AuditEntry (v1: version u8, at i64 millis, actor, action, subject, n, n x (key, value))
    public static final Table<Long, AuditLog.Entry> AUDIT = Table.of(0x12, "audit-log", "sequence u64 -> AuditEntry",
            Codecs.u64Key(), RecordCodec.of(
                    (e, out) -> {
                        out.writeByte(1);
                        out.writeLong(e.at().toEpochMilli());
                        out.writeUTF(e.actor());
                        out.writeUTF(e.action());
                        out.writeUTF(e.subject());
                        out.writeInt(e.details().size());
                        for (Map.Entry<String, String> d : e.details().entrySet()) {
                            out.writeUTF(d.getKey());
                            out.writeUTF(d.getValue());
                        }
                    },
                    in -> {
                        int v = in.readUnsignedByte();
                        if (v != 1) {
                            throw new java.io.IOException("unknown audit record version " + v);
                        }
                        Instant at = Instant.ofEpochMilli(in.readLong());
                        String actor = in.readUTF();
                        String action = in.readUTF();
                        String subject = in.readUTF();
                        int n = in.readInt();
                        Map<String, String> details = new LinkedHashMap<>();
                        for (int i = 0; i < n; i++) {
                            details.put(in.readUTF(), in.readUTF());
                        }
                        return new AuditLog.Entry(0, at, actor, action, subject, details);
                    }));

    public static List<Table<?, ?>> all() {
        return List.of(AUDIT);
    }
}
