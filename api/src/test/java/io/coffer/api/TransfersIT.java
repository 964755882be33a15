package io.coffer.api;

import static io.coffer.api.ApiTests.bearer;
import static io.coffer.api.ApiTests.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.ErrorInfo;
import io.coffer.proto.v1.AdminGrpc;
import io.coffer.proto.v1.AllowlistEntry;
import io.coffer.proto.v1.ApproveTransferRequest;
import io.coffer.proto.v1.AssetLimits;
import io.coffer.proto.v1.BumpFeeRequest;
import io.coffer.proto.v1.CreateApiKeyRequest;
import io.coffer.proto.v1.CreateDepositAddressRequest;
import io.coffer.proto.v1.CreatePaymentRequestRequest;
import io.coffer.proto.v1.CreateTenantRequest;
import io.coffer.proto.v1.CreateTransferRequest;
import io.coffer.proto.v1.EstimateFeeRequest;
import io.coffer.proto.v1.Event;
import io.coffer.proto.v1.EventsGrpc;
import io.coffer.proto.v1.FeeEstimate;
import io.coffer.proto.v1.FeeRate;
import io.coffer.proto.v1.GetBalanceRequest;
import io.coffer.proto.v1.GetPaymentRequestRequest;
import io.coffer.proto.v1.GetTransferRequest;
import io.coffer.proto.v1.ListEventsRequest;
import io.coffer.proto.v1.ListTransfersRequest;
import io.coffer.proto.v1.PaymentRequestStatus;
import io.coffer.proto.v1.PaymentsGrpc;
import io.coffer.proto.v1.RejectTransferRequest;
import io.coffer.proto.v1.Scope;
import io.coffer.proto.v1.SetTransferPolicyRequest;
import io.coffer.proto.v1.Transfer;
import io.coffer.proto.v1.TransferPolicy;
import io.coffer.proto.v1.TransferStatus;
import io.coffer.proto.v1.TransfersGrpc;
import io.coffer.proto.v1.WalletGrpc;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.WithDevnet;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import java.math.BigDecimal;
import java.util.concurrent.TimeUnit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transfers over real gRPC on a real bitcoind: idempotency under 20 concurrent identical calls (one transfer, one spend on chain),
 * per-transfer and rolling 24 h limits, the allowlist and its delay, approvals (self-approval refused, quorum sends), rejection,
 * fee estimate and bump, refunds of a paid request, insufficient funds, and the transfer events.
 */
@WithDevnet
class TransfersIT {
    @TempDir
    Path dir;


    private NodeConfiguration config(BitcoindNode btc, AnvilNode anvil) throws java.io.IOException {
        return config(btc, anvil, "");
    }

    /** Bitcoin polled every 200 ms, a 3 s allowlist delay; {@code evm} adds lines to the ethereum chain. */
    private NodeConfiguration config(BitcoindNode btc, AnvilNode anvil, String evm) throws java.io.IOException {
        return ApiTests.devConfig(dir, btc, anvil, evm, "  transfers:\n    allowlist-delay: 3s\n");
    }

    private static java.math.BigInteger balance(AnvilNode anvil, String address) {
        return new java.math.BigInteger(anvil.rpc("eth_getBalance", address, "latest").asText().substring(2), 16);
    }

    @Test
    void anEvmTransferLeavesFromTheHotAddress(BitcoindNode btc, AnvilNode anvil) throws Exception {
        try (CofferNode node = CofferNode.start(config(btc, anvil, "      confirmations: 1\n      poll-interval: 200ms\n"
                + "      sweep-threshold: 1000000000000000\n"))) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            try {
                var admin = ApiTests.operator(ch, dir.resolve("data"));
                var tenant = admin.createTenant(CreateTenantRequest.newBuilder().setName("evm-payer").build());
                Keys k = keys(ch, admin, tenant.getId(), Scope.SCOPE_READ, Scope.SCOPE_PAYMENTS, Scope.SCOPE_TRANSFERS);
                String deposit = k.wallet().createDepositAddress(CreateDepositAddressRequest.newBuilder().setAsset("ethereum/ETH").build())
                        .getAddress();
                anvil.send(deposit, java.math.BigInteger.TEN.pow(18));
                String hot = NodeParts.evm(node, "ethereum").orElseThrow().withdrawals().hotAddress(tenant.getAccountIndex());
                await("the deposit swept to the tenant's hot address", () -> {
                    anvil.mine(1);
                    return balance(anvil, deposit).compareTo(java.math.BigInteger.TEN.pow(15)) < 0 && balance(anvil, hot).signum() > 0;
                });
                byte[] r = new byte[20];
                new java.security.SecureRandom().nextBytes(r);
                String dest = "0x" + java.util.HexFormat.of().formatHex(r);

                FeeEstimate fee = k.transfers().estimateFee(EstimateFeeRequest.newBuilder().setAsset("ethereum/ETH").setDestination(dest)
                        .setAmount("100000000000000000").build());
                assertEquals("ethereum/ETH", fee.getFee().getAsset());
                assertEquals(21_000, fee.getSize(), "a plain ETH transfer's gas");
                assertTrue(fee.getFeeRate().hasEip1559(), fee.toString());
                refused(Status.Code.INVALID_ARGUMENT, "FEE_RATE_UNSUPPORTED", () -> k.transfers().createTransfer(CreateTransferRequest.newBuilder()
                        .setAsset("ethereum/ETH").setDestination(dest).setAmount("1").setIdempotencyKey("evm-0")
                        .setFeeRate(FeeRate.newBuilder().setSatPerVbyte("5")).build()));
                refused(Status.Code.INVALID_ARGUMENT, "ADDRESS_BAD_CHECKSUM", () -> k.transfers().createTransfer(CreateTransferRequest.newBuilder()
                        .setAsset("ethereum/ETH").setDestination("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD").setAmount("1")
                        .setIdempotencyKey("evm-bad").build()));

                Transfer t = k.transfers().createTransfer(CreateTransferRequest.newBuilder().setAsset("ethereum/ETH").setDestination(dest)
                        .setAmount("100000000000000000").setIdempotencyKey("evm-1").build());
                assertFalse(t.getTxid().isEmpty());
                assertEquals("ethereum/ETH", t.getFee().getAsset());
                anvil.mine(1);
                await("the EVM transfer confirmed", () -> k.transfers().getTransfer(GetTransferRequest.newBuilder().setId(t.getId()).build())
                        .getStatus() == TransferStatus.TRANSFER_STATUS_CONFIRMED);
                assertEquals(java.math.BigInteger.TEN.pow(17), balance(anvil, dest), "paid once, from the hot address");
                assertEquals(t.getId(), k.transfers().createTransfer(CreateTransferRequest.newBuilder().setAsset("ethereum/ETH")
                        .setDestination(dest).setAmount("100000000000000000").setIdempotencyKey("evm-1").build()).getId());
                anvil.mine(1);
                assertEquals(java.math.BigInteger.TEN.pow(17), balance(anvil, dest), "a retry is the same transfer, not a second payment");
            } finally {
                ch.shutdownNow();
            }
        }
    }

    private record Keys(TransfersGrpc.TransfersBlockingStub transfers, WalletGrpc.WalletBlockingStub wallet,
                        PaymentsGrpc.PaymentsBlockingStub payments, EventsGrpc.EventsBlockingStub events) {
    }

    private static Keys keys(ManagedChannel ch, AdminGrpc.AdminBlockingStub admin, String tenant, Scope... scopes) {
        var auth = MetadataUtils.newAttachHeadersInterceptor(bearer(admin.createApiKey(CreateApiKeyRequest.newBuilder().setTenantId(tenant)
                .addAllScopes(List.of(scopes)).build()).getSecret()));
        return new Keys(TransfersGrpc.newBlockingStub(ch).withInterceptors(auth), WalletGrpc.newBlockingStub(ch).withInterceptors(auth),
                PaymentsGrpc.newBlockingStub(ch).withInterceptors(auth), EventsGrpc.newBlockingStub(ch).withInterceptors(auth));
    }


    /**
     * Pays {@code btc} coins of 1 BTC to a fresh address of the tenant and waits until they are confirmed. A time-out says what
     * the node had: the balance, its Bitcoin cursor against bitcoind's tip, its last round error, the deposits to the addresses,
     * and per address whether it is watched, where the address book places it and whether bitcoind mined its payment (a payment
     * once went unrecorded with the cursor at the tip: this tells a watched-set miss from a recording one).
     */
    private static void fund(CofferNode node, BitcoindNode btc, Keys k, int coins) throws InterruptedException {
        String before = k.wallet().getBalance(GetBalanceRequest.newBuilder().setAsset("bitcoin/BTC").build()).getConfirmed();
        java.util.Map<String, String> paid = new java.util.LinkedHashMap<>(); // address -> the paying transaction's id
        for (int i = 0; i < coins; i++) {
            String a = k.wallet().createDepositAddress(CreateDepositAddressRequest.newBuilder().setAsset("bitcoin/BTC").build()).getAddress();
            paid.put(a, btc.minerWallet("sendtoaddress", a, "1.0").asText());
        }
        btc.mine(1);
        long want = Long.parseLong(before.isEmpty() ? "0" : before) + coins * 100_000_000L;
        ApiTests.await(() -> Long.parseLong(k.wallet().getBalance(GetBalanceRequest.newBuilder().setAsset("bitcoin/BTC").build())
                .getConfirmed()) >= want, () -> {
                    var m = node.chains().module("bitcoin").orElseThrow();
                    return "funds: " + want + " confirmed wanted, the balance is " + k.wallet().getBalance(GetBalanceRequest.newBuilder()
                            .setAsset("bitcoin/BTC").build()).toString().replace('\n', ' ') + "; cursor " + m.follower().cursor()
                            + ", bitcoind's tip " + btc.height() + ", last round error '" + m.lastError() + "'; paid " + paid
                            + "; deposits to them " + paid.keySet().stream().flatMap(a -> m.follower().depositsTo(a).stream())
                                    .map(d -> d.id() + " " + d.status() + "/" + d.confirmations()).toList()
                            + "; per address, whether the node watches it, where its book places it, and the payment's"
                            + " confirmations on bitcoind " + paid.entrySet().stream().map(e -> e.getKey() + " watched="
                                    + m.addresses().watches(e.getKey()) + " " + m.addresses().lookup(e.getKey()).map(Object::toString)
                                    .orElse("-") + " confirmations=" + btc.rpc("getrawtransaction", e.getValue(), true)
                                    .path("confirmations").asLong(0)).toList();
                });
    }

    private static CreateTransferRequest.Builder transfer(String destination, String amount, String key) {
        return CreateTransferRequest.newBuilder().setAsset("bitcoin/BTC").setDestination(destination).setAmount(amount).setIdempotencyKey(key);
    }

    private static String reason(StatusRuntimeException e) {
        var st = StatusProto.fromThrowable(e);
        try {
            for (var d : st.getDetailsList()) {
                if (d.is(ErrorInfo.class)) {
                    return d.unpack(ErrorInfo.class).getReason();
                }
            }
        } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
            throw new IllegalStateException(ex);
        }
        return "";
    }

    private static StatusRuntimeException refused(Status.Code code, String reason, org.junit.jupiter.api.function.Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
        assertEquals(reason, reason(e), e.getStatus().toString());
        return e;
    }

    private static BigDecimal received(BitcoindNode btc, String address) {
        return new BigDecimal(btc.minerWallet("getreceivedbyaddress", address, 1).asText());
    }

    /**
     * The outside fault test's steps 1-3 as a merchant meets them: a confirmed transfer whose funding payment is reorged out and
     * double-spent is CONFLICTED (never FAILED: a merchant seeing FAILED would pay again by other means), and CONFIRMED again when
     * the old branch returns; each step is one TRANSFER_UPDATED event, and the balance never counts the coin the transfer spent.
     */
    @Test
    void aTransferUndoneByAReorgIsConflictedNotFailedAndConfirmedAgainWhenItsBlocksReturn(BitcoindNode btc, AnvilNode anvil)
            throws Exception {
        if (btc.height() < 110) {
            btc.mine(110);
        }
        try (CofferNode node = CofferNode.start(config(btc, anvil))) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            try {
                var admin = ApiTests.operator(ch, dir.resolve("data"));
                var tenant = admin.createTenant(CreateTenantRequest.newBuilder().setName("reorged").build());
                Keys k = keys(ch, admin, tenant.getId(), Scope.SCOPE_READ, Scope.SCOPE_PAYMENTS, Scope.SCOPE_TRANSFERS);
                String address = k.wallet().createDepositAddress(CreateDepositAddressRequest.newBuilder().setAsset("bitcoin/BTC").build())
                        .getAddress();
                String paid = btc.minerWallet("sendtoaddress", address, "2.0").asText();
                btc.mine(1);
                await("funds", () -> k.wallet().getBalance(GetBalanceRequest.newBuilder().setAsset("bitcoin/BTC").build()).getConfirmed()
                        .equals("200000000"));
                String dest = btc.minerWallet("getnewaddress", "", "bech32").asText();
                Transfer t = k.transfers().createTransfer(transfer(dest, "150000000", "reorged-1").build());
                java.util.function.Supplier<Transfer> now = () -> k.transfers().getTransfer(GetTransferRequest.newBuilder().setId(t.getId())
                        .build());
                btc.mine(3);
                await("confirmed, 3 deep", () -> now.get().getStatus() == TransferStatus.TRANSFER_STATUS_CONFIRMED
                        && now.get().getConfirmations() == 3);
                String change = Long.toString(200_000_000L - 150_000_000L - Long.parseLong(now.get().getFee().getValue()));
                await("the change confirmed", () -> k.wallet().getBalance(GetBalanceRequest.newBuilder().setAsset("bitcoin/BTC").build())
                        .getConfirmed().equals(change));

                // The payment's block (4 deep) is undone and, on a shorter branch, the customer's coins go elsewhere.
                String fork = btc.blockOf(paid);
                btc.rpc("invalidateblock", fork);
                btc.doubleSpendInABlock(paid);
                await("conflicted", () -> now.get().getStatus() == TransferStatus.TRANSFER_STATUS_CONFLICTED);
                await("nothing confirmed on this branch", () -> k.wallet().getBalance(GetBalanceRequest.newBuilder().setAsset("bitcoin/BTC")
                        .build()).getConfirmed().equals("0"));

                // The old, longer branch returns: the transfer's own transaction is confirmed again.
                btc.rpc("reconsiderblock", fork);
                await("confirmed again", () -> now.get().getStatus() == TransferStatus.TRANSFER_STATUS_CONFIRMED
                        && now.get().getConfirmations() == 3);
                await("only the change is counted", () -> k.wallet().getBalance(GetBalanceRequest.newBuilder().setAsset("bitcoin/BTC")
                        .build()).getConfirmed().equals(change));
                assertEquals(0, new BigDecimal("1.5").compareTo(received(btc, dest)), "paid once");

                List<Transfer> published = k.events().listEvents(ListEventsRequest.newBuilder().setLimit(500).build()).getEventsList()
                        .stream().filter(e -> e.hasTransfer() && e.getTransfer().getId().equals(t.getId())).map(Event::getTransfer).toList();
                List<TransferStatus> steps = published.stream().map(Transfer::getStatus).toList();
                for (int i = 1; i < published.size(); i++) { // CREATED and the signed UPDATED are both SIGNED: the txid tells them apart
                    assertNotEquals(published.get(i - 1).getStatus() + published.get(i - 1).getTxid(),
                            published.get(i).getStatus() + published.get(i).getTxid(), "each step published once: " + steps);
                }
                assertFalse(steps.contains(TransferStatus.TRANSFER_STATUS_FAILED), steps.toString());
                // Between the invalidation and the conflicting block the transaction may be seen back in the mempool (BROADCAST).
                List<TransferStatus> afterFirstConfirmation = steps.subList(steps.indexOf(TransferStatus.TRANSFER_STATUS_CONFIRMED) + 1,
                        steps.size()).stream().filter(s -> s != TransferStatus.TRANSFER_STATUS_BROADCAST).toList();
                assertEquals(List.of(TransferStatus.TRANSFER_STATUS_CONFLICTED, TransferStatus.TRANSFER_STATUS_CONFIRMED), afterFirstConfirmation,
                        steps.toString());
            } finally {
                ch.shutdownNow();
            }
        }
    }

    /**
     * With bitcoind frozen (SIGSTOP), CreateTransfer answers within the call budget — the transfer as stored so far, not yet
     * sent, or UNAVAILABLE naming the chain — instead of running past the client's deadline; GetBalance (the ledger) answers at
     * once. Once bitcoind is back, a retry with the same key is the same transfer, and the destination is paid exactly once.
     */
    @Test
    void callsAnswerWithinTheBudgetWhileTheChainNodeIsFrozenAndARetryPaysOnce(BitcoindNode btc, AnvilNode anvil) throws Exception {
        if (btc.height() < 110) {
            btc.mine(110);
        }
        try (CofferNode node = CofferNode.start(config(btc, anvil))) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            try {
                var admin = ApiTests.operator(ch, dir.resolve("data"));
                var tenant = admin.createTenant(CreateTenantRequest.newBuilder().setName("frozen").build());
                Keys k = keys(ch, admin, tenant.getId(), Scope.SCOPE_READ, Scope.SCOPE_PAYMENTS, Scope.SCOPE_TRANSFERS);
                fund(node, btc, k, 1);
                String dest = btc.minerWallet("getnewaddress").asText();
                CreateTransferRequest request = transfer(dest, "150000", "while-frozen").build();
                long bound = io.coffer.api.grpc.ErrorMapper.CALL_BUDGET.toMillis() + 10_000; // the budget, and room for a busy machine
                String id = null;
                btc.freeze();
                try {
                    long start = System.nanoTime();
                    try {
                        Transfer t = k.transfers().withDeadlineAfter(45, TimeUnit.SECONDS).createTransfer(request);
                        id = t.getId();
                        assertTrue(java.util.Set.of(TransferStatus.TRANSFER_STATUS_SIGNED, TransferStatus.TRANSFER_STATUS_BROADCAST_UNKNOWN,
                                TransferStatus.TRANSFER_STATUS_BROADCAST).contains(t.getStatus()), "stored, not yet known sent: " + t);
                    } catch (StatusRuntimeException e) {
                        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
                        assertEquals("CALL_BUDGET_EXCEEDED", reason(e), e.toString());
                    }
                    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                    assertTrue(took < bound, "answered in " + took + " ms, not at the client's deadline");
                    long balanceStart = System.nanoTime();
                    k.wallet().withDeadlineAfter(45, TimeUnit.SECONDS).getBalance(GetBalanceRequest.newBuilder().setAsset("bitcoin/BTC").build());
                    assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - balanceStart) < bound, "the ledger answers while the chain is frozen");
                } finally {
                    btc.thaw();
                }
                Transfer again = k.transfers().withDeadlineAfter(60, TimeUnit.SECONDS).createTransfer(request);
                if (id != null) {
                    assertEquals(id, again.getId(), "the retry is the same transfer");
                }
                await("the transfer sent", () -> !k.transfers().getTransfer(GetTransferRequest.newBuilder().setId(again.getId()).build())
                        .getTxid().isEmpty());
                btc.mine(1);
                await("paid", () -> received(btc, dest).compareTo(BigDecimal.ZERO) > 0);
                assertEquals(0, new BigDecimal("0.0015").compareTo(received(btc, dest)), "paid exactly once: " + received(btc, dest));
                assertEquals(1, k.transfers().listTransfers(ListTransfersRequest.newBuilder().build()).getTransfersCount());
            } finally {
                ch.shutdownNow();
            }
        }
    }

    @Test
    void twentyIdenticalConcurrentCallsMakeOneTransferAndOneSpend(BitcoindNode btc, AnvilNode anvil) throws Exception {
        if (btc.height() < 110) {
            btc.mine(110);
        }
        try (CofferNode node = CofferNode.start(config(btc, anvil))) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            try {
                var admin = ApiTests.operator(ch, dir.resolve("data"));
                String tenant = admin.createTenant(CreateTenantRequest.newBuilder().setName("exchange").build()).getId();
                Keys k = keys(ch, admin, tenant, Scope.SCOPE_READ, Scope.SCOPE_PAYMENTS, Scope.SCOPE_TRANSFERS);
                fund(node, btc, k, 2);
                String dest = btc.minerWallet("getnewaddress").asText();

                FeeEstimate fee = k.transfers().estimateFee(EstimateFeeRequest.newBuilder().setAsset("bitcoin/BTC").setDestination(dest)
                        .setAmount("30000000").build());
                assertTrue(Long.parseLong(fee.getFee().getValue()) > 0 && fee.getFee().getAsset().equals("bitcoin/BTC"), fee.toString());
                assertFalse(fee.getFeeRate().getSatPerVbyte().isEmpty());
                assertTrue(fee.getSize() > 100 && fee.getSize() < 200, "one input, two outputs: " + fee.getSize());

                CreateTransferRequest req = transfer(dest, "30000000", "payout-1").setMemo("withdrawal #1").build();
                Set<String> ids = ConcurrentHashMap.newKeySet();
                List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
                CountDownLatch go = new CountDownLatch(1);
                List<Thread> threads = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    threads.add(Thread.ofPlatform().start(() -> {
                        try {
                            go.await();
                            ids.add(k.transfers().createTransfer(req).getId());
                        } catch (Throwable t) {
                            errors.add(t);
                        }
                    }));
                }
                go.countDown();
                for (Thread t : threads) {
                    t.join();
                }
                assertEquals(List.of(), errors);
                assertEquals(1, ids.size(), "one transfer for one key");
                String id = ids.iterator().next();
                Transfer t = k.transfers().getTransfer(GetTransferRequest.newBuilder().setId(id).build());
                assertEquals(TransferStatus.TRANSFER_STATUS_BROADCAST, t.getStatus());
                assertEquals("withdrawal #1", t.getMemo());
                assertEquals(1, k.transfers().listTransfers(ListTransfersRequest.getDefaultInstance()).getTransfersCount());
                refused(Status.Code.ALREADY_EXISTS, "IDEMPOTENCY_KEY_REUSED",
                        () -> k.transfers().createTransfer(req.toBuilder().setAmount("30000001").build()));
                btc.mine(1);
                await("confirmed", () -> k.transfers().getTransfer(GetTransferRequest.newBuilder().setId(id).build()).getStatus()
                        == TransferStatus.TRANSFER_STATUS_CONFIRMED);
                assertEquals(0, new BigDecimal("0.3").compareTo(received(btc, dest)), "paid exactly once on chain");
                assertFalse(k.transfers().getTransfer(GetTransferRequest.newBuilder().setId(id).build()).getFinal());
                btc.mine(5); // the regtest reorg-safety depth is 6
                await("final", () -> k.transfers().getTransfer(GetTransferRequest.newBuilder().setId(id).build()).getFinal());
                assertEquals(6, k.transfers().getTransfer(GetTransferRequest.newBuilder().setId(id).build()).getConfirmations());

                // The transfer's events, in order, on the tenant's stream.
                List<Event> events = k.events().listEvents(ListEventsRequest.newBuilder().setLimit(500).build()).getEventsList().stream()
                        .filter(Event::hasTransfer).toList();
                assertEquals(List.of(TransferStatus.TRANSFER_STATUS_SIGNED, TransferStatus.TRANSFER_STATUS_BROADCAST,
                        TransferStatus.TRANSFER_STATUS_CONFIRMED), events.stream().map(e -> e.getTransfer().getStatus()).distinct().toList());
                // Past the confirmation target only the step to final is published, not every block.
                List<Event> confirmed = events.stream().filter(e -> e.getTransfer().getStatus() == TransferStatus.TRANSFER_STATUS_CONFIRMED).toList();
                assertEquals(List.of(false, true), confirmed.stream().map(e -> e.getTransfer().getFinal()).toList());
                assertEquals(io.coffer.proto.v1.EventType.EVENT_TYPE_TRANSFER_CREATED, events.get(0).getType());
                // The transfer's change coming back is the wallet's own money, not a deposit: only the two funding coins were seen.
                assertEquals(2, k.events().listEvents(ListEventsRequest.newBuilder().setLimit(500).build()).getEventsList().stream()
                        .filter(e -> e.getType() == io.coffer.proto.v1.EventType.EVENT_TYPE_DEPOSIT_SEEN).count());

                // Not enough money: refused, nothing created.
                refused(Status.Code.FAILED_PRECONDITION, "INSUFFICIENT_FUNDS",
                        () -> k.transfers().createTransfer(transfer(dest, "500000000", "too-much").build()));
                assertEquals(1, k.transfers().listTransfers(ListTransfersRequest.getDefaultInstance()).getTransfersCount());

                // A pending transfer paid faster: same id, new txid, the old one kept.
                Transfer slow = k.transfers().createTransfer(transfer(dest, "1000000", "payout-2")
                        .setFeeRate(FeeRate.newBuilder().setSatPerVbyte("2")).build());
                Transfer fast = k.transfers().bumpFee(BumpFeeRequest.newBuilder().setId(slow.getId())
                        .setFeeRate(FeeRate.newBuilder().setSatPerVbyte("12.5")).build());
                assertEquals(slow.getId(), fast.getId());
                assertNotEquals(slow.getTxid(), fast.getTxid());
                assertEquals(List.of(slow.getTxid()), fast.getReplacedTxidsList());
                assertTrue(Long.parseLong(fast.getFee().getValue()) > Long.parseLong(slow.getFee().getValue()));
                refused(Status.Code.INVALID_ARGUMENT, "FEE_RATE_MALFORMED", () -> k.transfers().bumpFee(BumpFeeRequest.newBuilder()
                        .setId(slow.getId()).setFeeRate(FeeRate.newBuilder().setSatPerVbyte("-3")).build()));
                btc.mine(1);
                await("the bump confirmed", () -> k.transfers().getTransfer(GetTransferRequest.newBuilder().setId(slow.getId()).build())
                        .getStatus() == TransferStatus.TRANSFER_STATUS_CONFIRMED);
                assertEquals(0, new BigDecimal("0.31").compareTo(received(btc, dest)), "the bumped transfer paid once");
            } finally {
                ch.shutdownNow();
            }
        }
    }

    @Test
    void policiesLimitsAllowlistApprovalsAndRefunds(BitcoindNode btc, AnvilNode anvil) throws Exception {
        if (btc.height() < 110) {
            btc.mine(110);
        }
        try (CofferNode node = CofferNode.start(config(btc, anvil))) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            try {
                var admin = ApiTests.operator(ch, dir.resolve("data"));
                String tenant = admin.createTenant(CreateTenantRequest.newBuilder().setName("shop").build()).getId();
                Keys ops = keys(ch, admin, tenant, Scope.SCOPE_READ, Scope.SCOPE_PAYMENTS, Scope.SCOPE_TRANSFERS, Scope.SCOPE_ADMIN);
                Keys approver1 = keys(ch, admin, tenant, Scope.SCOPE_READ, Scope.SCOPE_ADMIN);
                Keys approver2 = keys(ch, admin, tenant, Scope.SCOPE_READ, Scope.SCOPE_ADMIN);
                Keys clerk = keys(ch, admin, tenant, Scope.SCOPE_READ, Scope.SCOPE_TRANSFERS);
                fund(node, btc, ops, 3);
                String allowed = btc.minerWallet("getnewaddress", "", "bech32").asText();
                String other = btc.minerWallet("getnewaddress").asText();

                TransferPolicy set = admin.setTransferPolicy(SetTransferPolicyRequest.newBuilder().setPolicy(TransferPolicy.newBuilder()
                        .setTenantId(tenant).setApprovalQuorum(2)
                        .addLimits(AssetLimits.newBuilder().setAsset("bitcoin/BTC").setPerTransferMax("50000000")
                                .setRolling24HMax("80000000").setApprovalThreshold("10000000"))
                        .addAllowlist(AllowlistEntry.newBuilder().setChain("bitcoin").setAddress(allowed).setLabel("cold wallet"))).build());
                assertTrue(set.getAllowlist(0).getEffectiveAt().getSeconds() > System.currentTimeMillis() / 1000, "effective after the delay");
                refused(Status.Code.INVALID_ARGUMENT, "AMOUNT_MALFORMED", () -> admin.setTransferPolicy(SetTransferPolicyRequest.newBuilder()
                        .setPolicy(TransferPolicy.newBuilder().setTenantId(tenant).addLimits(AssetLimits.newBuilder().setAsset("bitcoin/BTC")
                                .setPerTransferMax("-5"))).build()));

                // The allowlist: a new entry waits for the delay; an address not on it never passes.
                refused(Status.Code.FAILED_PRECONDITION, "DESTINATION_NOT_ALLOWED",
                        () -> clerk.transfers().createTransfer(transfer(allowed, "1000000", "early").build()));
                refused(Status.Code.FAILED_PRECONDITION, "DESTINATION_NOT_ALLOWED",
                        () -> clerk.transfers().createTransfer(transfer(other, "1000000", "elsewhere").build()));
                // The entry takes effect at the time the policy answer gave: wait for that moment, not for a guess of it.
                java.time.Instant effective = java.time.Instant.ofEpochSecond(set.getAllowlist(0).getEffectiveAt().getSeconds(),
                        set.getAllowlist(0).getEffectiveAt().getNanos());
                while (java.time.Instant.now().isBefore(effective.plusMillis(50))) {
                    Thread.sleep(50);
                }
                // Per-transfer limit.
                refused(Status.Code.FAILED_PRECONDITION, "LIMIT_EXCEEDED",
                        () -> clerk.transfers().createTransfer(transfer(allowed, "60000000", "big").build()));
                // Below the approval threshold: sent at once.
                Transfer small = clerk.transfers().createTransfer(transfer(allowed, "5000000", "small").build());
                assertEquals(TransferStatus.TRANSFER_STATUS_BROADCAST, small.getStatus());

                // Above it: waits for two approvals from admin keys other than its creator.
                Transfer big = ops.transfers().createTransfer(transfer(allowed, "40000000", "big-1").build());
                assertEquals(TransferStatus.TRANSFER_STATUS_AWAITING_APPROVAL, big.getStatus());
                assertEquals("", big.getTxid());
                refused(Status.Code.FAILED_PRECONDITION, "SELF_APPROVAL",
                        () -> ops.transfers().approveTransfer(ApproveTransferRequest.newBuilder().setId(big.getId()).build()));
                assertEquals(Status.Code.PERMISSION_DENIED, assertThrows(StatusRuntimeException.class, () -> clerk.transfers()
                        .approveTransfer(ApproveTransferRequest.newBuilder().setId(big.getId()).build())).getStatus().getCode());
                Transfer once = approver1.transfers().approveTransfer(ApproveTransferRequest.newBuilder().setId(big.getId()).build());
                assertEquals(TransferStatus.TRANSFER_STATUS_AWAITING_APPROVAL, once.getStatus());
                assertEquals(1, once.getApprovedByCount());
                refused(Status.Code.FAILED_PRECONDITION, "ALREADY_APPROVED",
                        () -> approver1.transfers().approveTransfer(ApproveTransferRequest.newBuilder().setId(big.getId()).build()));
                Transfer sent = approver2.transfers().approveTransfer(ApproveTransferRequest.newBuilder().setId(big.getId()).build());
                assertEquals(TransferStatus.TRANSFER_STATUS_BROADCAST, sent.getStatus(), "the quorum sends it");
                assertFalse(sent.getTxid().isEmpty());
                assertEquals(2, sent.getApprovedByCount());

                // Rejected: never sent, its reservation released.
                Transfer waiting = clerk.transfers().createTransfer(transfer(allowed, "20000000", "big-2").build());
                refused(Status.Code.FAILED_PRECONDITION, "LIMIT_EXCEEDED", () -> clerk.transfers()
                        .createTransfer(transfer(allowed, "20000000", "big-3").build())); // 5 + 40 + 20 + 20 > 80 in 24 h
                Transfer rejected = approver1.transfers().rejectTransfer(RejectTransferRequest.newBuilder().setId(waiting.getId())
                        .setReason("not expected").build());
                assertEquals(TransferStatus.TRANSFER_STATUS_REJECTED, rejected.getStatus());
                assertEquals("rejected: not expected", rejected.getFailureReason());
                refused(Status.Code.FAILED_PRECONDITION, "NOT_AWAITING_APPROVAL",
                        () -> approver2.transfers().approveTransfer(ApproveTransferRequest.newBuilder().setId(waiting.getId()).build()));
                // The rolling 24 h limit counts sent and waiting transfers, not rejected ones: 45 used, 35 left.
                Transfer fits = clerk.transfers().createTransfer(transfer(allowed, "20000000", "big-4").build());
                assertEquals(TransferStatus.TRANSFER_STATUS_AWAITING_APPROVAL, fits.getStatus());
                refused(Status.Code.FAILED_PRECONDITION, "LIMIT_EXCEEDED",
                        () -> clerk.transfers().createTransfer(transfer(allowed, "16000000", "big-5").build()));

                // A refund of a paid request: in its asset, never more than was paid to it.
                var pr = ops.payments().createPaymentRequest(CreatePaymentRequestRequest.newBuilder().setAsset("bitcoin/BTC")
                        .setAmount("3000000").setRequiredConfirmations(1).setIdempotencyKey("order-1").build());
                btc.minerWallet("sendtoaddress", pr.getAddress(), "0.03");
                btc.mine(1);
                await("paid", () -> ops.payments().getPaymentRequest(GetPaymentRequestRequest.newBuilder().setId(pr.getId()).build())
                        .getStatus() == PaymentRequestStatus.PAYMENT_REQUEST_STATUS_CONFIRMED);
                refused(Status.Code.FAILED_PRECONDITION, "REFUND_EXCEEDS_PAYMENT", () -> clerk.transfers().createTransfer(
                        transfer(allowed, "3000001", "refund-1").setRefundOfPaymentRequestId(pr.getId()).build()));
                refused(Status.Code.NOT_FOUND, "PAYMENT_REQUEST_NOT_FOUND", () -> clerk.transfers().createTransfer(
                        transfer(allowed, "1000", "refund-x").setRefundOfPaymentRequestId("pr_0000000000000000").build()));
                Transfer refund = clerk.transfers().createTransfer(transfer(allowed, "2000000", "refund-2")
                        .setRefundOfPaymentRequestId(pr.getId()).build());
                assertEquals(pr.getId(), refund.getRefundOfPaymentRequestId());
                refused(Status.Code.FAILED_PRECONDITION, "REFUND_EXCEEDS_PAYMENT", () -> clerk.transfers().createTransfer(
                        transfer(allowed, "1000001", "refund-3").setRefundOfPaymentRequestId(pr.getId()).build()));

                // The reports: a header, then this tenant's rows of the range, oldest first; an empty range is only the header.
                com.google.protobuf.Timestamp from = com.google.protobuf.Timestamp.newBuilder().setSeconds(System.currentTimeMillis() / 1000 - 3600)
                        .build();
                com.google.protobuf.Timestamp to = com.google.protobuf.Timestamp.newBuilder().setSeconds(System.currentTimeMillis() / 1000 + 60)
                        .build();
                java.util.function.BiFunction<io.coffer.proto.v1.ExportReportRequest.Kind, com.google.protobuf.Timestamp, List<String>> report =
                        (kind, until) -> {
                            StringBuilder csv = new StringBuilder();
                            admin.exportReport(io.coffer.proto.v1.ExportReportRequest.newBuilder().setTenantId(tenant).setKind(kind)
                                    .setFrom(from).setTo(until).build()).forEachRemaining(c -> csv.append(c.getData().toStringUtf8()));
                            assertTrue(csv.toString().endsWith("\r\n"), "CRLF lines");
                            return csv.toString().lines().toList();
                        };
                List<String> transfersCsv = report.apply(io.coffer.proto.v1.ExportReportRequest.Kind.KIND_TRANSFERS, to);
                assertEquals("id,created_at,asset,amount,fee,fee_asset,destination,status,txid,confirmations,idempotency_key,"
                        + "refund_of_payment_request_id,approved_by,failure_reason,memo", transfersCsv.get(0));
                assertEquals(5, transfersCsv.size() - 1, "small, big-1, big-2 (rejected), big-4 (waiting), refund-2");
                assertTrue(transfersCsv.get(1).startsWith(small.getId() + ",") && transfersCsv.get(1).contains(",bitcoin/BTC,5000000,"));
                assertTrue(transfersCsv.stream().anyMatch(l -> l.startsWith(waiting.getId() + ",") && l.contains(",REJECTED,")
                        && l.contains("rejected: not expected")));
                assertTrue(transfersCsv.stream().anyMatch(l -> l.startsWith(refund.getId() + ",") && l.contains("," + pr.getId() + ",")));
                List<String> prCsv = report.apply(io.coffer.proto.v1.ExportReportRequest.Kind.KIND_PAYMENT_REQUESTS, to);
                assertEquals(2, prCsv.size());
                assertTrue(prCsv.get(1).startsWith(pr.getId() + ",") && prCsv.get(1).contains(",bitcoin/BTC,3000000,CONFIRMED,3000000,3000000,0,0,"),
                        prCsv.get(1));
                List<String> depositCsv = report.apply(io.coffer.proto.v1.ExportReportRequest.Kind.KIND_DEPOSITS, to);
                assertEquals(5, depositCsv.size(), "three funding coins and the payment; no change: " + depositCsv);
                assertEquals(1, depositCsv.stream().filter(l -> l.endsWith("," + pr.getId())).count());
                assertEquals(1, report.apply(io.coffer.proto.v1.ExportReportRequest.Kind.KIND_DEPOSITS, from.toBuilder().setSeconds(
                        from.getSeconds() + 1).build()).size(), "an empty range is the header alone");
                refused(Status.Code.INVALID_ARGUMENT, "TIME_RANGE_TOO_LONG", () -> admin.exportReport(io.coffer.proto.v1.ExportReportRequest
                        .newBuilder().setTenantId(tenant).setKind(io.coffer.proto.v1.ExportReportRequest.Kind.KIND_DEPOSITS).setFrom(from)
                        .setTo(to.toBuilder().setSeconds(to.getSeconds() + 367L * 86400)).build()).hasNext());

                // The allowlisted address written in capitals (valid bech32) is the same address; mixed case is not an address.
                Transfer upper = clerk.transfers().createTransfer(transfer(allowed.toUpperCase(java.util.Locale.ROOT), "1000000", "upper").build());
                assertEquals(allowed, upper.getDestination());
                String mixed = allowed.substring(0, 6) + allowed.substring(6).toUpperCase(java.util.Locale.ROOT);
                refused(Status.Code.INVALID_ARGUMENT, "ADDRESS_MALFORMED", () -> clerk.transfers().createTransfer(transfer(mixed, "1000000", "mixed")
                        .build()));

                // Every approval and rejection is in the audit log, by key.
                var audit = admin.listAuditLog(io.coffer.proto.v1.ListAuditLogRequest.newBuilder().setLimit(500).build()).getEntriesList();
                assertEquals(2, audit.stream().filter(a -> a.getAction().equals("transfer.approved") && a.getSubject().equals(big.getId())).count());
                assertTrue(audit.stream().anyMatch(a -> a.getAction().equals("transfer.rejected") && a.getSubject().equals(waiting.getId())));
                assertTrue(audit.stream().anyMatch(a -> a.getAction().equals("policy.updated") && a.getSubject().equals(tenant)));
                assertEquals(4, audit.stream().filter(a -> a.getAction().equals("report.exported")).count());
            } finally {
                ch.shutdownNow();
            }
        }
    }
}
