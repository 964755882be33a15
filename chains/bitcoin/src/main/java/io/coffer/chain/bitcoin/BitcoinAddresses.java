package io.coffer.chain.bitcoin;

import io.coffer.core.chain.AddressBook;
import io.coffer.core.error.CofferException;
import io.coffer.core.keys.Hashes;
import org.bitcoinj.base.Address;
import org.bitcoinj.base.AddressParser;
import org.bitcoinj.base.Network;
import org.bitcoinj.base.SegwitAddress;
import org.bitcoinj.script.ScriptBuilder;
import org.bitcoinj.base.exceptions.AddressFormatException;

/** Bitcoin address text: native SegWit (P2WPKH, bech32) receive addresses, and parsing with clear errors. */
public final class BitcoinAddresses {
    private BitcoinAddresses() {
    }

    /** The P2WPKH address of a compressed public key on {@code network}; an address's key is its output script. */
    public static AddressBook.Encoder p2wpkh(Network network) {
        String bech32Prefix = network.segwitAddressHrp() + "1";
        return new AddressBook.Encoder() {
            @Override
            public String address(byte[] compressedPublicKey) {
                return SegwitAddress.fromHash(network, Hashes.hash160(compressedPublicKey)).toString();
            }

            /** One hash160 for both: the address, and the script an output paying it carries (OP_0 PUSH20 hash160). */
            @Override
            public AddressBook.Derived derive(byte[] compressedPublicKey) {
                byte[] hash = Hashes.hash160(compressedPublicKey);
                byte[] script = new byte[22];
                script[1] = 20;
                System.arraycopy(hash, 0, script, 2, 20);
                return new AddressBook.Derived(SegwitAddress.fromHash(network, hash).toString(), script);
            }

            @Override
            public byte[] key(String address) {
                try {
                    // The wallet's own addresses are bech32: decoded as such at once, not after the parser has tried base58.
                    Address a = address.regionMatches(true, 0, bech32Prefix, 0, bech32Prefix.length())
                            ? SegwitAddress.fromBech32(address, network) : AddressParser.getDefault(network).parseAddress(address);
                    return ScriptBuilder.createOutputScript(a).program();
                } catch (AddressFormatException e) {
                    return null;
                }
            }
        };
    }

    /**
     * Parses a destination address for {@code network}.
     *
     * @throws CofferException INVALID_ARGUMENT naming {@code field}: ADDRESS_WRONG_NETWORK or ADDRESS_MALFORMED
     */
    public static Address parse(String field, String text, Network network) {
        if (text == null || text.isBlank() || text.length() > 100) {
            throw CofferException.invalid(field, "ADDRESS_MALFORMED", "not a valid Bitcoin address (empty or too long)");
        }
        try {
            return AddressParser.getDefault(network).parseAddress(text);
        } catch (AddressFormatException e) {
            // Valid for some other network (a mainnet address on regtest...) is worth saying precisely.
            try {
                Address other = AddressParser.getDefault().parseAddress(text);
                throw CofferException.invalid(field, "ADDRESS_WRONG_NETWORK", "the address is for Bitcoin "
                        + other.network().id().replace("org.bitcoin.", "") + ", this node is on " + network.id().replace("org.bitcoin.", ""));
            } catch (AddressFormatException notAnyNetwork) {
                throw CofferException.invalid(field, "ADDRESS_MALFORMED", "not a valid Bitcoin address (checksum or format)");
            }
        }
    }
}
