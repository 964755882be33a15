package io.coffer.core.chain;

import io.coffer.core.store.Codecs;
import io.coffer.core.store.KeyCodec;
import io.coffer.core.store.KeyReader;
import io.coffer.core.store.KeyWriter;
import io.coffer.core.store.RecordCodec;
import io.coffer.core.store.Table;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The chain follower's tables; every key starts with the chain name. */
public final class ChainTables {
    private ChainTables() {
    }

    /** A key made of the chain name and a long (height or sequence). */
    public record ChainLong(String chain, long value) {
    }

    /** A key made of the chain name and a deposit id. */
    public record ChainDeposit(String chain, DepositId id) {
    }

    /** A key: chain, height, deposit id. */
    public record ChainHeightDeposit(String chain, long height, DepositId id) {
    }

    /** A key: chain and address. */
    public record ChainAddress(String chain, String address) {
    }

    /** A key: chain, scheme, account, change (an address branch). */
    public record Branch(String chain, String scheme, int account, int change) {
    }

    static final KeyCodec<ChainLong> CHAIN_LONG = new KeyCodec<>() {
        @Override
        public byte[] encode(ChainLong k) {
            return KeyWriter.key().string(k.chain()).u64(k.value()).build();
        }

        @Override
        public ChainLong decode(byte[] b) {
            KeyReader r = new KeyReader(b);
            ChainLong k = new ChainLong(r.string(), r.u64());
            r.end();
            return k;
        }
    };

    static final KeyCodec<ChainDeposit> CHAIN_DEPOSIT = new KeyCodec<>() {
        @Override
        public byte[] encode(ChainDeposit k) {
            return KeyWriter.key().string(k.chain()).string(k.id().txid()).u32(k.id().index()).build();
        }

        @Override
        public ChainDeposit decode(byte[] b) {
            KeyReader r = new KeyReader(b);
            ChainDeposit k = new ChainDeposit(r.string(), new DepositId(r.string(), r.u32()));
            r.end();
            return k;
        }
    };

    static final RecordCodec<BlockHeader> HEADER = RecordCodec.of(
            (h, out) -> {
                out.writeLong(h.height());
                out.writeUTF(h.hash());
                out.writeUTF(h.parentHash());
            },
            in -> new BlockHeader(in.readLong(), in.readUTF(), in.readUTF()));

    static final RecordCodec<Deposit> DEPOSIT = RecordCodec.of(ChainTables::writeDeposit, ChainTables::readDeposit);

    // chain-blocks: 0x20 | chain string | height u64 -> BlockHeader (processed blocks, the recent ones kept for reorgs)
    public static final Table<ChainLong, BlockHeader> BLOCKS = Table.of(0x20, "chain-blocks",
            "chain string | height u64 -> BlockHeader", CHAIN_LONG, HEADER);

    // chain-cursor: 0x21 | chain string -> BlockHeader (the last processed block)
    public static final Table<String, BlockHeader> CURSOR = Table.of(0x21, "chain-cursor",
            "chain string -> BlockHeader", Codecs.stringKey(), HEADER).readOften();

    // deposits: 0x22 | chain string | txid string | index u32 -> Deposit
    public static final Table<ChainDeposit, Deposit> DEPOSITS = Table.of(0x22, "deposits",
            "chain string | txid string | index u32 -> Deposit", CHAIN_DEPOSIT, DEPOSIT);

    // deposits-by-height: 0x23 | chain string | height u64 | txid string | index u32 -> "" (what a disconnect touches)
    public static final Table<ChainHeightDeposit, String> DEPOSITS_BY_HEIGHT = Table.of(0x23, "deposits-by-height",
            "chain string | height u64 | txid string | index u32 -> empty", new KeyCodec<>() {
                @Override
                public byte[] encode(ChainHeightDeposit k) {
                    return KeyWriter.key().string(k.chain()).u64(k.height()).string(k.id().txid()).u32(k.id().index()).build();
                }

                @Override
                public ChainHeightDeposit decode(byte[] b) {
                    KeyReader r = new KeyReader(b);
                    ChainHeightDeposit k = new ChainHeightDeposit(r.string(), r.u64(), new DepositId(r.string(), r.u32()));
                    r.end();
                    return k;
                }
            }, Codecs.utf8());

    // open-deposits: 0x24 | chain string | txid string | index u32 -> "" (not FINAL: confirmations still move)
    public static final Table<ChainDeposit, String> OPEN_DEPOSITS = Table.of(0x24, "open-deposits",
            "chain string | txid string | index u32 -> empty", CHAIN_DEPOSIT, Codecs.utf8());

    // deposit-events: 0x25 | chain string | sequence u64 -> DepositEvent: every step of every deposit of the chain, in order (the
    // follower's own trail, written in each block's batch). Merchants see deposits through the tenant event outbox (0x60,
    // EventTables) instead; this trail is what the chain contract suite reads to show each step happened once, and what an
    // operator can read to see a chain's deposit history as the follower met it. It is not pruned.
    public static final Table<ChainLong, DepositEvent> EVENTS = Table.of(0x25, "deposit-events",
            "chain string | sequence u64 -> DepositEvent", CHAIN_LONG, RecordCodec.of(
                    (e, out) -> {
                        out.writeLong(e.sequence());
                        out.writeLong(e.at().toEpochMilli());
                        writeDeposit(e.deposit(), out);
                    },
                    in -> new DepositEvent(in.readLong(), Instant.ofEpochMilli(in.readLong()), readDeposit(in))));

    // addresses: 0x26 | chain string | address string -> AddressInfo
    public static final Table<ChainAddress, AddressInfo> ADDRESSES = Table.of(0x26, "addresses",
            "chain string | address string -> AddressInfo", new KeyCodec<>() {
                @Override
                public byte[] encode(ChainAddress k) {
                    return KeyWriter.key().string(k.chain()).string(k.address()).build();
                }

                @Override
                public ChainAddress decode(byte[] b) {
                    KeyReader r = new KeyReader(b);
                    ChainAddress k = new ChainAddress(r.string(), r.string());
                    r.end();
                    return k;
                }
            }, RecordCodec.of(
                    (a, out) -> {
                        out.writeUTF(a.scheme());
                        out.writeInt(a.account());
                        out.writeInt(a.change());
                        out.writeInt(a.index());
                    },
                    in -> new AddressInfo(in.readUTF(), in.readInt(), in.readInt(), in.readInt())));

    // address-branches: 0x27 | chain string | scheme string | account u32 | change u32 -> BranchState
    public static final Table<Branch, BranchState> BRANCHES = Table.of(0x27, "address-branches",
            "chain string | scheme string | account u32 | change u32 -> BranchState", new KeyCodec<>() {
                @Override
                public byte[] encode(Branch k) {
                    return KeyWriter.key().string(k.chain()).string(k.scheme()).u32(k.account()).u32(k.change()).build();
                }

                @Override
                public Branch decode(byte[] b) {
                    KeyReader r = new KeyReader(b);
                    Branch k = new Branch(r.string(), r.string(), r.u32(), r.u32());
                    r.end();
                    return k;
                }
            }, RecordCodec.of(
                    (s, out) -> {
                        out.writeInt(s.issued());
                        out.writeInt(s.watchedUpTo());
                    },
                    in -> new BranchState(in.readInt(), in.readInt())));

    // address-notes: 0x28 | chain string | address string -> label UTF | issued-at epoch ms
    public static final Table<ChainAddress, AddressNote> NOTES = Table.of(0x28, "address-notes",
            "chain string | address string -> label UTF | issued-at epoch ms", ADDRESSES.keys(), RecordCodec.of(
                    (n, out) -> {
                        out.writeUTF(n.label());
                        out.writeLong(n.issuedAt().toEpochMilli());
                    },
                    in -> new AddressNote(in.readUTF(), Instant.ofEpochMilli(in.readLong()))));

    /** What the merchant said about an address it asked for, and when it was handed out. */
    public record AddressNote(String label, Instant issuedAt) {
    }

    /**
     * An address branch's counters.
     *
     * @param issued      addresses handed out (or found used): the next fresh one has this index
     * @param watchedUpTo addresses 0..watchedUpTo-1 are derived and watched (issued + gap)
     */
    public record BranchState(int issued, int watchedUpTo) {
    }

    private static void writeDeposit(Deposit d, DataOutputStream out) throws IOException {
        out.writeByte(1);
        out.writeUTF(d.chain());
        out.writeUTF(d.id().txid());
        out.writeInt(d.id().index());
        out.writeUTF(d.address());
        out.writeInt(d.account());
        out.writeUTF(d.asset());
        byte[] amount = d.amount().toByteArray();
        out.writeShort(amount.length);
        out.write(amount);
        out.writeByte(d.status().ordinal());
        out.writeLong(d.blockHeight());
        out.writeUTF(d.blockHash());
        out.writeInt(d.confirmations());
        out.writeLong(d.firstSeen().toEpochMilli());
        out.writeLong(d.updatedAt().toEpochMilli());
        out.writeShort(d.inputs().size());
        for (String in : d.inputs()) {
            out.writeUTF(in);
        }
    }

    private static Deposit readDeposit(DataInputStream in) throws IOException {
        int v = in.readUnsignedByte();
        if (v != 1) {
            throw new IOException("unknown deposit record version " + v);
        }
        String chain = in.readUTF();
        DepositId id = new DepositId(in.readUTF(), in.readInt());
        String address = in.readUTF();
        int account = in.readInt();
        String asset = in.readUTF();
        byte[] amount = new byte[in.readUnsignedShort()];
        in.readFully(amount);
        DepositStatus status = DepositStatus.values()[in.readUnsignedByte()];
        long height = in.readLong();
        String hash = in.readUTF();
        int conf = in.readInt();
        Instant first = Instant.ofEpochMilli(in.readLong());
        Instant updated = Instant.ofEpochMilli(in.readLong());
        int n = in.readUnsignedShort();
        List<String> inputs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            inputs.add(in.readUTF());
        }
        return new Deposit(chain, id, address, account, asset, new BigInteger(amount), status, height, hash, conf, first, updated, inputs);
    }

    public static List<Table<?, ?>> all() {
        return List.of(BLOCKS, CURSOR, DEPOSITS, DEPOSITS_BY_HEIGHT, OPEN_DEPOSITS, EVENTS, ADDRESSES, BRANCHES, NOTES, DEPOSITS_BY_ADDRESS,
                SPENT_OUTPUTS, SPENT_BY_HEIGHT, ACCOUNT_ACTIVITY, OWN_TXIDS, FOREIGN_SPENDS);
    }

    /** The history row of a deposit. */
    public static AccountActivity activityOf(Deposit d) {
        return new AccountActivity(d.account(), d.firstSeen().toEpochMilli(), d.chain(), ActivityKind.DEPOSIT, d.id().toString());
    }

    /** What one entry of an account's history is. */
    public enum ActivityKind {
        /** A deposit, keyed by its {@link DepositId} ("txid:index"). */
        DEPOSIT,
        /** A withdrawal of the wallet (a transfer, a sweep, a top-up), keyed by its id. */
        WITHDRAWAL
    }

    /** One entry of an account's history across every chain, in time order (ties: chain, kind, id). */
    public record AccountActivity(int account, long atMillis, String chain, ActivityKind kind, String id) {
    }

    /** Layout {@code account u32 | at millis u64 | chain string | kind u8 | id string}. */
    public static final KeyCodec<AccountActivity> ACCOUNT_ACTIVITY_KEY = new KeyCodec<>() {
        @Override
        public byte[] encode(AccountActivity k) {
            return KeyWriter.key().u32(k.account()).u64(k.atMillis()).string(k.chain()).u32(k.kind().ordinal()).string(k.id()).build();
        }

        @Override
        public AccountActivity decode(byte[] b) {
            KeyReader r = new KeyReader(b);
            AccountActivity k = new AccountActivity(r.u32(), r.u64(), r.string(), ActivityKind.values()[r.u32()], r.string());
            r.end();
            return k;
        }
    };

    // account-activity: 0x2c | account u32 | at millis u64 | chain string | kind u32 | id string -> "" (an account's history on
    // every chain, newest first by key range: a deposit at its first sighting, written with it by the follower; a withdrawal at
    // its creation, written with it by its ledger. Each row is written once; the entry's state is read from its own record.)
    public static final Table<AccountActivity, String> ACCOUNT_ACTIVITY = Table.of(0x2c, "account-activity",
            "account u32 | at millis u64 | chain string | kind u32 | id string -> empty", ACCOUNT_ACTIVITY_KEY, Codecs.utf8());

    // own-txids: 0x2d | chain string | txid string -> withdrawal id (every transaction id a withdrawal of the wallet ever had,
    // replacements included: a deposit made by one of them is the wallet's own change or an internal move, not income)
    public static final Table<ChainAddress, String> OWN_TXIDS = Table.of(0x2d, "own-txids", "chain string | txid string -> withdrawal id",
            ADDRESSES.keys(), Codecs.utf8());

    // foreign-spends: 0x2e | chain string | txid string | index u32 -> empty (the rows of 0x2a whose spending transaction was none
    // of the wallet's when it was recorded: kept with them by ForeignSpends, so reconciliation reads these, normally none,
    // instead of every spend the chain's follower ever recorded)
    public static final Table<ChainDeposit, String> FOREIGN_SPENDS = Table.of(0x2e, "foreign-spends",
            "chain string | txid string | index u32 -> empty", CHAIN_DEPOSIT, Codecs.utf8());

    /** Where the chain spent one of the wallet's outputs: the spending transaction and its block's height. */
    public record SpentOutput(String txid, long height, String asset, java.math.BigInteger amount, String feeAsset,
                              java.math.BigInteger fee) {
        /** A UTXO chain's spend (what moved is the coin itself). */
        public SpentOutput(String txid, long height) {
            this(txid, height, "", java.math.BigInteger.ZERO, "", java.math.BigInteger.ZERO);
        }
    }

    // spent-outputs: 0x2a | chain string | txid string | index u32 -> spending txid UTF | height int64 [| asset UTF | amount
    // UTF | fee asset UTF | fee UTF] (UTXO chains: a deposit output spent by a transaction of a block on the best chain, whoever made it;
    // such a coin is never spendable nor counted, whatever the state of the withdrawal that spent it. Account chains: the nonce
    // slot of a transaction sent from a wallet address (address | nonce as the key), with the asset and amount it moved and
    // its fee, the trailing fields, written only for such rows, so UTXO rows keep their schema-5 form)
    public static final Table<ChainDeposit, SpentOutput> SPENT_OUTPUTS = Table.of(0x2a, "spent-outputs",
            "chain string | txid string | index u32 -> spending txid UTF | height int64 [| asset UTF | amount UTF | fee asset UTF | fee UTF]", CHAIN_DEPOSIT,
            RecordCodec.of(
                    (v, out) -> {
                        out.writeUTF(v.txid());
                        out.writeLong(v.height());
                        if (!v.asset().isEmpty()) {
                            out.writeUTF(v.asset());
                            out.writeUTF(v.amount().toString());
                            out.writeUTF(v.feeAsset());
                            out.writeUTF(v.fee().toString());
                        }
                    },
                    in -> {
                        String txid = in.readUTF();
                        long height = in.readLong();
                        if (in.available() == 0) {
                            return new SpentOutput(txid, height);
                        }
                        return new SpentOutput(txid, height, in.readUTF(), new java.math.BigInteger(in.readUTF()), in.readUTF(),
                                new java.math.BigInteger(in.readUTF()));
                    }));

    // spent-by-height: 0x2b | chain string | height u64 | txid string | index u32 -> "" (what a disconnect un-spends)
    public static final Table<ChainHeightDeposit, String> SPENT_BY_HEIGHT = Table.of(0x2b, "spent-by-height",
            "chain string | height u64 | txid string | index u32 -> empty", DEPOSITS_BY_HEIGHT.keys(), Codecs.utf8());

    /** chain + address + deposit. */
    public record ChainAddressDeposit(String chain, String address, DepositId id) {
    }

    // deposits-by-address: 0x29 | chain string | address string | txid string | index u32 -> "" (a payment request's deposits
    // without scanning the chain's; a deposit never changes address, so the row is written once, with the deposit)
    public static final Table<ChainAddressDeposit, String> DEPOSITS_BY_ADDRESS = Table.of(0x29, "deposits-by-address",
            "chain string | address string | txid string | index u32 -> empty", new KeyCodec<>() {
                @Override
                public byte[] encode(ChainAddressDeposit k) {
                    return KeyWriter.key().string(k.chain()).string(k.address()).string(k.id().txid()).u32(k.id().index()).build();
                }

                @Override
                public ChainAddressDeposit decode(byte[] b) {
                    KeyReader r = new KeyReader(b);
                    ChainAddressDeposit k = new ChainAddressDeposit(r.string(), r.string(), new DepositId(r.string(), r.u32()));
                    r.end();
                    return k;
                }
            }, Codecs.utf8());
}
