package io.coffer.core.operator;

/**
 * What an operator may do. An operator holds one or more roles; the edge checks every admin call against the roles its RPC
 * needs (the table is in the README, "Operators and roles").
 */
public enum OperatorRole {
    /** Holds a share of the wallet: unseal, seal, seal status. */
    CUSTODIAN,
    /** Runs the node for merchants: tenants, API keys, transfer policies, counters, rescans, backups, restores, operators. */
    ADMIN,
    /** Approves or rejects transfers awaiting approval (each approval with a TOTP code). */
    APPROVER,
    /** Reads without changing: the audit log, reports, chain and restore status, policies, operators. */
    AUDITOR;

    /** The lower-case name used in the CLI, the audit log and the proto comments. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
