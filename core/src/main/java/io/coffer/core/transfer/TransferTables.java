package io.coffer.core.transfer;

import io.coffer.core.chain.DepositId;
import io.coffer.core.store.Codecs;
import io.coffer.core.store.KeyCodec;
import io.coffer.core.store.KeyReader;
import io.coffer.core.store.KeyWriter;
import io.coffer.core.store.RecordCodec;
import io.coffer.core.store.Table;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Withdrawal tables; every key starts with the chain name. */
public final class TransferTables {
    private TransferTables() {
    }

    /** chain + string key. */
    public record ChainKey(String chain, String key) {
    }

    /** chain + outpoint key. */
    public record ChainOutpoint(String chain, DepositId id) {
    }

    static final KeyCodec<ChainKey> CHAIN_KEY = new KeyCodec<>() {
        @Override
        public byte[] encode(ChainKey k) {
            return KeyWriter.key().string(k.chain()).string(k.key()).build();
        }

        @Override
        public ChainKey decode(byte[] b) {
            KeyReader r = new KeyReader(b);
            ChainKey k = new ChainKey(r.string(), r.string());
            r.end();
            return k;
        }
    };

    // withdrawals: 0x30 | chain string | id string -> Withdrawal
    public static final Table<ChainKey, Withdrawal> WITHDRAWALS = Table.of(0x30, "withdrawals",
            "chain string | id string -> Withdrawal", CHAIN_KEY, RecordCodec.of(
                    (w, out) -> {
                        out.writeByte(1);
                        out.writeUTF(w.id());
                        out.writeUTF(w.chain());
                        out.writeInt(w.account());
                        out.writeUTF(w.destination());
                        out.writeUTF(w.amount().toString());
                        out.writeUTF(w.fee().toString());
                        out.writeLong(w.feeRate());
                        out.writeByte(w.status().ordinal());
                        out.writeUTF(w.txid());
                        byte[] raw = w.raw();
                        out.writeInt(raw.length);
                        out.write(raw);
                        out.writeInt(w.inputs().size());
                        for (DepositId in : w.inputs()) {
                            out.writeUTF(in.txid());
                            out.writeInt(in.index());
                        }
                        out.writeInt(w.changeIndex());
                        out.writeInt(w.replacedTxids().size());
                        for (String t : w.replacedTxids()) {
                            out.writeUTF(t);
                        }
                        out.writeUTF(w.idempotencyKey());
                        out.writeInt(w.confirmations());
                        out.writeUTF(w.failureReason());
                        out.writeLong(w.createdAt().toEpochMilli());
                        out.writeLong(w.updatedAt().toEpochMilli());
                        out.writeUTF(w.asset());
                        out.writeUTF(w.cancelTxid());
                    },
                    in -> {
                        int v = in.readUnsignedByte();
                        if (v != 1) {
                            throw new java.io.IOException("unknown withdrawal record version " + v);
                        }
                        String id = in.readUTF();
                        String chain = in.readUTF();
                        int account = in.readInt();
                        String destination = in.readUTF();
                        BigInteger amount = new BigInteger(in.readUTF());
                        BigInteger fee = new BigInteger(in.readUTF());
                        long feeRate = in.readLong();
                        WithdrawalStatus status = WithdrawalStatus.values()[in.readUnsignedByte()];
                        String txid = in.readUTF();
                        byte[] raw = new byte[in.readInt()];
                        in.readFully(raw);
                        int n = in.readInt();
                        List<DepositId> inputs = new ArrayList<>();
                        for (int i = 0; i < n; i++) {
                            inputs.add(new DepositId(in.readUTF(), in.readInt()));
                        }
                        int changeIndex = in.readInt();
                        int r = in.readInt();
                        List<String> replaced = new ArrayList<>();
                        for (int i = 0; i < r; i++) {
                            replaced.add(in.readUTF());
                        }
                        return new Withdrawal(id, chain, account, destination, amount, fee, feeRate, status, txid, raw, inputs,
                                changeIndex, replaced, in.readUTF(), in.readInt(), in.readUTF(), Instant.ofEpochMilli(in.readLong()),
                                Instant.ofEpochMilli(in.readLong()), in.readUTF(), in.readUTF());
                    }));

    // locked-outpoints: 0x31 | chain string | txid string | index u32 -> withdrawal id (inputs of a withdrawal)
    public static final Table<ChainOutpoint, String> LOCKS = Table.of(0x31, "locked-outpoints",
            "chain string | txid string | index u32 -> withdrawal id", new KeyCodec<>() {
                @Override
                public byte[] encode(ChainOutpoint k) {
                    return KeyWriter.key().string(k.chain()).string(k.id().txid()).u32(k.id().index()).build();
                }

                @Override
                public ChainOutpoint decode(byte[] b) {
                    KeyReader r = new KeyReader(b);
                    ChainOutpoint k = new ChainOutpoint(r.string(), new DepositId(r.string(), r.u32()));
                    r.end();
                    return k;
                }
            }, Codecs.utf8());

    // withdrawal-keys: 0x32 | chain string | idempotency key string -> withdrawal id
    public static final Table<ChainKey, String> IDEMPOTENCY = Table.of(0x32, "withdrawal-keys",
            "chain string | idempotency key string -> withdrawal id", CHAIN_KEY, Codecs.utf8());

    // pending-withdrawals: 0x33 | chain string | id string -> "" (not final: tracked on every round)
    public static final Table<ChainKey, String> PENDING = Table.of(0x33, "pending-withdrawals",
            "chain string | id string -> empty", CHAIN_KEY, Codecs.utf8());

    // account-nonces: 0x34 | chain string | address string -> next nonce (account chains: assigned in the batch that
    //                 stores the signed transaction, so two withdrawals never share a nonce and none is skipped)
    public static final Table<ChainKey, Long> NONCES = Table.of(0x34, "account-nonces",
            "chain string | address string -> next nonce int64", CHAIN_KEY, Codecs.int64());

    // nonce-holes: 0x35 | chain string | address string | nonce u32 -> "" (nonces of refused transactions, reused first)
    public static final Table<ChainOutpoint, String> NONCE_HOLES = Table.of(0x35, "nonce-holes",
            "chain string | address string | nonce u32 -> empty", LOCKS.keys(), Codecs.utf8());

    public static List<Table<?, ?>> all() {
        return List.of(WITHDRAWALS, LOCKS, IDEMPOTENCY, PENDING, NONCES, NONCE_HOLES);
    }
}
