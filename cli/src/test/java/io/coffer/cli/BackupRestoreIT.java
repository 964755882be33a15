package io.coffer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.api.CofferNode;
import io.coffer.api.NodeConfiguration;
import io.coffer.proto.v1.AdminGrpc;
import io.coffer.proto.v1.CreateApiKeyRequest;
import io.coffer.proto.v1.CreateDepositAddressRequest;
import io.coffer.proto.v1.CreatePaymentRequestRequest;
import io.coffer.proto.v1.CreateTenantRequest;
import io.coffer.proto.v1.CreateTransferRequest;
import io.coffer.proto.v1.GetBalanceRequest;
import io.coffer.proto.v1.GetPaymentRequestRequest;
import io.coffer.proto.v1.ListEventsRequest;
import io.coffer.proto.v1.PaymentsGrpc;
import io.coffer.proto.v1.Scope;
import io.coffer.proto.v1.Transfer;
import io.coffer.proto.v1.TransfersGrpc;
import io.coffer.proto.v1.WalletGrpc;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.Devnet;
import io.coffer.testkit.WithDevnet;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backup of a node under load through the CLI, then restore into a new directory and a node started on it: everything the backup
 * acknowledged is there (requests, their events with the same ids, a transfer on each chain), the balances equal the chain's on
 * Bitcoin and on the EVM chain although a transfer on each was made after the backup (the restored follower finds their spends),
 * and those transfers, retried with their idempotency keys, are refused instead of paid a second time, until an operator
 * releases the node.
 */
@WithDevnet
class BackupRestoreIT {
    @TempDir
    Path dir;

    private static Metadata bearer(String secret) {
        Metadata m = new Metadata();
        m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + secret);
        return m;
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "waited 60 s for: " + what);
            Thread.sleep(100);
        }
    }

    private static List<io.coffer.proto.v1.Event> allEvents(io.coffer.proto.v1.EventsGrpc.EventsBlockingStub events) {
        List<io.coffer.proto.v1.Event> all = new ArrayList<>();
        while (true) {
            var page = events.listEvents(ListEventsRequest.newBuilder().setAfterSequence(all.isEmpty() ? 0
                    : all.get(all.size() - 1).getSequence()).setLimit(500).build()).getEventsList();
            if (page.isEmpty()) {
                return all;
            }
            all.addAll(page);
        }
    }

    private Path config(BitcoindNode btc, AnvilNode anvil, Path data) throws Exception {
        Path file = dir.resolve(data.getFileName() + ".yaml");
        Files.writeString(file, Devnet.nodeYaml(data, btc.rpcUrl(), anvil.rpcUrl(), true).replace(
                "      rpc-password: " + BitcoindNode.RPC_PASSWORD, "      rpc-password: " + BitcoindNode.RPC_PASSWORD + "\n      poll-interval: 200ms")
                .replace("      chain-id: 31337\n", "      chain-id: 31337\n      confirmations: 1\n      poll-interval: 200ms\n"
                        + "      sweep-threshold: 1000000000000000\n"));
        return file;
    }

    private static java.math.BigInteger ethBalance(AnvilNode anvil, String address) {
        return new java.math.BigInteger(anvil.rpc("eth_getBalance", address, "latest").asText().substring(2), 16);
    }

    @Test
    void aBackupUnderLoadRestoresEverythingItAcknowledgedAndNothingIsPaidTwice(BitcoindNode btc, AnvilNode anvil) throws Exception {
        if (btc.height() < 110) {
            btc.mine(110);
        }
        Path dataA = dir.resolve("node-a");
        Path dataB = dir.resolve("node-b");
        Path backup = dir.resolve("coffer.backup");
        Path pass = dir.resolve("backup.pass");
        Files.writeString(pass, "a long backup passphrase\n");
        List<String> before = new ArrayList<>();
        List<String> acknowledged = new CopyOnWriteArrayList<>();
        Map<String, String> createdEvents = new java.util.HashMap<>();
        String apiKey;
        String tenant;
        String t1;
        String payee = btc.minerWallet("getnewaddress").asText();
        String[] balanceAfter = new String[1];
        String[] t2txid = new String[1];
        String[] ethAfter = new String[1];
        String[] e2txid = new String[1];
        String e1;
        byte[] r = new byte[20];
        new java.security.SecureRandom().nextBytes(r);
        String ethPayee = "0x" + java.util.HexFormat.of().formatHex(r);
        // Node A also takes scheduled backups (hourly: none within this test); its age is a metric from the start.
        Path configA = config(btc, anvil, dataA);
        Files.writeString(configA, Files.readString(configA) + "  backup:\n    directory: " + dir.resolve("scheduled")
                + "\n    passphrase-file: " + pass + "\n    every: 1h\n");
        try (CofferNode node = CofferNode.start(NodeConfiguration.load(configA, Map.of()))) {
            String addr = "127.0.0.1:" + node.port();
            java.net.http.HttpResponse<String> metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://" + addr + "/observe/metrics")).header("accept", "text/plain").build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertTrue(metrics.body().lines().anyMatch(l -> l.matches("coffer_backup_age_seconds(\\{[^}]*\\})? [0-9.]+(E[0-9]+)?")),
                    "the age of the last good backup, for alerts: " + metrics.body().lines().filter(l -> l.contains("backup")).toList());
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            try {
                var admin = AdminGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(
                        bearer(Files.readString(dataA.resolve("operator.token")).trim())));
                tenant = admin.createTenant(CreateTenantRequest.newBuilder().setName("Tea House").build()).getId();
                apiKey = admin.createApiKey(CreateApiKeyRequest.newBuilder().setTenantId(tenant).addScopes(Scope.SCOPE_READ)
                        .addScopes(Scope.SCOPE_PAYMENTS).addScopes(Scope.SCOPE_TRANSFERS).build()).getSecret();
                var auth = MetadataUtils.newAttachHeadersInterceptor(bearer(apiKey));
                var payments = PaymentsGrpc.newBlockingStub(ch).withInterceptors(auth);
                var wallet = WalletGrpc.newBlockingStub(ch).withInterceptors(auth);
                var transfers = TransfersGrpc.newBlockingStub(ch).withInterceptors(auth);

                // Funds for the transfers: two coins of 0.5 BTC to the tenant (one per transfer: a change output is not spendable
                // before it confirms), confirmed.
                for (int i = 0; i < 2; i++) {
                    btc.minerWallet("sendtoaddress", wallet.createDepositAddress(CreateDepositAddressRequest.newBuilder()
                            .setAsset("bitcoin/BTC").build()).getAddress(), "0.5");
                }
                btc.mine(1);
                await("the deposits confirmed", () -> wallet.getBalance(GetBalanceRequest.newBuilder().setAsset("bitcoin/BTC").build())
                        .getConfirmed().equals("100000000"));
                // And 1 ETH, swept to the tenant's hot address (where EVM transfers leave from).
                String ethDeposit = wallet.createDepositAddress(CreateDepositAddressRequest.newBuilder().setAsset("ethereum/ETH").build())
                        .getAddress();
                anvil.send(ethDeposit, java.math.BigInteger.TEN.pow(18));
                await("the ETH deposit swept to the hot address", () -> {
                    anvil.mine(1);
                    var b = wallet.getBalance(GetBalanceRequest.newBuilder().setAsset("ethereum/ETH").build());
                    return ethBalance(anvil, ethDeposit).compareTo(java.math.BigInteger.TEN.pow(15)) < 0 && b.getPendingOutgoing().equals("0")
                            && !b.getConfirmed().equals("0");
                });
                e1 = transfers.createTransfer(CreateTransferRequest.newBuilder().setAsset("ethereum/ETH").setDestination(ethPayee)
                        .setAmount("100000000000000000").setIdempotencyKey("e1").build()).getId();
                anvil.mine(1);
                for (int i = 0; i < 20; i++) {
                    before.add(payments.createPaymentRequest(CreatePaymentRequestRequest.newBuilder().setAsset(i % 2 == 0 ? "bitcoin/BTC"
                            : "ethereum/ETH").setAmount("1000" + i).setIdempotencyKey("before-" + i).build()).getId());
                }
                t1 = transfers.createTransfer(CreateTransferRequest.newBuilder().setAsset("bitcoin/BTC").setDestination(payee)
                        .setAmount("10000000").setIdempotencyKey("t1").build()).getId();

                // Merchants keep creating requests while the backup is taken.
                AtomicBoolean stop = new AtomicBoolean();
                List<Thread> load = new ArrayList<>();
                for (int w = 0; w < 4; w++) {
                    int id = w;
                    load.add(Thread.ofPlatform().start(() -> {
                        for (int i = 0; !stop.get(); i++) {
                            acknowledged.add(payments.createPaymentRequest(CreatePaymentRequestRequest.newBuilder().setAsset("bitcoin/BTC")
                                    .setAmount("5000").setIdempotencyKey("load-" + id + "-" + i).build()).getId());
                        }
                    }));
                }
                await("some load", () -> acknowledged.size() > 20);
                int ackedBeforeBackup = acknowledged.size();
                CliIT.Result made = CliIT.run("--node", addr, "backup", "--out", backup.toString(), "--passphrase-file", pass.toString(),
                        "--data-dir", dataA.toString());
                stop.set(true);
                for (Thread t : load) {
                    t.join();
                }
                assertEquals(0, made.exit(), made.err());
                assertTrue(made.out().contains("verified"), made.out());
                // Progress on standard error: the node's records, then the read-back, each to its end.
                assertTrue(made.err().lines().anyMatch(l -> l.matches("backup: [\\d,]+ of [\\d,]+ records \\(100\\.0%\\).*"))
                        && made.err().lines().anyMatch(l -> l.matches("verifying: [\\d,]+ of [\\d,]+ bytes \\(100\\.0%\\).*")), made.err());
                before.addAll(acknowledged.subList(0, ackedBeforeBackup));
                for (var e : allEvents(io.coffer.proto.v1.EventsGrpc.newBlockingStub(ch).withInterceptors(auth))) {
                    if (e.hasPaymentRequest()) {
                        createdEvents.putIfAbsent(e.getPaymentRequest().getId(), e.getId());
                    }
                }

                // After the backup: a deposit paying a request the backup holds, and transfers it cannot know.
                var paidLater = payments.getPaymentRequest(GetPaymentRequestRequest.newBuilder().setId(before.get(0)).build());
                assertEquals("bitcoin/BTC", paidLater.getAmount().getAsset());
                btc.minerWallet("sendtoaddress", paidLater.getAddress(), new java.math.BigDecimal(paidLater.getAmount().getValue())
                        .movePointLeft(8).toPlainString());
                Transfer t2 = transfers.createTransfer(CreateTransferRequest.newBuilder().setAsset("bitcoin/BTC").setDestination(payee)
                        .setAmount("5000000").setIdempotencyKey("t2").build());
                assertFalse(t2.getTxid().isEmpty(), "sent");
                t2txid[0] = t2.getTxid();
                Transfer e2 = transfers.createTransfer(CreateTransferRequest.newBuilder().setAsset("ethereum/ETH").setDestination(ethPayee)
                        .setAmount("50000000000000000").setIdempotencyKey("e2").build());
                e2txid[0] = e2.getTxid();
                btc.mine(1);
                await("t2 and e2 confirmed on node A", () -> {
                    anvil.mine(1);
                    var b = wallet.getBalance(GetBalanceRequest.newBuilder().setAsset("bitcoin/BTC").build());
                    var eth = wallet.getBalance(GetBalanceRequest.newBuilder().setAsset("ethereum/ETH").build());
                    return b.getPendingOutgoing().equals("0") && b.getPendingIncoming().equals("0") && eth.getPendingOutgoing().equals("0");
                });
                balanceAfter[0] = wallet.getBalance(GetBalanceRequest.newBuilder().setAsset("bitcoin/BTC").build()).getConfirmed();
                ethAfter[0] = wallet.getBalance(GetBalanceRequest.newBuilder().setAsset("ethereum/ETH").build()).getConfirmed();
                assertEquals(java.math.BigInteger.TEN.pow(17).add(java.math.BigInteger.valueOf(5).multiply(java.math.BigInteger.TEN.pow(16))),
                        ethBalance(anvil, ethPayee), "e1 and e2 paid");
                CliIT.Result healthy = CliIT.run("--node", addr, "restore", "status", "--data-dir", dataA.toString());
                assertTrue(healthy.out().contains("not restored from a backup")
                        && healthy.out().contains("0 of the wallet's coins or nonces spent by transactions this ledger did not make"),
                        "t1 and t2 are the node's own spends: " + healthy.out());
            } finally {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }

        CliIT.Result verified = CliIT.run("backup", "verify", backup.toString(), "--passphrase-file", pass.toString());
        assertEquals(0, verified.exit(), verified.err());
        assertTrue(verified.out().startsWith("ok: backup taken "), verified.out());
        assertEquals(Exits.INVALID_SECRET, CliIT.run("backup", "verify", backup.toString(), "--passphrase-file",
                Files.writeString(dir.resolve("wrong.pass"), "not the passphrase\n").toString()).exit());

        CliIT.Result restored = CliIT.run("restore", backup.toString(), "--data-dir", dataB.toString(), "--passphrase-file", pass.toString());
        assertEquals(0, restored.exit(), restored.err());
        assertTrue(restored.err().lines().anyMatch(l -> l.matches("checking: [\\d,]+ of [\\d,]+ bytes \\(100\\.0%\\).*"))
                && restored.err().lines().anyMatch(l -> l.matches("restoring: [\\d,]+ of [\\d,]+ bytes \\(100\\.0%\\).*")), restored.err());
        assertTrue(restored.out().contains("outgoing payments are paused"), restored.out());
        assertEquals(Exits.STATE, CliIT.run("restore", backup.toString(), "--data-dir", dataB.toString(), "--passphrase-file",
                pass.toString()).exit(), "never over a node's data");
        // The master secret is not in a backup: this dev node's unseal file and seed file come across as custodians would.
        for (String f : List.of("seed.enc", "dev-unseal.passphrase")) { // operator.token is written anew at every start
            Files.copy(dataA.resolve(f), dataB.resolve(f));
        }

        try (CofferNode node = CofferNode.start(NodeConfiguration.load(config(btc, anvil, dataB), Map.of()))) {
            String addr = "127.0.0.1:" + node.port();
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            try {
                var auth = MetadataUtils.newAttachHeadersInterceptor(bearer(apiKey));
                var payments = PaymentsGrpc.newBlockingStub(ch).withInterceptors(auth);
                var transfers = TransfersGrpc.newBlockingStub(ch).withInterceptors(auth);
                for (String id : before) {
                    assertEquals(id, payments.getPaymentRequest(GetPaymentRequestRequest.newBuilder().setId(id).build()).getId());
                }
                var events = allEvents(io.coffer.proto.v1.EventsGrpc.newBlockingStub(ch).withInterceptors(auth));
                for (int i = 0; i < events.size(); i++) {
                    assertEquals(i + 1, events.get(i).getSequence(), "no hole in the restored events");
                }
                for (String id : before) {
                    assertTrue(events.stream().anyMatch(e -> e.getId().equals(createdEvents.get(id))), "the CREATED event of " + id);
                }
                // The deposit made after the backup is found by the catch-up: its request is paid on node B too.
                await("the request paid after the backup confirmed on node B", () -> payments.getPaymentRequest(
                        GetPaymentRequestRequest.newBuilder().setId(before.get(0)).build()).getStatus()
                        == io.coffer.proto.v1.PaymentRequestStatus.PAYMENT_REQUEST_STATUS_CONFIRMED);
                // The chain decides the balance: the follower's catch-up finds t2's spend of the wallet's coin and its change.
                var wallet = WalletGrpc.newBlockingStub(ch).withInterceptors(auth);
                String[] seen = new String[1];
                try {
                    await("node B's balance equal to the chain's", () -> {
                        seen[0] = wallet.getBalance(GetBalanceRequest.newBuilder().setAsset("bitcoin/BTC").build()).getConfirmed();
                        return seen[0].equals(balanceAfter[0]);
                    });
                } catch (AssertionError e) {
                    throw new AssertionError("restored balance " + seen[0] + ", on chain " + balanceAfter[0], e);
                }
                // On the EVM chain too: e2 left from the hot address by a nonce the restored ledger never used.
                try {
                    await("node B's ETH balance equal to the chain's", () -> {
                        seen[0] = wallet.getBalance(GetBalanceRequest.newBuilder().setAsset("ethereum/ETH").build()).getConfirmed();
                        return seen[0].equals(ethAfter[0]);
                    });
                } catch (AssertionError e) {
                    throw new AssertionError("restored ETH balance " + seen[0] + ", on chain " + ethAfter[0], e);
                }
                assertEquals(e1, transfers.createTransfer(CreateTransferRequest.newBuilder().setAsset("ethereum/ETH").setDestination(ethPayee)
                        .setAmount("100000000000000000").setIdempotencyKey("e1").build()).getId());
                StatusRuntimeException refusedEth = assertThrows(StatusRuntimeException.class, () -> transfers.createTransfer(
                        CreateTransferRequest.newBuilder().setAsset("ethereum/ETH").setDestination(ethPayee).setAmount("50000000000000000")
                                .setIdempotencyKey("e2").build()));
                assertEquals(Status.Code.FAILED_PRECONDITION, refusedEth.getStatus().getCode());
                // Known to the backup: the same transfer back. Made after it: refused, not paid a second time.
                Transfer again = transfers.createTransfer(CreateTransferRequest.newBuilder().setAsset("bitcoin/BTC").setDestination(payee)
                        .setAmount("10000000").setIdempotencyKey("t1").build());
                assertEquals(t1, again.getId());
                StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> transfers.createTransfer(
                        CreateTransferRequest.newBuilder().setAsset("bitcoin/BTC").setDestination(payee).setAmount("5000000")
                                .setIdempotencyKey("t2").build()));
                assertEquals(Status.Code.FAILED_PRECONDITION, refused.getStatus().getCode());
                assertTrue(refused.getStatus().getDescription().contains("restored from a backup"), refused.getStatus().getDescription());
                assertEquals(0, btc.minerWallet("listreceivedbyaddress", 0, false, false, payee).get(0).get("txids").size() - 2,
                        "the payee got t1 and t2 once each");
                anvil.mine(1);
                assertEquals(java.math.BigInteger.valueOf(15).multiply(java.math.BigInteger.TEN.pow(16)), ethBalance(anvil, ethPayee),
                        "the ETH payee got e1 and e2 once each");

                // What the operator checks before releasing: t2, spent on chain by a transaction the restored ledger did not make.
                CliIT.Result status = CliIT.run("--node", addr, "restore", "status", "--data-dir", dataB.toString());
                assertEquals(0, status.exit(), status.err());
                assertTrue(status.out().contains("outgoing payments paused"), status.out());
                assertTrue(status.out().contains("2 of the wallet's coins or nonces spent by transactions this ledger did not make")
                        && status.out().contains("spent by " + t2txid[0]) && status.out().contains("spent by " + e2txid[0])
                        && status.out().contains("ethereum ") && status.out().contains(" 50000000000000000 ethereum/ETH (fee "), status.out());
                CliIT.Result release = CliIT.run("--node", addr, "restore", "release", "--data-dir", dataB.toString());
                assertEquals(0, release.exit(), release.err());
                assertTrue(release.out().contains("the node sends again"), release.out());
                assertEquals(Exits.STATE, CliIT.run("--node", addr, "restore", "release", "--data-dir", dataB.toString()).exit());
            } finally {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }
}
