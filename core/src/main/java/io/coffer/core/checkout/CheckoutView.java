package io.coffer.core.checkout;

import io.coffer.core.payment.PaymentRequestStatus;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Optional;

/**
 * A payment request as its customer sees it. Amounts are base units here; {@link #decimal} turns them into the asset's own
 * units, the only form a customer is ever shown.
 *
 * @param merchant       the tenant's display name
 * @param due            what is still to pay (amount less what was paid, never negative)
 * @param confirmations  the confirmations of the least confirmed counted payment (0 when none)
 * @param required       confirmations the request needs
 * @param paymentUri     BIP-21 / EIP-681 URI of the whole amount
 * @param remainderUri   the same for {@code due} (what an underpaid customer scans)
 * @param late           payments arrived after expiry or cancellation (the merchant must sort them out)
 */
public record CheckoutView(String token, String paymentRequestId, String merchant, String orderId, String description, String asset,
                           String symbol, int decimals, BigInteger amount, BigInteger paid, BigInteger due, PaymentRequestStatus status,
                           boolean isFinal, int confirmations, int required, Optional<Instant> expiresAt, boolean late, String address,
                           String paymentUri, String remainderUri, String redirectUrl) {
    /** {@code baseUnits} in the asset's units, without trailing zeros ("0.015", "12"). */
    public String decimal(BigInteger baseUnits) {
        return new BigDecimal(baseUnits).movePointLeft(decimals).stripTrailingZeros().toPlainString();
    }
}
