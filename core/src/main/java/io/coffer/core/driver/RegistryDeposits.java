package io.coffer.core.driver;

import io.coffer.core.chain.ChainTables;
import io.coffer.core.chain.Deposit;
import io.coffer.core.payment.PaymentTables;
import io.coffer.core.report.ReportService;
import io.coffer.core.store.Store;
import java.util.ArrayList;
import java.util.List;

/** The followed chains' deposits as reports see them: payments to the account's external addresses, with what they paid. */
final class RegistryDeposits implements ReportService.DepositSource {
    private final ChainRegistry chains;
    private final Store store;

    RegistryDeposits(ChainRegistry chains, Store store) {
        this.chains = chains;
        this.store = store;
    }

    @Override
    public List<Deposit> deposits(int account) {
        List<Deposit> out = new ArrayList<>();
        for (ChainModule m : chains.modules()) {
            m.follower().depositsOf(account).stream().filter(d -> !chains.internal(d.chain(), d.address())).forEach(out::add);
        }
        return out;
    }

    @Override
    public String paymentRequestOf(Deposit d) {
        return store.get(PaymentTables.BY_ADDRESS, new ChainTables.ChainAddress(d.chain(), d.address())).orElse("");
    }

    @Override
    public String feeAsset(String chain) {
        return chains.feeAsset(chain);
    }
}
