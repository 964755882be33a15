package io.coffer.core.wallet;

import java.time.Instant;
import java.util.Optional;

/**
 * A receive address of an account.
 *
 * @param path    its BIP-32 derivation path
 * @param label   the merchant's label; empty for addresses issued for payment requests or found used
 * @param created when the merchant asked for it (only addresses asked for carry it)
 */
public record DepositAddress(String address, String chain, String path, String label, Optional<Instant> created) {
}
