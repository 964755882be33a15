/**
 * The Coffer node process: {@link io.coffer.api.Main} reads and validates configuration, and
 * {@link io.coffer.api.CofferNode} wires the store, the chain clients and the Helidon WebServer that
 * serves gRPC (with reflection and {@code grpc.health.v1}), {@code /observe/health} and
 * {@code /observe/metrics} on one port. {@code CofferNode} is the only class that knows every concrete
 * class; tests start the same wiring.
 */
package io.coffer.api;
