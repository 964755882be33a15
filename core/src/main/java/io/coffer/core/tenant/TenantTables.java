package io.coffer.core.tenant;

import io.coffer.core.store.Codecs;
import io.coffer.core.store.KeyCodec;
import io.coffer.core.store.KeyReader;
import io.coffer.core.store.KeyWriter;
import io.coffer.core.store.RecordCodec;
import io.coffer.core.store.Table;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** Tenant and API key tables, and the key shape of every tenant's time-ordered index. */
public final class TenantTables {
    private TenantTables() {
    }

    /** tenant + creation millis + id: the key of a tenant's objects listed by time (payment requests, transfers). */
    public record TenantTime(String tenant, long createdMillis, String id) {
    }

    /** Layout {@code tenant string | created millis u64 | id string}. */
    public static final KeyCodec<TenantTime> TENANT_TIME = new KeyCodec<>() {
        @Override
        public byte[] encode(TenantTime k) {
            return KeyWriter.key().string(k.tenant()).u64(k.createdMillis()).string(k.id()).build();
        }

        @Override
        public TenantTime decode(byte[] b) {
            KeyReader r = new KeyReader(b);
            TenantTime k = new TenantTime(r.string(), r.u64(), r.string());
            r.end();
            return k;
        }
    };

    /** A tenant's own name for something: an idempotency key of its payment requests or transfers. */
    public record TenantKey(String tenant, String key) {
    }

    /** Layout {@code tenant string | key string}. */
    public static final KeyCodec<TenantKey> TENANT_KEY = new KeyCodec<>() {
        @Override
        public byte[] encode(TenantKey k) {
            return KeyWriter.key().string(k.tenant()).string(k.key()).build();
        }

        @Override
        public TenantKey decode(byte[] b) {
            KeyReader r = new KeyReader(b);
            TenantKey k = new TenantKey(r.string(), r.string());
            r.end();
            return k;
        }
    };

    /** Whether {@code a} sorts before {@code b} as stored (the order of their encoded bytes). */
    public static boolean sortsBefore(TenantTime a, TenantTime b) {
        return java.util.Arrays.compareUnsigned(TENANT_TIME.encode(a), TENANT_TIME.encode(b)) < 0;
    }

    // tenants: 0x40 | tenant id string -> Tenant (v1: version u8, id, name, account i32, created i64)
    public static final Table<String, Tenant> TENANTS = Table.of(0x40, "tenants", "tenant id string -> Tenant", Codecs.stringKey(),
            RecordCodec.of((t, out) -> {
                out.writeByte(1);
                out.writeUTF(t.id());
                out.writeUTF(t.name());
                out.writeInt(t.accountIndex());
                out.writeLong(t.createdAt().toEpochMilli());
            }, in -> {
                if (in.readUnsignedByte() != 1) {
                    throw new java.io.IOException("unknown tenant record version");
                }
                return new Tenant(in.readUTF(), in.readUTF(), in.readInt(), Instant.ofEpochMilli(in.readLong()));
            })).readOften();

    // tenant-names: 0x41 | name string -> tenant id (names are unique)
    public static final Table<String, String> TENANT_NAMES = Table.of(0x41, "tenant-names", "name string -> tenant id",
            Codecs.stringKey(), Codecs.utf8());

    // api-keys: 0x42 | key id string -> ApiKey (hashes only)
    public static final Table<String, ApiKey> API_KEYS = Table.of(0x42, "api-keys", "key id string -> ApiKey", Codecs.stringKey(),
            RecordCodec.of((k, out) -> {
                out.writeByte(2);
                out.writeUTF(k.id());
                out.writeUTF(k.tenantId());
                int mask = 0;
                for (Scope s : k.scopes()) {
                    mask |= 1 << s.ordinal();
                }
                out.writeInt(mask);
                out.writeUTF(k.label());
                out.writeLong(k.createdAt().toEpochMilli());
                out.writeLong(k.lastUsedAt() == null ? 0 : k.lastUsedAt().toEpochMilli());
                out.writeBoolean(k.revoked());
                out.writeShort(k.secretHash().length);
                out.write(k.secretHash());
                out.writeShort(k.previousHash().length);
                out.write(k.previousHash());
                out.writeLong(k.previousUntil() == null ? 0 : k.previousUntil().toEpochMilli());
                out.writeUTF(k.approvalOperator());
            }, in -> {
                int version = in.readUnsignedByte();
                if (version != 1 && version != 2) {
                    throw new java.io.IOException("unknown api key record version");
                }
                String id = in.readUTF();
                String tenant = in.readUTF();
                int mask = in.readInt();
                Set<Scope> scopes = EnumSet.noneOf(Scope.class);
                for (Scope s : Scope.values()) {
                    if ((mask & (1 << s.ordinal())) != 0) {
                        scopes.add(s);
                    }
                }
                String label = in.readUTF();
                Instant created = Instant.ofEpochMilli(in.readLong());
                long used = in.readLong();
                boolean revoked = in.readBoolean();
                byte[] hash = new byte[in.readUnsignedShort()];
                in.readFully(hash);
                byte[] prev = new byte[in.readUnsignedShort()];
                in.readFully(prev);
                long until = in.readLong();
                String approvalOperator = version >= 2 ? in.readUTF() : "";
                return new ApiKey(id, tenant, scopes, label, created, used == 0 ? null : Instant.ofEpochMilli(used), revoked, hash, prev,
                        until == 0 ? null : Instant.ofEpochMilli(until), approvalOperator);
            })).readOften();

    // tenant-meta: 0x43 | name string -> int64 ("next-account": the next HD account index to give a tenant)
    public static final Table<String, Long> META = Table.of(0x43, "tenant-meta", "name string -> int64", Codecs.stringKey(), Codecs.int64());

    public static List<Table<?, ?>> all() {
        return List.of(TENANTS, TENANT_NAMES, API_KEYS, META);
    }
}
