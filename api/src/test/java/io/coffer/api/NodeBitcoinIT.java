package io.coffer.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.core.chain.DepositStatus;
import io.coffer.core.transfer.Withdrawal;
import io.coffer.core.transfer.WithdrawalStatus;
import io.coffer.proto.v1.AdminGrpc;
import io.coffer.proto.v1.ChainStatus;
import io.coffer.proto.v1.GetChainsStatusRequest;
import io.coffer.proto.v1.RescanProgress;
import io.coffer.proto.v1.RescanRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.WithDevnet;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node follows bitcoind by itself: deposits, a withdrawal, chain status over gRPC, a restart. */
@WithDevnet
class NodeBitcoinIT {
    @TempDir
    Path dir;

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    @Test
    void depositWithdrawalAndChainStatus(BitcoindNode btc, AnvilNode anvil) throws Exception {
        if (btc.height() < 110) {
            btc.mine(110);
        }
        Path file = dir.resolve("coffer.yaml");
        Files.writeString(file, NodeIT.yaml(dir.resolve("data"), btc.rpcUrl(), anvil.rpcUrl(), "")
                .replace("    data-dir: " + dir.resolve("data"), "    data-dir: " + dir.resolve("data") + "\n    dev-mode: true")
                .replace("      rpc-password: " + BitcoindNode.RPC_PASSWORD, "      rpc-password: " + BitcoindNode.RPC_PASSWORD
                        + "\n      poll-interval: 200ms"));
        String address;
        try (CofferNode node = CofferNode.start(NodeConfiguration.load(file, Map.of()))) {
            NodeParts.BitcoinParts bitcoin = NodeParts.bitcoin(node).orElseThrow();
            address = bitcoin.addresses().next(0, 0).address();
            String txid = btc.minerWallet("sendtoaddress", address, "0.25").asText();
            await(() -> bitcoin.follower().events(0, 10).stream().anyMatch(e -> e.deposit().id().txid().equals(txid)), "the deposit seen");
            btc.mine(1);
            await(() -> bitcoin.withdrawals().balance(0).confirmed().equals(BigInteger.valueOf(25_000_000)), "the deposit confirmed");

            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            try {
                Metadata auth = new Metadata();
                auth.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
                        "Bearer " + Files.readString(dir.resolve("data/operator.token")).trim());
                var chains = AdminGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth))
                        .getChainsStatus(GetChainsStatusRequest.getDefaultInstance()).getChainsList();
                ChainStatus bitcoinStatus = chains.stream().filter(c -> c.getChain().equals("bitcoin")).findFirst().orElseThrow();
                assertTrue(bitcoinStatus.getConnected());
                assertEquals("regtest", bitcoinStatus.getNetwork());
                assertEquals(btc.height(), bitcoinStatus.getTipHeight());
                assertTrue(bitcoinStatus.getProcessedHeight() >= btc.height() - 1, bitcoinStatus.toString());
                assertTrue(bitcoinStatus.hasLastBlockAt() && java.time.Instant.ofEpochSecond(bitcoinStatus.getLastBlockAt().getSeconds())
                        .isAfter(java.time.Instant.now().minusSeconds(600)), "the tip as first seen by this node: " + bitcoinStatus);
                assertTrue(chains.stream().anyMatch(c -> c.getChain().equals("ethereum") && c.getConnected()));

                // Rescan streams progress and ends with done; bad requests name the field.
                var admin = AdminGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth));
                java.util.List<RescanProgress> progress = new java.util.ArrayList<>();
                admin.rescan(RescanRequest.newBuilder().setChain("bitcoin").setFromHeight(btc.height() - 5).build())
                        .forEachRemaining(progress::add);
                assertTrue(progress.get(progress.size() - 1).getDone(), progress.toString());
                var blocks = progress.get(progress.size() - 1).getProgress();
                assertEquals("blocks", blocks.getUnit());
                assertEquals(6, blocks.getTotal(), "from tip-5 to the tip: " + blocks);
                assertEquals(blocks.getTotal(), blocks.getDone(), blocks.toString());
                assertEquals(1, progress.get(progress.size() - 1).getDepositsFound(), "the same deposit, not a second one");
                StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class, () -> admin.rescan(
                        RescanRequest.newBuilder().setChain("dogecoin").build()).hasNext());
                assertEquals(Status.Code.INVALID_ARGUMENT, unknown.getStatus().getCode());
                StatusRuntimeException tooHigh = assertThrows(StatusRuntimeException.class, () -> admin.rescan(
                        RescanRequest.newBuilder().setChain("bitcoin").setFromHeight(btc.height() + 100).build()).hasNext());
                assertTrue(tooHigh.getStatus().getDescription().contains("from_height"), tooHigh.getStatus().toString());
            } finally {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }

            String payee = btc.minerWallet("getnewaddress").asText();
            // regtest has no fee estimate: the configured fallback (2 sat/vB) is used, within the floor..max bounds.
            io.coffer.core.transfer.FeeRate rate = bitcoin.fees().estimate(io.coffer.core.transfer.FeePriority.NORMAL);
            assertEquals(io.coffer.core.transfer.FeeRate.satPerVbyte(2), rate);
            Withdrawal w = bitcoin.withdrawals().create(0, payee, BigInteger.valueOf(5_000_000), rate, "node-it-1");
            assertEquals(WithdrawalStatus.BROADCAST, w.status());
            btc.mine(1);
            await(() -> bitcoin.withdrawals().get(w.id()).orElseThrow().status() == WithdrawalStatus.CONFIRMED, "the withdrawal confirmed");
            var history = node.accounts().history(0, java.time.Instant.MIN, java.time.Instant.MAX, "", java.util.Optional.empty(), 10).items();
            assertEquals(2, history.size(), "one deposit and one withdrawal; the change is not income: " + history);
            assertEquals(w.id(), history.get(0).id());
            assertEquals(w.fee(), history.get(0).fee());
            assertTrue(history.get(1).incoming());
        }
        // A restart picks up where it left off: nothing lost, nothing repeated.
        try (CofferNode again = CofferNode.start(NodeConfiguration.load(file, Map.of()))) {
            NodeParts.BitcoinParts bitcoin = NodeParts.bitcoin(again).orElseThrow();
            btc.mine(6); // past the default reorg-safety depth of 6
            await(() -> bitcoin.follower().events(0, 100).stream().anyMatch(e -> e.deposit().status() == DepositStatus.FINAL),
                    "the deposit final after the restart");
            assertTrue(bitcoin.withdrawals().balance(0).confirmed().compareTo(BigInteger.valueOf(19_000_000)) > 0);
        }
    }
}
