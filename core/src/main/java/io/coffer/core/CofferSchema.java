package io.coffer.core;

import io.coffer.core.chain.ChainTables;
import io.coffer.core.custody.CustodyTables;
import io.coffer.core.store.Schema;
import io.coffer.core.store.Table;
import io.coffer.core.transfer.TransferTables;
import java.util.ArrayList;
import java.util.List;

/**
 * The schema this build of Coffer writes. Each capability adds its tables here (with their documented
 * layouts) and bumps {@link #VERSION} with a migration when it changes the meaning of existing data.
 *
 * <p>Version 1: the store's metadata ({@code 0x00 | "schema-version" -> int32}) and custody's tables
 * (0x10 key ring, 0x11 account xpubs, 0x12 audit log; layouts in {@code CustodyTables}), the chain
 * follower's tables (0x20-0x28; layouts in {@code ChainTables}), withdrawals (0x30-0x35; {@code TransferTables}),
 * tenants and API keys (0x40-0x43; {@code TenantTables}), payment requests (0x50-0x52; {@code PaymentTables}).
 */
public final class CofferSchema {
    public static final int VERSION = 1;

    private CofferSchema() {
    }

    public static Schema current() {
        List<Table<?, ?>> tables = new ArrayList<>(CustodyTables.all());
        tables.addAll(ChainTables.all());
        tables.addAll(TransferTables.all());
        tables.addAll(io.coffer.core.tenant.TenantTables.all());
        tables.addAll(io.coffer.core.payment.PaymentTables.all());
        return Schema.of(VERSION, tables);
    }
}
