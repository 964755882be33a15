package io.coffer.core.transfer;

import io.coffer.core.store.Batch;
import io.coffer.core.store.Derivation;
import io.coffer.core.store.Reader;
import io.coffer.core.store.Store;
import io.coffer.core.store.Table;
import java.math.BigInteger;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The transfers awaiting approval, indexed by tenant and asset ({@link TransferTables#AWAITING}) in the batches that write
 * the transfers: what they reserve of a tenant's funds is then a read of those few, where it was a scan of every transfer
 * the tenant ever made, on every CreateTransfer (its cost grew with the tenant's history: {@code scripts/bench transfers}
 * fell from 83 to 15 transfers/s within a few thousand).
 */
final class AwaitingApproval implements Derivation {
    static final String NAME = "transfers awaiting approval";

    @Override
    public Set<Table<?, ?>> reads() {
        return Set.of(TransferTables.TRANSFERS);
    }

    @Override
    public void derive(Batch batch, Reader before) {
        for (Map.Entry<String, Optional<TenantTransfer>> e : batch.changes(TransferTables.TRANSFERS).entrySet()) {
            before.get(TransferTables.TRANSFERS, e.getKey()).filter(AwaitingApproval::awaiting)
                    .ifPresent(was -> batch.delete(TransferTables.AWAITING, key(was)));
            e.getValue().filter(AwaitingApproval::awaiting).ifPresent(is -> batch.put(TransferTables.AWAITING, key(is), is.amount()));
        }
    }

    /** Writes the index of the transfers recorded so far (the schema's migration to it). */
    static void index(Store store, Batch batch) {
        store.forEach(TransferTables.TRANSFERS.all(), TransferTables.TRANSFERS, (id, t) -> {
            if (awaiting(t)) {
                batch.put(TransferTables.AWAITING, key(t), t.amount());
            }
        });
    }

    /** What the tenant's transfers of {@code asset} awaiting approval add up to. */
    static BigInteger sum(Store store, String tenant, String asset) {
        byte[] prefix = io.coffer.core.store.KeyWriter.key().string(tenant).string(asset).build();
        return TransferTables.sum(store, TransferTables.AWAITING, TransferTables.AWAITING.prefix(prefix));
    }

    private static boolean awaiting(TenantTransfer t) {
        return t.state() == TenantTransfer.State.AWAITING_APPROVAL;
    }

    private static TransferTables.TenantAssetTransfer key(TenantTransfer t) {
        return new TransferTables.TenantAssetTransfer(t.tenant(), t.asset(), t.id());
    }
}
