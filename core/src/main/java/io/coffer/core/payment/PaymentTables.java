package io.coffer.core.payment;

import io.coffer.core.chain.ChainTables;
import io.coffer.core.store.Codecs;
import io.coffer.core.store.KeyCodec;
import io.coffer.core.store.KeyReader;
import io.coffer.core.store.KeyWriter;
import io.coffer.core.store.RecordCodec;
import io.coffer.core.store.Table;
import io.coffer.core.tenant.TenantTables;
import java.math.BigInteger;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Payment request tables. */
public final class PaymentTables {
    private PaymentTables() {
    }

    /** tenant + string key. */
    // payment-requests: 0x50 | id string -> PaymentRequest
    public static final Table<String, PaymentRequest> REQUESTS = Table.of(0x50, "payment-requests", "id string -> PaymentRequest",
            Codecs.stringKey(), RecordCodec.of((p, out) -> {
                out.writeByte(2);
                out.writeUTF(p.id());
                out.writeUTF(p.tenantId());
                out.writeInt(p.account());
                out.writeUTF(p.asset());
                out.writeUTF(p.amount().toString());
                out.writeUTF(p.address());
                out.writeUTF(p.paymentUri());
                out.writeInt(p.requiredConfirmations());
                out.writeLong(p.createdAt().toEpochMilli());
                out.writeLong(p.expiresAt() == null ? -1 : p.expiresAt().toEpochMilli());
                out.writeUTF(p.orderId());
                out.writeInt(p.metadata().size());
                for (Map.Entry<String, String> e : p.metadata().entrySet()) {
                    out.writeUTF(e.getKey());
                    out.writeUTF(e.getValue());
                }
                out.writeUTF(p.description());
                out.writeUTF(p.idempotencyKey());
                out.writeLong(p.cancelledAt() == null ? -1 : p.cancelledAt().toEpochMilli());
                out.writeUTF(p.redirectUrl()); // v2
            }, in -> {
                int version = in.readUnsignedByte();
                if (version != 1 && version != 2) {
                    throw new java.io.IOException("unknown payment request record version " + version);
                }
                String id = in.readUTF();
                String tenant = in.readUTF();
                int account = in.readInt();
                String asset = in.readUTF();
                BigInteger amount = new BigInteger(in.readUTF());
                String address = in.readUTF();
                String uri = in.readUTF();
                int conf = in.readInt();
                Instant created = Instant.ofEpochMilli(in.readLong());
                long exp = in.readLong();
                String orderId = in.readUTF();
                int n = in.readInt();
                Map<String, String> meta = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    meta.put(in.readUTF(), in.readUTF());
                }
                String description = in.readUTF();
                String key = in.readUTF();
                long cancelled = in.readLong();
                String redirect = version >= 2 ? in.readUTF() : ""; // v1 records (before checkout pages) have none
                return new PaymentRequest(id, tenant, account, asset, amount, address, uri, conf, created,
                        exp < 0 ? null : Instant.ofEpochMilli(exp), orderId, meta, description, key,
                        cancelled < 0 ? null : Instant.ofEpochMilli(cancelled), redirect);
            }));

    // payment-request-keys: 0x51 | tenant string | idempotency key string -> id
    public static final Table<TenantTables.TenantKey, String> KEYS = Table.of(0x51, "payment-request-keys",
            "tenant string | idempotency key string -> id", TenantTables.TENANT_KEY, Codecs.utf8());

    // payment-requests-by-tenant: 0x52 | tenant string | created millis u64 | id string -> ""
    public static final Table<TenantTables.TenantTime, String> BY_TENANT = Table.of(0x52, "payment-requests-by-tenant",
            "tenant string | created millis u64 | id string -> empty", TenantTables.TENANT_TIME, Codecs.utf8());

    /** expiry time + id. */
    public record Expiry(long millis, String id) {
    }

    // payment-requests-by-address: 0x53 | chain string | address string -> id (each request has its own fresh address)
    public static final Table<ChainTables.ChainAddress, String> BY_ADDRESS = Table.of(0x53, "payment-requests-by-address",
            "chain string | address string -> id", ChainTables.ADDRESSES.keys(), Codecs.utf8());

    // payment-request-published: 0x54 | id string -> the state last published in an event (PaymentEvents.fingerprint)
    public static final Table<String, String> PUBLISHED = Table.of(0x54, "payment-request-published",
            "id string -> fingerprint of the last published state", Codecs.stringKey(), Codecs.utf8());

    // payment-requests-expiring: 0x55 | expires millis u64 | id string -> "" (removed once the expiry was evaluated)
    public static final Table<Expiry, String> EXPIRING = Table.of(0x55, "payment-requests-expiring",
            "expires millis u64 | id string -> empty", new KeyCodec<>() {
                @Override
                public byte[] encode(Expiry k) {
                    return KeyWriter.key().u64(k.millis()).string(k.id()).build();
                }

                @Override
                public Expiry decode(byte[] b) {
                    KeyReader r = new KeyReader(b);
                    Expiry k = new Expiry(r.u64(), r.string());
                    r.end();
                    return k;
                }
            }, Codecs.utf8());

    // payment-requests-deferred: 0x56 | chain string | id string -> "" (requests touched by a batch of a reorg in progress, whose
    // status is decided, and published, in the chain follower's next settled batch; see DepositSink)
    public static final Table<ChainRequest, String> DEFERRED = Table.of(0x56, "payment-requests-deferred",
            "chain string | id string -> empty", new KeyCodec<>() {
                @Override
                public byte[] encode(ChainRequest k) {
                    return KeyWriter.key().string(k.chain()).string(k.requestId()).build();
                }

                @Override
                public ChainRequest decode(byte[] b) {
                    KeyReader r = new KeyReader(b);
                    ChainRequest k = new ChainRequest(r.string(), r.string());
                    r.end();
                    return k;
                }
            }, Codecs.utf8());

    /** A payment request of one chain (the follower of that chain owns the row). */
    public record ChainRequest(String chain, String requestId) {
    }

    // checkout-key: 0x57 | "hmac" -> 32 random bytes: the key checkout page tokens are MACs under (see CheckoutTokens). Made
    // once, on the first start that serves checkout pages; in the store so a backup restores the same links.
    public static final Table<String, byte[]> CHECKOUT_KEY = Table.of(0x57, "checkout-key", "\"hmac\" -> 32 bytes",
            Codecs.stringKey(), Codecs.bytes());

    public static List<Table<?, ?>> all() {
        return List.of(REQUESTS, KEYS, BY_TENANT, BY_ADDRESS, PUBLISHED, EXPIRING, DEFERRED, CHECKOUT_KEY);
    }
}
