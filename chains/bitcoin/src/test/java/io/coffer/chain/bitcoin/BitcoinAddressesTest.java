package io.coffer.chain.bitcoin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.coffer.core.chain.AddressBook;
import io.coffer.core.keys.Secp256k1;
import java.util.Locale;
import java.util.Random;
import org.bitcoinj.base.AddressParser;
import org.bitcoinj.base.BitcoinNetwork;
import org.bitcoinj.script.ScriptBuilder;
import org.junit.jupiter.api.Test;

/** The P2WPKH encoder's address and key: the key is the output script a payment to the address carries, however it is made. */
class BitcoinAddressesTest {

    @Test
    void theKeyOfAnAddressIsItsOutputScriptFromTheKeyOrFromTheText() {
        Random rnd = new Random(3);
        for (BitcoinNetwork network : new BitcoinNetwork[] {BitcoinNetwork.REGTEST, BitcoinNetwork.MAINNET}) {
            AddressBook.Encoder encoder = BitcoinAddresses.p2wpkh(network);
            for (int i = 0; i < 200; i++) {
                byte[] secret = new byte[32];
                rnd.nextBytes(secret);
                secret[0] &= 0x7f;
                secret[31] |= 1;
                byte[] pub = Secp256k1.publicKey(secret);
                AddressBook.Derived d = encoder.derive(pub);
                assertEquals(encoder.address(pub), d.address());
                byte[] script = ScriptBuilder.createOutputScript(AddressParser.getDefault(network).parseAddress(d.address())).program();
                assertArrayEquals(script, d.key());
                assertArrayEquals(script, encoder.key(d.address()));
                assertArrayEquals(script, encoder.key(d.address().toUpperCase(Locale.ROOT)), "bech32 in capitals is the same address");
            }
            assertNull(encoder.key("not an address"));
            assertNull(encoder.key(""));
        }
        // Another network's address, and a legacy one, are not P2WPKH addresses of this one: a legacy one has its own script.
        AddressBook.Encoder regtest = BitcoinAddresses.p2wpkh(BitcoinNetwork.REGTEST);
        assertNull(regtest.key("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"));
        assertEquals(25, regtest.key("mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn").length);
    }
}
