package io.coffer.core.operator;

import io.coffer.core.store.Codecs;
import io.coffer.core.store.RecordCodec;
import io.coffer.core.store.Table;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** The operators' tables (0x80-0x82). */
public final class OperatorTables {
    private OperatorTables() {
    }

    private static int mask(Set<OperatorRole> roles) {
        int m = 0;
        for (OperatorRole r : roles) {
            m |= 1 << r.ordinal();
        }
        return m;
    }

    private static Set<OperatorRole> roles(int mask) {
        Set<OperatorRole> out = EnumSet.noneOf(OperatorRole.class);
        for (OperatorRole r : OperatorRole.values()) {
            if ((mask & 1 << r.ordinal()) != 0) {
                out.add(r);
            }
        }
        return out;
    }

    // operators: 0x80 | name string -> version u8 (1) | name UTF | roles i32 (bit = ordinal of OperatorRole) | public key (u16 length, bytes)
    // | created-at millis i64 | created-by UTF | disabled bool
    public static final Table<String, Operator> OPERATORS = Table.of(0x80, "operators",
            "name string -> version u8 | name UTF | roles i32 | public key u16+bytes | created-at i64 | created-by UTF | disabled bool",
            Codecs.stringKey(), RecordCodec.of(
                    (o, out) -> {
                        out.writeByte(1);
                        out.writeUTF(o.name());
                        out.writeInt(mask(o.roles()));
                        byte[] k = o.publicKey();
                        out.writeShort(k.length);
                        out.write(k);
                        out.writeLong(o.createdAt().toEpochMilli());
                        out.writeUTF(o.createdBy());
                        out.writeBoolean(o.disabled());
                    },
                    in -> {
                        in.readUnsignedByte();
                        String name = in.readUTF();
                        Set<OperatorRole> r = roles(in.readInt());
                        byte[] k = new byte[in.readUnsignedShort()];
                        in.readFully(k);
                        return new Operator(name, r, k, Instant.ofEpochMilli(in.readLong()), in.readUTF(), in.readBoolean());
                    }));

    /**
     * An operator's TOTP enrollment.
     *
     * @param sealedSecret the shared secret, AES-GCM under the node's operator key ({@link SecretBox}); never in clear on disk
     * @param confirmed    true once a code from the operator's app was accepted (only then does it guard anything)
     * @param lastStep     the step of the last accepted code: a code of that step or an earlier one is refused (replay)
     */
    public record TotpState(byte[] sealedSecret, boolean confirmed, long lastStep) {
    }

    // operator-totp: 0x81 | name string -> sealed secret (u16+bytes) | confirmed bool | last step i64
    public static final Table<String, TotpState> TOTP = Table.of(0x81, "operator-totp",
            "name string -> sealed secret u16+bytes | confirmed bool | last accepted step i64", Codecs.stringKey(), RecordCodec.of(
                    (t, out) -> {
                        out.writeShort(t.sealedSecret().length);
                        out.write(t.sealedSecret());
                        out.writeBoolean(t.confirmed());
                        out.writeLong(t.lastStep());
                    },
                    in -> {
                        byte[] s = new byte[in.readUnsignedShort()];
                        in.readFully(s);
                        return new TotpState(s, in.readBoolean(), in.readLong());
                    }));

    /** An operator proposed by an admin and waiting for the quorum's other approvals. */
    public record Proposal(Set<OperatorRole> roles, byte[] publicKey, List<String> approvers, Instant createdAt) {
        public Proposal {
            roles = Set.copyOf(roles);
            approvers = List.copyOf(approvers);
        }
    }

    // operator-proposals: 0x82 | name string -> roles i32 | public key u16+bytes | approvers (u16 count, UTF each) | created i64
    public static final Table<String, Proposal> PROPOSALS = Table.of(0x82, "operator-proposals",
            "name string -> roles i32 | public key u16+bytes | approvers u16+UTF... | created-at i64", Codecs.stringKey(), RecordCodec.of(
                    (p, out) -> {
                        out.writeInt(mask(p.roles()));
                        out.writeShort(p.publicKey().length);
                        out.write(p.publicKey());
                        out.writeShort(p.approvers().size());
                        for (String a : p.approvers()) {
                            out.writeUTF(a);
                        }
                        out.writeLong(p.createdAt().toEpochMilli());
                    },
                    in -> {
                        Set<OperatorRole> r = roles(in.readInt());
                        byte[] k = new byte[in.readUnsignedShort()];
                        in.readFully(k);
                        int n = in.readUnsignedShort();
                        List<String> a = new ArrayList<>(n);
                        for (int i = 0; i < n; i++) {
                            a.add(in.readUTF());
                        }
                        return new Proposal(r, k, a, Instant.ofEpochMilli(in.readLong()));
                    }));

    public static List<Table<?, ?>> all() {
        return List.of(OPERATORS, TOTP, PROPOSALS);
    }
}
