/**
 * Real dev chain nodes for integration tests. {@link io.coffer.testkit.Devnet} finds (or installs, via
 * {@code scripts/devnet install}) the bitcoind and anvil binaries; {@link io.coffer.testkit.BitcoindNode}
 * and {@link io.coffer.testkit.AnvilNode} run one fresh node each on a free 127.0.0.1 port with its own
 * data directory; {@link io.coffer.testkit.DevnetExtension} gives them to a test class and stops them
 * after it, also when a test fails.
 */
package io.coffer.testkit;
