/**
 * The audit log: an append-only record of who did what to what and when, written in the same batch as the change it
 * describes. Custody (ceremony, unseal, seal), the operator's admin calls, API keys, policies, transfers and approvals all
 * append to it; nothing deletes or rewrites an entry.
 */
package io.coffer.core.audit;
