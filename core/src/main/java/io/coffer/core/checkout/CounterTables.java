package io.coffer.core.checkout;

import io.coffer.core.store.Codecs;
import io.coffer.core.store.RecordCodec;
import io.coffer.core.store.Table;
import java.math.BigInteger;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Shop counter credentials. */
public final class CounterTables {
    private CounterTables() {
    }

    // counter-credentials: 0x58 | id string -> CounterCredential (v1: version u8, id, tenant, label, n caps (asset, max), created
    // millis, revoked millis or -1, secret hash (length u16, bytes))
    public static final Table<String, CounterCredential> CREDENTIALS = Table.of(0x58, "counter-credentials", "id string -> CounterCredential",
            Codecs.stringKey(), RecordCodec.of((c, out) -> {
                out.writeByte(1);
                out.writeUTF(c.id());
                out.writeUTF(c.tenantId());
                out.writeUTF(c.label());
                out.writeInt(c.caps().size());
                for (Map.Entry<String, BigInteger> e : c.caps().entrySet()) {
                    out.writeUTF(e.getKey());
                    out.writeUTF(e.getValue().toString());
                }
                out.writeLong(c.createdAt().toEpochMilli());
                out.writeLong(c.revokedAt() == null ? -1 : c.revokedAt().toEpochMilli());
                out.writeShort(c.secretHash().length);
                out.write(c.secretHash());
            }, in -> {
                int v = in.readUnsignedByte();
                if (v != 1) {
                    throw new java.io.IOException("unknown counter credential record version " + v);
                }
                String id = in.readUTF();
                String tenant = in.readUTF();
                String label = in.readUTF();
                int n = in.readInt();
                Map<String, BigInteger> caps = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    caps.put(in.readUTF(), new BigInteger(in.readUTF()));
                }
                Instant created = Instant.ofEpochMilli(in.readLong());
                long revoked = in.readLong();
                byte[] hash = new byte[in.readUnsignedShort()];
                in.readFully(hash);
                return new CounterCredential(id, tenant, label, caps, created, revoked < 0 ? null : Instant.ofEpochMilli(revoked), hash);
            }));

    public static List<Table<?, ?>> all() {
        return List.of(CREDENTIALS);
    }
}
