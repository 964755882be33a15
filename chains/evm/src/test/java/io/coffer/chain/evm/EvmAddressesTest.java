package io.coffer.chain.evm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.coffer.core.chain.AddressBook;
import java.util.HexFormat;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** An EVM address's key is its 20 bytes: the same address whatever the letter case it is written in. */
class EvmAddressesTest {

    @Test
    void theKeyIsTheTwentyBytesInAnyLetterCase() {
        AddressBook.Encoder encoder = EvmAddresses.encoder();
        byte[] pub = HexFormat.of().parseHex("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"); // G, secret key 1
        AddressBook.Derived d = encoder.derive(pub);
        // The address of secret key 1, as published wherever EVM keys are explained.
        assertArrayEquals(HexFormat.of().parseHex("7e5f4552091a69125d5dfcb7b8c2659029395bdf"), d.key());
        assertArrayEquals(d.key(), encoder.key(d.address().toLowerCase(Locale.ROOT)));
        assertArrayEquals(d.key(), encoder.key("0x" + d.address().substring(2).toUpperCase(Locale.ROOT)));
        assertNull(encoder.key("0x1234"));
        assertNull(encoder.key("0x" + "zz".repeat(20)));
        assertNull(encoder.key(""));
    }
}
