package io.coffer.core.transfer;

import io.coffer.core.chain.DepositId;
import io.coffer.core.store.Codecs;
import io.coffer.core.store.KeyCodec;
import io.coffer.core.store.KeyReader;
import io.coffer.core.store.KeyWriter;
import io.coffer.core.store.RecordCodec;
import io.coffer.core.store.Table;
import io.coffer.core.tenant.TenantTables;
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

    /** chain + an account chain's nonce slot (the sending address and a nonce). */
    public record ChainNonceSlot(String chain, NonceSlot slot) {
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
    public static final Table<ChainNonceSlot, String> NONCE_HOLES = Table.of(0x35, "nonce-holes",
            "chain string | address string | nonce u32 -> empty", new KeyCodec<>() {
                @Override
                public byte[] encode(ChainNonceSlot k) {
                    return KeyWriter.key().string(k.chain()).string(k.slot().address()).u32((int) k.slot().nonce()).build();
                }

                @Override
                public ChainNonceSlot decode(byte[] b) {
                    KeyReader r = new KeyReader(b);
                    ChainNonceSlot k = new ChainNonceSlot(r.string(), new NonceSlot(r.string(), r.u32() & 0xFFFFFFFFL));
                    r.end();
                    return k;
                }
            }, Codecs.utf8());

    public static List<Table<?, ?>> all() {
        return List.of(WITHDRAWALS, LOCKS, IDEMPOTENCY, PENDING, NONCES, NONCE_HOLES, TRANSFERS, TRANSFER_KEYS, TRANSFERS_BY_TENANT,
                TRANSFER_PUBLISHED, POLICIES, SETTLING, CONFLICTS, HOLDS, PAID_DESTINATIONS, AWAITING, COUNTING, COUNTED, REFUNDING,
                PAID_LOOKALIKES, SUBMITTING);
    }

    /** What the amounts of {@code table}'s records in {@code range} add up to. */
    static <K> BigInteger sum(io.coffer.core.store.Store store, Table<K, BigInteger> table, io.coffer.core.store.KeyRange range) {
        BigInteger sum = BigInteger.ZERO;
        for (var e : store.list(table, range, Integer.MAX_VALUE)) {
            sum = sum.add(e.getValue());
        }
        return sum;
    }

    /** A tenant's transfer of an asset by its creation time, as {@link #COUNTING} keys it. */
    public record CountingTransfer(String tenant, String asset, long createdMillis, String id) {
    }

    // transfers-counting: 0xa3 | tenant string | asset string | created millis u64 | transfer id string -> amount (the transfers
    // that count against the tenant's limits: not rejected, not failed; kept by LimitUse in the batches that write transfers
    // and withdrawals)
    public static final Table<CountingTransfer, BigInteger> COUNTING = Table.of(0xa3, "transfers-counting",
            "tenant string | asset string | created millis u64 | transfer id string -> amount", new KeyCodec<>() {
                @Override
                public byte[] encode(CountingTransfer k) {
                    return KeyWriter.key().string(k.tenant()).string(k.asset()).u64(k.createdMillis()).string(k.id()).build();
                }

                @Override
                public CountingTransfer decode(byte[] b) {
                    KeyReader r = new KeyReader(b);
                    CountingTransfer k = new CountingTransfer(r.string(), r.string(), r.u64(), r.string());
                    r.end();
                    return k;
                }
            }, Codecs.amount());

    /** A tenant's refund transfer of a payment request, as {@link #REFUNDING} keys it. */
    public record RefundTransfer(String tenant, String paymentRequestId, String id) {
    }

    // refunds-counting: 0xa5 | tenant string | payment request id string | transfer id string -> amount (the refunds of each
    // payment request that count against what it was paid; the refund rows of 0xa3, kept with them)
    public static final Table<RefundTransfer, BigInteger> REFUNDING = Table.of(0xa5, "refunds-counting",
            "tenant string | payment request id string | transfer id string -> amount", new KeyCodec<>() {
                @Override
                public byte[] encode(RefundTransfer k) {
                    return KeyWriter.key().string(k.tenant()).string(k.paymentRequestId()).string(k.id()).build();
                }

                @Override
                public RefundTransfer decode(byte[] b) {
                    KeyReader r = new KeyReader(b);
                    RefundTransfer k = new RefundTransfer(r.string(), r.string(), r.string());
                    r.end();
                    return k;
                }
            }, Codecs.amount());

    /**
     * The transfers of a tenant's asset created in one second, one minute, one hour or one day (UTC) ({@code span}: 1,000,
     * 60,000, 3,600,000 or 86,400,000 ms) from {@code startMillis}.
     */
    public record CountedSpan(String tenant, String asset, int spanMillis, long startMillis) {
    }

    // transfers-counted: 0xa4 | tenant string | asset string | span millis u32 | start millis u64 -> amount (what the rows of
    // 0xa3 created in each second, minute, hour and day add up to; kept with them)
    public static final Table<CountedSpan, BigInteger> COUNTED = Table.of(0xa4, "transfers-counted",
            "tenant string | asset string | span millis u32 | start millis u64 -> amount", new KeyCodec<>() {
                @Override
                public byte[] encode(CountedSpan k) {
                    return KeyWriter.key().string(k.tenant()).string(k.asset()).u32(k.spanMillis()).u64(k.startMillis()).build();
                }

                @Override
                public CountedSpan decode(byte[] b) {
                    KeyReader r = new KeyReader(b);
                    CountedSpan k = new CountedSpan(r.string(), r.string(), r.u32(), r.u64());
                    r.end();
                    return k;
                }
            }, Codecs.amount());

    /** A transfer of a tenant's asset, as {@link #AWAITING} keys it. */
    public record TenantAssetTransfer(String tenant, String asset, String id) {
    }

    // transfers-awaiting-approval: 0x3d | tenant string | asset string | transfer id string -> amount (the transfers in state
    // AWAITING_APPROVAL, which reserve the tenant's funds: kept by AwaitingApproval in the batches that write the transfers)
    public static final Table<TenantAssetTransfer, BigInteger> AWAITING = Table.of(0x3d, "transfers-awaiting-approval",
            "tenant string | asset string | transfer id string -> amount", new KeyCodec<>() {
                @Override
                public byte[] encode(TenantAssetTransfer k) {
                    return KeyWriter.key().string(k.tenant()).string(k.asset()).string(k.id()).build();
                }

                @Override
                public TenantAssetTransfer decode(byte[] b) {
                    KeyReader r = new KeyReader(b);
                    TenantAssetTransfer k = new TenantAssetTransfer(r.string(), r.string(), r.string());
                    r.end();
                    return k;
                }
            }, Codecs.amount());

    // settling-withdrawals: 0x3b | chain string | id string -> "" (CONFIRMED but not yet past the chain's reorg-safety depth:
    // still followed, so their confirmations grow to finality and a reorg that undoes them is seen)
    public static final Table<ChainKey, String> SETTLING = Table.of(0x3b, "settling-withdrawals", "chain string | id string -> empty",
            CHAIN_KEY, Codecs.utf8());

    // withdrawal-conflicts: 0x3c | chain string | id string -> BlockHeader (a CONFLICTED withdrawal's anchor: the chain's tip when
    // its conflict was first seen. While that block stays on the best chain, whatever conflicts with the withdrawal is at least
    // as deep as the anchor; once the anchor is past the reorg-safety depth the conflict is final. An anchor reorged out is
    // replaced by the new tip.)
    public static final Table<ChainKey, io.coffer.core.chain.BlockHeader> CONFLICTS = Table.of(0x3c, "withdrawal-conflicts",
            "chain string | id string -> height int64 | hash UTF | parent hash UTF", CHAIN_KEY, RecordCodec.of(
                    (h, out) -> {
                        out.writeLong(h.height());
                        out.writeUTF(h.hash());
                        out.writeUTF(h.parentHash());
                    },
                    in -> new io.coffer.core.chain.BlockHeader(in.readLong(), in.readUTF(), in.readUTF())));

    private static void writeAmount(java.io.DataOutput out, BigInteger v) throws java.io.IOException {
        out.writeUTF(v == null ? "" : v.toString());
    }

    private static BigInteger readAmount(java.io.DataInput in) throws java.io.IOException {
        String s = in.readUTF();
        return s.isEmpty() ? null : new BigInteger(s);
    }

    // tenant-transfers: 0x36 | id string -> TenantTransfer
    public static final Table<String, TenantTransfer> TRANSFERS = Table.of(0x36, "tenant-transfers", "id string -> TenantTransfer",
            Codecs.stringKey(), RecordCodec.of((t, out) -> {
                out.writeByte(1);
                out.writeUTF(t.id());
                out.writeUTF(t.tenant());
                out.writeInt(t.account());
                out.writeUTF(t.asset());
                out.writeUTF(t.destination());
                out.writeUTF(t.amount().toString());
                out.writeUTF(t.priority().name());
                out.writeLong(t.feeRate().map(FeeRate::milliSatPerVbyte).orElse(0L)); // 0: none given
                out.writeUTF(t.memo());
                out.writeUTF(t.refundOf());
                out.writeUTF(t.idempotencyKey());
                out.writeUTF(t.createdBy());
                out.writeInt(t.approvals().size());
                for (String a : t.approvals()) {
                    out.writeUTF(a);
                }
                out.writeUTF(t.state().name());
                out.writeUTF(t.withdrawalId());
                out.writeUTF(t.failureReason());
                out.writeLong(t.createdAt().toEpochMilli());
                out.writeLong(t.updatedAt().toEpochMilli());
            }, in -> {
                if (in.readUnsignedByte() != 1) {
                    throw new java.io.IOException("unknown tenant transfer record version");
                }
                String id = in.readUTF();
                String tenant = in.readUTF();
                int account = in.readInt();
                String asset = in.readUTF();
                String destination = in.readUTF();
                BigInteger amount = new BigInteger(in.readUTF());
                FeePriority priority = FeePriority.valueOf(in.readUTF());
                long rate = in.readLong();
                java.util.Optional<FeeRate> feeRate = rate > 0 ? java.util.Optional.of(FeeRate.milliSatPerVbyte(rate)) : java.util.Optional.empty();
                String memo = in.readUTF();
                String refundOf = in.readUTF();
                String key = in.readUTF();
                String createdBy = in.readUTF();
                int n = in.readInt();
                List<String> approvals = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    approvals.add(in.readUTF());
                }
                return new TenantTransfer(id, tenant, account, asset, destination, amount, priority, feeRate, memo, refundOf, key, createdBy,
                        approvals, TenantTransfer.State.valueOf(in.readUTF()), in.readUTF(), in.readUTF(), Instant.ofEpochMilli(in.readLong()),
                        Instant.ofEpochMilli(in.readLong()));
            }));

    // tenant-transfer-keys: 0x37 | tenant string | idempotency key string -> transfer id
    public static final Table<TenantTables.TenantKey, String> TRANSFER_KEYS = Table.of(0x37, "tenant-transfer-keys",
            "tenant string | idempotency key string -> transfer id", TenantTables.TENANT_KEY, Codecs.utf8());

    // tenant-transfers-by-time: 0x38 | tenant string | created millis u64 | id string -> ""
    public static final Table<TenantTables.TenantTime, String> TRANSFERS_BY_TENANT = Table.of(0x38, "tenant-transfers-by-time",
            "tenant string | created millis u64 | id string -> empty", TenantTables.TENANT_TIME, Codecs.utf8());

    // transfers-submitting: 0xa7 | transfer id string -> empty (the transfers in state SUBMITTING: stored, their withdrawal not
    // made yet; kept with the transfers by TransferService's derivation, so a start resumes these few instead of reading every
    // transfer ever made)
    public static final Table<String, String> SUBMITTING = Table.of(0xa7, "transfers-submitting", "transfer id string -> empty",
            Codecs.stringKey(), Codecs.utf8());

    // transfer-published: 0x39 | transfer id string -> fingerprint of the state last published in an event
    public static final Table<String, String> TRANSFER_PUBLISHED = Table.of(0x39, "transfer-published",
            "transfer id string -> fingerprint of the last published state", Codecs.stringKey(), Codecs.utf8());

    // transfer-policies: 0x3a | tenant string -> TransferPolicy (v1; amounts as decimal strings, "" for none)
    public static final Table<String, TransferPolicy> POLICIES = Table.of(0x3a, "transfer-policies", "tenant string -> TransferPolicy",
            Codecs.stringKey(), RecordCodec.of((p, out) -> {
                out.writeByte(2);
                out.writeUTF(p.tenant());
                out.writeInt(p.limits().size());
                for (var e : new java.util.TreeMap<>(p.limits()).entrySet()) {
                    out.writeUTF(e.getKey());
                    writeAmount(out, e.getValue().perTransferMax());
                    writeAmount(out, e.getValue().rolling24hMax());
                    writeAmount(out, e.getValue().approvalThreshold());
                    writeAmount(out, e.getValue().newDestinationAbove());
                }
                out.writeInt(p.allowlist().size());
                for (TransferPolicy.AllowEntry a : p.allowlist()) {
                    out.writeUTF(a.chain());
                    out.writeUTF(a.address());
                    out.writeUTF(a.label());
                    out.writeLong(a.effectiveAt().toEpochMilli());
                }
                out.writeInt(p.quorum());
                out.writeBoolean(p.holdLookalikes());
                out.writeInt(p.velocityFactor());
            }, in -> {
                int version = in.readUnsignedByte();
                if (version != 1 && version != 2) {
                    throw new java.io.IOException("unknown transfer policy record version");
                }
                String tenant = in.readUTF();
                int n = in.readInt();
                java.util.Map<String, TransferPolicy.Limits> limits = new java.util.LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    limits.put(in.readUTF(), new TransferPolicy.Limits(readAmount(in), readAmount(in), readAmount(in),
                            version >= 2 ? readAmount(in) : null));
                }
                int m = in.readInt();
                List<TransferPolicy.AllowEntry> allow = new ArrayList<>();
                for (int i = 0; i < m; i++) {
                    allow.add(new TransferPolicy.AllowEntry(in.readUTF(), in.readUTF(), in.readUTF(), Instant.ofEpochMilli(in.readLong())));
                }
                int quorum = in.readInt();
                return version >= 2 ? new TransferPolicy(tenant, limits, allow, quorum, in.readBoolean(), in.readInt())
                        : new TransferPolicy(tenant, limits, allow, quorum);
            }));

    // transfer-holds: 0x3e | transfer id string -> why anomaly rules held it for approval (one line per rule)
    public static final Table<String, String> HOLDS = Table.of(0x3e, "transfer-holds", "transfer id string -> reasons UTF",
            Codecs.stringKey(), Codecs.utf8());

    /** A destination a tenant's transfer went to on a chain. */
    public record TenantDestination(String tenant, String chain, String address) {
    }

    // paid-destinations: 0x3f | tenant string | chain string | address string -> first submitted millis (anomaly rules: a new
    // destination, a look-alike of one paid before)
    public static final Table<TenantDestination, Long> PAID_DESTINATIONS = Table.of(0x3f, "paid-destinations",
            "tenant string | chain string | address string -> first submitted millis i64", new KeyCodec<>() {
                @Override
                public byte[] encode(TenantDestination k) {
                    return KeyWriter.key().string(k.tenant()).string(k.chain()).string(k.address()).build();
                }

                @Override
                public TenantDestination decode(byte[] b) {
                    KeyReader r = new KeyReader(b);
                    TenantDestination k = new TenantDestination(r.string(), r.string(), r.string());
                    r.end();
                    return k;
                }
            }, Codecs.int64());

    /** A destination a tenant paid on a chain, filed under its look-alike signature ({@code PaidDestinations.signature}). */
    public record PaidLookalike(String tenant, String chain, String signature, String address) {
    }

    // paid-lookalikes: 0xa6 | tenant string | chain string | signature string | address string -> empty: the rows of
    // paid-destinations whose address has a signature (the first and last four characters of its body, lower case), written
    // with them, so the look-alike rule reads the destinations sharing a new one's signature, not all the tenant paid
    public static final Table<PaidLookalike, String> PAID_LOOKALIKES = Table.of(0xa6, "paid-lookalikes",
            "tenant string | chain string | signature string | address string -> empty", new KeyCodec<>() {
                @Override
                public byte[] encode(PaidLookalike k) {
                    return KeyWriter.key().string(k.tenant()).string(k.chain()).string(k.signature()).string(k.address()).build();
                }

                @Override
                public PaidLookalike decode(byte[] b) {
                    KeyReader r = new KeyReader(b);
                    PaidLookalike k = new PaidLookalike(r.string(), r.string(), r.string(), r.string());
                    r.end();
                    return k;
                }
            }, Codecs.utf8());
}
