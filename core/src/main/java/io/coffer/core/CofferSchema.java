package io.coffer.core;

import io.coffer.core.chain.AssetId;
import io.coffer.core.chain.ChainTables;
import io.coffer.core.custody.CustodyTables;
import io.coffer.core.event.EventTables;
import io.coffer.core.payment.PaymentRequest;
import io.coffer.core.payment.PaymentTables;
import io.coffer.core.store.Batch;
import io.coffer.core.store.Schema;
import io.coffer.core.store.Store;
import io.coffer.core.store.Table;
import io.coffer.core.transfer.TransferTables;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The schema this build of Coffer writes. Each capability adds its tables here (with their documented
 * layouts) and bumps {@link #VERSION} with a migration when it changes the meaning of existing data.
 *
 * <p>Version 1: the store's metadata ({@code 0x00 | "schema-version" -> int32}) and custody's tables
 * (0x10 key ring, 0x11 account xpubs, 0x12 audit log; layouts in {@code CustodyTables} and {@code AuditTables}), the chain
 * follower's tables (0x20-0x28; layouts in {@code ChainTables}), withdrawals (0x30-0x35; {@code TransferTables}),
 * tenants and API keys (0x40-0x43; {@code TenantTables}), payment requests (0x50-0x52; {@code PaymentTables}).
 *
 * <p>Version 2: payment requests by address, last published state and expiry (0x53-0x55; {@code PaymentTables}); the tenant
 * event outbox and webhooks (0x60-0x64; {@code EventTables}). The migration from 1 indexes existing requests by address
 * and expiry; their first change after the upgrade is published (there is no earlier published state to compare with).
 *
 * <p>Version 3: deposits by address (0x29; {@code ChainTables}), so a payment request's deposits are read without scanning
 * the chain's; the migration from 2 indexes every recorded deposit.
 *
 * <p>Version 4: the wallet's outputs spent by blocks of the best chain (0x2a-0x2b; {@code ChainTables}) and the anchors of
 * CONFLICTED withdrawals (0x3c; {@code TransferTables}); withdrawal statuses CONFLICTED and REVERTED (ordinals 6, 7); payment requests whose status a
 * reorg in progress deferred (0x56; {@code PaymentTables}). The migration from 3 writes
 * nothing: spends are recorded from the blocks connected after the upgrade, and the outputs spent before it are held by the
 * locks of the withdrawals that spent them, as before.
 *
 * <p>Version 5: an account's history on every chain by time (0x2c) and every transaction id of the wallet's withdrawals
 * (0x2d; both {@code ChainTables}), so ListHistory pages by key range instead of reading every deposit and withdrawal of
 * every chain. The migration from 4 indexes every recorded withdrawal and deposit.
 * Also in version 5, new tables that start empty (no migration): the checkout pages' token key (0x57; {@code PaymentTables}) and
 * shop counter credentials (0x58; {@code CounterTables}); payment request records gained a redirect URL (record version 2, read
 * alongside version 1). A data directory restored from a backup is marked in table 0x70 ({@code BackupTables}; starts empty).
 * Spent-output rows of account chains carry what the transaction moved and its fee (trailing fields, written only for such rows;
 * UTXO rows keep their form). Named operators, their TOTP enrollments and proposals: 0x80-0x82 ({@code OperatorTables}; start
 * empty). Operators' alerts, the open ones, and what their webhook accepted: 0x90-0x92 ({@code AlertTables}), reconciliation rows operators accepted: 0x93 ({@code Reconciler}); all start
 * empty.
 *
 * <p>Version 6: every account's balances per chain and asset, kept in the batches that change the records they sum (0xa0), the
 * chains whose balances are kept (0xa1), and a UTXO chain's spendable coins per account, kept alike (0xa2; all
 * {@code LedgerBalances}). The migration from 5 writes nothing: each chain's
 * balances are built from its records when the node first starts on the new schema, and kept from then on (an older build,
 * which would change records without moving them, refuses the upgraded store).
 *
 * <p>Version 7: the transfers awaiting approval by tenant and asset (0x3d; {@code TransferTables.AWAITING}), kept in the batches
 * that write the transfers; the migration from 6 indexes those recorded (an older build, which would change transfers without
 * the index, refuses the upgraded store).
 *
 * <p>Version 8: the transfers that count against their tenant's limits by tenant, asset and creation time (0xa3), their amounts
 * summed per minute and per hour (0xa4), and the refunds among them by payment request (0xa5; all {@code TransferTables}, kept
 * by {@code LimitUse} in the batches that write transfers and withdrawals), so the rolling limits, the velocity rule and a
 * refund's check read sums instead of every transfer of the window (or of the tenant). The migration from 7 writes them for
 * the transfers recorded.
 *
 * <p>Version 9: the destinations paid filed by their look-alike signature (0xa6; {@code TransferTables.PAID_LOOKALIKES}, written
 * with each row of 0x3f), so the look-alike rule reads the few sharing a new destination's signature instead of every one the
 * tenant ever paid. The migration from 8 files those recorded (an older build, which would record destinations without the
 * index, refuses the upgraded store).
 *
 * <p>Version 10: the counted transfers summed per day too (0xa4, span 86,400,000; {@code LimitUse}), so the velocity rule's
 * month reads about thirty day sums instead of up to 720 hour sums. The migration from 9 writes each day's sum from its hours'
 * (an older build, which would not keep the day sums, refuses the upgraded store).
 *
 * <p>Version 11: the spends recorded from the wallet's coins and nonces whose transaction was none of the wallet's (0x2e;
 * {@code ChainTables.FOREIGN_SPENDS}, kept by {@code ForeignSpends} in the batches that write the spends), so continuous
 * reconciliation, every few blocks on the follower's thread, reads those (normally none) instead of every spend ever recorded
 * with a look-up each. The migration from 10 files the foreign ones recorded (an older build, which would record spends
 * without the index, refuses the upgraded store).
 *
 * <p>Version 12: the transfers in state SUBMITTING (0xa7; {@code TransferTables.SUBMITTING}, kept in the batches that write
 * the transfers), so a start resumes those instead of reading every transfer ever made. The migration from 11 files those
 * recorded (an older build, which would write transfers without the index, refuses the upgraded store).
 *
 * <p>Version 13: the counted transfers summed per second too (0xa4, span 1,000; {@code LimitUse}), so the rolling limits read the
 * rows of the window's end seconds, not of its end minutes: a tenant's rate no longer multiplies what every CreateTransfer
 * reads. The migration from 12 writes each second's sum from the rows (an older build, which would not keep the second sums,
 * refuses the upgraded store).
 *
 * <p>Version 14: a UTXO chain's spendable coins filed by account and amount, largest first (0xa8;
 * {@code LedgerBalances.COINS_BY_AMOUNT}, kept with the coins), so choosing a withdrawal's coins reads the few it spends instead
 * of every coin the account holds, sorted at each withdrawal. The migration from 13 files the coins recorded (an older build,
 * which would change coins without the index, refuses the upgraded store).
 */
public final class CofferSchema {
    public static final int VERSION = 14;

    private CofferSchema() {
    }

    public static Schema current() {
        List<Table<?, ?>> tables = new ArrayList<>(CustodyTables.all());
        tables.addAll(io.coffer.core.audit.AuditTables.all());
        tables.addAll(ChainTables.all());
        tables.addAll(TransferTables.all());
        tables.addAll(io.coffer.core.tenant.TenantTables.all());
        tables.addAll(PaymentTables.all());
        tables.addAll(EventTables.all());
        tables.addAll(io.coffer.core.checkout.CounterTables.all());
        tables.addAll(io.coffer.core.backup.BackupTables.all());
        tables.addAll(io.coffer.core.operator.OperatorTables.all());
        tables.addAll(io.coffer.core.alert.AlertTables.all());
        tables.addAll(io.coffer.core.driver.Reconciler.tables());
        tables.addAll(io.coffer.core.transfer.LedgerBalances.tables());
        // The migration from each version to the next.
        return new Schema(VERSION, tables, Map.ofEntries(Map.entry(1, CofferSchema::indexPaymentRequests),
                Map.entry(2, CofferSchema::indexDepositsByAddress), Map.entry(3, (store, batch) -> { }),
                Map.entry(4, CofferSchema::indexAccountActivity), Map.entry(5, (store, batch) -> { }),
                Map.entry(6, io.coffer.core.transfer.TransferService::indexAwaitingApproval),
                Map.entry(7, io.coffer.core.transfer.TransferService::indexLimitUse),
                Map.entry(8, io.coffer.core.transfer.TransferService::indexPaidLookalikes),
                Map.entry(9, io.coffer.core.transfer.TransferService::indexLimitUseDays),
                Map.entry(10, io.coffer.core.chain.ForeignSpends::index),
                Map.entry(11, io.coffer.core.transfer.TransferService::indexSubmitting),
                Map.entry(12, io.coffer.core.transfer.TransferService::indexLimitUseSeconds),
                Map.entry(13, io.coffer.core.transfer.LedgerBalances::indexCoinsByAmount)));
    }

    // The migrations pass over whole tables with forEach (one record at a time, never the table in memory) and only put
    // records made from tables they do not write: run again over their own earlier parts, the same records (Schema.Migration).

    private static void indexAccountActivity(Store store, Batch batch) {
        store.forEach(io.coffer.core.transfer.TransferTables.WITHDRAWALS.all(), io.coffer.core.transfer.TransferTables.WITHDRAWALS,
                (key, w) -> io.coffer.core.transfer.WithdrawalLedger.indexWithdrawal(batch, w));
        store.forEach(ChainTables.DEPOSITS.all(), ChainTables.DEPOSITS,
                (key, d) -> batch.put(ChainTables.ACCOUNT_ACTIVITY, ChainTables.activityOf(d), ""));
    }

    private static void indexDepositsByAddress(Store store, Batch batch) {
        store.forEach(ChainTables.DEPOSITS.all(), ChainTables.DEPOSITS, (key, d) -> batch.put(ChainTables.DEPOSITS_BY_ADDRESS,
                new ChainTables.ChainAddressDeposit(key.chain(), d.address(), key.id()), ""));
    }

    private static void indexPaymentRequests(Store store, Batch batch) {
        store.forEach(PaymentTables.REQUESTS.all(), PaymentTables.REQUESTS, (id, pr) -> {
            batch.put(PaymentTables.BY_ADDRESS, new ChainTables.ChainAddress(AssetId.chainOf(pr.asset()), pr.address()), pr.id());
            if (pr.expiresAt() != null) {
                batch.put(PaymentTables.EXPIRING, new PaymentTables.Expiry(pr.expiresAt().toEpochMilli(), pr.id()), "");
            }
        });
    }
}
