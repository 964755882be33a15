package io.coffer.core.payment;

import io.coffer.core.store.Batch;
import io.coffer.core.store.Store;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The tokens of checkout pages: {@code <payment request id>.<tag>}, the tag being 128 bits of HMAC-SHA256 of the id under a
 * node key. Only this node can make one, so a checkout URL cannot be guessed from a request id (which opens nothing alone),
 * and nothing needs storing per request: every request, old ones too, has its link. The key lives in the store
 * ({@link PaymentTables#CHECKOUT_KEY}); a page token gives read access to one request's customer view, never more.
 */
public final class CheckoutTokens {
    private static final int TAG_BYTES = 16;
    /** Keyed once; each tag is made on a clone (a provider look-up and key set-up per tag cost a twentieth of a new request). */
    private final Mac keyed;

    private CheckoutTokens(byte[] key) {
        try {
            this.keyed = Mac.getInstance("HmacSHA256");
            keyed.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** The node's tokens, making the key on first use. */
    public static synchronized CheckoutTokens open(Store store, SecureRandom random) {
        Optional<byte[]> stored = store.get(PaymentTables.CHECKOUT_KEY, "hmac");
        if (stored.isPresent()) {
            return new CheckoutTokens(stored.get());
        }
        byte[] fresh = new byte[32];
        random.nextBytes(fresh);
        Batch b = store.batch();
        b.put(PaymentTables.CHECKOUT_KEY, "hmac", fresh);
        b.commit();
        return new CheckoutTokens(fresh);
    }

    /** The token of request {@code paymentRequestId}'s checkout page. */
    public String tokenOf(String paymentRequestId) {
        return paymentRequestId + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(tag(paymentRequestId));
    }

    /** The request a token opens, if it is one this node made (checked in constant time). */
    public Optional<String> paymentRequestOf(String token) {
        int dot = token == null ? -1 : token.lastIndexOf('.');
        if (dot <= 0 || token.length() > 120) {
            return Optional.empty();
        }
        String id = token.substring(0, dot);
        // The whole text, not the decoded tag: base64's last character carries unused bits, so a decoder also takes
        // other spellings of the same tag; only the one spelling this node wrote opens the page.
        return MessageDigest.isEqual(tokenOf(id).getBytes(StandardCharsets.US_ASCII), token.getBytes(StandardCharsets.US_ASCII))
                ? Optional.of(id) : Optional.empty();
    }

    private byte[] tag(String id) {
        try {
            Mac mac = (Mac) keyed.clone(); // the keyed original is only ever cloned, never fed: clones may be made side by side
            return Arrays.copyOf(mac.doFinal(("checkout:" + id).getBytes(StandardCharsets.UTF_8)), TAG_BYTES);
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's HmacSHA256 is cloneable", e);
        }
    }
}
