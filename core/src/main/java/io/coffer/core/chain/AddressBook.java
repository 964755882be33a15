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
public final class AddressBook {
    /** Turns a compressed public key into the chain's address text (bech32 P2WPKH, EIP-55...). */
    @FunctionalInterface
    public interface Encoder {
        String address(byte[] compressedPublicKey);
    }

    private final Store store;
    private final String chain;
    private final AccountScheme scheme;
    private final PublicKeyRing keys;
    private final Encoder encoder;
    private final int gap;
    private final Map<String, AddressInfo> watched = new ConcurrentHashMap<>();

    public AddressBook(Store store, String chain, AccountScheme scheme, PublicKeyRing keys, Encoder encoder, int gap) {
        this.store = store;
        this.chain = chain;
        this.scheme = scheme;
        this.keys = keys;
        this.encoder = encoder;
        this.gap = gap;
        byte[] prefix = io.coffer.core.store.KeyWriter.key().string(chain).build();
        for (var e : store.list(ChainTables.ADDRESSES, ChainTables.ADDRESSES.prefix(prefix), Integer.MAX_VALUE)) {
            watched.put(e.getKey().address(), e.getValue());
        }
    }

    public String chain() {
        return chain;
    }

    public boolean isWatched(String address) {
        return watched.containsKey(address);
    }

    public Optional<AddressInfo> lookup(String address) {
        return Optional.ofNullable(watched.get(address));
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
     * As {@link #next(int, int, ChainTables.AddressNote)}; with {@code durable} false the issue is written without waiting
     * for the disk, for a caller that commits a synced batch before handing the address out (a payment request): one
     * fsync per request instead of two, and a crash in between loses the issue together with the request.
     */
    public synchronized Issued next(int account, int change, ChainTables.AddressNote note, boolean durable) {
        ChainTables.Branch key = new ChainTables.Branch(chain, scheme.id(), account, change);
        ChainTables.BranchState s = store.get(ChainTables.BRANCHES, key).orElse(new ChainTables.BranchState(0, 0));
        int index = s.issued();
        Batch b = store.batch();
        ChainTables.BranchState next = extend(b, key, new ChainTables.BranchState(index + 1, s.watchedUpTo()));
        b.put(ChainTables.BRANCHES, key, next);
        AddressInfo info = new AddressInfo(scheme.id(), account, change, index);
        String address = address(info);
        if (note != null) {
            b.put(ChainTables.NOTES, new ChainTables.ChainAddress(chain, address), note);
        }
        if (durable) {
            b.commit();
        } else {
            b.commitUnsynced();
        }
        return new Issued(address, info, scheme.accountPath(account).child(change).child(index).toString());
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
    public int issuedCount(int account, int change) {
        return store.get(ChainTables.BRANCHES, new ChainTables.Branch(chain, scheme.id(), account, change))
                .map(ChainTables.BranchState::issued).orElse(0);
    }

    /** The address at {@code index} of a branch of {@code account} (derived; one below {@link #issuedCount} is issued). */
    public Issued issuedAt(int account, int change, int index) {
        AddressInfo info = new AddressInfo(scheme.id(), account, change, index);
        return new Issued(address(info), info, scheme.accountPath(account).child(change).child(index).toString());
    }

    /** Makes sure the window of every branch of {@code account} is derived and watched (e.g. at start). */
    public synchronized void watchAccount(int account) {
        Batch b = store.batch();
        for (int change = 0; change <= 1; change++) {
            ChainTables.Branch key = new ChainTables.Branch(chain, scheme.id(), account, change);
            ChainTables.BranchState s = store.get(ChainTables.BRANCHES, key).orElse(new ChainTables.BranchState(0, 0));
            b.put(ChainTables.BRANCHES, key, extend(b, key, s));
        }
        b.commit();
    }

    /**
     * Records that the address at {@code info} received a payment: it counts as issued, and the window
     * moves past it. Added to the caller's batch (the deposit's).
     */
    synchronized void markUsed(AddressInfo info, Batch b) {
        ChainTables.Branch key = new ChainTables.Branch(chain, info.scheme(), info.account(), info.change());
        ChainTables.BranchState s = store.get(ChainTables.BRANCHES, key).orElse(new ChainTables.BranchState(0, 0));
        if (info.index() >= s.issued()) {
            b.put(ChainTables.BRANCHES, key, extend(b, key, new ChainTables.BranchState(info.index() + 1, s.watchedUpTo())));
        }
    }

    /** Derives and watches addresses up to issued + gap; returns the updated state. */
    private ChainTables.BranchState extend(Batch b, ChainTables.Branch key, ChainTables.BranchState s) {
        int target = s.issued() + gap;
        for (int i = s.watchedUpTo(); i < target; i++) {
            AddressInfo info = new AddressInfo(key.scheme(), key.account(), key.change(), i);
            String address = address(info);
            b.put(ChainTables.ADDRESSES, new ChainTables.ChainAddress(chain, address), info);
            watched.put(address, info);
        }
        return new ChainTables.BranchState(s.issued(), Math.max(s.watchedUpTo(), target));
    }

    /** The address at {@code account'/change/index} of this book's scheme (derived, not issued). */
    public String addressAt(int account, int change, int index) {
        return address(new AddressInfo(scheme.id(), account, change, index));
    }

    private String address(AddressInfo info) {
        return encoder.address(keys.derive(AccountScheme.byId(info.scheme()), info.account(), info.change(), info.index()).publicKey());
    }
}
