/**
 * The Bitcoin chain adapter. {@link io.coffer.chain.bitcoin.BitcoinRpcClient} talks to bitcoind (or a
 * compatible node such as Bitcoin Knots) over JSON-RPC with user/password or cookie authentication;
 * bitcoinj provides network parameters, keys, scripts and addresses.
 */
package io.coffer.chain.bitcoin;
