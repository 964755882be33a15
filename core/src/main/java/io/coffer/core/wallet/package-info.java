/**
 * A tenant's wallet as the merchant sees it: its HD account on every followed chain — balances, deposit addresses (with their
 * labels), and history — read through the {@link io.coffer.core.driver.ChainRegistry}. The gRPC Wallet service is a thin
 * edge over {@link io.coffer.core.wallet.AccountService}.
 */
package io.coffer.core.wallet;
