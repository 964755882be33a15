package io.coffer.chain.evm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.core.chain.ChainInfo;
import io.coffer.core.chain.ChainUnavailableException;
import io.coffer.core.config.ConfigException;
import io.coffer.core.config.EvmChainConfig;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.Devnet;
import io.coffer.testkit.WithDevnet;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Coffer's web3j client against a real anvil. */
@WithDevnet
class EvmRpcClientIT {

    private static EvmChainConfig config(URI url, long chainId) {
        return new EvmChainConfig("ethereum", chainId, url, 12, 64, Duration.ofSeconds(2), "ETH", 18, true, List.of());
    }

    @Test
    void readsChainIdAndTipAsTheNodeMovesIt(AnvilNode anvil) {
        try (EvmRpcClient client = new EvmRpcClient(config(anvil.rpcUrl(), AnvilNode.CHAIN_ID))) {
            ChainInfo before = client.info();
            assertEquals("31337", before.network());
            assertEquals(anvil.blockNumber(), before.tipHeight());
            assertTrue(before.tipHash().matches("0x[0-9a-f]{64}"), before.tipHash());

            anvil.mine(3);
            ChainInfo after = client.info();
            assertEquals(before.tipHeight() + 3, after.tipHeight());
            assertEquals(anvil.rpc("eth_getBlockByNumber", "latest", false).get("hash").asText(), after.tipHash());

            // anvil_reorg replaces the last blocks: same height, another hash.
            anvil.rpc("anvil_reorg", 2, List.of());
            ChainInfo reorged = client.info();
            assertEquals(after.tipHeight(), reorged.tipHeight());
            assertNotEquals(after.tipHash(), reorged.tipHash());

            ConfigException wrongChain = assertThrows(ConfigException.class,
                    () -> reorged.requireMatches(config(anvil.rpcUrl(), 1), "coffer.chains.1"));
            assertEquals("coffer.chains.1.chain-id", wrongChain.field());
        }
    }

    @Test
    void aDeadPortIsUnavailable() {
        URI dead = URI.create("http://127.0.0.1:" + Devnet.freePort());
        try (EvmRpcClient client = new EvmRpcClient("ethereum", dead, Duration.ofSeconds(2))) {
            ChainUnavailableException e = assertThrows(ChainUnavailableException.class, client::info);
            assertEquals("CHAIN_UNAVAILABLE", e.code());
        }
    }
}
