package io.coffer.core.config;

import io.coffer.core.event.WebhookService;
import java.util.List;
import java.util.Optional;

/**
 * The whole node configuration, validated.
 *
 * @param node   node-wide settings
 * @param chains   every chain the node follows: at most one Bitcoin network and any number of EVM chains
 * @param webhooks       webhook delivery timeout and retry schedule
 * @param allowlistDelay how long after being added a transfer allowlist entry starts to count
 * @param checkout       the customers' checkout pages: their public address and live-stream limit
 * @param backups        backups the node takes by itself, if configured
 * @param operatorQuorum admins whose identical AddOperator calls add an operator
 * @param alerts         operators' alerts and continuous reconciliation
 */
public record CofferConfig(NodeConfig node, List<ChainConfig> chains, WebhookService.Settings webhooks, java.time.Duration allowlistDelay,
                           CheckoutSettings checkout, Optional<BackupSchedule> backups, int operatorQuorum, AlertSettings alerts) {
    public CofferConfig {
        chains = List.copyOf(chains);
    }

    public Optional<BitcoinChainConfig> bitcoin() {
        return chains.stream().filter(BitcoinChainConfig.class::isInstance).map(BitcoinChainConfig.class::cast).findFirst();
    }

    public List<EvmChainConfig> evmChains() {
        return chains.stream().filter(EvmChainConfig.class::isInstance).map(EvmChainConfig.class::cast).toList();
    }
}
