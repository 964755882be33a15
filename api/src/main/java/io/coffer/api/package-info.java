/**
 * The Coffer node process: {@link io.coffer.api.Main} reads and validates configuration, and
 * {@link io.coffer.api.CofferNode} composes the store, the chain registry (one module per configured chain, built by its
 * driver), the core services and the Helidon WebServer that serves gRPC (with reflection and {@code grpc.health.v1}),
 * {@code /observe/health} and {@code /observe/metrics} on one port. It only composes: no chain kinds, no domain rules.
 * Tests start the same wiring.
 */
package io.coffer.api;
