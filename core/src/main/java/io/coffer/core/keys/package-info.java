/**
 * HD keys without a chain library: BIP-39 mnemonics, BIP-32 extended keys and derivation paths,
 * SLIP-39 Shamir shares, RFC 6979 ECDSA on secp256k1, all on Bouncy Castle primitives.
 *
 * <p>Secret material lives in {@code byte[]} that the owner wipes ({@link io.coffer.core.keys.Secrets#wipe})
 * when done; no class here puts a secret in a {@code String}, an exception message or {@code toString()}.
 * Public derivation ({@link io.coffer.core.keys.ExtendedKey#neuter()} then non-hardened children) is what
 * the node does while sealed; private derivation happens only inside the signer.
 */
package io.coffer.core.keys;
