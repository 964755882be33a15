package io.coffer.core.custody;

import io.coffer.core.error.CofferException;
import io.coffer.core.error.ErrorKind;
import io.coffer.core.keys.DerivationPath;
import io.coffer.core.keys.ExtendedKey;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Public derivation from the account xpubs: what the node does to make deposit addresses, sealed or
 * not. It holds no secret; losing it to an attacker costs privacy, not funds.
 */
public final class PublicKeyRing {
    private final Map<CustodyTables.AccountKey, ExtendedKey> accounts;
    private final Map<String, ExtendedKey> branches = new ConcurrentHashMap<>();

    /** A derived public key with the full path it sits at. */
    public record DerivedKey(DerivationPath path, byte[] publicKey) {
        public DerivedKey {
            publicKey = publicKey.clone();
        }

        @Override
        public byte[] publicKey() {
            return publicKey.clone();
        }
    }

    PublicKeyRing(Map<CustodyTables.AccountKey, ExtendedKey> accounts) {
        this.accounts = Map.copyOf(accounts);
    }

    /** The account's extended public key. */
    public ExtendedKey account(AccountScheme scheme, int account) {
        ExtendedKey k = accounts.get(new CustodyTables.AccountKey(scheme, account));
        if (k == null) {
            throw new CofferException(ErrorKind.FAILED_PRECONDITION, "ACCOUNT_NOT_DERIVED", null, "account " + account + " of "
                    + scheme.id() + " is not in the key ring; unseal the node once to derive it", Map.of(), null);
        }
        return k;
    }

    /**
     * The public key at {@code account'/change/index} of {@code scheme} (change 0 = receive, 1 = change).
     */
    public DerivedKey derive(AccountScheme scheme, int account, int change, int index) {
        if (change < 0 || change > 1 || index < 0) {
            throw new IllegalArgumentException("change is 0 or 1 and index is non-negative");
        }
        ExtendedKey branch = branches.computeIfAbsent(scheme.id() + "/" + account + "/" + change,
                k -> account(scheme, account).child(change));
        return new DerivedKey(scheme.accountPath(account).child(change).child(index), branch.child(index).publicKey());
    }

    /** Number of accounts of {@code scheme} available while sealed. */
    public long accountCount(AccountScheme scheme) {
        return accounts.keySet().stream().filter(k -> k.scheme() == scheme).count();
    }
}
