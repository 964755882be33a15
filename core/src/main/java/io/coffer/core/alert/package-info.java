/**
 * Alerts for people who run the node: what the node found wrong (the ledger and the chain disagreeing, a transfer that looks
 * wrong, a burst of failed authentications), each recorded once while it stays open, streamed to operators, posted to the
 * operators' webhook (signed as merchant webhooks are), counted in metrics, and closed by an operator's acknowledgement,
 * which the audit log records with who.
 */
package io.coffer.core.alert;
