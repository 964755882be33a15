package io.coffer.chain.evm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/** Quantities read from the raw text as web3j's getters read them: the same number, or the same refusal. */
class QuantitiesTest {
    @Test
    void plainHexReadsAsWeb3jReadsIt() {
        List<String> values = List.of("0x0", "0x1", "0x5208", "0x3b9aca00", "0x00ff", "0xABCdef", "0x7fffffffffffffff",
                "0xffffffffffffffff", "0x" + "f".repeat(64), "0x" + "1" + "0".repeat(70));
        for (String v : values) {
            assertEquals(Numeric.decodeQuantity(v), Quantities.of(v), v);
        }
        assertEquals(BigInteger.valueOf(21_000), Quantities.of("0x5208"));
    }

    @Test
    void anythingElseIsLeftToWeb3j() {
        assertEquals(Numeric.decodeQuantity("123"), Quantities.of("123"), "a decimal, as web3j takes it");
        for (String bad : Arrays.asList(null, "", "0x", "0xzz", "0x-1", "0x1g", "x12", "-0x1")) {
            Class<? extends Throwable> web3j = thrown(() -> Numeric.decodeQuantity(bad));
            assertEquals(web3j, thrown(() -> Quantities.of(bad)), String.valueOf(bad));
        }
    }

    @Test
    void aReceiptsStatusReadsAsIsStatusOk() {
        for (String status : Arrays.asList(null, "0x1", "0x0", "0x01", "0x2")) {
            TransactionReceipt r = new TransactionReceipt();
            r.setStatus(status);
            assertEquals(r.isStatusOK(), Quantities.statusOk(r), String.valueOf(status));
        }
    }

    private static Class<? extends Throwable> thrown(Runnable r) {
        try {
            r.run();
            return null;
        } catch (RuntimeException e) {
            return e.getClass();
        }
    }
}
