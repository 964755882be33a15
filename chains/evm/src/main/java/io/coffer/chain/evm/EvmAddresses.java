package io.coffer.chain.evm;

import io.coffer.core.address.EvmAddress;
import io.coffer.core.chain.AddressBook;
import io.coffer.core.keys.Hashes;
import io.coffer.core.keys.Secp256k1;
import java.util.Arrays;

/** EVM account addresses from the key ring: the last 20 bytes of keccak-256 of the uncompressed public key. */
public final class EvmAddresses {
    private EvmAddresses() {
    }

    /** EIP-55 checksummed address of a compressed public key. */
    public static AddressBook.Encoder encoder() {
        return new AddressBook.Encoder() {
            @Override
            public String address(byte[] compressedPublicKey) {
                return of(compressedPublicKey).toString();
            }

            /** The address's 20 bytes: an address is watched whatever the letter case it is written in. */
            @Override
            public byte[] key(String address) {
                String hex = address.startsWith("0x") || address.startsWith("0X") ? address.substring(2) : address;
                if (hex.length() != 40) {
                    return null;
                }
                try {
                    return java.util.HexFormat.of().parseHex(hex);
                } catch (IllegalArgumentException e) {
                    return null;
                }
            }
        };
    }

    public static EvmAddress of(byte[] compressedPublicKey) {
        byte[] uncompressed = Secp256k1.uncompressed(compressedPublicKey);
        byte[] hash = Hashes.keccak256(Arrays.copyOfRange(uncompressed, 1, uncompressed.length));
        return new EvmAddress(Arrays.copyOfRange(hash, 12, 32));
    }
}
