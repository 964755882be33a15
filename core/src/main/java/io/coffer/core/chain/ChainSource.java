package io.coffer.core.chain;

import java.util.List;
import java.util.function.Predicate;

/**
 * What a chain module provides so that {@link ChainFollower} can follow its chain. Implementations only
 * report facts; they keep no state about deposits. Every method may throw
 * {@link ChainUnavailableException}, after which the follower simply tries again later.
 */
public interface ChainSource {
    /** The chain name from configuration. */
    String chain();

    /** Height of the node's best block. */
    long tipHeight();

    /** The header at {@code height} on the node's best chain, or null above the tip. */
    BlockHeader header(long height);

    /**
     * The header of the block at {@code height}, when the follower is about to connect it (its payments are asked next). A
     * source that downloads the whole block anyway may read the header from it — one round trip instead of two — and keep the
     * block for {@link #payments}. Null above the tip, as {@link #header}. By default {@link #header}.
     */
    default BlockHeader headerToConnect(long height) {
        return header(height);
    }

    /**
     * The headers of the blocks at heights {@code from} to {@code to} on the node's best chain, in order, for connecting one
     * after the other (each block's {@link #payments} and {@link #spends} are asked before the next header). A source may fetch
     * the blocks ahead on threads of its own while the follower matches and writes the earlier ones, keeping what it fetched
     * for payments and spends; whatever it fetched ahead is dropped when the feed is closed, so a block fetched before a reorg
     * lives no longer than the poll that asked for it (the follower checks each header's parent anyway). By default
     * {@link #headerToConnect} at each height, nothing ahead.
     */
    default BlockFeed blocks(long from, long to) {
        return new BlockFeed() {
            private long next = from;

            @Override
            public BlockHeader next() {
                if (next > to) {
                    return null;
                }
                BlockHeader h = headerToConnect(next);
                next++;
                return h;
            }
        };
    }

    /** Headers handed out in height order by {@link #blocks}; close it when done (it may hold blocks fetched ahead). */
    interface BlockFeed extends AutoCloseable {
        /** The next block's header, or null past the feed's last height or above the node's tip. */
        BlockHeader next();

        /** Drops whatever was fetched ahead. */
        @Override
        default void close() {
        }
    }

    /** The payments to watched addresses in the block {@code header}. */
    List<Payment> payments(BlockHeader header, WatchList watched);

    /**
     * What the transactions of block {@code header} spend of the wallet's. UTXO chains report each spend of an output for which
     * {@code ours} is true, so that a coin's state follows the chain's view of its spends, not only the state of the withdrawal
     * that spent it. Account chains report each transaction sent from an address for which {@code watched} is true (its nonce
     * slot, what it moved, its fee), so that transactions the ledger did not make (after a restore: the transfers made after the
     * backup) still count in the balance. Called right after {@link #payments} for the same block; by default none.
     */
    default List<OutpointSpend> spends(BlockHeader header, Predicate<DepositId> ours, WatchList watched) {
        return List.of();
    }

    /** The payments to watched addresses in the mempool now (chains without a mempool view return none). */
    List<Payment> mempool(WatchList watched);

    /**
     * Where transaction {@code txid} stands now. {@code inputs} are the outpoints it spends ("txid:vout"),
     * recorded when it was first seen: when the node no longer knows the transaction, a spent input is how a
     * conflict (RBF, double-spend) is told from a mere drop.
     */
    TxStatus txStatus(String txid, List<String> inputs);

    /**
     * {@link #txStatus}, asked while following withdrawals right after reading {@code tip} as the node's best block (null: no
     * such read). A source still holding what it read of that block or of its ancestors (reached by parent hashes) for the
     * follower (EVM: their receipts) may answer for a transaction in one of them from that: as current as a call now, those
     * blocks being the best chain a moment ago, and no call per transaction — a block of 500 withdrawals was 500 calls.
     * Anything else, or a null {@code tip}: {@link #txStatus}.
     */
    default TxStatus txStatus(String txid, List<String> inputs, BlockHeader tip) {
        return txStatus(txid, inputs);
    }

    /**
     * Told, before a round of {@link #txStatus(String, List, BlockHeader)} calls with {@code tip}, which transactions that
     * round is about to ask about. A source may read at once what answers many of them (EVM: a block the follower has not
     * read yet, holding many of them, has its receipts read in one call instead of one call each — on a chain with
     * sub-second blocks, one often comes between the follower's poll and the looks). Only a hint: every answer is still
     * asked for, and must be the same with or without it. Nothing by default.
     */
    default void lookingAt(java.util.Collection<String> txids, BlockHeader tip) {
    }

    /**
     * True only when the source read every block after {@code after} up to {@code tip} (the best block just read, a
     * descendant of {@code after} reached by parent hashes) and none of them holds any of {@code txids}: then transactions
     * that were pending at a look taken at {@code after} were not mined since, and need no call each when a block comes
     * (whether one was dropped from the pool is still asked at its recheck). False whenever that is not known. By default
     * false (every pending transaction is asked about each block).
     */
    default boolean noneMinedBetween(List<String> txids, BlockHeader after, BlockHeader tip) {
        return false;
    }

    /**
     * The network fee a mined transaction actually paid, when the chain says so (EVM: gas used times the
     * effective gas price); empty when unknown or already exact in the withdrawal (Bitcoin).
     */
    default java.util.Optional<java.math.BigInteger> feePaid(String txid) {
        return java.util.Optional.empty();
    }

    /** Sends signed transaction bytes to the node; classifies the answer, never throws for a refusal. */
    BroadcastResult broadcast(byte[] signedTransaction);
}
