package io.coffer.chain.evm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.coffer.core.chain.BlockHeader;
import io.coffer.core.chain.OutpointSpend;
import io.coffer.core.chain.Payment;
import io.coffer.core.chain.WatchList;
import io.coffer.core.config.EvmChainConfig;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.WithDevnet;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.web3j.utils.Numeric;

/**
 * A block on a real anvil holding several of the wallet's transactions: its payments and spends read from the block's receipts
 * in one {@code eth_getBlockReceipts} by block hash (anvil offers it), with the same facts as each transaction's own receipt;
 * the withdrawals' looks right after, placed from those receipts as the node places each.
 */
@WithDevnet
class EvmBlockReceiptsIT {
    private static final String PAID = "0x00000000000000000000000000000000000c0ffe";

    private static EvmChainSource source(AnvilNode anvil) {
        EvmChainConfig config = new EvmChainConfig("ethereum", AnvilNode.CHAIN_ID, anvil.rpcUrl(), 1, 4, Duration.ofSeconds(1), "ETH",
                18, true, List.of());
        return new EvmChainSource(new EvmRpcClient(config), config);
    }

    @Test
    void aBlockOfTheWalletsSendsReadsAsEachReceiptTellsIt(AnvilNode anvil) {
        anvil.setAutomine(false);
        try {
            List<String> sent = new ArrayList<>();
            for (int i = 1; i <= 4; i++) {
                sent.add(anvil.send(PAID, BigInteger.valueOf(1000L * i)));
            }
            anvil.mine(1);
            EvmChainSource source = source(anvil);
            Set<String> watched = Set.of(EvmChainSource.checksummed(AnvilNode.DEV_ACCOUNT), EvmChainSource.checksummed(PAID));
            WatchList list = new WatchList() {
                @Override
                public boolean watches(String address) {
                    return watched.contains(address);
                }

                @Override
                public boolean watchesKey(byte[] key) {
                    throw new AssertionError("an EVM source matches by text");
                }
            };
            BlockHeader h = source.headerToConnect(anvil.heightOf(sent.get(0)));

            List<Payment> payments = source.payments(h, list);
            List<OutpointSpend> spends = source.spends(h, id -> false, list);

            assertTrue(source.asksBlockReceipts(), "anvil answered eth_getBlockReceipts");
            assertEquals(sent, payments.stream().map(Payment::txid).toList());
            assertEquals(sent, spends.stream().map(OutpointSpend::txid).toList());
            for (int i = 0; i < sent.size(); i++) {
                JsonNode receipt = anvil.receipt(sent.get(i));
                BigInteger fee = Numeric.toBigInt(receipt.get("gasUsed").asText()).multiply(Numeric.toBigInt(receipt.get("effectiveGasPrice").asText()));
                assertEquals(fee, spends.get(i).fee(), "fee of " + sent.get(i));
                assertEquals(BigInteger.valueOf(1000L * (i + 1)), spends.get(i).amount());
                assertEquals(BigInteger.valueOf(1000L * (i + 1)), payments.get(i).amount());
                List<String> nonce = List.of(EvmChainSource.spentNonce(AnvilNode.DEV_ACCOUNT, Numeric.toBigInt(anvil.rpc("eth_getTransactionByHash",
                        sent.get(i)).get("nonce").asText())));
                assertEquals(source.txStatus(sent.get(i), nonce), source.txStatus(sent.get(i), nonce, h),
                        "placed from the best block's receipts as the node places it");
            }
        } finally {
            anvil.setAutomine(true);
        }
    }

    /**
     * A block of the wallet's sends mined after the follower's poll, not read by it: told the looks about to ask about them,
     * the source reads it by hash and its receipts in one call, and places each as the node places it.
     */
    @Test
    void theSendsOfABlockNotReadYetArePlacedAsTheNodePlacesThem(AnvilNode anvil) {
        anvil.setAutomine(false);
        try {
            List<String> sent = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                sent.add(anvil.send(PAID, BigInteger.valueOf(2000L * i)));
            }
            anvil.mine(1);
            EvmChainSource source = source(anvil);
            BlockHeader best = source.header(source.tipHeight());
            assertEquals(anvil.heightOf(sent.get(0)), best.height());

            source.lookingAt(sent, best);
            for (String txid : sent) {
                List<String> nonce = List.of(EvmChainSource.spentNonce(AnvilNode.DEV_ACCOUNT, Numeric.toBigInt(anvil.rpc(
                        "eth_getTransactionByHash", txid).get("nonce").asText())));
                assertEquals(source.txStatus(txid, nonce), source.txStatus(txid, nonce, best), "placed as the node places " + txid);
            }
        } finally {
            anvil.setAutomine(true);
        }
    }
}
