/**
 * The wire form of the domain: {@link io.coffer.api.proto.Protos} turns core objects into {@code coffer.v1} messages (and the
 * API's enums into core's), and {@link io.coffer.api.proto.EventJson} renders event subjects as the proto3 JSON the outbox
 * stores. The gRPC services call these and nothing else builds a response message, so the API shows one thing one way.
 */
package io.coffer.api.proto;
