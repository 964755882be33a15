/**
 * The chain registry. Each chain module registers a {@link io.coffer.core.driver.ChainDriver} (service loader) that connects to
 * its chain's node and builds the chain's {@link io.coffer.core.driver.ChainParts}; a {@link io.coffer.core.driver.ChainModule}
 * runs those parts (rounds, push wake-ups, rescans), and the {@link io.coffer.core.driver.ChainRegistry} is the one place a
 * chain is found by name or by asset id. Payment requests, transfers, reports and the wallet see the chains only through the
 * registry's views, so nothing outside the chain modules asks which kind a chain is.
 */
package io.coffer.core.driver;
