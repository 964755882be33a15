/**
 * CSV reports of a tenant's payment requests, deposits and transfers over a time range, for accounting. Amounts are base
 * units with their asset id beside them (never a decimal that a spreadsheet could round); free-text columns are neutralised
 * against formula injection.
 */
package io.coffer.core.report;
