package io.coffer.core.address;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.coffer.core.error.CofferException;
import io.coffer.core.error.ErrorKind;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EvmAddressTest {

    /** Test vectors from EIP-55 (https://eips.ethereum.org/EIPS/eip-55, "Test Cases"). */
    @ParameterizedTest
    @ValueSource(strings = {
        "0x52908400098527886E0F7030069857D2E4169EE7",
        "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
        "0xde709f2102306220921060314715629080e2fb77",
        "0x27b1fdb04752bbc536007a920d24acb045561c26",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    })
    void eip55VectorsRoundTrip(String vector) {
        EvmAddress a = EvmAddress.parse("destination", vector);
        assertEquals(vector, a.toString());
        assertEquals(a, EvmAddress.parse("destination", vector.toLowerCase(Locale.ROOT).replace("0X", "0x")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", "0xFb6916095ca1df60bB79Ce92cE3Ea74c37c5d359"})
    void aMixedCaseTypoIsRefused(String bad) {
        CofferException e = assertThrows(CofferException.class, () -> EvmAddress.parse("destination", bad));
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
        assertEquals("ADDRESS_BAD_CHECKSUM", e.code());
        assertEquals("destination", e.field());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0x", "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAedd", "0xZZAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"})
    void malformedIsRefused(String bad) {
        CofferException e = assertThrows(CofferException.class, () -> EvmAddress.parse("contract", bad));
        assertEquals("ADDRESS_MALFORMED", e.code());
        assertEquals("contract", e.field());
    }
}
