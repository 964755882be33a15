package io.coffer.api;

import static io.coffer.api.ApiTests.bearer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import com.google.zxing.BinaryBitmap;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import io.coffer.proto.v1.CreateApiKeyRequest;
import io.coffer.proto.v1.CreatePaymentRequestRequest;
import io.coffer.proto.v1.CreateTenantRequest;
import io.coffer.proto.v1.PaymentRequest;
import io.coffer.proto.v1.PaymentsGrpc;
import io.coffer.proto.v1.Scope;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.WithDevnet;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hosted checkout page over real HTTP on real dev chains: its own listener, unguessable links, escaping and the security
 * headers, both languages, the QR code (decoded back), and the live status pushed as Server-Sent Events through an
 * underpayment, its top-up, a confirmation and the redirect; expiry. (The page in a real browser is a separate test.)
 */
@WithDevnet
class CheckoutIT {
    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpResponse<String> get(String url, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The text a QR code SVG of the page encodes, decoded from its modules the way a phone's camera would. */
    static String decodeQr(String svg) throws Exception {
        Matcher box = Pattern.compile("viewBox=\"0 0 (\\d+) (\\d+)\"").matcher(svg);
        assertTrue(box.find(), svg);
        int modules = Integer.parseInt(box.group(1));
        int scale = 4;
        int side = modules * scale;
        int[] pixels = new int[side * side];
        java.util.Arrays.fill(pixels, 0xFFFFFFFF);
        Matcher m = Pattern.compile("M(\\d+) (\\d+)h1v1h-1z").matcher(svg);
        while (m.find()) {
            int x = Integer.parseInt(m.group(1));
            int y = Integer.parseInt(m.group(2));
            for (int dy = 0; dy < scale; dy++) {
                for (int dx = 0; dx < scale; dx++) {
                    pixels[(y * scale + dy) * side + x * scale + dx] = 0xFF000000;
                }
            }
        }
        // A rendering with no camera in between: read as a pure code (module grid straight from the image), not searched for.
        return new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(side, side, pixels))),
                java.util.Map.of(com.google.zxing.DecodeHintType.PURE_BARCODE, Boolean.TRUE)).getText();
    }

    @Test
    void aCustomerPaysThroughTheCheckoutPage(BitcoindNode btc, AnvilNode anvil) throws Exception {
        if (btc.height() < 110) {
            btc.mine(110);
        }
        try (CofferNode node = CofferNode.start(ApiTests.devConfig(dir, btc, anvil, "", ""))) {
            int checkoutPort = node.checkoutPort().orElseThrow();
            assertTrue(checkoutPort != node.port(), "a listener of its own");
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            try {
                var admin = ApiTests.operator(ch, dir.resolve("data"));
                String shop = admin.createTenant(CreateTenantRequest.newBuilder().setName("Cafe Lumiere").build()).getId();
                var payments = PaymentsGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(
                        admin.createApiKey(CreateApiKeyRequest.newBuilder().setTenantId(shop).addScopes(Scope.SCOPE_READ)
                                .addScopes(Scope.SCOPE_PAYMENTS).build()).getSecret())));
                Instant expires = Instant.now().plusSeconds(3600);
                PaymentRequest pr = payments.createPaymentRequest(CreatePaymentRequestRequest.newBuilder().setAsset("bitcoin/BTC")
                        .setAmount("1500000").setOrderId("A-1<i>").setDescription("<script>alert('x')</script> two coffees")
                        .setRedirectUrl("https://shop.example/thanks?order=A-1").setIdempotencyKey("checkout-1")
                        .setExpiresAt(Timestamp.newBuilder().setSeconds(expires.getEpochSecond())).build());
                String url = pr.getCheckoutUrl();
                assertTrue(url.startsWith("http://127.0.0.1:" + checkoutPort + "/pay/" + pr.getId() + "."), url);
                assertEquals("https://shop.example/thanks?order=A-1", pr.getRedirectUrl());

                // The page: escaped, with its security headers, amounts in BTC (never satoshi), English by default.
                HttpResponse<String> page = get(url);
                assertEquals(200, page.statusCode());
                String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
                assertTrue(csp.startsWith("default-src 'none'; script-src 'self'"), csp);
                assertFalse(csp.contains("unsafe"), csp);
                assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElseThrow());
                assertEquals("DENY", page.headers().firstValue("X-Frame-Options").orElseThrow());
                String html = page.body();
                assertFalse(html.contains("<script>alert"), "the description is text, not markup");
                assertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; two coffees"), html);
                assertTrue(html.contains("<div class=\"merchant\" id=\"merchant\">Cafe Lumiere</div>"), "the merchant's name");
                assertTrue(html.contains("A-1&lt;i&gt;"));
                assertTrue(html.contains("<span id=\"due\">0.015</span> <span class=\"symbol\">BTC</span>"), html);
                assertFalse(html.contains("1500000"), "no base units shown to a customer");
                assertTrue(html.contains(pr.getAddress()));
                assertTrue(html.contains("Waiting for payment"));
                assertTrue(html.contains("<html lang=\"en\">"));
                assertFalse(Pattern.compile("(src|href)=\"(https?:)?//").matcher(html).find(), "no third-party request");
                assertEquals(1, html.split("<script").length - 1, "one script, the node's own");
                // Chinese from the browser's languages, and the switch wins over them.
                String zh = get(url, "Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8").body();
                assertTrue(zh.contains("<html lang=\"zh-CN\">") && zh.contains("等待付款") && zh.contains("应付金额"), zh);
                assertTrue(get(url + "?lang=zh", "Accept-Language", "en-US").body().contains("等待付款"));
                assertTrue(get(url + "?lang=en", "Accept-Language", "zh-CN").body().contains("Waiting for payment"));
                // Weight of a first load, without the QR: the page, its script, its style.
                int weight = html.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                        + get("http://127.0.0.1:" + checkoutPort + "/checkout/app.js").body().length()
                        + get("http://127.0.0.1:" + checkoutPort + "/checkout/app.css").body().length();
                System.out.println("checkout page weight (first load, without the QR): " + weight + " bytes");
                assertTrue(weight < 60 * 1024, "under 60 KB: " + weight);

                // The QR code is the payment URI.
                assertEquals(pr.getPaymentUri(), decodeQr(get(url + "/qr.svg").body()));

                // Links that are not this node's open nothing, and say nothing: the id alone, a forged tag, another path.
                String base = "http://127.0.0.1:" + checkoutPort;
                for (String wrong : new String[] {"/pay/" + pr.getId(), url.substring(base.length()) + "A", "/pay/" + pr.getId()
                        + ".AAAAAAAAAAAAAAAAAAAAAA", "/pay/../observe/health", "/observe/health", "/", "/pay/" + pr.getId() + "/status"}) {
                    HttpResponse<String> r = get(base + wrong);
                    assertEquals(404, r.statusCode(), wrong);
                    assertEquals("Not found", r.body(), wrong);
                }
                // The gRPC API is not on the checkout listener, and the pages are not on the gRPC port.
                ManagedChannel wrongPort = NettyChannelBuilder.forAddress("127.0.0.1", checkoutPort).usePlaintext().build();
                try {
                    StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class, () ->
                            PaymentsGrpc.newBlockingStub(wrongPort).withDeadlineAfter(5, TimeUnit.SECONDS)
                                    .getPaymentRequest(io.coffer.proto.v1.GetPaymentRequestRequest.newBuilder().setId(pr.getId()).build()));
                    assertNotNull(e.getStatus());
                } finally {
                    wrongPort.shutdownNow();
                }
                assertEquals(404, get("http://127.0.0.1:" + node.port() + url.substring(base.length())).statusCode());

                // Live: the state pushed as it changes, from the first underpayment to the confirmation.
                BlockingQueue<String> pushed = new LinkedBlockingQueue<>();
                var stream = http.sendAsync(HttpRequest.newBuilder(URI.create(url + "/events")).build(), HttpResponse.BodyHandlers.ofLines());
                HttpResponse<java.util.stream.Stream<String>> events = stream.get(10, TimeUnit.SECONDS);
                assertEquals("text/event-stream; charset=utf-8", events.headers().firstValue("Content-Type").orElseThrow());
                Thread reader = Thread.ofVirtual().start(() -> {
                    try {
                        events.body().filter(l -> l.startsWith("data: ")).forEach(l -> pushed.add(l.substring("data: ".length())));
                    } catch (java.io.UncheckedIOException closedByTheTest) {
                        // the stream ends when the test closes it
                    }
                });
                try {
                    String first = next(pushed, "PENDING");
                    assertTrue(first.contains("\"due\":\"0.015\"") && first.contains("\"remainder\":false"), first);

                    btc.minerWallet("sendtoaddress", pr.getAddress(), "0.005");
                    String underpaid = next(pushed, "UNDERPAID");
                    assertTrue(underpaid.contains("\"due\":\"0.01\"") && underpaid.contains("\"remainder\":true"), underpaid);
                    assertTrue(underpaid.contains("\"uri\":\"bitcoin:" + pr.getAddress() + "?amount=0.01"), underpaid);
                    String remainderQr = decodeQr(get(url + "/qr.svg?for=due").body());
                    assertTrue(remainderQr.startsWith("bitcoin:" + pr.getAddress() + "?amount=0.01"), remainderQr);
                    assertTrue(get(url).body().contains("<span id=\"due\">0.01</span>"), "a reload shows what is left");

                    btc.minerWallet("sendtoaddress", pr.getAddress(), "0.01");
                    String seen = next(pushed, "PAID_UNCONFIRMED");
                    assertTrue(seen.contains("\"confirmations\":0,\"required\":1"), seen);
                    assertTrue(seen.contains("\"redirect\":\"\""), "no redirect before it is paid: " + seen);
                    btc.mine(1);
                    String confirmed = next(pushed, "CONFIRMED");
                    assertTrue(confirmed.contains("\"redirect\":\"https://shop.example/thanks?order=A-1\""), confirmed);
                    assertEquals(confirmed, get(url + "/status").body(), "polling sees what was pushed");
                    assertTrue(get(url).body().contains("Paid. Thank you!"));
                } finally {
                    reader.interrupt();
                    events.body().close();
                }

                // Expiry: a request whose time runs out says so, in the customer's language.
                PaymentRequest soon = payments.createPaymentRequest(CreatePaymentRequestRequest.newBuilder().setAsset("ethereum/ETH")
                        .setAmount("1000000000000000").setIdempotencyKey("checkout-2")
                        .setExpiresAt(Timestamp.newBuilder().setSeconds(Instant.now().getEpochSecond() + 2)).build());
                assertTrue(get(soon.getCheckoutUrl()).body().contains("<span id=\"due\">0.001</span> <span class=\"symbol\">ETH</span>"));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!get(soon.getCheckoutUrl() + "/status").body().contains("\"status\":\"EXPIRED\"")) {
                    assertTrue(System.nanoTime() < deadline, "the request expires");
                    Thread.sleep(200);
                }
                assertTrue(get(soon.getCheckoutUrl(), "Accept-Language", "zh").body().contains("该付款请求已过期"));
                assertTrue(decodeQr(get(soon.getCheckoutUrl() + "/qr.svg").body()).startsWith("ethereum:"));
                // Paid anyway, after expiry: the page says the merchant will sort it out (the payment is recorded, flagged late).
                anvil.send(soon.getAddress(), new java.math.BigInteger("1000000000000000"));
                deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!get(soon.getCheckoutUrl() + "/status").body().contains("\"late\":true")) {
                    assertTrue(System.nanoTime() < deadline, "the late payment is seen");
                    Thread.sleep(200);
                }
                String late = get(soon.getCheckoutUrl()).body();
                assertTrue(late.contains("has expired") && late.contains("A payment arrived after this request closed"), late);

                // Cancelled by the merchant: the page tells the customer not to pay.
                PaymentRequest cancelled = payments.createPaymentRequest(CreatePaymentRequestRequest.newBuilder().setAsset("bitcoin/BTC")
                        .setAmount("10000").setIdempotencyKey("checkout-3").build());
                payments.cancelPaymentRequest(io.coffer.proto.v1.CancelPaymentRequestRequest.newBuilder().setId(cancelled.getId()).build());
                assertTrue(get(cancelled.getCheckoutUrl() + "/status").body().contains("\"status\":\"CANCELLED\""));
                assertTrue(get(cancelled.getCheckoutUrl()).body().contains("The merchant cancelled this payment request. Do not pay"));
                assertTrue(get(cancelled.getCheckoutUrl(), "Accept-Language", "zh-CN").body().contains("商户已取消该付款请求"));
            } finally {
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    /** The next pushed state with {@code status} (earlier ones skipped), within 30 s. */
    private static String next(BlockingQueue<String> pushed, String status) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            String s = pushed.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            assertNotNull(s, "no " + status + " pushed within 30 s");
            if (s.contains("\"status\":\"" + status + "\"")) {
                return s;
            }
        }
    }
}
