package io.coffer.core.custody;

import io.coffer.core.store.Codecs;
import io.coffer.core.store.KeyCodec;
import io.coffer.core.store.KeyReader;
import io.coffer.core.store.KeyWriter;
import io.coffer.core.store.RecordCodec;
import io.coffer.core.store.Table;
import java.time.Instant;
import java.util.List;

/** Custody's tables in the node's store. Only public data: no table holds a secret. */
public final class CustodyTables {
    private CustodyTables() {
    }

    /** The wallet's public description. Stored once per data dir under the key "keyring". */
    public record KeyringInfo(boolean watchOnly, int masterFingerprint, int slip39Identifier, int threshold,
                              int shareCount, boolean seedFile, Instant createdAt, int accounts) {
    }

    /** One account xpub: scheme and account index. */
    public record AccountKey(AccountScheme scheme, int account) {
    }

    // keyring: 0x10 | "keyring" string -> KeyringInfo (v1: version u8, watchOnly, fingerprint i32, id i32,
    //          threshold i32, shares i32, seedFile, createdAt i64 millis, accounts i32)
    public static final Table<String, KeyringInfo> KEYRING = Table.of(0x10, "custody-keyring",
            "\"keyring\" string -> KeyringInfo", Codecs.stringKey(), RecordCodec.of(
                    (k, out) -> {
                        out.writeByte(1);
                        out.writeBoolean(k.watchOnly());
                        out.writeInt(k.masterFingerprint());
                        out.writeInt(k.slip39Identifier());
                        out.writeInt(k.threshold());
                        out.writeInt(k.shareCount());
                        out.writeBoolean(k.seedFile());
                        out.writeLong(k.createdAt().toEpochMilli());
                        out.writeInt(k.accounts());
                    },
                    in -> {
                        int v = in.readUnsignedByte();
                        if (v != 1) {
                            throw new java.io.IOException("unknown keyring record version " + v);
                        }
                        return new KeyringInfo(in.readBoolean(), in.readInt(), in.readInt(), in.readInt(), in.readInt(),
                                in.readBoolean(), Instant.ofEpochMilli(in.readLong()), in.readInt());
                    }));

    // account-keys: 0x11 | scheme id string | account u32 -> serialized account xpub (Base58, xpub/tpub versions)
    public static final Table<AccountKey, String> ACCOUNT_KEYS = Table.of(0x11, "custody-account-keys",
            "scheme string | account u32 -> xpub string", new KeyCodec<>() {
                @Override
                public byte[] encode(AccountKey k) {
                    return KeyWriter.key().string(k.scheme().id()).u32(k.account()).build();
                }

                @Override
                public AccountKey decode(byte[] bytes) {
                    KeyReader r = new KeyReader(bytes);
                    AccountKey k = new AccountKey(AccountScheme.byId(r.string()), r.u32());
                    r.end();
                    return k;
                }
            }, Codecs.utf8());

    public static List<Table<?, ?>> all() {
        return List.of(KEYRING, ACCOUNT_KEYS);
    }
}
