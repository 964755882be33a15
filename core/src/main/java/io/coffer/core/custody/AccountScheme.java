package io.coffer.core.custody;

import io.coffer.core.keys.DerivationPath;

/**
 * The derivation schemes Coffer uses, one HD account per tenant and scheme.
 * <ul>
 *   <li>{@link #BIP84_MAIN}: native SegWit on Bitcoin mainnet, {@code m/84'/0'/account'}</li>
 *   <li>{@link #BIP84_TEST}: native SegWit on testnet, signet and regtest, {@code m/84'/1'/account'}</li>
 *   <li>{@link #EVM}: every EVM chain, {@code m/44'/60'/account'} — the path MetaMask and Ledger use,
 *       so addresses match other wallets of the same seed</li>
 * </ul>
 * Below the account: {@code /0/i} receive, {@code /1/i} change (EVM uses {@code /0/i} only).
 */
public enum AccountScheme {
    BIP84_MAIN("bip84-main", 84, 0),
    BIP84_TEST("bip84-test", 84, 1),
    EVM("evm", 44, 60);

    private final String id;
    private final int purpose;
    private final int coin;

    AccountScheme(String id, int purpose, int coin) {
        this.id = id;
        this.purpose = purpose;
        this.coin = coin;
    }

    /** Stable identifier used in storage. */
    public String id() {
        return id;
    }

    public DerivationPath accountPath(int account) {
        if (account < 0) {
            throw new IllegalArgumentException("account must be 0 or more: " + account);
        }
        // Built from its steps, not parsed from text: every issued address asks for its path (a parse was 13% of a payment
        // request's CPU under load).
        return new DerivationPath(java.util.List.of(DerivationPath.hardened(purpose), DerivationPath.hardened(coin),
                DerivationPath.hardened(account)));
    }

    public static AccountScheme byId(String id) {
        for (AccountScheme s : values()) {
            if (s.id.equals(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown account scheme " + id);
    }
}
