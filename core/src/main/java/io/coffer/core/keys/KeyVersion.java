package io.coffer.core.keys;

/**
 * Version bytes of serialized extended keys (BIP-32, SLIP-132). The prefix tells the network and, for
 * z/v keys, that the account is native SegWit (BIP-84).
 */
public enum KeyVersion {
    XPUB(0x0488B21E, false, true),
    XPRV(0x0488ADE4, true, true),
    TPUB(0x043587CF, false, false),
    TPRV(0x04358394, true, false),
    ZPUB(0x04B24746, false, true),
    ZPRV(0x04B2430C, true, true),
    VPUB(0x045F1CF6, false, false),
    VPRV(0x045F18BC, true, false);

    private final int bytes;
    private final boolean isPrivate;
    private final boolean mainnet;

    KeyVersion(int bytes, boolean isPrivate, boolean mainnet) {
        this.bytes = bytes;
        this.isPrivate = isPrivate;
        this.mainnet = mainnet;
    }

    public int bytes() {
        return bytes;
    }

    public boolean isPrivate() {
        return isPrivate;
    }

    public boolean isMainnet() {
        return mainnet;
    }

    static KeyVersion of(int bytes) {
        for (KeyVersion v : values()) {
            if (v.bytes == bytes) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown extended key version 0x" + Integer.toHexString(bytes));
    }
}
