/**
 * The hosted checkout page: a public HTTP listener of its own (the {@code checkout} socket; never the gRPC port) that shows a
 * customer one payment request, opened by the unguessable token of its {@code checkout_url}: what is due in the asset's units,
 * a QR code rendered here, the address, a countdown, and the live status (Server-Sent Events fed by the event outbox, polling as
 * the fallback). Every merchant-given string is escaped; the Content-Security-Policy allows nothing but this listener's own
 * script, style and images, and the page makes no third-party request.
 */
package io.coffer.api.checkout;
