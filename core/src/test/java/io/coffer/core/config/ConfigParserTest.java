package io.coffer.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigParserTest {

    private static Map<String, String> valid() {
        Map<String, String> m = new HashMap<>();
        m.put("coffer.node.data-dir", "/var/lib/coffer");
        m.put("coffer.chains.0.name", "bitcoin");
        m.put("coffer.chains.0.kind", "bitcoin");
        m.put("coffer.chains.0.network", "regtest");
        m.put("coffer.chains.0.rpc-url", "http://127.0.0.1:18443");
        m.put("coffer.chains.0.rpc-user", "u");
        m.put("coffer.chains.0.rpc-password", "hunter2");
        m.put("coffer.chains.1.name", "ethereum");
        m.put("coffer.chains.1.kind", "evm");
        m.put("coffer.chains.1.chain-id", "31337");
        m.put("coffer.chains.1.rpc-url", "http://127.0.0.1:8545");
        m.put("coffer.chains.1.confirmations", "3");
        m.put("coffer.chains.1.tokens.0.symbol", "USDC");
        m.put("coffer.chains.1.tokens.0.contract", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
        m.put("coffer.chains.1.tokens.0.decimals", "6");
        return m;
    }

    @Test
    void aFullConfigParsesWithDefaults() {
        CofferConfig c = ConfigParser.parse(valid(), Map.of());
        assertEquals(Path.of("/var/lib/coffer"), c.node().dataDir());
        assertFalse(c.node().devMode());
        BitcoinChainConfig btc = c.bitcoin().orElseThrow();
        assertEquals(BitcoinNetwork.REGTEST, btc.network());
        assertEquals(1, btc.confirmations());
        assertEquals(6, btc.reorgSafetyDepth());
        assertEquals(Duration.ofSeconds(2), btc.pollInterval());
        assertFalse(btc.toString().contains("hunter2"), "the RPC password is never printed");
        EvmChainConfig eth = c.evmChains().get(0);
        assertEquals(31337, eth.chainId());
        assertEquals(3, eth.confirmations());
        assertEquals(64, eth.reorgSafetyDepth());
        assertEquals("ETH", eth.nativeSymbol());
        assertTrue(eth.eip1559());
        assertEquals("USDC", eth.tokens().get(0).symbol());
        assertEquals(6, eth.tokens().get(0).decimals());
        assertEquals(Duration.ofHours(25), c.webhooks().giveUpAfter(), "webhooks retried for more than a day");
        assertEquals(Duration.ofSeconds(10), c.webhooks().retryInitial());
        assertEquals(Duration.ofHours(1), c.webhooks().retryMax());
        assertFalse(c.webhooks().allowPrivateTargets(), "no webhook into the node's own network unless allowed");
        assertEquals(Duration.ofHours(24), c.allowlistDelay());
        assertEquals(java.util.Optional.empty(), c.checkout().publicUrl(), "links from the listener's own address");
        assertEquals(Duration.ofMinutes(10), c.checkout().streamLimit());
        assertEquals(java.util.Optional.empty(), c.backups(), "no scheduled backups unless asked for");
    }

    @Test
    void scheduledBackupsNeedADirectoryAndAPassphraseFile() {
        Map<String, String> m = valid();
        m.put("coffer.backup.directory", "/var/backups/coffer");
        m.put("coffer.backup.passphrase-file", "/etc/coffer/backup.pass");
        m.put("coffer.backup.every", "6h");
        BackupSchedule b = ConfigParser.parse(m, Map.of()).backups().orElseThrow();
        assertEquals(java.nio.file.Path.of("/var/backups/coffer"), b.directory());
        assertEquals(Duration.ofHours(6), b.every());
        assertEquals(7, b.keep());
        assertEquals(java.nio.file.Path.of("/etc/coffer/backup.pass"), b.passphraseFile());
        m.remove("coffer.backup.passphrase-file");
        assertEquals("coffer.backup.passphrase-file", fail(m, Map.of()).field());
        Map<String, String> orphan = valid();
        orphan.put("coffer.backup.keep", "3");
        assertTrue(fail(orphan, Map.of()).getMessage().contains("needs coffer.backup.directory"));
    }

    @Test
    void environmentOverridesAndExtendsTheFile() {
        Map<String, String> env = Map.of(
                "COFFER_CHAINS_1_RPC_URL", "https://rpc.example:443",
                "COFFER_NODE_DEV_MODE", "true",
                "COFFER_CHAINS_2_NAME", "ethereum-two",
                "COFFER_CHAINS_2_KIND", "evm",
                "COFFER_CHAINS_2_CHAIN_ID", "1337",
                "COFFER_CHAINS_2_RPC_URL", "http://127.0.0.1:9545",
                "UNRELATED", "x");
        CofferConfig c = ConfigParser.parse(valid(), env);
        assertEquals(URI.create("https://rpc.example:443"), c.evmChains().get(0).rpcUrl());
        assertTrue(c.node().devMode());
        assertEquals(1337, c.evmChains().get(1).chainId());
    }

    @Test
    void everyBadValueNamesItsKey() {
        assertBad("coffer.chains.1.rpc-url", "ftp://host", "http:// or https://");
        assertBad("coffer.chains.1.rpc-url", "http://user:pw@host:1", "credentials");
        assertBad("coffer.chains.1.confirmations", "-1", "between 0 and 1000");
        assertBad("coffer.node.dev-clock-offset", "1d", "only with coffer.node.dev-mode");
        assertBad("coffer.reconciliation.every-blocks", "0", "between 1 and 10000");
        assertBad("coffer.reconciliation.pause-transfers", "maybe", "true or false");
        assertBad("coffer.alerts.webhook-url", "ftp://x", "an http(s) URL");
        assertBad("coffer.operators.quorum", "11", "between 1 and 10");
        assertBad("coffer.chains.1.confirmations", "many", "whole number");
        assertBad("coffer.chains.1.chain-id", "0", "between 1");
        assertBad("coffer.chains.1.reorg-safety-depth", "2", "between 3");
        assertBad("coffer.chains.1.poll-interval", "11m", "100ms and 10m");
        assertBad("coffer.chains.1.poll-interval", "50ms", "100ms and 10m");
        assertBad("coffer.chains.1.poll-interval", "soon", "duration");
        assertBad("coffer.chains.0.network", "mainnet", "main, test");
        assertBad("coffer.chains.0.kind", "solana", "'bitcoin' or 'evm'");
        assertBad("coffer.chains.0.name", "Bitcoin", "[a-z]");
        assertBad("coffer.chains.1.name", "bitcoin", "used twice");
        assertBad("coffer.chains.1.tokens.0.contract", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", "checksum");
        assertBad("coffer.chains.1.tokens.0.decimals", "37", "between 0 and 36");
        assertBad("coffer.chains.1.tokens.0.symbol", "usdc", "capital letters");
        assertBad("coffer.chains.1.tokens.0.symbol", "ETH", "used twice");
        assertBad("coffer.node.dev-mode", "yes", "true or false");
        assertBad("coffer.chains.0.zmq-endpoint", "http://127.0.0.1:28332", "tcp://host:port");
        assertBad("coffer.chains.1.ws-url", "http://127.0.0.1:8545", "ws:// or wss://");
        assertBad("coffer.chains.1.ws-url", "ws://user:secret@127.0.0.1:8545", "must not carry credentials");
        assertBad("coffer.chains.0.address-gap", "0", "between 1 and 10000");
        assertBad("coffer.chains.1.sweep-threshold", "-5", "whole number of base units");
        assertBad("coffer.chains.1.tokens.0.sweep-threshold", "1e6", "whole number of base units");
        assertBad("coffer.chains.0.fee-max-sat-per-vb", "1", "between 2");
        assertBad("coffer.chains.1.eip1559", "maybe", "true or false");
        assertBad("coffer.webhooks.give-up-after", "31d", "1s and 30d");
        assertBad("coffer.webhooks.retry-max", "10ms", "between");
        assertBad("coffer.webhooks.timeout", "2m", "100ms and 1m");
        assertBad("coffer.webhooks.allow-private-targets", "sometimes", "true or false");
        assertBad("coffer.transfers.allowlist-delay", "31d", "0s and 30d");
        assertBad("coffer.transfers.allowlist-delay", "later", "duration");
        assertBad("coffer.checkout.stream-limit", "5s", "10s and 1h");
        assertBad("coffer.checkout.stream-limit", "2h", "10s and 1h");
    }

    @Test
    void missingAndUnknownKeysAreNamed() {
        Map<String, String> m = valid();
        m.remove("coffer.chains.0.rpc-password");
        assertEquals("coffer.chains.0.rpc-password", fail(m, Map.of()).field());

        m = valid();
        m.put("coffer.chains.0.confirmation", "2");
        ConfigException e = fail(m, Map.of());
        assertEquals("coffer.chains.0.confirmation", e.field());
        assertTrue(e.getMessage().contains("unknown key"));

        m = valid();
        m.remove("coffer.chains.1.chain-id");
        e = fail(m, Map.of());
        assertEquals("coffer.chains.1.chain-id", e.field());
        assertTrue(e.getMessage().contains("COFFER_CHAINS_1_CHAIN_ID"), "says which variable would set it");

        m = valid();
        m.put("coffer.chains.3.name", "gap");
        assertEquals("coffer.chains.2", fail(m, Map.of()).field());

        assertEquals("coffer.chains", fail(Map.of("coffer.node.data-dir", "x"), Map.of()).field());
    }

    @Test
    void onlyOneBitcoinAndUniqueChainIds() {
        Map<String, String> m = valid();
        m.put("coffer.chains.2.name", "bitcoin-two");
        m.put("coffer.chains.2.kind", "bitcoin");
        m.put("coffer.chains.2.network", "regtest");
        m.put("coffer.chains.2.rpc-url", "http://127.0.0.1:1");
        m.put("coffer.chains.2.rpc-cookie-file", "/tmp/.cookie");
        assertEquals("coffer.chains.2.kind", fail(m, Map.of()).field());

        m = valid();
        m.put("coffer.chains.2.name", "evm-two");
        m.put("coffer.chains.2.kind", "evm");
        m.put("coffer.chains.2.chain-id", "31337");
        m.put("coffer.chains.2.rpc-url", "http://127.0.0.1:1");
        assertEquals("coffer.chains.2.chain-id", fail(m, Map.of()).field());
    }

    @Test
    void devModeIsRefusedOnARealNetwork() {
        Map<String, String> m = valid();
        m.put("coffer.chains.0.network", "main");
        m.put("coffer.node.dev-mode", "true");
        ConfigException e = fail(m, Map.of());
        assertEquals("coffer.node.dev-mode", e.field());
        assertTrue(e.getMessage().contains("'bitcoin' is not"), e.getMessage());
    }

    @Test
    void cookieAndPasswordAreExclusive() {
        Map<String, String> m = valid();
        m.put("coffer.chains.0.rpc-cookie-file", "/x/.cookie");
        assertEquals("coffer.chains.0.rpc-cookie-file", fail(m, Map.of()).field());
        m.remove("coffer.chains.0.rpc-user");
        m.remove("coffer.chains.0.rpc-password");
        assertEquals(Path.of("/x/.cookie"), ConfigParser.parse(m, Map.of()).bitcoin().orElseThrow().rpcCookieFile());
    }

    private static void assertBad(String key, String value, String messagePart) {
        Map<String, String> m = valid();
        m.put(key, value);
        ConfigException e = fail(m, Map.of());
        assertEquals(key, e.field(), e.getMessage());
        assertTrue(e.getMessage().startsWith("config " + key + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(messagePart), e.getMessage());
        // The same value from the environment fails the same way.
        Map<String, String> m2 = valid();
        ConfigException fromEnv = fail(m2, Map.of(ConfigParser.envName(key), value));
        assertEquals(key, fromEnv.field());
    }

    private static ConfigException fail(Map<String, String> file, Map<String, String> env) {
        return assertThrows(ConfigException.class, () -> ConfigParser.parse(file, env));
    }
}
