package io.coffer.core.driver;

import io.coffer.core.chain.Deposit;
import io.coffer.core.config.ChainConfig;
import io.coffer.core.payment.PaymentRequestService;
import java.math.BigInteger;
import java.util.List;

/** The followed chains as payment requests see them: fresh addresses, payment URIs in the chain's own format, deposits. */
final class RegistryReceiving implements PaymentRequestService.Receiving {
    private final ChainRegistry chains;

    RegistryReceiving(ChainRegistry chains) {
        this.chains = chains;
    }

    @Override
    public boolean knows(String asset) {
        return chains.moduleOf(asset).isPresent();
    }

    @Override
    public String issueAddress(int account, String asset) {
        return chains.requireAsset(asset).receivingAddresses().next(account, 0, null, false).address();
    }

    @Override
    public String paymentUri(String asset, String address, BigInteger amount, String description) {
        ChainConfig chain = chains.requireAsset(asset).config();
        return chain.paymentUri(chain.asset(asset).orElseThrow(), address, amount, description);
    }

    @Override
    public List<Deposit> deposits(String asset, String address) {
        return chains.requireAsset(asset).follower().depositsTo(address);
    }

    @Override
    public int defaultConfirmations(String asset) {
        return chains.requireAsset(asset).config().confirmations();
    }

    @Override
    public int finalConfirmations(String asset) {
        return chains.requireAsset(asset).config().reorgSafetyDepth();
    }

    @Override
    public BigInteger maxAmount(String asset) {
        return chains.requireAsset(asset).maxAmount();
    }
}
