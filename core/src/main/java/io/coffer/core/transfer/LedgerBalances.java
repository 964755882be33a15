package io.coffer.core.transfer;

import io.coffer.core.chain.AddressInfo;
import io.coffer.core.chain.ChainTables;
import io.coffer.core.chain.Deposit;
import io.coffer.core.chain.DepositId;
import io.coffer.core.store.Batch;
import io.coffer.core.store.Codecs;
import io.coffer.core.store.Derivation;
import io.coffer.core.store.KeyCodec;
import io.coffer.core.store.KeyReader;
import io.coffer.core.store.KeyWriter;
import io.coffer.core.store.PartedBatch;
import io.coffer.core.store.Reader;
import io.coffer.core.store.RecordCodec;
import io.coffer.core.store.Store;
import io.coffer.core.store.Table;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Every account's balance of every asset on one chain, kept in the store beside the records it is made of and moved in the
 * same batches as they are (a {@link Derivation}): GetBalance reads one record, whatever the chain's history, and a balance is
 * never a commit behind or ahead of the deposits and withdrawals it sums.
 *
 * <p>A balance is a sum of parts, one per {@link Unit} (a deposit with its lock and spend, a withdrawal, a spend of the wallet's
 * funds by a transaction it did not make). The chain's kind says which units a batch's changes touch and what each unit adds
 * ({@link Rule}: {@link WithdrawalLedger} for each kind); a batch moves the balances by each touched unit's part after it less
 * its part before it. The same parts summed over every unit is the balance from scratch: what a first start builds (no
 * balances recorded for the chain yet, as after the upgrade that brought them), and what {@link #disagreements} compares with.
 * A UTXO chain's spendable coins (confirmed outputs no withdrawal holds and no block spent) are kept the same way, per account
 * and filed by amount as well, so choosing the coins of a withdrawal reads the coins it spends, largest first: not every deposit
 * of the chain, nor every coin of the account.
 */
public final class LedgerBalances implements Derivation {
    private static final Logger LOG = Logger.getLogger(LedgerBalances.class.getName());

    /** Whose balance of what, on which chain. */
    public record Key(String chain, int account, String asset) {
    }

    static final KeyCodec<Key> KEY = new KeyCodec<>() {
        @Override
        public byte[] encode(Key k) {
            return KeyWriter.key().string(k.chain()).u32(k.account()).string(k.asset()).build();
        }

        @Override
        public Key decode(byte[] b) {
            KeyReader r = new KeyReader(b);
            Key k = new Key(r.string(), r.u32(), r.string());
            r.end();
            return k;
        }
    };

    // balances: 0xa0 | chain string | account u32 | asset string -> version 1 | confirmed UTF | pending incoming UTF | pending outgoing UTF
    public static final Table<Key, WithdrawalLedger.Balance> BALANCES = Table.of(0xa0, "balances",
            "chain string | account u32 | asset string -> confirmed | pending incoming | pending outgoing (decimal UTF)", KEY,
            RecordCodec.of((b, out) -> {
                out.writeByte(1);
                out.writeUTF(b.confirmed().toString());
                out.writeUTF(b.pendingIncoming().toString());
                out.writeUTF(b.pendingOutgoing().toString());
            }, in -> {
                int version = in.readByte();
                if (version != 1) {
                    throw new java.io.IOException("unknown balance record version " + version);
                }
                return new WithdrawalLedger.Balance(new BigInteger(in.readUTF()), new BigInteger(in.readUTF()), new BigInteger(in.readUTF()));
            })).readOften();

    // balances-built: 0xa1 | chain string -> when, ISO-8601 (the chain's balances are kept from then on)
    public static final Table<String, String> BUILT = Table.of(0xa1, "balances-built", "chain string -> built at (ISO-8601 UTF)",
            Codecs.stringKey(), Codecs.utf8());

    /** A spendable coin of an account (a UTXO chain's confirmed output no withdrawal holds and no block spent). */
    public record CoinKey(String chain, int account, DepositId id) {
    }

    // coins: 0xa2 | chain string | account u32 | txid string | index u32 -> amount (decimal UTF)
    public static final Table<CoinKey, BigInteger> COINS = Table.of(0xa2, "coins",
            "chain string | account u32 | txid string | index u32 -> amount (decimal UTF)", new KeyCodec<>() {
                @Override
                public byte[] encode(CoinKey k) {
                    return KeyWriter.key().string(k.chain()).u32(k.account()).string(k.id().txid()).u32(k.id().index()).build();
                }

                @Override
                public CoinKey decode(byte[] b) {
                    KeyReader r = new KeyReader(b);
                    CoinKey k = new CoinKey(r.string(), r.u32(), new DepositId(r.string(), r.u32()));
                    r.end();
                    return k;
                }
            }, RecordCodec.of((a, out) -> out.writeUTF(a.toString()), in -> new BigInteger(in.readUTF())));

    /** A spendable coin filed by its amount (an index row of {@link #COINS}). */
    public record CoinByAmount(String chain, int account, BigInteger amount, DepositId id) {
        public CoinByAmount {
            if (amount.signum() < 0 || amount.bitLength() > 63) {
                throw new IllegalArgumentException("a coin's amount must be 0 to 2^63 - 1 base units: " + amount);
            }
        }

        static CoinByAmount of(CoinKey k, BigInteger amount) {
            return new CoinByAmount(k.chain(), k.account(), amount, k.id());
        }
    }

    // coins-by-amount: 0xa8 | chain string | account u32 | 2^63 - 1 - amount u64 | txid string | index u32 -> "" (largest first)
    public static final Table<CoinByAmount, String> COINS_BY_AMOUNT = Table.of(0xa8, "coins-by-amount",
            "chain string | account u32 | 2^63 - 1 - amount u64 | txid string | index u32 -> \"\" (an account's coins, largest first)",
            new KeyCodec<>() {
                @Override
                public byte[] encode(CoinByAmount k) {
                    return KeyWriter.key().string(k.chain()).u32(k.account()).u64(Long.MAX_VALUE - k.amount().longValueExact())
                            .string(k.id().txid()).u32(k.id().index()).build();
                }

                @Override
                public CoinByAmount decode(byte[] b) {
                    KeyReader r = new KeyReader(b);
                    CoinByAmount k = new CoinByAmount(r.string(), r.u32(), BigInteger.valueOf(Long.MAX_VALUE - r.u64()),
                            new DepositId(r.string(), r.u32()));
                    r.end();
                    return k;
                }
            }, Codecs.utf8());

    public static List<Table<?, ?>> tables() {
        return List.of(BALANCES, BUILT, COINS, COINS_BY_AMOUNT);
    }

    /**
     * Files every recorded coin by its amount (the migration to schema 14); puts index rows made from {@link #COINS}, which it
     * does not write.
     */
    public static void indexCoinsByAmount(Store store, Batch batch) {
        store.forEach(COINS.all(), COINS, (k, amount) -> batch.put(COINS_BY_AMOUNT, CoinByAmount.of(k, amount), ""));
    }

    /** A coin as a rule sees it: whose, and how much. */
    record Coin(int account, BigInteger amount) {
    }

    static final WithdrawalLedger.Balance ZERO = new WithdrawalLedger.Balance(BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO);

    /** What a balance is made of; each unit's part is computed from its records as a whole. */
    sealed interface Unit permits DepositUnit, WithdrawalUnit, SpentUnit {
    }

    /** A deposit, with (on a UTXO chain) the lock and the spend of its coin. */
    record DepositUnit(DepositId id) implements Unit {
    }

    /** A withdrawal of the ledger. */
    record WithdrawalUnit(String id) implements Unit {
    }

    /** What the follower recorded a transaction spending from the wallet (an account chain's nonce slot). */
    record SpentUnit(DepositId id) implements Unit {
    }

    /** The chain's records as of one moment: the store's, or the store's with a batch's changes over them. */
    interface Records {
        Optional<Deposit> deposit(DepositId id);

        boolean locked(DepositId id);

        Optional<ChainTables.SpentOutput> spent(DepositId id);

        Optional<Withdrawal> withdrawal(String id);

        /** Whether {@code txid} is a transaction of one of the ledger's withdrawals (any version of it). */
        boolean own(String txid);

        Optional<AddressInfo> address(String address);
    }

    /** How a kind of chain makes balances of its records. */
    interface Rule {
        /** The units whose part {@code changes} can move ({@code before}: the records as committed). */
        void touched(Changes changes, Records before, Consumer<Unit> out);

        /** Adds {@code unit}'s part as {@code records} have it, times {@code sign}. */
        void part(Unit unit, Records records, Sums sums, int sign);

        /** Every unit of the chain (a build from scratch). */
        void all(Consumer<Unit> out);

        /** The spendable coin {@code unit} is as {@code records} have it, if any (UTXO chains; account chains have none). */
        default Optional<Coin> coin(Unit unit, Records records) {
            return Optional.empty();
        }
    }

    /** A batch's changes to the records balances are made of, on this chain only. */
    record Changes(Map<DepositId, Optional<Deposit>> deposits, Map<DepositId, Optional<String>> locks,
                   Map<DepositId, Optional<ChainTables.SpentOutput>> spent, Map<String, Optional<Withdrawal>> withdrawals,
                   Map<String, Optional<String>> own, Map<String, Optional<AddressInfo>> addresses) {
        boolean isEmpty() {
            return deposits.isEmpty() && locks.isEmpty() && spent.isEmpty() && withdrawals.isEmpty() && own.isEmpty();
        }

        static Changes of(Batch b, String chain) {
            Map<DepositId, Optional<Deposit>> deposits = new java.util.LinkedHashMap<>();
            b.changes(ChainTables.DEPOSITS).forEach((k, v) -> {
                if (k.chain().equals(chain)) {
                    deposits.put(k.id(), v);
                }
            });
            Map<DepositId, Optional<String>> locks = new HashMap<>();
            b.changes(TransferTables.LOCKS).forEach((k, v) -> {
                if (k.chain().equals(chain)) {
                    locks.put(k.id(), v);
                }
            });
            Map<DepositId, Optional<ChainTables.SpentOutput>> spent = new HashMap<>();
            b.changes(ChainTables.SPENT_OUTPUTS).forEach((k, v) -> {
                if (k.chain().equals(chain)) {
                    spent.put(k.id(), v);
                }
            });
            Map<String, Optional<Withdrawal>> withdrawals = new java.util.LinkedHashMap<>();
            b.changes(TransferTables.WITHDRAWALS).forEach((k, v) -> {
                if (k.chain().equals(chain)) {
                    withdrawals.put(k.key(), v);
                }
            });
            Map<String, Optional<String>> own = new HashMap<>();
            b.changes(ChainTables.OWN_TXIDS).forEach((k, v) -> {
                if (k.chain().equals(chain)) {
                    own.put(k.address(), v);
                }
            });
            Map<String, Optional<AddressInfo>> addresses = new HashMap<>();
            b.changes(ChainTables.ADDRESSES).forEach((k, v) -> {
                if (k.chain().equals(chain)) {
                    addresses.put(k.address(), v);
                }
            });
            return new Changes(deposits, locks, spent, withdrawals, own, addresses);
        }
    }

    /** Sums per account and asset. */
    static final class Sums {
        private final Map<Map.Entry<Integer, String>, BigInteger[]> sums = new HashMap<>();

        void add(int account, String asset, BigInteger confirmed, BigInteger incoming, BigInteger outgoing, int sign) {
            BigInteger[] s = sums.computeIfAbsent(Map.entry(account, asset), k -> new BigInteger[] {BigInteger.ZERO, BigInteger.ZERO,
                    BigInteger.ZERO});
            BigInteger m = BigInteger.valueOf(sign);
            s[0] = s[0].add(confirmed.multiply(m));
            s[1] = s[1].add(incoming.multiply(m));
            s[2] = s[2].add(outgoing.multiply(m));
        }

        /** Adds a deposit of {@code asset} as its status counts it: confirmed, pending incoming, or (replaced, failed) not at all. */
        void deposit(Deposit d, String asset, int sign) {
            if (d.status().isConfirmed()) {
                add(d.account(), asset, d.amount(), BigInteger.ZERO, BigInteger.ZERO, sign);
            } else if (d.status().isPending()) {
                add(d.account(), asset, BigInteger.ZERO, d.amount(), BigInteger.ZERO, sign);
            }
        }

        void forEach(java.util.function.BiConsumer<Map.Entry<Integer, String>, WithdrawalLedger.Balance> each) {
            sums.forEach((k, s) -> each.accept(k, new WithdrawalLedger.Balance(s[0], s[1], s[2])));
        }
    }

    private final Store store;
    private final String chain;
    private final Rule rule;
    private final String name;
    private final Records committed;
    private final byte[] chainPrefix;

    LedgerBalances(Store store, String chain, Rule rule) {
        this.store = store;
        this.chain = chain;
        this.chainPrefix = KeyWriter.key().string(chain).build();
        this.rule = rule;
        this.name = "balances " + chain;
        this.committed = new StoreRecords(store);
    }

    /**
     * Registers the balances with the store (from now on every batch that changes their records moves them) and builds them
     * from every record of the chain when the store has none for it yet.
     */
    void keep() {
        store.derive(name, this);
        store.readDerived(name, () -> {
            if (store.get(BUILT, chain).isEmpty()) {
                build(BUILD_PART);
            }
            return null;
        });
    }

    /** The same balances over {@code other} (a test's store that dies in the middle of a build). */
    LedgerBalances over(Store other) {
        return new LedgerBalances(other, chain, rule);
    }

    /** The records balances are made of (the address book is read too, but an address's account never changes). */
    private static final Set<Table<?, ?>> READS = Set.of(ChainTables.DEPOSITS, TransferTables.LOCKS, ChainTables.SPENT_OUTPUTS,
            TransferTables.WITHDRAWALS, ChainTables.OWN_TXIDS);

    @Override
    public Set<Table<?, ?>> reads() {
        return READS;
    }

    /** Each followed table's key starts with the chain: another chain's batches neither come here nor wait for this lock. */
    @Override
    public byte[] keyPrefix() {
        return chainPrefix.clone();
    }

    @Override
    public void derive(Batch batch, Reader reader) {
        Changes changes = Changes.of(batch, chain);
        if (changes.isEmpty()) {
            return;
        }
        // Read once per batch: a unit's part and its coin, before and after, read the same few records (a block confirming
        // 300 deposits otherwise read each one's deposit, lock and spend four times over).
        Records before = new Remembered(new StoreRecords(reader));
        Records after = new AfterRecords(changes, before);
        Set<Unit> units = new LinkedHashSet<>();
        rule.touched(changes, before, units::add);
        Sums delta = new Sums();
        for (Unit u : units) {
            rule.part(u, before, delta, -1);
            rule.part(u, after, delta, 1);
            if (u instanceof DepositUnit d) {
                Optional<Coin> was = rule.coin(u, before);
                Optional<Coin> is = rule.coin(u, after);
                if (!was.equals(is)) {
                    was.ifPresent(c -> deleteCoin(batch, new CoinKey(chain, c.account(), d.id()), c.amount()));
                    is.ifPresent(c -> putCoin(batch, new CoinKey(chain, c.account(), d.id()), c.amount()));
                }
            }
        }
        delta.forEach((k, d) -> {
            if (d.confirmed().signum() == 0 && d.pendingIncoming().signum() == 0 && d.pendingOutgoing().signum() == 0) {
                return;
            }
            Key key = new Key(chain, k.getKey(), k.getValue());
            WithdrawalLedger.Balance was = reader.get(BALANCES, key).orElse(ZERO);
            batch.put(BALANCES, key, new WithdrawalLedger.Balance(was.confirmed().add(d.confirmed()),
                    was.pendingIncoming().add(d.pendingIncoming()), was.pendingOutgoing().add(d.pendingOutgoing())));
        });
    }

    /** A coin and its row by amount. */
    private static void putCoin(Batch b, CoinKey k, BigInteger amount) {
        b.put(COINS, k, amount);
        b.put(COINS_BY_AMOUNT, CoinByAmount.of(k, amount), "");
    }

    private static void deleteCoin(Batch b, CoinKey k, BigInteger amount) {
        b.delete(COINS, k);
        b.delete(COINS_BY_AMOUNT, CoinByAmount.of(k, amount));
    }

    /** The account's balance of {@code asset} as last committed: one read. */
    WithdrawalLedger.Balance get(int account, String asset) {
        return store.get(BALANCES, new Key(chain, account, asset)).orElse(ZERO);
    }

    /**
     * The account's spendable coins as last committed, largest first (equal ones by outpoint), read as the caller takes them:
     * choosing a withdrawal's coins reads the few it spends, not every coin the account holds. Close it.
     */
    io.coffer.core.store.Cursor<CoinByAmount, String> largestFirst(int account) {
        return store.scan(COINS_BY_AMOUNT.prefix(KeyWriter.key().string(chain).u32(account).build()), COINS_BY_AMOUNT);
    }

    private Map<CoinKey, BigInteger> coinsRecorded() {
        Map<CoinKey, BigInteger> out = new java.util.HashMap<>();
        for (var e : store.list(COINS, COINS.prefix(chainPrefix), Integer.MAX_VALUE)) {
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    /** Every balance (zero ones left out) and spendable coin of the chain, as its records make them. */
    private record Scratch(Map<Key, WithdrawalLedger.Balance> balances, Map<CoinKey, BigInteger> coins) {
    }

    /**
     * The chain's balances and coins from scratch, in one walk over its records as committed (a unit's part and its coin read
     * the same records, each once). The caller holds the derivation's lock. Every coin held in memory: for audits and tests;
     * a {@link #build} streams them.
     */
    private Scratch fromScratch() {
        Map<CoinKey, BigInteger> coins = new HashMap<>();
        Sums sums = walk(coins::put);
        return new Scratch(nonZero(sums), coins);
    }

    /** Walks every unit of the chain as committed: each coin to {@code coin} as it is found; the sums of every account's parts. */
    private Sums walk(java.util.function.BiConsumer<CoinKey, BigInteger> coin) {
        Sums sums = new Sums();
        rule.all(u -> {
            Records r = new Remembered(committed);
            rule.part(u, r, sums, 1);
            if (u instanceof DepositUnit d) {
                rule.coin(u, r).ifPresent(c -> coin.accept(new CoinKey(chain, c.account(), d.id()), c.amount()));
            }
        });
        return sums;
    }

    /** The balances {@code sums} make, zero ones left out. */
    private Map<Key, WithdrawalLedger.Balance> nonZero(Sums sums) {
        Map<Key, WithdrawalLedger.Balance> balances = new TreeMap<>(java.util.Comparator.comparing(Key::account).thenComparing(Key::asset));
        sums.forEach((k, b) -> {
            if (b.confirmed().signum() != 0 || b.pendingIncoming().signum() != 0 || b.pendingOutgoing().signum() != 0) {
                balances.put(new Key(chain, k.getKey(), k.getValue()), b);
            }
        });
        return balances;
    }

    /** The chain's balances as recorded (zero ones left out). */
    private Map<Key, WithdrawalLedger.Balance> recorded() {
        Map<Key, WithdrawalLedger.Balance> out = new TreeMap<>(java.util.Comparator.comparing(Key::account).thenComparing(Key::asset));
        for (var e : store.list(BALANCES, BALANCES.prefix(chainPrefix), Integer.MAX_VALUE)) {
            WithdrawalLedger.Balance b = e.getValue();
            if (b.confirmed().signum() != 0 || b.pendingIncoming().signum() != 0 || b.pendingOutgoing().signum() != 0) {
                out.put(e.getKey(), b);
            }
        }
        return out;
    }

    /** Operations a part of {@link #build} holds before it is written. */
    static final int BUILD_PART = 10_000;

    /**
     * Builds the chain's balances and spendable coins from its records, {@code part} operations written at a time: the coins
     * as the walk finds them (one batch held them all, and a map of them all beside it: a wallet with a million unspent
     * outputs would have needed some hundreds of MiB at its first start on a version that keeps balances), then the balances
     * (one per account and asset) with {@link #BUILT} in the last part. A crash in the middle leaves {@link #BUILT} unwritten:
     * the next start builds again, the coins' deletion first, so what an earlier try wrote is replaced. The walk reads
     * deposits, locks, spends and withdrawals, never what it writes; nothing reads balances or coins before the services'
     * constructors return, which this runs inside (under the derivation's lock, so no batch moves them meanwhile).
     */
    void build(int part) {
        long started = System.nanoTime();
        PartedBatch b = new PartedBatch(store, part);
        // Deletions before any put of their keys.
        store.forEach(COINS.prefix(chainPrefix), COINS, (k, v) -> b.delete(COINS, k));
        store.forEach(COINS_BY_AMOUNT.prefix(chainPrefix), COINS_BY_AMOUNT, (k, v) -> b.delete(COINS_BY_AMOUNT, k));
        long[] coins = {0};
        Sums sums = walk((k, v) -> {
            putCoin(b, k, v);
            coins[0]++;
        });
        Map<Key, WithdrawalLedger.Balance> balances = nonZero(sums);
        b.finish(last -> {
            store.forEach(BALANCES.prefix(chainPrefix), BALANCES, (k, v) -> last.delete(BALANCES, k));
            balances.forEach((k, v) -> last.put(BALANCES, k, v));
            last.put(BUILT, chain, java.time.Instant.now().toString());
        });
        LOG.info(() -> "chain " + chain + ": balances built from the ledger's records (" + balances.size()
                + " account/asset pairs, " + coins[0] + " spendable coins, " + b.written() + " records written in " + b.parts()
                + " parts, " + (System.nanoTime() - started) / 1_000_000 + " ms); kept with every change from now on");
    }

    /**
     * Where the recorded balances differ from the same records summed from scratch, as "account N asset A: recorded X,
     * from the records Y" (empty when they agree). Reads every record of the chain: for tests and audits, not for serving.
     */
    public List<String> disagreements() {
        return store.readDerived(name, () -> {
            Scratch fromRecords = fromScratch();
            Map<Key, WithdrawalLedger.Balance> recorded = recorded();
            Map<Key, WithdrawalLedger.Balance> scratch = fromRecords.balances();
            Set<Key> keys = new java.util.TreeSet<>(java.util.Comparator.comparing(Key::account).thenComparing(Key::asset));
            keys.addAll(recorded.keySet());
            keys.addAll(scratch.keySet());
            List<String> out = new java.util.ArrayList<>();
            for (Key k : keys) {
                WithdrawalLedger.Balance r = recorded.getOrDefault(k, ZERO);
                WithdrawalLedger.Balance s = scratch.getOrDefault(k, ZERO);
                if (!r.equals(s)) {
                    out.add("account " + k.account() + " asset " + k.asset() + ": recorded " + r + ", from the records " + s);
                }
            }
            Map<CoinKey, BigInteger> coins = coinsRecorded();
            Map<CoinKey, BigInteger> coinsScratch = fromRecords.coins();
            Set<CoinKey> differing = new java.util.HashSet<>(coins.keySet());
            differing.addAll(coinsScratch.keySet());
            differing.removeIf(k -> java.util.Objects.equals(coins.get(k), coinsScratch.get(k)));
            for (CoinKey k : differing) {
                out.add("coin " + k.id() + " of account " + k.account() + ": recorded " + coins.get(k) + ", from the records "
                        + coinsScratch.get(k));
            }
            Map<CoinKey, BigInteger> filed = new HashMap<>();
            store.forEach(COINS_BY_AMOUNT.prefix(chainPrefix), COINS_BY_AMOUNT, (k, v) -> {
                if (filed.put(new CoinKey(k.chain(), k.account(), k.id()), k.amount()) != null) {
                    out.add("coin " + k.id() + " of account " + k.account() + ": filed by amount more than once");
                }
            });
            if (!filed.equals(coins)) {
                out.add("the coins filed by amount are not the coins recorded: " + filed.size() + " filed, " + coins.size() + " recorded");
            }
            return out;
        });
    }

    /** The records as {@code store} reads them (the committed ones, or those with the batches queued before over them). */
    private final class StoreRecords implements Records {
        private final Reader store;

        StoreRecords(Reader store) {
            this.store = store;
        }

        @Override
        public Optional<Deposit> deposit(DepositId id) {
            return store.get(ChainTables.DEPOSITS, new ChainTables.ChainDeposit(chain, id));
        }

        @Override
        public boolean locked(DepositId id) {
            return store.get(TransferTables.LOCKS, new TransferTables.ChainOutpoint(chain, id)).isPresent();
        }

        @Override
        public Optional<ChainTables.SpentOutput> spent(DepositId id) {
            return store.get(ChainTables.SPENT_OUTPUTS, new ChainTables.ChainDeposit(chain, id));
        }

        @Override
        public Optional<Withdrawal> withdrawal(String id) {
            return store.get(TransferTables.WITHDRAWALS, new TransferTables.ChainKey(chain, id));
        }

        @Override
        public boolean own(String txid) {
            return store.get(ChainTables.OWN_TXIDS, new ChainTables.ChainAddress(chain, txid)).isPresent();
        }

        @Override
        public Optional<AddressInfo> address(String address) {
            return store.get(ChainTables.ADDRESSES, new ChainTables.ChainAddress(chain, address));
        }
    }

    /** Records read through, each read once. */
    private record Remembered(Records from, Map<Object, Object> seen) implements Records {
        Remembered(Records from) {
            this(from, new HashMap<>());
        }

        @SuppressWarnings("unchecked")
        private <T> T once(Object key, java.util.function.Supplier<T> read) {
            Object v = seen.get(key);
            if (v == null && !seen.containsKey(key)) {
                v = read.get();
                seen.put(key, v);
            }
            return (T) v;
        }

        @Override
        public Optional<Deposit> deposit(DepositId id) {
            return once(new DepositUnit(id), () -> from.deposit(id));
        }

        @Override
        public boolean locked(DepositId id) {
            return once(Map.entry("lock", id), () -> from.locked(id));
        }

        @Override
        public Optional<ChainTables.SpentOutput> spent(DepositId id) {
            return once(new SpentUnit(id), () -> from.spent(id));
        }

        @Override
        public Optional<Withdrawal> withdrawal(String id) {
            return once(new WithdrawalUnit(id), () -> from.withdrawal(id));
        }

        @Override
        public boolean own(String txid) {
            return once(Map.entry("own", txid), () -> from.own(txid));
        }

        @Override
        public Optional<AddressInfo> address(String address) {
            return once(Map.entry("address", address), () -> from.address(address));
        }
    }

    /** The records as a batch leaves them: its changes over the committed ones. */
    private record AfterRecords(Changes c, Records committed) implements Records {
        @Override
        public Optional<Deposit> deposit(DepositId id) {
            Optional<Deposit> changed = c.deposits().get(id);
            return changed != null ? changed : committed.deposit(id);
        }

        @Override
        public boolean locked(DepositId id) {
            Optional<String> changed = c.locks().get(id);
            return changed != null ? changed.isPresent() : committed.locked(id);
        }

        @Override
        public Optional<ChainTables.SpentOutput> spent(DepositId id) {
            Optional<ChainTables.SpentOutput> changed = c.spent().get(id);
            return changed != null ? changed : committed.spent(id);
        }

        @Override
        public Optional<Withdrawal> withdrawal(String id) {
            Optional<Withdrawal> changed = c.withdrawals().get(id);
            return changed != null ? changed : committed.withdrawal(id);
        }

        @Override
        public boolean own(String txid) {
            Optional<String> changed = c.own().get(txid);
            return changed != null ? changed.isPresent() : committed.own(txid);
        }

        @Override
        public Optional<AddressInfo> address(String address) {
            Optional<AddressInfo> changed = c.addresses().get(address);
            return changed != null ? changed : committed.address(address);
        }
    }

    /**
     * Whether a deposit's change leaves its part as it was, whatever its coin's lock, spend or transaction: same account,
     * asset and amount, and counted the same way (confirmed, pending, or not at all). The follower rewrites every open deposit
     * at each block (its confirmations): these are most of its changes, and need no further read.
     */
    static boolean samePart(Optional<Deposit> before, Optional<Deposit> after) {
        if (before.isEmpty() || after.isEmpty()) {
            return before.isEmpty() && after.isEmpty();
        }
        Deposit a = before.get();
        Deposit b = after.get();
        return a.account() == b.account() && a.asset().equals(b.asset()) && a.amount().equals(b.amount())
                && a.status().isConfirmed() == b.status().isConfirmed() && a.status().isPending() == b.status().isPending();
    }
}
