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

    /** The payments to watched addresses in the block {@code header}. */
    List<Payment> payments(BlockHeader header, Predicate<String> watched);

    /**
     * The transactions of block {@code header} that spend an output for which {@code ours} is true. UTXO chains report them so that
     * a coin's state follows the chain's view of its spends, not only the state of the withdrawal that spent it; account chains
     * have no outputs and report none. Called right after {@link #payments} for the same block.
     */
    default List<OutpointSpend> spends(BlockHeader header, Predicate<DepositId> ours) {
        return List.of();
    }

    /** The payments to watched addresses in the mempool now (chains without a mempool view return none). */
    List<Payment> mempool(Predicate<String> watched);

    /**
     * Where transaction {@code txid} stands now. {@code inputs} are the outpoints it spends ("txid:vout"),
     * recorded when it was first seen: when the node no longer knows the transaction, a spent input is how a
     * conflict (RBF, double-spend) is told from a mere drop.
     */
    TxStatus txStatus(String txid, List<String> inputs);

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
