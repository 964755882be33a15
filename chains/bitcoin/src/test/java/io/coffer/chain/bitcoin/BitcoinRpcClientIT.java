package io.coffer.chain.bitcoin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.coffer.core.chain.BlockHeader;
import io.coffer.core.chain.ChainInfo;
import io.coffer.core.chain.ChainSource;
import io.coffer.core.chain.ChainUnavailableException;
import io.coffer.core.config.BitcoinChainConfig;
import io.coffer.core.config.BitcoinNetwork;
import io.coffer.core.config.ConfigException;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.Devnet;
import io.coffer.testkit.WithDevnet;
import java.net.URI;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Coffer's bitcoind client against a real {@code bitcoind -regtest}. */
@WithDevnet
class BitcoinRpcClientIT {

    private static BitcoinChainConfig config(URI url, BitcoinNetwork network, String password) {
        return new BitcoinChainConfig("bitcoin", network, url, BitcoindNode.RPC_USER, password, null, 1, 6, Duration.ofSeconds(30));
    }

    @Test
    void readsNetworkAndTipAsTheNodeMovesIt(BitcoindNode node) {
        try (BitcoinRpcClient client = new BitcoinRpcClient(config(node.rpcUrl(), BitcoinNetwork.REGTEST, BitcoindNode.RPC_PASSWORD))) {
            ChainInfo before = client.info();
            assertEquals("regtest", before.network());
            assertEquals(node.height(), before.tipHeight());

            node.mine(5);
            ChainInfo after = client.info();
            assertEquals(before.tipHeight() + 5, after.tipHeight());
            assertEquals(node.bestBlockHash(), after.tipHash());
            assertTrue(after.tipHash().matches("[0-9a-f]{64}"), after.tipHash());

            // A reorg moves the tip back: the client reports what the node now says.
            node.rpc("invalidateblock", after.tipHash());
            ChainInfo reorged = client.info();
            assertEquals(after.tipHeight() - 1, reorged.tipHeight());
            node.rpc("reconsiderblock", after.tipHash());
            assertEquals(after, client.info());

            after.requireMatches(config(node.rpcUrl(), BitcoinNetwork.REGTEST, "x"), "coffer.chains.0");
            ConfigException wrongNet = assertThrows(ConfigException.class,
                    () -> after.requireMatches(config(node.rpcUrl(), BitcoinNetwork.MAIN, "x"), "coffer.chains.0"));
            assertEquals("coffer.chains.0.network", wrongNet.field());
            assertTrue(wrongNet.getMessage().contains("is on regtest"), wrongNet.getMessage());
        }
    }

    @Test
    void anRpcErrorCarriesBitcoindsCode(BitcoindNode node) {
        try (BitcoinRpcClient client = new BitcoinRpcClient(config(node.rpcUrl(), BitcoinNetwork.REGTEST, BitcoindNode.RPC_PASSWORD))) {
            BitcoinRpcException e = assertThrows(BitcoinRpcException.class, () -> client.call("getblockheader", "00".repeat(32)));
            assertEquals(-5, e.rpcCode());
        }
    }

    @Test
    void wrongCredentialsAndADeadPortAreUnavailableNotCrashes(BitcoindNode node) {
        try (BitcoinRpcClient client = new BitcoinRpcClient(config(node.rpcUrl(), BitcoinNetwork.REGTEST, "wrong"))) {
            ChainUnavailableException e = assertThrows(ChainUnavailableException.class, client::info);
            assertTrue(e.getMessage().contains("refused the RPC credentials"), e.getMessage());
            assertTrue(!e.getMessage().contains("wrong"), "the password is not echoed");
        }
        URI dead = URI.create("http://127.0.0.1:" + Devnet.freePort());
        try (BitcoinRpcClient client = new BitcoinRpcClient(config(dead, BitcoinNetwork.REGTEST, "x"))) {
            ChainUnavailableException e = assertThrows(ChainUnavailableException.class, client::info);
            assertEquals("CHAIN_UNAVAILABLE", e.code());
        }
    }
    @Test
    void aBatchAndAHexAnswerReadAsTheNodeWroteThem(BitcoindNode node) {
        node.mine(3);
        try (BitcoinRpcClient client = new BitcoinRpcClient(config(node.rpcUrl(), BitcoinNetwork.REGTEST, BitcoindNode.RPC_PASSWORD))) {
            long tip = client.call("getblockcount").asLong();
            List<Object[]> heights = List.of(new Object[] {tip - 2}, new Object[] {tip - 1}, new Object[] {tip}, new Object[] {tip + 1});
            List<Object> answers = client.batch("getblockhash", heights);
            assertEquals(4, answers.size());
            for (int i = 0; i < 3; i++) {
                assertEquals(client.call("getblockhash", tip - 2 + i).asText(), ((JsonNode) answers.get(i)).asText());
            }
            assertEquals(-8, ((BitcoinRpcException) answers.get(3)).rpcCode(), "above the tip: the node's own error, in its place");

            String hash = client.call("getblockhash", tip).asText();
            assertArrayEquals(HexFormat.of().parseHex(client.call("getblock", hash, 0).asText()), client.callHex("getblock", hash, 0));
            BitcoinRpcException e = assertThrows(BitcoinRpcException.class, () -> client.callHex("getblock", "00".repeat(32), 0));
            assertEquals(-5, e.rpcCode());
        }
    }

    @Test
    void theBlockFeedHandsOutTheBestChainInOrderAndStopsAtItsTip(BitcoindNode node) {
        node.mine(40);
        try (BitcoinRpcClient client = new BitcoinRpcClient(config(node.rpcUrl(), BitcoinNetwork.REGTEST, BitcoindNode.RPC_PASSWORD))) {
            BitcoinChainSource source = new BitcoinChainSource(client, org.bitcoinj.base.BitcoinNetwork.REGTEST);
            long tip = source.tipHeight();
            long from = tip - 37;
            try (ChainSource.BlockFeed feed = source.blocks(from, tip + 5)) {
                for (long h = from; h <= tip; h++) {
                    BlockHeader got = feed.next();
                    assertEquals(source.header(h), got, "height " + h);
                }
                assertNull(feed.next(), "above the tip");
                assertNull(feed.next());
            }
            // Closed half way, with blocks fetched ahead: nothing is handed out after, and a new feed starts afresh.
            ChainSource.BlockFeed feed = source.blocks(from, tip);
            assertEquals(source.header(from), feed.next());
            feed.close();
            assertNull(feed.next());
            try (ChainSource.BlockFeed again = source.blocks(from + 1, from + 1)) {
                assertEquals(source.header(from + 1), again.next());
                assertNull(again.next(), "past the feed's last height");
            }
        }
    }
}
