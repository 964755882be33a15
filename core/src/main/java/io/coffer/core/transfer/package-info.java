/**
 * Money leaving the wallet, written once for UTXO chains: coin selection, the withdrawal state machine,
 * and the order of writes that makes a spend happen exactly once — the signed transaction and the locks
 * on its inputs are stored in one batch BEFORE the bytes go to the node; a restart re-broadcasts the
 * same bytes and never signs a second spend of the same request; an unclear broadcast answer is
 * "unknown", re-checked, never "failed". Every account's balance per chain and asset is kept in the same batches as the
 * deposits, locks, spends and withdrawals it sums ({@link io.coffer.core.transfer.LedgerBalances}).
 */
package io.coffer.core.transfer;
