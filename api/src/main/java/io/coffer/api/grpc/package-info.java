/**
 * The gRPC edge: the services, authentication ({@link io.coffer.api.grpc.ApiKeyAuth}, {@link io.coffer.api.grpc.OperatorToken}),
 * request checks that belong to the wire ({@link io.coffer.api.grpc.RequestFields}), the transport guard, and the one place
 * ({@link io.coffer.api.grpc.ErrorMapper}) where domain errors become gRPC statuses. Services stay thin: each call checks the
 * wire form, goes to one core facade, and answers with what {@link io.coffer.api.proto.Protos} makes of the result.
 */
package io.coffer.api.grpc;
