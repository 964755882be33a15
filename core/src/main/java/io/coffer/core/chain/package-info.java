/**
 * The chain SPI and the chain-independent logic written once for every chain (lnd's chainntnfs is the
 * model).
 *
 * <p>A chain module implements {@link io.coffer.core.chain.ChainSource}: headers by height, the payments
 * to watched addresses in a block, and the state of a transaction. Everything else is here:
 * {@link io.coffer.core.chain.ChainFollower} walks the chain, detects reorgs by parent-hash mismatch (also
 * one that happened while the node was down), disconnects and connects blocks, and turns what it sees
 * into {@link io.coffer.core.chain.Deposit} states ({@link io.coffer.core.chain.DepositStatus}) with one
 * {@link io.coffer.core.chain.DepositEvent} per change, all written in one batch per block together with
 * the follower's cursor. Reorged deposits are marked, never deleted.
 */
package io.coffer.core.chain;
