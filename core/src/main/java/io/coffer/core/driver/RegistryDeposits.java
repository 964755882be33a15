package io.coffer.core.driver;

import io.coffer.core.chain.ChainTables;
import io.coffer.core.chain.Deposit;
import io.coffer.core.chain.DepositId;
import io.coffer.core.payment.PaymentTables;
import io.coffer.core.report.ReportService;
import io.coffer.core.store.Store;
import io.coffer.core.tenant.TenantPages;
import java.time.Instant;
import java.util.Set;
import java.util.function.Consumer;

/** The followed chains' deposits as reports see them: payments to the account's external addresses, with what they paid. */
final class RegistryDeposits implements ReportService.DepositSource {
    private final ChainRegistry chains;
    private final Store store;

    RegistryDeposits(ChainRegistry chains, Store store) {
        this.chains = chains;
        this.store = store;
    }

    /**
     * Reads the account's history index (0x2c: its rows are keyed by the time a deposit was first seen, in milliseconds) over
     * the period, each deposit row's record then, checked against the exact period.
     */
    @Override
    public void eachDeposit(int account, Instant from, Instant to, Consumer<Deposit> each) {
        Set<String> followed = chains.modules().stream().map(ChainModule::chain).collect(java.util.stream.Collectors.toSet());
        long last = TenantPages.millis(to);
        ChainTables.AccountActivity low = new ChainTables.AccountActivity(account, TenantPages.millis(from), "",
                ChainTables.ActivityKind.DEPOSIT, "");
        ChainTables.AccountActivity high = new ChainTables.AccountActivity(account, last == Long.MAX_VALUE ? last : last + 1, "",
                ChainTables.ActivityKind.DEPOSIT, ""); // a deposit seen within to's millisecond, before it
        try (var c = store.scan(ChainTables.ACCOUNT_ACTIVITY.between(low, high), ChainTables.ACCOUNT_ACTIVITY)) {
            while (c.hasNext()) {
                ChainTables.AccountActivity row = c.next().getKey();
                if (row.kind() != ChainTables.ActivityKind.DEPOSIT || !followed.contains(row.chain())) {
                    continue;
                }
                store.get(ChainTables.DEPOSITS, new ChainTables.ChainDeposit(row.chain(), DepositId.parse(row.id())))
                        .filter(d -> !d.firstSeen().isBefore(from) && d.firstSeen().isBefore(to))
                        .filter(d -> !chains.internal(d.chain(), d.address()))
                        .ifPresent(each);
            }
        }
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
