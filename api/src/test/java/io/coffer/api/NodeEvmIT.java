package io.coffer.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.coffer.core.chain.DepositStatus;
import io.coffer.core.transfer.Withdrawal;
import io.coffer.core.transfer.WithdrawalStatus;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.WithDevnet;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node follows anvil by itself: an ETH deposit confirms, a withdrawal from the hot address confirms. */
@WithDevnet
class NodeEvmIT {
    @TempDir
    Path dir;

    private static void await(BooleanSupplier condition, java.util.function.Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what.get());
            }
            Thread.sleep(100);
        }
    }

    private static BigInteger balance(AnvilNode anvil, String address) {
        return new BigInteger(anvil.rpc("eth_getBalance", address, "latest").asText().substring(2), 16);
    }

    @Test
    void depositAndWithdrawal(BitcoindNode btc, AnvilNode anvil) throws Exception {
        Path file = dir.resolve("coffer.yaml");
        Files.writeString(file, NodeIT.yaml(dir.resolve("data"), btc.rpcUrl(), anvil.rpcUrl(), "")
                .replace("    data-dir: " + dir.resolve("data"), "    data-dir: " + dir.resolve("data") + "\n    dev-mode: true")
                .replace("      chain-id: 31337", "      chain-id: 31337\n      confirmations: 2\n      poll-interval: 200ms\n"
                        + "      sweep-threshold: 1000000000000000"));
        try (CofferNode node = CofferNode.start(NodeConfiguration.load(file, Map.of()))) {
            NodeParts.EvmParts eth = NodeParts.evm(node, "ethereum").orElseThrow();
            String deposit = eth.addresses().next(0, 0).address();
            String tx = anvil.send(deposit, BigInteger.TEN.pow(17));
            anvil.mine(1);
            await(() -> eth.follower().events(0, 10).stream().anyMatch(e -> e.deposit().id().txid().equals(tx)
                    && e.deposit().status() == DepositStatus.CONFIRMED), () -> "the ETH deposit confirmed: events "
                    + eth.follower().events(0, 10) + ", cursor " + eth.follower().cursor() + ", tip " + anvil.blockNumber());

            // The sweep policy (0.001 ETH) moves the deposit to the hot address by itself.
            String hot = eth.withdrawals().hotAddress(0);
            await(() -> {
                anvil.mine(1);
                return balance(anvil, deposit).compareTo(BigInteger.TEN.pow(15)) < 0 && balance(anvil, hot).signum() > 0;
            }, () -> "the deposit swept to the hot address");
            anvil.send(hot, BigInteger.TEN.pow(18));
            Withdrawal w = eth.withdrawals().create(0, "ethereum/ETH", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
                    BigInteger.valueOf(123_456_789), "node-evm-1");
            anvil.mine(2);
            await(() -> eth.withdrawals().get(w.id()).orElseThrow().status() == WithdrawalStatus.CONFIRMED, () -> "the withdrawal confirmed");
            assertEquals(w.txid(), eth.withdrawals().get(w.id()).orElseThrow().txid());
        }
    }
}
