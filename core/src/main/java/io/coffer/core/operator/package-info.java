/**
 * Named operators: people who run the node, each with roles ({@link io.coffer.core.operator.OperatorRole}) and their own
 * Ed25519 key (the private half stays on the operator's machine, passphrase-encrypted by the CLI), so every admin action and
 * audit entry names a person; a second factor by TOTP (RFC 6238) for the actions that move money or open access; operators
 * added by a quorum of admins. The shared operator token of the data directory remains a break-glass for the node's own
 * machine, audited at every use.
 */
package io.coffer.core.operator;
