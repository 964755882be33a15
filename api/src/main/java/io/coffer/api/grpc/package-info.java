/**
 * The gRPC edge: the services, and the one place ({@link io.coffer.api.grpc.ErrorMapper}) where domain
 * errors become gRPC statuses. Services stay thin: each call goes to one core facade and answers.
 */
package io.coffer.api.grpc;
