package io.coffer.core.payment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.coffer.core.CofferSchema;
import io.coffer.core.store.LevelDbStore;
import io.coffer.core.store.Store;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckoutTokensTest {
    @TempDir
    Path dir;

    @Test
    void aTokenOpensItsRequestOnlyAndSurvivesARestart() {
        String token;
        try (Store store = LevelDbStore.open(dir, CofferSchema.current())) {
            CheckoutTokens tokens = CheckoutTokens.open(store, new SecureRandom());
            token = tokens.tokenOf("pr_00000000000000aa");
            assertTrue(token.startsWith("pr_00000000000000aa."));
            assertEquals(Optional.of("pr_00000000000000aa"), tokens.paymentRequestOf(token));
            assertNotEquals(token, tokens.tokenOf("pr_00000000000000ab"), "each request its own");
            // Forgeries: the id alone, another request's tag, a tag one bit off, garbage, nothing.
            assertEquals(Optional.empty(), tokens.paymentRequestOf("pr_00000000000000aa"));
            String otherTag = tokens.tokenOf("pr_00000000000000ab").substring("pr_00000000000000ab".length());
            assertEquals(Optional.empty(), tokens.paymentRequestOf("pr_00000000000000aa" + otherTag));
            char last = token.charAt(token.length() - 1);
            assertEquals(Optional.empty(), tokens.paymentRequestOf(token.substring(0, token.length() - 1) + (last == 'A' ? 'B' : 'A')));
            assertEquals(Optional.empty(), tokens.paymentRequestOf("pr_1.!!!"));
            assertEquals(Optional.empty(), tokens.paymentRequestOf(""));
            assertEquals(Optional.empty(), tokens.paymentRequestOf(null));
            assertEquals(Optional.empty(), tokens.paymentRequestOf("x".repeat(10_000) + "." + "A".repeat(22)));
        }
        try (Store store = LevelDbStore.open(dir, CofferSchema.current())) {
            assertEquals(Optional.of("pr_00000000000000aa"), CheckoutTokens.open(store, new SecureRandom()).paymentRequestOf(token),
                    "the key is kept: links handed out stay valid");
        }
        Path elsewhere = dir.resolve("other");
        try (Store store = LevelDbStore.open(elsewhere, CofferSchema.current())) {
            assertEquals(Optional.empty(), CheckoutTokens.open(store, new SecureRandom()).paymentRequestOf(token), "another node's key");
        }
    }

    /** The tag is HMAC-SHA256 of "checkout:" + id, its first 16 bytes, the same made one at a time or side by side. */
    @Test
    void tokensMadeSideBySideAreTheHmacOfTheirId() throws Exception {
        try (Store store = LevelDbStore.open(dir, CofferSchema.current())) {
            CheckoutTokens tokens = CheckoutTokens.open(store, new SecureRandom());
            byte[] key = store.get(PaymentTables.CHECKOUT_KEY, "hmac").orElseThrow();
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
            java.util.List<String> ids = java.util.stream.IntStream.range(0, 2_000).mapToObj(i -> "pr_" + Integer.toHexString(i)).toList();
            java.util.Map<String, String> expected = new java.util.HashMap<>();
            for (String id : ids) {
                expected.put(id, id + "." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(
                        mac.doFinal(("checkout:" + id).getBytes(java.nio.charset.StandardCharsets.UTF_8)), 16)));
            }
            java.util.Map<String, String> made = ids.parallelStream().collect(java.util.stream.Collectors.toConcurrentMap(id -> id, tokens::tokenOf));
            assertEquals(expected, made);
        }
    }
}
