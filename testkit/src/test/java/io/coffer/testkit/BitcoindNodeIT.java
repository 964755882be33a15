package io.coffer.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The dev chain's bitcoind takes every standard payment its own wallet makes. */
@WithDevnet
class BitcoindNodeIT {
    /**
     * A payment whose nLockTime is 21 reaches the mempool and a block. Bitcoin Knots refuses such a transaction by default as a
     * CAT-21 mint ({@code parasite-cat21}), and bitcoind's wallet gives one that locktime about once a thousand payments while the
     * chain is between heights 21 and 120 (anti-fee-sniping): in CI a customer's payment made that way never reached the chain
     * and its deposit was never seen. {@code -rejectparasites=0} where the node has the option.
     */
    @Test
    void aPaymentLockedAtHeight21IsAcceptedAndMined(BitcoindNode btc) {
        if (btc.height() < 110) {
            btc.mine(110);
        }
        String to = btc.minerWallet("getnewaddress", "", "bech32").asText();
        JsonNode coin = btc.minerWallet("listunspent", 101).get(0);
        var input = Map.of("txid", coin.get("txid").asText(), "vout", coin.get("vout").asInt());
        var amount = new java.math.BigDecimal(coin.get("amount").asText()).subtract(new java.math.BigDecimal("0.0001"));
        String raw = btc.minerWallet("createrawtransaction", List.of(input), Map.of(to, amount), 21).asText();
        String signed = btc.minerWallet("signrawtransactionwithwallet", raw).get("hex").asText();
        assertEquals(21, btc.rpc("decoderawtransaction", signed).get("locktime").asInt());
        String txid = btc.rpc("sendrawtransaction", signed).asText();
        btc.mine(1);
        assertTrue(btc.rpc("getrawtransaction", txid, true).path("confirmations").asLong(0) > 0, "mined");
    }
}
