/**
 * {@code coffer}, the admin CLI for custody operators. It talks to a running node over gRPC (the
 * node's address from {@code --node} or {@code COFFER_NODE}); commands that need no node (the key
 * ceremony) run locally. Exit codes: 0 success, 1 the node answered "not serving"/an error,
 * 2 usage error, 4 node unreachable.
 */
package io.coffer.cli;
