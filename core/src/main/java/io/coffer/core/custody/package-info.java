/**
 * Custody: who can sign, and how the secret is kept.
 *
 * <p>The wallet's master secret (the BIP-32 seed) is created in a key ceremony and split into SLIP-39
 * shares (Trezor-compatible, so a quorum of shares restores the wallet on any SLIP-39 device). The node
 * keeps on disk only public data (master fingerprint, account xpubs, share metadata) and, optionally, the
 * secret encrypted under a passphrase ({@link io.coffer.core.custody.SeedFile}: scrypt + AES-256-GCM).
 * It starts {@link io.coffer.core.custody.CustodyState#SEALED}: the {@link io.coffer.core.custody.PublicKeyRing}
 * derives deposit addresses, but no {@link io.coffer.core.custody.Signer} exists until a quorum of
 * custodians hands in shares one by one ({@link io.coffer.core.custody.Vault}). Every custody action is
 * appended to the {@link io.coffer.core.audit.AuditLog}.
 */
package io.coffer.core.custody;
