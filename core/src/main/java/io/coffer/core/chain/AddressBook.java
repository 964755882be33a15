package io.coffer.core.chain;

import io.coffer.core.custody.AccountScheme;
import io.coffer.core.custody.PublicKeyRing;
import io.coffer.core.store.Batch;
import io.coffer.core.store.Store;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The addresses a chain watches, derived from the public key ring (so it works sealed).
 *
 * <p>Per address branch (scheme, account, change) it keeps how many addresses were issued and watches a
 * look-ahead window of {@code gap} more, so that payments to addresses handed out but not yet recorded
 * (or, after a restore, handed out by the previous installation) are found. A payment found at index i
 * moves the window to i + 1 + gap, in the same batch as the deposit.
 */
public final class AddressBook implements WatchList {
    /** Turns a compressed public key into the chain's address text (bech32 P2WPKH, EIP-55...), and address text into its key. */
    @FunctionalInterface
    public interface Encoder {
        String address(byte[] compressedPublicKey);

        /**
         * The compact key the watched set keeps for {@code address}, and the chain's source matches by (see {@link WatchList}):
         * what the chain's own data carries for that address (Bitcoin: its output script; EVM: its 20 bytes, whatever the
         * letter case of the text). Null when the text is not an address of this chain. By default the text's UTF-8 bytes.
         */
        default byte[] key(String address) {
            return address.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }

        /** The address of {@code compressedPublicKey} with its key: what a chain may make together (both from one hash). */
        default Derived derive(byte[] compressedPublicKey) {
            String address = address(compressedPublicKey);
            return new Derived(address, key(address));
        }
    }

    /** An address and its {@link Encoder#key key}. */
    public record Derived(String address, byte[] key) {
    }

    /**
     * Window addresses kept as text beyond the issued ones, per branch, at most: issuing one reuses its derivation. A bigger
     * window (a restore's, a scan over a million addresses) is watched by key only, not kept twice.
     */
    private static final int KEEP_DERIVED = 64;
    /** A window growing by at least this many addresses is derived side by side on every core, this many at a time. */
    private static final int DERIVE_IN_PARALLEL = 4096;

    private final Store store;
    private final String chain;
    private final AccountScheme scheme;
    private final PublicKeyRing keys;
    private final Encoder encoder;
    private final int gap;
    private final WatchTable watched = new WatchTable();
    /**
     * Addresses this process derived and has not issued yet, with their watched-set keys, per branch by index: the window's
     * (issuing one reuses its derivation) and the next one beyond it, derived outside the lock (see {@link #next}), which the
     * window then watches by the key derived with it instead of parsing its text back. Entries below the issued count
     * (paid before issued, or derived by a request the window outran) are dropped at the branch's next issue. The map's own
     * concurrency serves the derivations outside the lock; everything else is under it.
     */
    private final Map<ChainTables.Branch, java.util.concurrent.ConcurrentSkipListMap<Integer, Derived>> derived = new ConcurrentHashMap<>();
    /** Each branch's issued count and window, loaded on first use; guarded by this book's lock. */
    private final Map<ChainTables.Branch, ChainTables.BranchState> branches = new java.util.HashMap<>();

    public AddressBook(Store store, String chain, AccountScheme scheme, PublicKeyRing keys, Encoder encoder, int gap) {
        this.store = store;
        this.chain = chain;
        this.scheme = scheme;
        this.keys = keys;
        this.encoder = encoder;
        this.gap = gap;
        byte[] prefix = io.coffer.core.store.KeyWriter.key().string(chain).build();
        try (var c = store.scan(ChainTables.ADDRESSES.prefix(prefix), ChainTables.ADDRESSES)) {
            while (c.hasNext()) {
                var e = c.next();
                watch(e.getKey().address(), e.getValue());
            }
        }
    }

    public String chain() {
        return chain;
    }

    @Override
    public boolean watches(String address) {
        byte[] key = keyOf(address);
        return key != null && watched.contains(key);
    }

    @Override
    public boolean watchesKey(byte[] key) {
        return watched.contains(key);
    }

    public Optional<AddressInfo> lookup(String address) {
        byte[] key = keyOf(address);
        return key == null ? Optional.empty() : Optional.ofNullable(watched.get(key));
    }

    /** The watched set's key of {@code address}; null for no text or text that is not an address of this chain. */
    private byte[] keyOf(String address) {
        return address == null ? null : encoder.key(address);
    }

    private void watch(String address, AddressInfo info) {
        byte[] key = keyOf(address);
        if (key == null) {
            throw new IllegalStateException("chain " + chain + ": " + address + " is not an address of this chain");
        }
        watched.put(key, info);
    }

    /** Number of watched addresses. */
    public int size() {
        return watched.size();
    }

    /** A derived address with its place in the tree. */
    public record Issued(String address, AddressInfo info, String path) {
    }

    /** Issues the next fresh address of {@code account}'s receive (0) or change (1) branch. */
    public Issued next(int account, int change) {
        return next(account, change, null);
    }

    /**
     * Issues the next fresh address and, when {@code note} is given, records the merchant's label and the time with it
     * in the same write (so an address is never handed out with its label lost, nor a label kept for an address
     * that was not issued).
     */
    public Issued next(int account, int change, ChainTables.AddressNote note) {
        return next(account, change, note, true);
    }

    /**
     * As {@link #next(int, int, ChainTables.AddressNote)}; with {@code durable} false the issue is queued without waiting
     * for the disk, for a caller that commits a batch after it before handing the address out (a payment request): batches
     * are written in the order they are queued, so that commit makes the issue durable too, and a crash before it loses both.
     *
     * <p>The lock covers only the branch's counter and window (in memory) and the queueing of their write, never a wait for the
     * disk: concurrent payment requests share their fsyncs instead of taking turns at the lock.
     */
    public Issued next(int account, int change, ChainTables.AddressNote note, boolean durable) {
        ChainTables.Branch key = new ChainTables.Branch(chain, scheme.id(), account, change);
        AddressInfo info;
        Batch.Queued written;
        String address;
        int watchNext;
        synchronized (this) {
            ChainTables.BranchState s = branch(key);
            info = new AddressInfo(scheme.id(), account, change, s.issued());
            Batch b = store.batch();
            watchNext = advance(b, key, new ChainTables.BranchState(s.issued() + 1, s.watchedUpTo())).watchedUpTo();
            var known = derivedOf(key);
            Derived d = known.remove(info.index());
            address = d != null ? d.address() : address(info); // null: joined the window before this process started
            known.headMap(info.index()).clear();
            if (note != null) {
                b.put(ChainTables.NOTES, new ChainTables.ChainAddress(chain, address), note);
            }
            written = b.queue();
        }
        // The address the next issue will add to the window, derived now outside the lock: concurrent requests derive side by
        // side instead of one after the other inside it.
        var upcoming = derivedOf(key);
        if (!upcoming.containsKey(watchNext)) {
            upcoming.putIfAbsent(watchNext, encoder.derive(publicKey(new AddressInfo(scheme.id(), account, change, watchNext))));
        }
        if (durable) {
            written.await();
        }
        return new Issued(address, info, scheme.accountPath(account).child(change).child(info.index()).toString());
    }

    /** The label and issue time recorded with an address, if it was issued with one. */
    public java.util.Optional<ChainTables.AddressNote> note(String address) {
        return store.get(ChainTables.NOTES, new ChainTables.ChainAddress(chain, address));
    }

    /** The addresses issued so far on a branch of {@code account}, oldest first. */
    public List<Issued> issued(int account, int change) {
        List<Issued> out = new java.util.ArrayList<>();
        for (int i = 0; i < issuedCount(account, change); i++) {
            out.add(issuedAt(account, change, i));
        }
        return out;
    }

    /** How many addresses of a branch of {@code account} are issued (indexes 0 to this, exclusive). */
    public synchronized int issuedCount(int account, int change) {
        return branch(new ChainTables.Branch(chain, scheme.id(), account, change)).issued();
    }

    /** The address at {@code index} of a branch of {@code account} (derived; one below {@link #issuedCount} is issued). */
    public Issued issuedAt(int account, int change, int index) {
        AddressInfo info = new AddressInfo(scheme.id(), account, change, index);
        return new Issued(address(info), info, scheme.accountPath(account).child(change).child(index).toString());
    }

    /** Makes sure the window of every branch of {@code account} is derived and watched (e.g. at start). */
    public void watchAccount(int account) {
        Batch.Queued written;
        synchronized (this) {
            Batch b = store.batch();
            for (int change = 0; change <= 1; change++) {
                ChainTables.Branch key = new ChainTables.Branch(chain, scheme.id(), account, change);
                advance(b, key, branch(key));
            }
            written = b.queue();
        }
        written.await();
    }

    /**
     * Records that the address at {@code info} received a payment: it counts as issued, and the window moves past it. Written
     * by a batch of its own, queued at once (not in the deposit's batch, which commits later: a branch's record is
     * written in the order its changes are made, so it never goes back). A crash before the deposit commits leaves the branch
     * moved on with the deposit unrecorded: the follower finds the deposit again, and an address is at worst skipped.
     */
    synchronized void markUsed(AddressInfo info) {
        ChainTables.Branch key = new ChainTables.Branch(chain, info.scheme(), info.account(), info.change());
        ChainTables.BranchState s = branch(key);
        if (info.index() >= s.issued()) {
            derivedOf(key).headMap(info.index() + 1).clear(); // issued by being paid
            Batch own = store.batch();
            advance(own, key, new ChainTables.BranchState(info.index() + 1, s.watchedUpTo()));
            own.queue();
        }
    }

    /**
     * A branch's state: kept in memory, the one place it is read (its record in the store may still be queued). Under the lock.
     */
    private ChainTables.BranchState branch(ChainTables.Branch key) {
        return branches.computeIfAbsent(key, k -> store.get(ChainTables.BRANCHES, k).orElse(new ChainTables.BranchState(0, 0)));
    }

    /** Moves a branch to {@code s}, extending its window, in memory and into {@code b}; the state it is in now. Under the lock. */
    private ChainTables.BranchState advance(Batch b, ChainTables.Branch key, ChainTables.BranchState s) {
        ChainTables.BranchState next = extend(b, key, s);
        branches.put(key, next);
        b.put(ChainTables.BRANCHES, key, next);
        return next;
    }

    /** Derives and watches addresses up to issued + gap; returns the updated state. */
    private ChainTables.BranchState extend(Batch b, ChainTables.Branch key, ChainTables.BranchState s) {
        int target = s.issued() + gap;
        var known = derivedOf(key);
        boolean big = target - s.watchedUpTo() >= DERIVE_IN_PARALLEL;
        Derived[] ahead = new Derived[0];
        int aheadFrom = 0;
        for (int i = s.watchedUpTo(); i < target; i++) {
            AddressInfo info = new AddressInfo(key.scheme(), key.account(), key.change(), i);
            Derived kept = known.get(i);
            String address;
            if (kept == null) {
                if (big && i - aheadFrom >= ahead.length) {
                    // A big window (a first start or a restore with a large gap): derived on every core a chunk at a time,
                    // then recorded in order. Small windows, the usual case, are not worth the hand-off.
                    aheadFrom = i;
                    ahead = java.util.stream.IntStream.range(i, Math.min(target, i + DERIVE_IN_PARALLEL)).parallel()
                            .mapToObj(j -> encoder.derive(publicKey(new AddressInfo(key.scheme(), key.account(), key.change(), j))))
                            .toArray(Derived[]::new);
                }
                Derived d = i - aheadFrom < ahead.length ? ahead[i - aheadFrom] : encoder.derive(publicKey(info));
                address = d.address();
                watched.put(d.key(), info);
                if (i - s.issued() < KEEP_DERIVED) {
                    known.put(i, d);
                }
            } else {
                address = kept.address();
                watched.put(kept.key(), info); // the key derived with it: the address text is not parsed back
            }
            b.put(ChainTables.ADDRESSES, new ChainTables.ChainAddress(chain, address), info);
        }
        return new ChainTables.BranchState(s.issued(), Math.max(s.watchedUpTo(), target));
    }

    private java.util.concurrent.ConcurrentSkipListMap<Integer, Derived> derivedOf(ChainTables.Branch key) {
        // Read first: computeIfAbsent may lock the key's bin, and every payment request of a tenant asks for the same branch.
        var known = derived.get(key);
        return known != null ? known : derived.computeIfAbsent(key, k -> new java.util.concurrent.ConcurrentSkipListMap<>());
    }

    /** The address at {@code account'/change/index} of this book's scheme (derived, not issued). */
    public String addressAt(int account, int change, int index) {
        return address(new AddressInfo(scheme.id(), account, change, index));
    }

    private String address(AddressInfo info) {
        return encoder.address(publicKey(info));
    }

    private byte[] publicKey(AddressInfo info) {
        return keys.derive(AccountScheme.byId(info.scheme()), info.account(), info.change(), info.index()).publicKey();
    }
}
