/**
 * The chain SPI: what core asks of a chain adapter. This first slice identifies a chain node (its
 * network and tip) so the node can check at start that each configured chain is the chain it claims to
 * be; block connect/disconnect reporting and transfers come with the chain issues.
 */
package io.coffer.core.chain;
