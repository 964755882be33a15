/**
 * The Ethereum-compatible chain adapter over web3j: one instance per configured EVM chain (Ethereum,
 * BSC, Polygon, a dev chain); ERC-20 tokens are configuration of the chain.
 */
package io.coffer.chain.evm;
