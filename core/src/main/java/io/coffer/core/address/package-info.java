/**
 * Address formats Coffer checks without a chain library: EVM addresses with their EIP-55 checksum.
 * Bitcoin addresses are parsed by the Bitcoin adapter (bitcoinj knows every network's prefixes).
 */
package io.coffer.core.address;
