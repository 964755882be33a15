package io.coffer.core.event;

import io.coffer.core.store.Codecs;
import io.coffer.core.store.KeyCodec;
import io.coffer.core.store.KeyReader;
import io.coffer.core.store.KeyWriter;
import io.coffer.core.store.RecordCodec;
import io.coffer.core.store.Table;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/** Event outbox and webhook tables (0x60-0x64). */
public final class EventTables {
    private EventTables() {
    }

    /** tenant + sequence. */
    public record TenantSeq(String tenant, long sequence) {
    }

    /** due time + tenant + sequence: the deliveries to attempt, earliest first. */
    public record Due(long millis, String tenant, long sequence) {
    }

    private static final KeyCodec<TenantSeq> TENANT_SEQ = new KeyCodec<>() {
        @Override
        public byte[] encode(TenantSeq k) {
            return KeyWriter.key().string(k.tenant()).u64(k.sequence()).build();
        }

        @Override
        public TenantSeq decode(byte[] b) {
            KeyReader r = new KeyReader(b);
            TenantSeq k = new TenantSeq(r.string(), r.u64());
            r.end();
            return k;
        }
    };

    // events: 0x60 | tenant string | sequence u64 -> StoredEvent (v1: id, type name, created millis, subject id, body as u32 length + UTF-8)
    public static final Table<TenantSeq, StoredEvent> EVENTS = Table.of(0x60, "events",
            "tenant string | sequence u64 -> StoredEvent", TENANT_SEQ, RecordCodec.of((e, out) -> {
                out.writeByte(1);
                out.writeUTF(e.id());
                out.writeUTF(e.tenant());
                out.writeLong(e.sequence());
                out.writeUTF(e.type().name());
                out.writeLong(e.createdAt().toEpochMilli());
                out.writeUTF(e.subjectId());
                writeLong(out, e.body());
            }, in -> {
                if (in.readUnsignedByte() != 1) {
                    throw new IOException("unknown event record version");
                }
                return new StoredEvent(in.readUTF(), in.readUTF(), in.readLong(), EventType.valueOf(in.readUTF()),
                        Instant.ofEpochMilli(in.readLong()), in.readUTF(), readLong(in));
            }));

    // event-ids: 0x61 | event id string -> tenant string | sequence u64 (the events key)
    public static final Table<String, TenantSeq> EVENT_IDS = Table.of(0x61, "event-ids", "event id string -> tenant | sequence",
            Codecs.stringKey(), RecordCodec.of((k, out) -> {
                out.writeUTF(k.tenant());
                out.writeLong(k.sequence());
            }, in -> new TenantSeq(in.readUTF(), in.readLong())));

    // webhooks: 0x62 | tenant string -> Webhook (v1: url, secret, updated millis, since sequence)
    public static final Table<String, Webhook> WEBHOOKS = Table.of(0x62, "webhooks", "tenant string -> Webhook", Codecs.stringKey(),
            RecordCodec.of((w, out) -> {
                out.writeByte(1);
                out.writeUTF(w.tenant());
                out.writeUTF(w.url());
                out.writeUTF(w.secret());
                out.writeLong(w.updatedAt().toEpochMilli());
                out.writeLong(w.since());
            }, in -> {
                if (in.readUnsignedByte() != 1) {
                    throw new IOException("unknown webhook record version");
                }
                return new Webhook(in.readUTF(), in.readUTF(), in.readUTF(), Instant.ofEpochMilli(in.readLong()), in.readLong());
            }));

    // webhook-deliveries: 0x63 | tenant string | sequence u64 -> Delivery
    public static final Table<TenantSeq, Delivery> DELIVERIES = Table.of(0x63, "webhook-deliveries",
            "tenant string | sequence u64 -> Delivery", TENANT_SEQ, RecordCodec.of((d, out) -> {
                out.writeByte(1);
                out.writeUTF(d.tenant());
                out.writeLong(d.sequence());
                out.writeUTF(d.eventId());
                out.writeUTF(d.state().name());
                out.writeInt(d.attempts());
                out.writeInt(d.lastHttpStatus());
                out.writeUTF(d.lastError());
                out.writeLong(d.nextAttemptAt().toEpochMilli());
                out.writeLong(d.windowStart().toEpochMilli());
            }, in -> {
                if (in.readUnsignedByte() != 1) {
                    throw new IOException("unknown webhook delivery record version");
                }
                return new Delivery(in.readUTF(), in.readLong(), in.readUTF(), DeliveryState.valueOf(in.readUTF()), in.readInt(),
                        in.readInt(), in.readUTF(), Instant.ofEpochMilli(in.readLong()), Instant.ofEpochMilli(in.readLong()));
            }));

    // webhook-due: 0x64 | due millis u64 | tenant string | sequence u64 -> "" (one row per PENDING delivery)
    public static final Table<Due, String> DUE = Table.of(0x64, "webhook-due", "due millis u64 | tenant string | sequence u64 -> empty",
            new KeyCodec<>() {
                @Override
                public byte[] encode(Due k) {
                    return KeyWriter.key().u64(k.millis()).string(k.tenant()).u64(k.sequence()).build();
                }

                @Override
                public Due decode(byte[] b) {
                    KeyReader r = new KeyReader(b);
                    Due k = new Due(r.u64(), r.string(), r.u64());
                    r.end();
                    return k;
                }
            }, Codecs.utf8());

    public static List<Table<?, ?>> all() {
        return List.of(EVENTS, EVENT_IDS, WEBHOOKS, DELIVERIES, DUE);
    }

    // writeUTF stops at 64 KiB; an event body (a payment request with many payments and 4 KiB of metadata) may not.
    private static void writeLong(DataOutput out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readLong(DataInput in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
