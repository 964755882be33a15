package io.coffer.core.payment;

import io.coffer.core.chain.Deposit;
import java.math.BigInteger;
import java.util.List;

/**
 * The receiving side of {@link PaymentRequestService} for reading stored requests only (list and page tests, the paging
 * benchmark): every asset is known, no deposit was ever paid, and nothing new can be issued. Shared through core's test-jar.
 */
public final class ReadOnlyReceiving implements PaymentRequestService.Receiving {
    @Override
    public boolean knows(String asset) {
        return true;
    }

    @Override
    public String issueAddress(int account, String asset) {
        throw new UnsupportedOperationException("read only");
    }

    @Override
    public String paymentUri(String asset, String address, BigInteger amount, String description) {
        throw new UnsupportedOperationException("read only");
    }

    @Override
    public List<Deposit> deposits(String asset, String address) {
        return List.of();
    }

    @Override
    public int defaultConfirmations(String asset) {
        return 1;
    }

    @Override
    public int finalConfirmations(String asset) {
        return 6;
    }

    @Override
    public BigInteger maxAmount(String asset) {
        return BigInteger.TWO.pow(256).subtract(BigInteger.ONE);
    }
}
