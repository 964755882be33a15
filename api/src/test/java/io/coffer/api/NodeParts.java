package io.coffer.api;

import io.coffer.core.chain.AddressBook;
import io.coffer.core.chain.ChainFollower;
import io.coffer.core.transfer.AccountWithdrawalService;
import io.coffer.core.transfer.FeeRates;
import io.coffer.core.transfer.UtxoWithdrawalService;
import java.util.Optional;

/**
 * A running node's chain parts as the tests reach them: the node itself never asks which kind a chain is, so the casts to a
 * kind's own services live here, in test code.
 */
final class NodeParts {
    private NodeParts() {
    }

    /** The Bitcoin chain's parts, when the node follows one. */
    static Optional<BitcoinParts> bitcoin(CofferNode node) {
        return node.chains().modules().stream().filter(m -> m.withdrawals() instanceof UtxoWithdrawalService).findFirst()
                .map(m -> new BitcoinParts(m.addresses(), m.follower(), (UtxoWithdrawalService) m.withdrawals()));
    }

    /** The EVM chain {@code name}'s parts, when the node follows it. */
    static Optional<EvmParts> evm(CofferNode node, String name) {
        return node.chains().module(name).filter(m -> m.withdrawals() instanceof AccountWithdrawalService)
                .map(m -> new EvmParts(m.addresses(), m.follower(), (AccountWithdrawalService) m.withdrawals()));
    }

    record BitcoinParts(AddressBook addresses, ChainFollower follower, UtxoWithdrawalService withdrawals) {
        /** The chain's fee rates (bitcoind's estimate within the configured bounds). */
        FeeRates fees() {
            return withdrawals.feeRates();
        }
    }

    record EvmParts(AddressBook addresses, ChainFollower follower, AccountWithdrawalService withdrawals) {
    }
}
