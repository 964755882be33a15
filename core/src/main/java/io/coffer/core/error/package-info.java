/**
 * Typed domain errors. Each carries a stable machine code and a {@link io.coffer.core.error.ErrorKind}
 * that the single mapper at the gRPC edge turns into a status code; messages never carry secrets.
 */
package io.coffer.core.error;
