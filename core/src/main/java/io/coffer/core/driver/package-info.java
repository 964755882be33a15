/**
 * The chain registry's seam: each chain module registers a {@link io.coffer.core.driver.ChainDriver} (service loader), and the
 * node builds every configured chain through it into {@link io.coffer.core.driver.ChainParts}, without knowing the kinds.
 */
package io.coffer.core.driver;
