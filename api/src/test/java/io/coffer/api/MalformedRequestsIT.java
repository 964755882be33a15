package io.coffer.api;

import static io.coffer.api.ApiTests.bearer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.Timestamp;
import com.google.rpc.ErrorInfo;
import io.coffer.proto.v1.CancelPaymentRequestRequest;
import io.coffer.proto.v1.CreateApiKeyRequest;
import io.coffer.proto.v1.CreateDepositAddressRequest;
import io.coffer.proto.v1.CreatePaymentRequestRequest;
import io.coffer.proto.v1.CreateTenantRequest;
import io.coffer.proto.v1.GetBalanceRequest;
import io.coffer.proto.v1.GetPaymentRequestRequest;
import io.coffer.proto.v1.ListAuditLogRequest;
import io.coffer.proto.v1.ListDepositAddressesRequest;
import io.coffer.proto.v1.ListHistoryRequest;
import io.coffer.proto.v1.ListPaymentRequestsRequest;
import io.coffer.proto.v1.PageRequest;
import io.coffer.proto.v1.PaymentsGrpc;
import io.coffer.proto.v1.Scope;
import io.coffer.proto.v1.WalletGrpc;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.WithDevnet;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of malformed merchant requests (bad amounts and assets, huge strings, out-of-range numbers and timestamps,
 * forged page tokens, missing fields) against a real node: each is INVALID_ARGUMENT naming the field it broke, none
 * leaks internals, the node stays healthy, and nothing was created. The generator is seeded, so a failure replays.
 */
@WithDevnet
class MalformedRequestsIT {
    private static final long SEED = 6;
    private static final int REQUESTS = 4_500;
    private static final String CHARS = "aZ09-_/ .:+éß€\u0000\u202e🙂";

    @TempDir
    Path dir;

    private final Random random = new Random(SEED);


    private String junk(int length) {
        StringBuilder b = new StringBuilder(length);
        b.appendCodePoint('x');
        while (b.length() < length) {
            b.appendCodePoint(CHARS.codePointAt(CHARS.offsetByCodePoints(0, random.nextInt(CHARS.codePointCount(0, CHARS.length())))));
        }
        return b.toString();
    }

    private String badAmount() {
        return switch (random.nextInt(14)) {
            case 0 -> "-" + (1 + random.nextInt(1_000_000));
            case 1 -> "0";
            case 2 -> "-0";
            case 3 -> random.nextInt(1000) + "." + random.nextInt(1000);
            case 4 -> "1e" + random.nextInt(30);
            case 5 -> "0x" + Integer.toHexString(1 + random.nextInt(1 << 20));
            case 6 -> " " + (1 + random.nextInt(1000));
            case 7 -> "+" + (1 + random.nextInt(1000));
            case 8 -> "0" + (1 + random.nextInt(1000));
            case 9 -> "\u0661\u0662\u0663"; // Arabic-Indic digits: digits to Unicode, not to us
            case 10 -> "9".repeat(79 + random.nextInt(1000));
            case 11 -> "2100000000000001"; // one satoshi more than 21 million BTC
            case 12 -> "";
            default -> junk(1 + random.nextInt(40));
        };
    }

    private String badAsset() {
        return switch (random.nextInt(8)) {
            case 0 -> "";
            case 1 -> "   ";
            case 2 -> "bitcoin";
            case 3 -> "bitcoin/";
            case 4 -> "BITCOIN/BTC";
            case 5 -> "doge/DOGE";
            case 6 -> "x".repeat(65 + random.nextInt(100_000));
            default -> junk(1 + random.nextInt(80));
        };
    }

    private Timestamp badTimestamp() {
        return switch (random.nextInt(4)) {
            case 0 -> Timestamp.newBuilder().setSeconds(253_402_300_800L + random.nextInt(Integer.MAX_VALUE)).build();
            case 1 -> Timestamp.newBuilder().setSeconds(Long.MIN_VALUE + random.nextInt(1000)).build();
            case 2 -> Timestamp.newBuilder().setSeconds(1_800_000_000L).setNanos(-1 - random.nextInt(1000)).build();
            default -> Timestamp.newBuilder().setSeconds(1_800_000_000L).setNanos(1_000_000_000 + random.nextInt(1000)).build();
        };
    }

    private String badPageToken() {
        return switch (random.nextInt(4)) {
            case 0 -> "!" + junk(1 + random.nextInt(50));
            case 1 -> Base64.getUrlEncoder().encodeToString(("o:" + (100_000_001L + random.nextInt(Integer.MAX_VALUE))).getBytes(StandardCharsets.US_ASCII));
            case 2 -> Base64.getUrlEncoder().encodeToString("o:-1".getBytes(StandardCharsets.US_ASCII));
            default -> Base64.getUrlEncoder().encodeToString(("o:" + junk(10)).getBytes(StandardCharsets.UTF_8)) + "*";
        };
    }

    private int badPageSize() {
        // uint32 on the wire: 501 up to 2^32-1, which Java sees as negative ints from 2^31 on.
        return random.nextBoolean() ? 501 + random.nextInt(Integer.MAX_VALUE - 501) : -1 - random.nextInt(Integer.MAX_VALUE);
    }

    @Test
    void malformedRequestsNameTheFieldChangeNothingAndLeaveTheNodeHealthy(BitcoindNode btc, AnvilNode anvil) throws Exception {
        Path file = dir.resolve("coffer.yaml");
        Files.writeString(file, NodeIT.yaml(dir.resolve("data"), btc.rpcUrl(), anvil.rpcUrl(), "")
                .replace("    data-dir: " + dir.resolve("data"), "    data-dir: " + dir.resolve("data") + "\n    dev-mode: true"));
        try (CofferNode node = CofferNode.start(NodeConfiguration.load(file, Map.of()))) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            try {
                var admin = ApiTests.operator(ch, dir.resolve("data"));
                String shop = admin.createTenant(CreateTenantRequest.newBuilder().setName("shop").build()).getId();
                Metadata key = bearer(admin.createApiKey(CreateApiKeyRequest.newBuilder().setTenantId(shop).addScopes(Scope.SCOPE_READ)
                        .addScopes(Scope.SCOPE_PAYMENTS).addScopes(Scope.SCOPE_TRANSFERS).addScopes(Scope.SCOPE_ADMIN).build()).getSecret());
                var transfers = io.coffer.proto.v1.TransfersGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(key));
                var events = io.coffer.proto.v1.EventsGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(key));
                String regtest = btc.minerWallet("getnewaddress", "", "bech32").asText();
                io.coffer.proto.v1.CreateTransferRequest validTransfer = io.coffer.proto.v1.CreateTransferRequest.newBuilder()
                        .setAsset("bitcoin/BTC").setDestination(regtest).setAmount("10000").setIdempotencyKey("t").build();
                var payments = PaymentsGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(key));
                var wallet = WalletGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(key));
                // Admin-scope and break-glass calls are audited as such (api.admin_call, breakglass.call) before anything is read;
                // nothing else may be.
                java.util.function.IntSupplier audited = () -> (int) admin.listAuditLog(ListAuditLogRequest.newBuilder().setLimit(500).build())
                        .getEntriesList().stream().filter(a -> !a.getAction().equals("api.admin_call") && !a.getAction().equals("breakglass.call")).count();
                int auditBefore = audited.getAsInt();

                CreatePaymentRequestRequest valid = CreatePaymentRequestRequest.newBuilder().setAsset("bitcoin/BTC").setAmount("1000")
                        .setIdempotencyKey("k").build();
                Map<String, Integer> perField = new LinkedHashMap<>();
                for (int i = 0; i < REQUESTS; i++) {
                    CreatePaymentRequestRequest base = valid.toBuilder().setIdempotencyKey("fuzz-" + i).build();
                    String field;
                    Supplier<Object> call;
                    io.coffer.proto.v1.CreateTransferRequest tBase = validTransfer.toBuilder().setIdempotencyKey("fuzz-" + i).build();
                    switch (i % 30) {
                        case 0 -> {
                            field = "amount";
                            CreatePaymentRequestRequest r = base.toBuilder().setAmount(badAmount()).build();
                            call = () -> payments.createPaymentRequest(r);
                        }
                        case 1 -> {
                            field = "amount";
                            // Over a uint256 on the EVM chain.
                            CreatePaymentRequestRequest r = base.toBuilder().setAsset("ethereum/ETH")
                                    .setAmount(BigInteger.TWO.pow(256).add(BigInteger.valueOf(random.nextInt(1000))).toString()).build();
                            call = () -> payments.createPaymentRequest(r);
                        }
                        case 2 -> {
                            field = "asset";
                            CreatePaymentRequestRequest r = base.toBuilder().setAsset(badAsset()).build();
                            call = () -> payments.createPaymentRequest(r);
                        }
                        case 3 -> {
                            field = "idempotency_key";
                            String k = switch (random.nextInt(3)) {
                                case 0 -> "";
                                case 1 -> " ".repeat(1 + random.nextInt(5));
                                default -> "k".repeat(129 + random.nextInt(10_000));
                            };
                            CreatePaymentRequestRequest r = base.toBuilder().setIdempotencyKey(k).build();
                            call = () -> payments.createPaymentRequest(r);
                        }
                        case 4 -> {
                            field = "order_id";
                            CreatePaymentRequestRequest r = base.toBuilder().setOrderId(junk(201 + random.nextInt(50_000))).build();
                            call = () -> payments.createPaymentRequest(r);
                        }
                        case 5 -> {
                            field = "description";
                            CreatePaymentRequestRequest r = base.toBuilder().setDescription(junk(201 + random.nextInt(50_000))).build();
                            call = () -> payments.createPaymentRequest(r);
                        }
                        case 6 -> {
                            field = "metadata";
                            CreatePaymentRequestRequest.Builder r = base.toBuilder();
                            int entries = 1 + random.nextInt(40);
                            for (int e = 0; e < entries; e++) {
                                r.putMetadata("k" + e, junk(4097 / entries + 1 + random.nextInt(100)));
                            }
                            CreatePaymentRequestRequest built = r.build();
                            call = () -> payments.createPaymentRequest(built);
                        }
                        case 7 -> {
                            field = "required_confirmations";
                            int n = random.nextBoolean() ? 101 + random.nextInt(Integer.MAX_VALUE - 101) : -1 - random.nextInt(Integer.MAX_VALUE);
                            CreatePaymentRequestRequest r = base.toBuilder().setRequiredConfirmations(n).build();
                            call = () -> payments.createPaymentRequest(r);
                        }
                        case 8 -> {
                            field = "expires_at";
                            Timestamp t = random.nextBoolean() ? badTimestamp()
                                    : Timestamp.newBuilder().setSeconds(1 + random.nextInt(1_700_000_000)).build(); // in the past
                            CreatePaymentRequestRequest r = base.toBuilder().setExpiresAt(t).build();
                            call = () -> payments.createPaymentRequest(r);
                        }
                        case 9 -> {
                            field = "speed_policy";
                            CreatePaymentRequestRequest r = base.toBuilder().setSpeedPolicyValue(5 + random.nextInt(10_000)).build();
                            call = () -> payments.createPaymentRequest(r);
                        }
                        case 10 -> {
                            // Missing fields: the first one checked is named.
                            field = random.nextBoolean() ? "asset" : "amount";
                            CreatePaymentRequestRequest r = field.equals("asset") ? base.toBuilder().clearAsset().build()
                                    : base.toBuilder().clearAmount().build();
                            call = () -> payments.createPaymentRequest(r);
                        }
                        case 11 -> {
                            field = "asset";
                            GetBalanceRequest r = GetBalanceRequest.newBuilder().setAsset(badAsset()).build();
                            call = () -> wallet.getBalance(r);
                        }
                        case 12 -> {
                            boolean label = random.nextBoolean();
                            field = label ? "label" : "asset";
                            CreateDepositAddressRequest r = label
                                    ? CreateDepositAddressRequest.newBuilder().setAsset("bitcoin/BTC").setLabel(junk(201 + random.nextInt(10_000))).build()
                                    : CreateDepositAddressRequest.newBuilder().setAsset(badAsset()).build();
                            call = () -> wallet.createDepositAddress(r);
                        }
                        case 13 -> {
                            field = "page.page_size";
                            ListHistoryRequest r = ListHistoryRequest.newBuilder().setPage(PageRequest.newBuilder().setPageSize(badPageSize())).build();
                            call = () -> wallet.listHistory(r);
                        }
                        case 14 -> {
                            field = "page.page_token";
                            ListHistoryRequest r = ListHistoryRequest.newBuilder().setPage(PageRequest.newBuilder().setPageToken(badPageToken())).build();
                            call = () -> wallet.listHistory(r);
                        }
                        case 15 -> {
                            field = random.nextBoolean() ? "from" : "to";
                            ListHistoryRequest r = field.equals("from") ? ListHistoryRequest.newBuilder().setFrom(badTimestamp()).build()
                                    : ListHistoryRequest.newBuilder().setFrom(Timestamp.newBuilder().setSeconds(1_800_000_000L))
                                    .setTo(Timestamp.newBuilder().setSeconds(1_700_000_000L - random.nextInt(1000))).build();
                            call = () -> wallet.listHistory(r);
                        }
                        case 16 -> {
                            field = switch (random.nextInt(3)) {
                                case 0 -> "created_from";
                                case 1 -> "asset";
                                default -> "page.page_size";
                            };
                            ListPaymentRequestsRequest.Builder r = ListPaymentRequestsRequest.newBuilder();
                            switch (field) {
                                case "created_from" -> r.setCreatedFrom(badTimestamp());
                                case "asset" -> r.setAsset("doge/" + junk(1 + random.nextInt(20)));
                                default -> r.setPage(PageRequest.newBuilder().setPageSize(badPageSize()));
                            }
                            ListPaymentRequestsRequest built = r.build();
                            call = () -> payments.listPaymentRequests(built);
                        }
                        case 17 -> {
                            field = "id";
                            GetPaymentRequestRequest r = GetPaymentRequestRequest.newBuilder().setId(junk(65 + random.nextInt(100_000))).build();
                            call = () -> payments.getPaymentRequest(r);
                        }
                        case 18 -> {
                            field = "id";
                            CancelPaymentRequestRequest r = CancelPaymentRequestRequest.newBuilder().setId(junk(65 + random.nextInt(100_000))).build();
                            call = () -> payments.cancelPaymentRequest(r);
                        }
                        case 20 -> {
                            field = "destination";
                            String d = switch (random.nextInt(7)) {
                                case 0 -> "";
                                case 1 -> "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"; // mainnet (BIP-173 example) on regtest
                                case 2 -> "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"; // mainnet base58
                                case 3 -> regtest.substring(0, regtest.length() - 1) + (regtest.endsWith("q") ? "p" : "q"); // checksum
                                case 4 -> "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"; // an EVM address on Bitcoin
                                case 5 -> junk(1 + random.nextInt(90));
                                default -> regtest + "x".repeat(101 + random.nextInt(10_000));
                            };
                            io.coffer.proto.v1.CreateTransferRequest r = tBase.toBuilder().setDestination(d).build();
                            call = () -> transfers.createTransfer(r);
                        }
                        case 21 -> {
                            field = "destination";
                            String d = switch (random.nextInt(4)) {
                                case 0 -> "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"; // EIP-55 checksum broken
                                case 1 -> "0x" + "a".repeat(random.nextInt(40));
                                case 2 -> "0xZZ" + "a".repeat(38);
                                default -> regtest; // a Bitcoin address on the EVM chain
                            };
                            io.coffer.proto.v1.CreateTransferRequest r = tBase.toBuilder().setAsset("ethereum/ETH").setDestination(d).build();
                            call = () -> transfers.createTransfer(r);
                        }
                        case 22 -> {
                            field = "amount";
                            io.coffer.proto.v1.CreateTransferRequest r = tBase.toBuilder().setAmount(badAmount()).build();
                            call = () -> transfers.createTransfer(r);
                        }
                        case 23 -> {
                            field = "asset";
                            io.coffer.proto.v1.CreateTransferRequest r = tBase.toBuilder().setAsset(badAsset()).build();
                            call = () -> transfers.createTransfer(r);
                        }
                        case 24 -> {
                            field = random.nextBoolean() ? "idempotency_key" : "memo";
                            io.coffer.proto.v1.CreateTransferRequest r = field.equals("memo")
                                    ? tBase.toBuilder().setMemo(junk(201 + random.nextInt(20_000))).build()
                                    : tBase.toBuilder().setIdempotencyKey(random.nextBoolean() ? "" : "k".repeat(129 + random.nextInt(1000))).build();
                            call = () -> transfers.createTransfer(r);
                        }
                        case 25 -> {
                            io.coffer.proto.v1.FeeRate rate;
                            if (random.nextInt(4) == 0) {
                                field = "fee_rate";
                                rate = io.coffer.proto.v1.FeeRate.newBuilder().setLegacyGasPriceWei("1").build();
                            } else {
                                field = "fee_rate.sat_per_vbyte";
                                rate = io.coffer.proto.v1.FeeRate.newBuilder().setSatPerVbyte(switch (random.nextInt(6)) {
                                    case 0 -> "abc";
                                    case 1 -> "-1";
                                    case 2 -> "0.5";
                                    case 3 -> "1.2345";
                                    case 4 -> "1e3";
                                    default -> "9".repeat(7 + random.nextInt(100));
                                }).build();
                            }
                            io.coffer.proto.v1.CreateTransferRequest r = tBase.toBuilder().setFeeRate(rate).build();
                            call = () -> transfers.createTransfer(r);
                        }
                        case 26 -> {
                            field = "priority";
                            io.coffer.proto.v1.CreateTransferRequest r = tBase.toBuilder().setPriorityValue(4 + random.nextInt(10_000)).build();
                            call = () -> transfers.createTransfer(r);
                        }
                        case 27 -> {
                            field = switch (random.nextInt(3)) {
                                case 0 -> "asset";
                                case 1 -> "amount";
                                default -> "destination";
                            };
                            io.coffer.proto.v1.EstimateFeeRequest.Builder r = io.coffer.proto.v1.EstimateFeeRequest.newBuilder().setAsset("bitcoin/BTC")
                                    .setDestination(regtest).setAmount("10000");
                            switch (field) {
                                case "asset" -> r.setAsset(badAsset());
                                case "amount" -> r.setAmount(badAmount());
                                default -> r.setDestination("1BoatSLRHtKNngkdXEeobR76b53LETtpyT");
                            }
                            io.coffer.proto.v1.EstimateFeeRequest built = r.build();
                            call = () -> transfers.estimateFee(built);
                        }
                        case 28 -> {
                            field = "id";
                            String id = junk(65 + random.nextInt(100_000));
                            call = random.nextBoolean() ? () -> transfers.getTransfer(io.coffer.proto.v1.GetTransferRequest.newBuilder().setId(id).build())
                                    : () -> transfers.bumpFee(io.coffer.proto.v1.BumpFeeRequest.newBuilder().setId(id).build());
                        }
                        case 29 -> {
                            field = switch (random.nextInt(4)) {
                                case 0 -> "after_sequence";
                                case 1 -> "limit";
                                case 2 -> "types";
                                default -> "url";
                            };
                            call = switch (field) {
                                case "after_sequence" -> {
                                    long after = 1 + (random.nextBoolean() ? random.nextInt(1_000_000) : Long.MAX_VALUE - random.nextInt(1000));
                                    yield () -> events.listEvents(io.coffer.proto.v1.ListEventsRequest.newBuilder().setAfterSequence(after).build());
                                }
                                case "limit" -> {
                                    int limit = 501 + random.nextInt(Integer.MAX_VALUE - 501);
                                    yield () -> events.listEvents(io.coffer.proto.v1.ListEventsRequest.newBuilder().setLimit(limit).build());
                                }
                                case "types" -> {
                                    int type = random.nextBoolean() ? 0 : 7 + random.nextInt(1000);
                                    yield () -> events.streamEvents(io.coffer.proto.v1.StreamEventsRequest.newBuilder().addTypesValue(type).build())
                                            .hasNext();
                                }
                                default -> {
                                    String url = switch (random.nextInt(5)) {
                                        case 0 -> "";
                                        case 1 -> "ftp://example.com/hook";
                                        case 2 -> "https://user:pw@example.com/hook";
                                        case 3 -> "not a url " + junk(10);
                                        default -> "https://example.com/" + "a".repeat(2000);
                                    };
                                    yield () -> events.setWebhook(io.coffer.proto.v1.SetWebhookRequest.newBuilder().setUrl(url).build());
                                }
                            };
                        }
                        default -> {
                            field = random.nextBoolean() ? "chain" : "page.page_token";
                            ListDepositAddressesRequest r = field.equals("chain")
                                    ? ListDepositAddressesRequest.newBuilder().setChain(junk(1 + random.nextInt(100))).build()
                                    : ListDepositAddressesRequest.newBuilder().setPage(PageRequest.newBuilder().setPageToken(badPageToken())).build();
                            call = () -> wallet.listDepositAddresses(r);
                        }
                    }
                    StatusRuntimeException e;
                    try {
                        Object answer = call.get();
                        fail("request " + i + " (" + field + ") was accepted: " + answer);
                        return;
                    } catch (StatusRuntimeException ex) {
                        e = ex;
                    }
                    String where = "request " + i + " (" + field + "): " + e.getStatus();
                    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), where);
                    assertEquals(field, StatusProto.fromThrowable(e).getDetails(0).unpack(ErrorInfo.class).getMetadataOrThrow("field"), where);
                    String message = String.valueOf(e.getStatus().getDescription());
                    assertFalse(message.contains("Exception") || message.contains("\tat ") || message.length() > 300,
                            "no internals, bounded: " + where);
                    perField.merge(field, 1, Integer::sum);
                }
                System.out.println("malformed requests rejected, per field: " + perField);

                // Healthy, and nothing changed: no payment request, no address issued, no audit entry.
                assertEquals(HealthCheckResponse.ServingStatus.SERVING,
                        HealthGrpc.newBlockingStub(ch).check(HealthCheckRequest.getDefaultInstance()).getStatus());
                assertEquals(0, payments.listPaymentRequests(ListPaymentRequestsRequest.getDefaultInstance()).getPaymentRequestsCount());
                assertEquals(0, wallet.listDepositAddresses(ListDepositAddressesRequest.getDefaultInstance()).getAddressesCount());
                assertEquals(auditBefore, audited.getAsInt());
                assertEquals(0, transfers.listTransfers(io.coffer.proto.v1.ListTransfersRequest.getDefaultInstance()).getTransfersCount());
                assertEquals(0, events.listEvents(io.coffer.proto.v1.ListEventsRequest.getDefaultInstance()).getLatestSequence());
                assertEquals(Status.Code.NOT_FOUND, assertThrows(StatusRuntimeException.class, () -> events.getWebhook(
                        io.coffer.proto.v1.GetWebhookRequest.getDefaultInstance())).getStatus().getCode(), "no webhook was set");
                // ...and the valid request still works afterwards.
                assertNotEquals("", payments.createPaymentRequest(valid).getId());
                assertThrows(StatusRuntimeException.class, () -> payments.createPaymentRequest(valid.toBuilder().setAmount("2").build()));
                assertEquals(List.of("bitcoin", "ethereum"), wallet.listAssets(io.coffer.proto.v1.ListAssetsRequest.getDefaultInstance())
                        .getAssetsList().stream().map(a -> a.getChain()).distinct().sorted().toList());
            } finally {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }
}
