package io.coffer.core.checkout;

import io.coffer.core.chain.Deposit;
import io.coffer.core.driver.AssetInfo;
import io.coffer.core.driver.ChainRegistry;
import io.coffer.core.payment.CheckoutTokens;
import io.coffer.core.payment.PaymentRequest;
import io.coffer.core.payment.PaymentRequestService;
import io.coffer.core.payment.PaymentRequestStatus;
import io.coffer.core.tenant.Tenant;
import io.coffer.core.tenant.TenantService;
import java.math.BigInteger;
import java.util.Optional;

/**
 * Opens checkout pages: a token this node made gives the customer's view of its one payment request, anything else gives
 * nothing (the page answers a plain 404, the same for a forged token, an unknown one, and a request that no longer exists).
 */
public final class CheckoutService {
    private final PaymentRequestService payments;
    private final CheckoutTokens tokens;
    private final TenantService tenants;
    private final ChainRegistry chains;

    public CheckoutService(PaymentRequestService payments, CheckoutTokens tokens, TenantService tenants, ChainRegistry chains) {
        this.payments = payments;
        this.tokens = tokens;
        this.tenants = tenants;
        this.chains = chains;
    }

    /** The token of request {@code paymentRequestId}'s page (what its checkout URL carries). */
    public String tokenOf(String paymentRequestId) {
        return tokens.tokenOf(paymentRequestId);
    }

    /** The customer's view of the request {@code token} opens, now. */
    public Optional<CheckoutView> open(String token) {
        Optional<String> id = tokens.paymentRequestOf(token);
        if (id.isEmpty()) {
            return Optional.empty();
        }
        return payments.find(id.get()).flatMap(v -> view(token, v));
    }

    /** The customer's view of a request already read ({@code view}), under its page's {@code token}. */
    public Optional<CheckoutView> view(String token, PaymentRequestService.View view) {
        Optional<AssetInfo> asset = chains.assets().stream().filter(a -> a.id().equals(view.request().asset())).findFirst();
        if (asset.isEmpty()) {
            return Optional.empty(); // a chain no longer configured: nothing sensible to show
        }
        PaymentRequest pr = view.request();
        var e = view.evaluation();
        BigInteger due = pr.amount().subtract(e.paid()).max(BigInteger.ZERO);
        int confirmations = e.counted().stream().mapToInt(Deposit::confirmations).min().orElse(0);
        String remainderUri = due.signum() > 0 && due.compareTo(pr.amount()) < 0
                ? chains.receiving().paymentUri(pr.asset(), pr.address(), due, pr.description()) : pr.paymentUri();
        String merchant = tenants.tenant(pr.tenantId()).map(Tenant::name).orElse("");
        return Optional.of(new CheckoutView(token, pr.id(), merchant, pr.orderId(), pr.description(), pr.asset(), asset.get().symbol(),
                asset.get().decimals(), pr.amount(), e.paid(), due, e.status(), e.isFinal(), confirmations, pr.requiredConfirmations(),
                Optional.ofNullable(pr.expiresAt()), !e.late().isEmpty(), pr.address(), pr.paymentUri(), remainderUri,
                e.status() == PaymentRequestStatus.CONFIRMED ? pr.redirectUrl() : ""));
    }

    /** The id of the request {@code token} opens, if it is a token of this node. */
    public Optional<String> requestOf(String token) {
        return tokens.paymentRequestOf(token);
    }

    /** The tenant whose events move the request {@code token} opens (a live page listens to them). */
    public Optional<String> tenantOf(String token) {
        return tokens.paymentRequestOf(token).flatMap(payments::find).map(v -> v.request().tenantId());
    }
}
