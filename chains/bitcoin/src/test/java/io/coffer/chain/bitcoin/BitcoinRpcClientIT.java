package io.coffer.chain.bitcoin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.core.chain.ChainInfo;
import io.coffer.core.chain.ChainUnavailableException;
import io.coffer.core.config.BitcoinChainConfig;
import io.coffer.core.config.BitcoinNetwork;
import io.coffer.core.config.ConfigException;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.Devnet;
import io.coffer.testkit.WithDevnet;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Coffer's bitcoind client against a real {@code bitcoind -regtest}. */
@WithDevnet
class BitcoinRpcClientIT {

    private static BitcoinChainConfig config(URI url, BitcoinNetwork network, String password) {
        return new BitcoinChainConfig("bitcoin", network, url, BitcoindNode.RPC_USER, password, null, 1, 6, Duration.ofSeconds(2));
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
}
