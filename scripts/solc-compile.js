// Compiles one Solidity file with the solcjs installed by scripts/devnet (offline) and prints
// {"<Contract>": {"abi": [...], "bin": "0x..."}} as JSON. EVM version "cancun" so the bytecode runs on any
// current dev chain. Used by the EVM tests: node scripts/solc-compile.js path/to/File.sol
const fs = require('fs');
const path = require('path');
const solc = require(path.join(__dirname, '..', '.devnet', 'solc', 'node_modules', 'solc'));
const file = process.argv[2];
const input = {
  language: 'Solidity',
  sources: { [path.basename(file)]: { content: fs.readFileSync(file, 'utf8') } },
  settings: { evmVersion: 'cancun', optimizer: { enabled: true, runs: 200 },
              outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } } },
};
const out = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (out.errors || []).filter(e => e.severity === 'error');
if (errors.length) { console.error(errors.map(e => e.formattedMessage).join('\n')); process.exit(1); }
const result = {};
for (const [name, c] of Object.entries(out.contracts[path.basename(file)])) {
  result[name] = { abi: c.abi, bin: '0x' + c.evm.bytecode.object };
}
process.stdout.write(JSON.stringify(result));
