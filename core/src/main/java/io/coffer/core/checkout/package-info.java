/**
 * The customer's side of a payment request: what a checkout page or a shop counter shows (the merchant's name, what is due in
 * the asset's own units, where to pay, how far the payment got), opened by an unguessable token and never showing anything a
 * merchant keeps to itself (metadata, idempotency keys, other requests).
 */
package io.coffer.core.checkout;
