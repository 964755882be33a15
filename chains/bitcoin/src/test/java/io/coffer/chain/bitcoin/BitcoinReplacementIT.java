package io.coffer.chain.bitcoin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.coffer.core.CofferSchema;
import io.coffer.core.chain.AddressBook;
import io.coffer.core.chain.ChainFollower;
import io.coffer.core.chain.DepositId;
import io.coffer.core.chain.DepositStatus;
import io.coffer.core.custody.AccountScheme;
import io.coffer.core.audit.AuditLog;
import io.coffer.core.custody.Ceremony;
import io.coffer.core.custody.SeedFile;
import io.coffer.core.custody.Vault;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.WithDevnet;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bitcoinj.base.BitcoinNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 0-conf deposits that are replaced (RBF) or double-spent never reach confirmed, on a real bitcoind. */
@WithDevnet
class BitcoinReplacementIT {
    @TempDir
    Path dir;
    BitcoindNode node;
    Store store;
    AddressBook book;
    ChainFollower follower;

    @BeforeEach
    void setUp(BitcoindNode node) {
        this.node = node;
        if (node.height() < 150) {
            node.mine(150); // fifty mature coinbases: each test spends its own
        }
        store = LevelDbStore.open(dir, CofferSchema.current());
        AuditLog audit = new AuditLog(store, Clock.systemUTC());
        new Ceremony(store, dir, audit, new SecureRandom(), Clock.systemUTC())
                .init(new Ceremony.Split(1, 1, new char[0], null, new SeedFile.KdfParams(10, 8, 1)), "test");
        BitcoinChainSource source = new BitcoinChainSource(new BitcoinRpcClient("bitcoin", node.rpcUrl(), BitcoindNode.RPC_USER,
                BitcoindNode.RPC_PASSWORD, null, Duration.ofSeconds(30)), BitcoinNetwork.REGTEST);
        book = new AddressBook(store, "bitcoin", AccountScheme.BIP84_TEST, new Vault(store, dir, audit).publicKeys(),
                BitcoinAddresses.p2wpkh(BitcoinNetwork.REGTEST), 20);
        book.watchAccount(0);
        follower = new ChainFollower(store, source, book, 1, 3, Clock.systemUTC());
        follower.poll();
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private String payReplaceable(String address, long sats) {
        // sendtoaddress address amount comment comment_to subtractfee replaceable
        return node.minerWallet("sendtoaddress", address, new BigDecimal(sats).movePointLeft(8).toPlainString(), "", "", false, true).asText();
    }

    @Test
    void anRbfReplacementReplacesTheFirstDepositAndCountsOnce() {
        String address = book.next(0, 0).address();
        String first = payReplaceable(address, 40_000);
        DepositId firstId = new DepositId(first, vout(first, address));
        follower.poll();
        assertEquals(DepositStatus.SEEN, follower.deposit(firstId).orElseThrow().status());

        String second = node.minerWallet("bumpfee", first).get("txid").asText();
        DepositId secondId = new DepositId(second, vout(second, address));
        follower.poll();
        assertEquals(DepositStatus.REPLACED, follower.deposit(firstId).orElseThrow().status());
        assertEquals(DepositStatus.SEEN, follower.deposit(secondId).orElseThrow().status());
        node.mine(2);
        follower.poll();
        assertEquals(DepositStatus.CONFIRMED, follower.deposit(secondId).orElseThrow().status());
        assertEquals(DepositStatus.REPLACED, follower.deposit(firstId).orElseThrow().status());
        assertEquals(new ChainFollower.Balance(BigInteger.valueOf(40_000), BigInteger.ZERO), follower.balance(0), "counted once");
    }

    @Test
    void aDoubleSpentZeroConfDepositNeverCounts() {
        String address = book.next(0, 0).address();
        String pay = payReplaceable(address, 60_000);
        int vout = vout(pay, address);
        follower.poll();
        assertEquals(new ChainFollower.Balance(BigInteger.ZERO, BigInteger.valueOf(60_000)), follower.balance(0));

        doubleSpend(pay);
        follower.poll();
        assertEquals(DepositStatus.REPLACED, follower.deposit(new DepositId(pay, vout)).orElseThrow().status());
        node.mine(3);
        follower.poll();
        assertEquals(DepositStatus.REPLACED, follower.deposit(new DepositId(pay, vout)).orElseThrow().status());
        assertEquals(new ChainFollower.Balance(BigInteger.ZERO, BigInteger.ZERO), follower.balance(0));
    }

    @Test
    void aDoubleSpendWhileTheNodeIsDownIsRecognisedAfterTheRestart() {
        String address = book.next(0, 0).address();
        String pay = payReplaceable(address, 70_000);
        int vout = vout(pay, address);
        follower.poll();
        doubleSpend(pay);
        node.mine(1);
        // A restart: new source (empty caches) and follower; the deposit's recorded inputs tell the conflict.
        BitcoinChainSource fresh = new BitcoinChainSource(new BitcoinRpcClient("bitcoin", node.rpcUrl(), BitcoindNode.RPC_USER,
                BitcoindNode.RPC_PASSWORD, null, Duration.ofSeconds(30)), BitcoinNetwork.REGTEST);
        ChainFollower restarted = new ChainFollower(store, fresh, book, 1, 3, Clock.systemUTC());
        restarted.poll();
        assertEquals(DepositStatus.REPLACED, restarted.deposit(new DepositId(pay, vout)).orElseThrow().status());
        assertEquals(new ChainFollower.Balance(BigInteger.ZERO, BigInteger.ZERO), restarted.balance(0));
    }

    @Test
    void aDepositReorgedOutAndThenDoubleSpentIsDropped() {
        String address = book.next(0, 0).address();
        String pay = payReplaceable(address, 80_000);
        int vout = vout(pay, address);
        node.mine(1);
        follower.poll();
        assertEquals(DepositStatus.CONFIRMED, follower.deposit(new DepositId(pay, vout)).orElseThrow().status());
        // The block is reorged out; the payment returns to the mempool and is double-spent there.
        node.rpc("invalidateblock", node.bestBlockHash());
        doubleSpend(pay);
        node.mine(2);
        follower.poll();
        follower.poll();
        assertEquals(DepositStatus.REPLACED, follower.deposit(new DepositId(pay, vout)).orElseThrow().status());
        assertEquals(new ChainFollower.Balance(BigInteger.ZERO, BigInteger.ZERO), follower.balance(0), "dropped, not credited");
    }

    /** The payer spends the same inputs back to itself with a higher fee. */
    private void doubleSpend(String pay) {
        JsonNode tx = node.rpc("getrawtransaction", pay, true);
        BigDecimal total = BigDecimal.ZERO;
        List<Map<String, Object>> inputs = new java.util.ArrayList<>();
        for (JsonNode in : tx.get("vin")) {
            inputs.add(Map.of("txid", in.get("txid").asText(), "vout", in.get("vout").asInt()));
            total = total.add(new BigDecimal(node.rpc("gettxout", in.get("txid").asText(), in.get("vout").asInt(), false).get("value").asText()));
        }
        Map<String, Object> outputs = new LinkedHashMap<>();
        outputs.put(node.minerWallet("getnewaddress").asText(), total.subtract(new BigDecimal("0.001")).toPlainString());
        String raw = node.rpc("createrawtransaction", inputs, outputs).asText();
        String signed = node.minerWallet("signrawtransactionwithwallet", raw).get("hex").asText();
        node.rpc("sendrawtransaction", signed);
    }

    private int vout(String txid, String address) {
        for (JsonNode o : node.rpc("getrawtransaction", txid, true).get("vout")) {
            if (address.equals(o.path("scriptPubKey").path("address").asText())) {
                return o.get("n").asInt();
            }
        }
        throw new AssertionError("no output to " + address);
    }
}
