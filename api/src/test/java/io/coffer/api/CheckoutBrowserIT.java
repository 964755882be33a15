package io.coffer.api;

import static io.coffer.api.ApiTests.bearer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import com.sun.net.httpserver.HttpServer;
import io.coffer.proto.v1.CreateApiKeyRequest;
import io.coffer.proto.v1.CreatePaymentRequestRequest;
import io.coffer.proto.v1.CreateTenantRequest;
import io.coffer.proto.v1.PaymentRequest;
import io.coffer.proto.v1.PaymentsGrpc;
import io.coffer.proto.v1.Scope;
import io.coffer.testkit.AnvilNode;
import io.coffer.testkit.BitcoindNode;
import io.coffer.testkit.Devnet;
import io.coffer.testkit.WithDevnet;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint8;

/**
 * The checkout page in a real headless Chromium (Debian's, driven by its chromedriver) on the dev chains: what a customer sees
 * and does, from the rendered QR code (decoded from a screenshot) through an underpayment and its top-up to the confirmation
 * and the redirect back to the merchant; the Chinese page at phone width; an order description with markup shown as text; an
 * expired request. Screenshots of each state go to {@code target/checkout-screens/}.
 */
@WithDevnet
class CheckoutBrowserIT {
    private static final Path SCREENS = Path.of("target/checkout-screens");
    /** Run before a page's own script: counts the times its live stream opens (the first time, then each reconnect). */
    private static final String COUNT_STREAM_OPENS = """
            (function () {
              var Base = window.EventSource;
              if (!Base) { return; }
              window.__streamOpens = 0;
              window.EventSource = class extends Base {
                constructor(url, init) {
                  super(url, init);
                  this.addEventListener('open', function () { window.__streamOpens += 1; });
                }
              };
            }());
            """;

    @TempDir
    Path dir;

    private static ChromeDriver browser(int width, int height) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(Devnet.chromium().toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--window-size=" + width + "," + height, "--lang=en-US",
                // A phone's screen: two device pixels per CSS pixel. At one, a long URI's modules are under 4 pixels and a
                // screenshot of them did not always read back (1 run in 5).
                "--force-device-scale-factor=2");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(Devnet.chromedriver().toFile())
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "waited 45 s for: " + what);
            Thread.sleep(100);
        }
    }

    private static String text(ChromeDriver b, String id) {
        return b.findElement(By.id(id)).getText();
    }

    private static void screenshot(ChromeDriver b, String name) throws Exception {
        Files.createDirectories(SCREENS);
        Files.write(SCREENS.resolve(name + ".png"), b.getScreenshotAs(OutputType.BYTES));
    }

    /**
     * The QR code on the screen once there is a readable one (its image loads after the page, and a new one replaces it when
     * the state changes), decoded; {@code expected} says which one is awaited.
     */
    private static String awaitQr(ChromeDriver b, String name, java.util.function.Predicate<String> expected) throws Exception {
        String[] seen = new String[1];
        await("a readable QR code: " + name, () -> {
            try {
                seen[0] = qrOnScreen(b);
                return expected.test(seen[0]);
            } catch (Exception notYet) {
                return false;
            }
        });
        return seen[0];
    }

    /**
     * The QR code on the screen, decoded. First the code's own element as the browser painted it, read as a pure code (the
     * module grid sampled from the image, its quiet zone included): ZXing's finder search, even trying hard, misses about 2 in 100
     * flawless renderings of an ETH request's URI (data modules that look like a finder pattern), at any module size (probed with
     * 150 random addresses at 240 and 225 CSS pixels: 3 and 10 missed, none read as pure). Then searched for, on the element and
     * on the whole viewport, as a camera would.
     */
    private static String qrOnScreen(ChromeDriver b) throws Exception {
        java.util.List<BufferedImage> crops = new java.util.ArrayList<>();
        for (String id : new String[] {"qr", "show-qr"}) {
            for (var e : b.findElements(By.id(id))) {
                if (e.isDisplayed()) {
                    crops.add(ImageIO.read(new ByteArrayInputStream(e.getScreenshotAs(OutputType.BYTES))));
                }
            }
        }
        java.util.List<java.util.Map.Entry<BufferedImage, DecodeHintType>> readings = new java.util.ArrayList<>();
        crops.forEach(c -> readings.add(java.util.Map.entry(c, DecodeHintType.PURE_BARCODE)));
        crops.forEach(c -> readings.add(java.util.Map.entry(c, DecodeHintType.TRY_HARDER)));
        readings.add(java.util.Map.entry(ImageIO.read(new ByteArrayInputStream(b.getScreenshotAs(OutputType.BYTES))),
                DecodeHintType.TRY_HARDER));
        Exception last = new IllegalStateException("no QR code shown");
        for (var reading : readings) {
            BufferedImage view = reading.getKey();
            int[] pixels = view.getRGB(0, 0, view.getWidth(), view.getHeight(), null, 0, view.getWidth());
            try {
                return new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(view.getWidth(),
                        view.getHeight(), pixels))), java.util.Map.of(reading.getValue(), Boolean.TRUE)).getText();
            } catch (Exception e) {
                last = e;
            }
        }
        throw last;
    }

    @Test
    void aCustomerPaysInTheBrowser(BitcoindNode btc, AnvilNode anvil) throws Exception {
        if (btc.height() < 110) {
            btc.mine(110);
        }
        HttpServer merchant = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        merchant.createContext("/thanks", ex -> {
            byte[] body = "<!doctype html><title>Thanks</title><h1 id=\"thanks\">Thank you for your order</h1>".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        merchant.start();
        String thanks = "http://127.0.0.1:" + merchant.getAddress().getPort() + "/thanks?order=B-7";
        // Live streams end after 10 s here (the shortest allowed): every page below reconnects several times on its way.
        try (CofferNode node = CofferNode.start(ApiTests.devConfig(dir, btc, anvil, "", "  checkout:\n    stream-limit: 10s\n"))) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            ChromeDriver desktop = browser(1280, 1000);
            try {
                var admin = ApiTests.operator(ch, dir.resolve("data"));
                String shop = admin.createTenant(CreateTenantRequest.newBuilder().setName("Tea House").build()).getId();
                var payments = PaymentsGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(
                        admin.createApiKey(CreateApiKeyRequest.newBuilder().setTenantId(shop).addScopes(Scope.SCOPE_READ)
                                .addScopes(Scope.SCOPE_PAYMENTS).build()).getSecret())));
                String description = "<script>document.title='pwned'</script> Oolong x2";
                PaymentRequest pr = payments.createPaymentRequest(CreatePaymentRequestRequest.newBuilder().setAsset("bitcoin/BTC")
                        .setAmount("1500000").setOrderId("B-7").setDescription(description).setRedirectUrl(thanks)
                        .setIdempotencyKey("browser-1").setExpiresAt(Timestamp.newBuilder().setSeconds(Instant.now().getEpochSecond() + 3600))
                        .build());

                desktop.get(pr.getCheckoutUrl());
                await("the page", () -> text(desktop, "state").contains("Waiting for payment"));
                assertEquals("Tea House", text(desktop, "merchant"));
                assertEquals(description, text(desktop, "description"), "markup shown as text");
                assertFalse(desktop.getTitle().contains("pwned"), "and never run");
                assertEquals("0.015", text(desktop, "due"));
                assertEquals(pr.getAddress(), text(desktop, "address"));
                assertEquals(pr.getPaymentUri(), desktop.findElement(By.id("open")).getDomAttribute("href"));
                await("the countdown", () -> text(desktop, "countdown").matches("(59|60):\\d\\d|1:00:00"));
                awaitQr(desktop, "the payment URI", pr.getPaymentUri()::equals);
                screenshot(desktop, "desktop-waiting");

                // Underpaid: the page shows what is left, and a new code for it, without a reload.
                Object marker = ((JavascriptExecutor) desktop).executeScript("window.__sameDocument = 42; return 1;");
                assertEquals(1L, marker);
                btc.minerWallet("sendtoaddress", pr.getAddress(), "0.005");
                await("underpaid", () -> text(desktop, "state").contains("0.01 BTC still due"));
                assertEquals("0.01", text(desktop, "due"));
                awaitQr(desktop, "the remainder", u -> u.startsWith("bitcoin:" + pr.getAddress() + "?amount=0.01"));
                screenshot(desktop, "desktop-underpaid");

                btc.minerWallet("sendtoaddress", pr.getAddress(), "0.01");
                await("seen", () -> text(desktop, "state").contains("Payment received: 0 of 1 confirmations"));
                assertEquals(42L, ((JavascriptExecutor) desktop).executeScript("return window.__sameDocument;"), "no reload");
                screenshot(desktop, "desktop-seen");
                btc.mine(1);
                await("paid", () -> desktop.getCurrentUrl().startsWith(thanks) || text(desktop, "state").contains("Paid."));
                if (!desktop.getCurrentUrl().startsWith(thanks)) {
                    screenshot(desktop, "desktop-paid");
                }
                await("back at the merchant", () -> desktop.getCurrentUrl().equals(thanks));
                assertEquals("Thank you for your order", desktop.findElement(By.id("thanks")).getText());

                // A phone, in Chinese (the switch on the page), an ERC-20-sized amount in ETH: fits 360 px, no sideways scroll.
                PaymentRequest eth = payments.createPaymentRequest(CreatePaymentRequestRequest.newBuilder().setAsset("ethereum/ETH")
                        .setAmount("1234500000000000000").setOrderId("B-8").setDescription("两杯乌龙茶").setIdempotencyKey("browser-2")
                        .setExpiresAt(Timestamp.newBuilder().setSeconds(Instant.now().getEpochSecond() + 900)).build());
                desktop.manage().window().setSize(new Dimension(360, 780));
                desktop.get(eth.getCheckoutUrl());
                await("the English page", () -> text(desktop, "state").contains("Waiting for payment"));
                desktop.findElement(By.id("lang-zh")).click();
                await("the Chinese page", () -> text(desktop, "state").equals("等待付款"));
                assertEquals("1.2345", text(desktop, "due"));
                assertEquals("两杯乌龙茶", text(desktop, "description"));
                long scrollWidth = (Long) ((JavascriptExecutor) desktop).executeScript("return document.documentElement.scrollWidth;");
                long clientWidth = (Long) ((JavascriptExecutor) desktop).executeScript("return document.documentElement.clientWidth;");
                assertTrue(scrollWidth <= clientWidth, "fits the phone's width: " + scrollWidth + " > " + clientWidth);
                awaitQr(desktop, "the ETH request's URI", eth.getPaymentUri()::equals);
                screenshot(desktop, "phone-zh-waiting");

                // Paid on anvil: the confirmations count up on the page (12 needed on the EVM chain), then it says paid.
                anvil.send(eth.getAddress(), new java.math.BigInteger("1234500000000000000"));
                await("received on anvil", () -> text(desktop, "state").matches("已收到付款：确认数 [0-9]+/12"));
                anvil.mine(3);
                await("confirmations counting up", () -> {
                    String state = text(desktop, "state");
                    return state.matches("已收到付款：确认数 ([4-9]|1[01])/12");
                });
                screenshot(desktop, "phone-zh-confirming");
                anvil.mine(12);
                await("paid on anvil", () -> text(desktop, "state").equals("付款成功，谢谢！"));
                screenshot(desktop, "phone-zh-paid");

                // No live stream (a proxy that cuts it): the page falls back to polling and still moves without a reload.
                PaymentRequest polled = payments.createPaymentRequest(CreatePaymentRequestRequest.newBuilder().setAsset("bitcoin/BTC")
                        .setAmount("30000").setIdempotencyKey("browser-4").build());
                desktop.executeCdpCommand("Network.enable", java.util.Map.of());
                desktop.executeCdpCommand("Network.setBlockedURLs", java.util.Map.of("urls", java.util.List.of("*/events")));
                desktop.get(polled.getCheckoutUrl() + "?lang=en");
                await("the page", () -> text(desktop, "state").contains("Waiting for payment"));
                ((JavascriptExecutor) desktop).executeScript("window.__sameDocument = 7; return 1;");
                btc.minerWallet("sendtoaddress", polled.getAddress(), "0.0003");
                await("seen by polling", () -> text(desktop, "state").contains("Payment received"));
                assertEquals(7L, ((JavascriptExecutor) desktop).executeScript("return window.__sameDocument;"), "no reload");
                desktop.executeCdpCommand("Network.setBlockedURLs", java.util.Map.of("urls", java.util.List.of()));

                // A dropped stream (the node ends it after its stream limit): the browser opens it again by itself and the page
                // stays live on the stream, not on polling, without a reload.
                desktop.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", java.util.Map.of("source", COUNT_STREAM_OPENS));
                PaymentRequest resumed = payments.createPaymentRequest(CreatePaymentRequestRequest.newBuilder().setAsset("bitcoin/BTC")
                        .setAmount("40000").setIdempotencyKey("browser-5").build());
                desktop.get(resumed.getCheckoutUrl() + "?lang=en");
                await("the page", () -> text(desktop, "state").contains("Waiting for payment"));
                ((JavascriptExecutor) desktop).executeScript("window.__sameDocument = 9; return 1;");
                await("the stream ended by the node and opened again", () -> ((Long) ((JavascriptExecutor) desktop)
                        .executeScript("return window.__streamOpens || 0;")) >= 2);
                btc.minerWallet("sendtoaddress", resumed.getAddress(), "0.0004");
                await("seen on the reopened stream", () -> text(desktop, "state").contains("Payment received"));
                assertEquals("stream", desktop.findElement(By.id("checkout")).getDomAttribute("data-live"), "live, not polling");
                assertEquals(9L, ((JavascriptExecutor) desktop).executeScript("return window.__sameDocument;"), "no reload");

                // Expiry, seen live: the countdown runs out and the page says not to pay.
                PaymentRequest soon = payments.createPaymentRequest(CreatePaymentRequestRequest.newBuilder().setAsset("bitcoin/BTC")
                        .setAmount("20000").setIdempotencyKey("browser-3")
                        .setExpiresAt(Timestamp.newBuilder().setSeconds(Instant.now().getEpochSecond() + 4)).build());
                desktop.get(soon.getCheckoutUrl() + "?lang=en");
                await("expired", () -> text(desktop, "state").contains("has expired"));
                assertFalse(desktop.findElement(By.id("pay")).isDisplayed(), "nothing to pay any more");
                screenshot(desktop, "phone-expired");
            } finally {
                desktop.quit();
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                merchant.stop(0);
            }
        }
    }

    @Test
    void aShopCounterChargesACustomer(BitcoindNode btc, AnvilNode anvil) throws Exception {
        if (btc.height() < 110) {
            btc.mine(110);
        }
        anvil.setAutomine(true);
        io.coffer.testkit.Solc.Contract c = io.coffer.testkit.Solc.compile(
                Devnet.projectRoot().resolve("chains/evm/src/test/resources/contracts/TestToken.sol"), "TestToken");
        String token = anvil.receipt(anvil.transact(null, c.bin() + FunctionEncoder.encodeConstructor(java.util.List.of(
                new Utf8String("Test Dollar"), new Utf8String("USDC"), new Uint8(6), new Uint256(java.math.BigInteger.TEN.pow(15))))))
                .get("contractAddress").asText();
        String usdc = "      confirmations: 2\n      tokens:\n        - symbol: USDC\n          contract: \"" + token + "\"\n          decimals: 6\n";
        try (CofferNode node = CofferNode.start(ApiTests.devConfig(dir, btc, anvil, usdc, ""))) {
            ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", node.port()).usePlaintext().build();
            ChromeDriver phone = browser(390, 844);
            try {
                var admin = ApiTests.operator(ch, dir.resolve("data"));
                String shop = admin.createTenant(CreateTenantRequest.newBuilder().setName("Tea House").build()).getId();
                var issued = admin.createCounterCredential(io.coffer.proto.v1.CreateCounterCredentialRequest.newBuilder()
                        .setTenantId(shop).setLabel("Front desk").addCaps(io.coffer.proto.v1.CounterCap.newBuilder()
                                .setAsset("bitcoin/BTC").setMax("2000000")).build());
                assertTrue(issued.getCounterUrl().endsWith("/counter"), issued.getCounterUrl());
                String code = issued.getPairingCode();

                // Pairing: a wrong code is refused, the right one pairs the device once.
                phone.get(issued.getCounterUrl());
                phone.findElement(By.id("code")).sendKeys(code.substring(0, code.length() - 2) + "xx");
                phone.findElement(By.id("pair")).click();
                await("the refusal", () -> text(phone, "error").contains("not valid"));
                phone.findElement(By.id("code")).clear();
                phone.findElement(By.id("code")).sendKeys(code);
                phone.findElement(By.id("pair")).click();
                await("the till", () -> !phone.findElements(By.id("charge")).isEmpty());
                assertEquals("Tea House", text(phone, "merchant"));
                var cookie = phone.manage().getCookieNamed("coffer_counter");
                assertTrue(cookie.isHttpOnly() && "Strict".equals(cookie.getSameSite()) && cookie.getPath().equals("/counter"), cookie.toString());
                screenshot(phone, "counter-ready");

                // A sale: the QR code full screen, then green once paid, and the day's list shows it.
                phone.findElement(By.id("amount")).sendKeys("0.0125");
                phone.findElement(By.cssSelector("#asset option[value='bitcoin/BTC']")).click();
                phone.findElement(By.id("charge")).click();
                await("the QR code", () -> phone.findElement(By.id("show")).isDisplayed() && !text(phone, "show-state").isEmpty());
                assertEquals("0.0125", text(phone, "show-amount"));
                String[] uri = {awaitQr(phone, "the charge", u -> u.startsWith("bitcoin:"))};
                assertTrue(uri[0].startsWith("bitcoin:bcrt1") && uri[0].contains("amount=0.0125"), uri[0]);
                screenshot(phone, "counter-qr");
                String address = uri[0].substring("bitcoin:".length(), uri[0].indexOf('?'));
                btc.minerWallet("sendtoaddress", address, "0.0125");
                await("received", () -> "PAID_UNCONFIRMED".equals(phone.findElement(By.id("show")).getDomAttribute("data-status")));
                btc.mine(1);
                await("paid: green", () -> "CONFIRMED".equals(phone.findElement(By.id("show")).getDomAttribute("data-status")));
                assertEquals("PAID", text(phone, "show-state"));
                screenshot(phone, "counter-paid");
                phone.findElement(By.id("new-sale")).click();
                await("the day's list", () -> text(phone, "today").contains("0.0125 BTC") && text(phone, "today").contains("CONFIRMED"));

                // A token sale on anvil: the code carries the ERC-20 transfer (EIP-681), green after the token's 2 confirmations.
                phone.findElement(By.id("amount")).clear();
                phone.findElement(By.id("amount")).sendKeys("12.5");
                phone.findElement(By.cssSelector("#asset option[value='ethereum/USDC']")).click();
                phone.findElement(By.id("charge")).click();
                String tokenUri = awaitQr(phone, "the token charge", u -> u.startsWith("ethereum:"));
                assertTrue(tokenUri.toLowerCase().startsWith(("ethereum:" + token + "@31337/transfer?address=0x").toLowerCase())
                        && tokenUri.endsWith("&uint256=12500000"), tokenUri);
                assertEquals("12.5", text(phone, "show-amount"));
                screenshot(phone, "counter-token-qr");
                String payTo = tokenUri.substring(tokenUri.indexOf("address=") + "address=".length(), tokenUri.indexOf('&'));
                anvil.transact(token, FunctionEncoder.encode(new org.web3j.abi.datatypes.Function("transfer", java.util.List.of(
                        new Address(payTo), new Uint256(java.math.BigInteger.valueOf(12_500_000))), java.util.List.of())));
                await("the token received", () -> "PAID_UNCONFIRMED".equals(phone.findElement(By.id("show")).getDomAttribute("data-status")));
                anvil.mine(2);
                await("the token paid: green", () -> "CONFIRMED".equals(phone.findElement(By.id("show")).getDomAttribute("data-status")));
                screenshot(phone, "counter-token-paid");
                phone.findElement(By.id("new-sale")).click();
                await("both in the day's list", () -> text(phone, "today").contains("12.5 USDC") && text(phone, "today").contains("0.0125 BTC"));

                // The merchant's API sees the charge as its own payment request, marked with the till.
                var payments = PaymentsGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(
                        admin.createApiKey(CreateApiKeyRequest.newBuilder().setTenantId(shop).addScopes(Scope.SCOPE_READ).build()).getSecret())));
                var listed = payments.listPaymentRequests(io.coffer.proto.v1.ListPaymentRequestsRequest.getDefaultInstance());
                assertEquals(2, listed.getPaymentRequestsCount());
                for (PaymentRequest charge : listed.getPaymentRequestsList()) {
                    assertEquals(issued.getCredential().getId(), charge.getMetadataOrThrow("coffer.counter"));
                    assertEquals("Front desk", charge.getDescription());
                }
                assertEquals(java.util.List.of("ethereum/USDC", "bitcoin/BTC"), listed.getPaymentRequestsList().stream()
                        .map(r -> r.getAmount().getAsset()).toList(), "newest first");

                // Above the cap: refused with the reason, nothing made.
                phone.findElement(By.id("amount")).clear();
                phone.findElement(By.id("amount")).sendKeys("0.03");
                phone.findElement(By.cssSelector("#asset option[value='bitcoin/BTC']")).click();
                phone.findElement(By.id("charge")).click();
                await("the cap", () -> text(phone, "error").contains("at most 0.02 BTC"));
                assertEquals(2, payments.listPaymentRequests(io.coffer.proto.v1.ListPaymentRequestsRequest.getDefaultInstance())
                        .getPaymentRequestsCount());

                // The pairing code is no API key: it opens nothing on the merchant API.
                var asKey = PaymentsGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(code)));
                assertEquals(io.grpc.Status.Code.UNAUTHENTICATED, org.junit.jupiter.api.Assertions.assertThrows(
                        io.grpc.StatusRuntimeException.class, () -> asKey.listPaymentRequests(
                                io.coffer.proto.v1.ListPaymentRequestsRequest.getDefaultInstance())).getStatus().getCode());

                // Revoked: the device is refused at its next call, and back to pairing on reload.
                admin.revokeCounterCredential(io.coffer.proto.v1.RevokeCounterCredentialRequest.newBuilder()
                        .setId(issued.getCredential().getId()).build());
                phone.findElement(By.id("amount")).clear();
                phone.findElement(By.id("amount")).sendKeys("0.001");
                phone.findElement(By.id("charge")).click();
                await("refused", () -> text(phone, "error").contains("NOT_PAIRED"));
                phone.navigate().refresh();
                await("pairing again", () -> !phone.findElements(By.id("pair")).isEmpty());
                assertEquals(2, payments.listPaymentRequests(io.coffer.proto.v1.ListPaymentRequestsRequest.getDefaultInstance())
                        .getPaymentRequestsCount(), "nothing made by a revoked counter");
            } finally {
                phone.quit();
                ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }
}
