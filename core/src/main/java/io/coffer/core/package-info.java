/**
 * Coffer's domain core. It holds what a wallet node means independently of any chain library, web
 * framework or wire format: errors with stable codes, typed configuration, the storage port and its
 * LevelDB implementation, and the chain SPI. The build refuses any dependency of this module on
 * bitcoinj, web3j, Helidon, gRPC or protobuf, so the domain can be tested and reasoned about alone.
 */
package io.coffer.core;
