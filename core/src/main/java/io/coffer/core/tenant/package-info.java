/**
 * Tenants (a merchant, an exchange sub-account), each with its own HD account on every chain, and the API
 * keys that act for them. Key secrets are shown once and stored only as SHA-256 hashes; a key is bound to
 * one tenant and a set of scopes.
 */
package io.coffer.core.tenant;
