package io.coffer.core.tenant;

/** What an API key may do (see admin.proto's Scope). */
public enum Scope {
    /** Balances, history, payment requests, transfers, events. */
    READ,
    /** Create and cancel payment requests, deposit addresses. */
    PAYMENTS,
    /** Create and bump transfers, estimate fees. */
    TRANSFERS,
    /** Approvals, webhooks, and the Admin service. */
    ADMIN
}
