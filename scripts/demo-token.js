// Deploys the project's test ERC-20 (chains/evm/src/test/resources/contracts/TestToken.sol) to a dev chain as a
// USDC-like "Demo USD" (6 decimals, 1,000,000 units to the deployer) and prints its address. Used by scripts/run.
//   node scripts/demo-token.js <rpc-url> <deployer-address>
const path = require('path');
const { execFileSync } = require('child_process');
const [rpcUrl, from] = process.argv.slice(2);
const sol = path.join(__dirname, '..', 'chains', 'evm', 'src', 'test', 'resources', 'contracts', 'TestToken.sol');
const token = JSON.parse(execFileSync(process.execPath, [path.join(__dirname, 'solc-compile.js'), sol])).TestToken;

// ABI encoding of constructor(string name, string symbol, uint8 decimals, uint256 supply).
const word = n => BigInt(n).toString(16).padStart(64, '0');
const dyn = s => {
  const hex = Buffer.from(s, 'utf8').toString('hex');
  return word(Buffer.byteLength(s, 'utf8')) + hex.padEnd(Math.ceil(hex.length / 64) * 64, '0');
};
const name = dyn('Demo USD');
const symbol = dyn('USDC');
const args = word(128) + word(128 + name.length / 2) + word(6) + word(1_000_000n * 1_000_000n) + name + symbol;

async function rpc(method, params) {
  const r = await fetch(rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const j = await r.json();
  if (j.error) throw new Error(method + ': ' + j.error.message);
  return j.result;
}

(async () => {
  const tx = await rpc('eth_sendTransaction', [{ from, data: token.bin + args, gas: '0x300000' }]);
  for (let i = 0; i < 50; i++) {
    const receipt = await rpc('eth_getTransactionReceipt', [tx]);
    if (receipt) {
      if (receipt.status !== '0x1') throw new Error('deployment reverted');
      process.stdout.write(receipt.contractAddress + '\n');
      return;
    }
    await new Promise(r => setTimeout(r, 200));
  }
  throw new Error('deployment not mined');
})().catch(e => { console.error('demo token: ' + e.message); process.exit(1); });
