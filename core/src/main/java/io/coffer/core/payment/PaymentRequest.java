package io.coffer.core.payment;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Map;

/**
 * A payment request as created (the facts that do not change), plus its cancellation time.
 *
 * @param account               the tenant's HD account
 * @param requiredConfirmations 0 counts payments as soon as seen
 * @param expiresAt             null: never expires
 * @param cancelledAt           null: not cancelled
 * @param redirectUrl           where the checkout page sends the customer once CONFIRMED; empty: nowhere
 */
public record PaymentRequest(String id, String tenantId, int account, String asset, BigInteger amount, String address,
                             String paymentUri, int requiredConfirmations, Instant createdAt, Instant expiresAt, String orderId,
                             Map<String, String> metadata, String description, String idempotencyKey, Instant cancelledAt,
                             String redirectUrl) {
    public PaymentRequest {
        metadata = Map.copyOf(metadata);
    }

    PaymentRequest cancelled(Instant at) {
        return new PaymentRequest(id, tenantId, account, asset, amount, address, paymentUri, requiredConfirmations, createdAt, expiresAt,
                orderId, metadata, description, idempotencyKey, at, redirectUrl);
    }
}
