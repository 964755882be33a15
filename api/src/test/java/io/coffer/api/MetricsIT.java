package io.coffer.api;

import static io.coffer.api.ApiTests.bearer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.proto.v1.CreateApiKeyRequest;
import io.coffer.proto.v1.CreateDepositAddressRequest;
import io.coffer.proto.v1.CreatePaymentRequestRequest;
import io.coffer.proto.v1.CreateTenantRequest;
import io.coffer.proto.v1.CreateTransferRequest;
import io.coffer.proto.v1.EventsGrpc;
import io.coffer.proto.v1.GetBalanceRequest;
import io.coffer.proto.v1.GetPaymentRequestRequest;
import io.coffer.proto.v1.PaymentsGrpc;
import io.coffer.proto.v1.Scope;
import io.coffer.proto.v1.SetWebhookRequest;
import io.coffer.proto.v1.TransfersGrpc;
import io.coffer.proto.v1.WalletGrpc;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.WithDevnet;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The figures an operator alerts on, scraped from /observe/metrics while a scripted scenario runs on the dev chains: chain
 * heights and lag as blocks come, gRPC calls by method and status with their latency histogram, a webhook backlog while the
 * receiver is down, a withdrawal outstanding until it confirms, custody state, store size.
 */
@WithDevnet
class MetricsIT {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)\\})? (\\S+)$");

    @TempDir
    Path dir;

    /** The value of the first sample of {@code name} whose labels include every one of {@code labels}. */
    private static OptionalDouble value(String scrape, String name, Map<String, String> labels) {
        for (String line : scrape.lines().toList()) {
            Matcher m = SAMPLE.matcher(line);
            if (m.matches() && m.group(1).equals(name)) {
                String l = m.group(3) == null ? "" : m.group(3);
                if (labels.entrySet().stream().allMatch(e -> l.contains(e.getKey() + "=\"" + e.getValue() + "\""))) {
                    return OptionalDouble.of(Double.parseDouble(m.group(4)));
                }
            }
        }
        return OptionalDouble.empty();
    }

    private static double require(String scrape, String name, Map<String, String> labels) {
        return value(scrape, name, labels).orElseThrow(() -> new AssertionError("no " + name + labels + " in:\n"
                + scrape.lines().filter(l -> l.startsWith("coffer_")).toList()));
    }

    /**
     * docker/prometheus-rules.yaml: well formed (each rule an alert with an expression, a severity and a summary), and every
     * coffer_ metric it names is exported (the backup age only with scheduled backups: checked by BackupRestoreIT).
     */
    @SuppressWarnings("unchecked")
    private static void rulesNameOnlyExportedMetrics(String scrape) throws java.io.IOException {
        Path file = io.coffer.testkit.Devnet.projectRoot().resolve("docker/prometheus-rules.yaml");
        Map<String, Object> doc = new org.yaml.snakeyaml.Yaml().load(java.nio.file.Files.readString(file));
        java.util.Set<String> exported = new java.util.HashSet<>();
        scrape.lines().map(SAMPLE::matcher).filter(Matcher::matches).forEach(m -> exported.add(m.group(1)));
        int rules = 0;
        for (Map<String, Object> group : (java.util.List<Map<String, Object>>) doc.get("groups")) {
            for (Map<String, Object> rule : (java.util.List<Map<String, Object>>) group.get("rules")) {
                rules++;
                String alert = (String) rule.get("alert");
                assertTrue(alert != null && alert.startsWith("Coffer"), rule.toString());
                assertTrue(((Map<String, Object>) rule.get("labels")).get("severity") != null, alert);
                assertTrue(((Map<String, Object>) rule.get("annotations")).get("summary") != null, alert);
                Matcher names = Pattern.compile("coffer_[a-z0-9_]+").matcher(String.valueOf(rule.get("expr")));
                while (names.find()) {
                    String name = names.group();
                    assertTrue(exported.contains(name) || name.equals("coffer_backup_age_seconds"), alert + " names " + name
                            + ", which the node does not export");
                }
            }
        }
        assertTrue(rules >= 10, "rules: " + rules);
    }

    @Test
    void theFiguresMoveWithTheNode(BitcoindNode btc, AnvilNode anvil) throws Exception {
        if (btc.height() < 110) {
            btc.mine(110);
        }
        try (CofferNode node = CofferNode.start(ApiTests.devConfig(dir, btc, anvil, "", "  webhooks:\n    retry-initial: 5s\n    give-up-after: 8s\n"))) {
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/observe/metrics"))
                    .header("accept", "text/plain").build();
            java.util.function.Supplier<String> scrape = () -> {
                try {
                    return http.send(get, HttpResponse.BodyHandlers.ofString()).body();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            Map<String, String> bitcoin = Map.of("chain", "bitcoin");
            String first = scrape.get();
            assertEquals(1, require(first, "coffer_custody_state", Map.of()), "dev mode: unsealed");
            assertEquals(1, require(first, "coffer_chain_up", bitcoin));
            assertTrue(require(first, "coffer_store_size_bytes", Map.of()) > 0);
            assertEquals(0, require(first, "coffer_chain_failed_rounds_total", bitcoin), "the dev chain answers every round");

            // Blocks come: the tip moves and the follower catches up (lag back to 0).
            long tip = btc.height();
            btc.mine(3);
            ApiTests.await("the follower at the new tip", () -> {
                String s = scrape.get();
                return value(s, "coffer_chain_processed_height", bitcoin).orElse(0) == tip + 3
                        && value(s, "coffer_chain_lag_blocks", bitcoin).orElse(-1) == 0;
            });
            assertTrue(require(scrape.get(), "coffer_chain_poll_age_seconds", bitcoin) < 60);
            assertTrue(require(scrape.get(), "coffer_chain_last_block_age_seconds", bitcoin) < 60, "a block was just seen");

            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            try {
                var admin = ApiTests.operator(ch, dir.resolve("data"));
                String shop = admin.createTenant(CreateTenantRequest.newBuilder().setName("shop").build()).getId();
                var auth = MetadataUtils.newAttachHeadersInterceptor(bearer(admin.createApiKey(CreateApiKeyRequest.newBuilder()
                        .setTenantId(shop).addScopes(Scope.SCOPE_READ).addScopes(Scope.SCOPE_PAYMENTS).addScopes(Scope.SCOPE_TRANSFERS)
                        .addScopes(Scope.SCOPE_ADMIN).build()).getSecret()));
                var payments = PaymentsGrpc.newBlockingStub(ch).withInterceptors(auth);

                // Calls by method and status, timed.
                String method = "coffer.v1.Payments/GetPaymentRequest";
                double before = value(scrape.get(), "coffer_grpc_calls_total", Map.of("method", method, "code", "NOT_FOUND")).orElse(0);
                for (int i = 0; i < 3; i++) {
                    assertThrows(StatusRuntimeException.class, () -> payments.getPaymentRequest(GetPaymentRequestRequest.newBuilder()
                            .setId("pr_none").build()));
                }
                String calls = scrape.get();
                assertEquals(before + 3, require(calls, "coffer_grpc_calls_total", Map.of("method", method, "code", "NOT_FOUND")));
                assertTrue(require(calls, "coffer_grpc_call_seconds_count", Map.of("method", method)) >= 3);
                assertTrue(require(calls, "coffer_grpc_call_seconds_bucket", Map.of("method", method, "le", "0.1")) >= 0);

                // A webhook receiver that is down: deliveries wait.
                int closed;
                try (ServerSocket s = new ServerSocket(0)) {
                    closed = s.getLocalPort();
                }
                EventsGrpc.newBlockingStub(ch).withInterceptors(auth).setWebhook(SetWebhookRequest.newBuilder()
                        .setUrl("http://127.0.0.1:" + closed + "/hook").build());
                payments.createPaymentRequest(CreatePaymentRequestRequest.newBuilder().setAsset("bitcoin/BTC").setAmount("1000")
                        .setIdempotencyKey("m-1").build());
                double failedBefore = require(scrape.get(), "coffer_webhooks_failed_total", Map.of());
                ApiTests.await("a webhook delivery waiting", () -> value(scrape.get(), "coffer_webhooks_pending", Map.of()).orElse(0) >= 1);
                // Its retry fails too and the delivery is given up on (give-up-after 8s): counted as failed.
                ApiTests.await("a webhook delivery failed", () -> value(scrape.get(), "coffer_webhooks_failed_total", Map.of())
                        .orElse(0) > failedBefore);

                // A withdrawal is outstanding until it confirms.
                var wallet = WalletGrpc.newBlockingStub(ch).withInterceptors(auth);
                btc.minerWallet("sendtoaddress", wallet.createDepositAddress(CreateDepositAddressRequest.newBuilder()
                        .setAsset("bitcoin/BTC").build()).getAddress(), "0.5");
                Map<String, String> seen = Map.of("chain", "bitcoin", "state", "seen");
                ApiTests.await("the deposit seen", () -> value(scrape.get(), "coffer_deposits_open", seen).orElse(0) == 1);
                assertTrue(require(scrape.get(), "coffer_deposits_oldest_unconfirmed_seconds", bitcoin) >= 0);
                btc.mine(1);
                ApiTests.await("funds", () -> !wallet.getBalance(GetBalanceRequest.newBuilder().setAsset("bitcoin/BTC").build())
                        .getConfirmed().equals("0"));
                ApiTests.await("the deposit confirmed, not yet final", () -> {
                    String s = scrape.get();
                    return value(s, "coffer_deposits_open", seen).orElse(-1) == 0 // mined: no longer seen
                            && value(s, "coffer_deposits_open", Map.of("chain", "bitcoin", "state", "confirmed")).orElse(-1) == 1
                            && value(s, "coffer_deposits_oldest_unconfirmed_seconds", bitcoin).orElse(-1) == 0;
                });
                TransfersGrpc.newBlockingStub(ch).withInterceptors(auth).createTransfer(CreateTransferRequest.newBuilder()
                        .setAsset("bitcoin/BTC").setDestination(btc.minerWallet("getnewaddress").asText()).setAmount("100000")
                        .setIdempotencyKey("m-t").build());
                // A scrape reads a chain's figures at most once a second: wait for the one after the transfer.
                ApiTests.await("the withdrawal outstanding", () -> {
                    String s = scrape.get();
                    return value(s, "coffer_withdrawals_outstanding", bitcoin).orElse(-1) == 1
                            && value(s, "coffer_withdrawals_open", Map.of("chain", "bitcoin", "state", "broadcast")).orElse(-1) == 1;
                });
                String sending = scrape.get();
                assertTrue(require(sending, "coffer_withdrawals_oldest_outstanding_seconds", bitcoin) >= 0);
                btc.mine(1);
                ApiTests.await("the withdrawal confirmed", () -> value(scrape.get(), "coffer_withdrawals_outstanding", bitcoin).orElse(-1) == 0);
                rulesNameOnlyExportedMetrics(scrape.get());
            } finally {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }
}
