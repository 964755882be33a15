#!/usr/bin/env bash
# Smoke test of command one (scripts/run), as a new user meets it. CI runs it first, on its fresh clone with an empty .devnet/.
#   1. a whole run with the live demo (COFFER_RUN_SECONDS): exits 0, the node came up, the demo finished, the node's log
#      has no SEVERE line, and nothing it started is left running;
#   2. a run whose demo-token step fails (a `node` that exits 1): fails, and stops the dev chains it started;
#   3. a run whose output pipe closes once the node is up (`scripts/run | tee log`, then Ctrl-C kills tee): stops the
#      node and the chains at once instead of dying at its next line of output.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$HERE"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
failures=0
fail() { echo "run-smoke: FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "run-smoke: ok: $*"; }

free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  echo 7433
}
port_closed() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# (read whole first: `grep -q` leaving a pipe early would fail the status command with SIGPIPE under pipefail)
chains_stopped() { local s; s=$(bash scripts/devnet status 2>/dev/null); grep -q '^bitcoind: stopped' <<<"$s" && grep -q '^anvil: stopped' <<<"$s"; }
left_running() { # what this checkout's chains or node still run, if anything
  pgrep -af "$HERE/.devnet/(bin|anvil|bitcoin-knots)" | grep -v pgrep || true
  pgrep -af "COFFER_NODE_DATA_DIR=$1|$1" | grep -v -e pgrep -e run-smoke || true
}

# 1. A whole run.
PORT=$(free_port); DATA="$WORK/node-1"
start=$(date +%s)
SERVER_PORT=$PORT COFFER_NODE_DATA_DIR=$DATA COFFER_RUN_SECONDS=1 bash scripts/run > "$WORK/run-1.log" 2>&1
rc=$?
echo "run-smoke: a whole run took $(( $(date +%s) - start )) s"
if [ "$rc" -ne 0 ]; then fail "scripts/run exited $rc"; tail -30 "$WORK/run-1.log" >&2; fi
grep -q '^== Coffer is up' "$WORK/run-1.log" || fail "the node never came up"
grep -q -- '-- balances of demo-shop' "$WORK/run-1.log" || fail "the live demo did not finish"
if grep -q '"level":"SEVERE"' data/dev-node.log; then
  fail "SEVERE lines in the node log of a clean demo:"; grep '"level":"SEVERE"' data/dev-node.log | cut -c1-400 >&2
fi
port_closed "$PORT" || fail "the node still listens on $PORT"
chains_stopped || fail "the dev chains are still running"
[ -z "$(left_running "$DATA")" ] || fail "left running: $(left_running "$DATA")"
[ "$failures" -eq 0 ] && ok "a whole run with the demo, no SEVERE, nothing left running"

# 2. A step fails after the chains are up, before the node: what was started is stopped.
# The demo token's deployment fails (after the chains are up); every other use of node (npm, buf) still works.
REAL_NODE=$(command -v node)
mkdir -p "$WORK/bin"
printf '#!/bin/sh\ncase "$1" in *demo-token.js) echo "node: simulated failure" >&2; exit 1 ;; esac\nexec "%s" "$@"\n' "$REAL_NODE" > "$WORK/bin/node"
chmod +x "$WORK/bin/node"
rm -f data/demo-token # the token step runs again
before=$failures
PATH="$WORK/bin:$PATH" SERVER_PORT=$(free_port) COFFER_NODE_DATA_DIR="$WORK/node-2" COFFER_RUN_SECONDS=1 bash scripts/run > "$WORK/run-2.log" 2>&1
rc=$?
[ "$rc" -ne 0 ] || fail "scripts/run succeeded although its token step failed"
grep -q 'simulated failure' "$WORK/run-2.log" || fail "the run failed elsewhere than at the token step"
chains_stopped || fail "a failed run left the dev chains running"
[ "$failures" -eq "$before" ] && ok "a failed step stops the dev chains (exit $rc)"

# 3. The output pipe closes under a running node.
PORT=$(free_port); before=$failures
start=$(date +%s)
SERVER_PORT=$PORT COFFER_NODE_DATA_DIR="$WORK/node-3" COFFER_RUN_SECONDS=300 bash scripts/run 2>&1 | sed '/^== Coffer is up/q' > "$WORK/run-3.log"
took=$(( $(date +%s) - start ))
grep -q '^== Coffer is up' "$WORK/run-3.log" || fail "the node never came up (pipe test)"
[ "$took" -lt 250 ] || fail "scripts/run ran on for ${took} s after its output pipe closed"
for _ in $(seq 1 60); do port_closed "$PORT" && chains_stopped && break; sleep 0.5; done
port_closed "$PORT" || fail "the node still listens on $PORT after the output pipe closed"
chains_stopped || fail "the dev chains still run after the output pipe closed"
[ "$failures" -eq "$before" ] && ok "a closed output pipe stops the node and the chains"

if [ "$failures" -ne 0 ]; then
  echo "run-smoke: $failures failure(s); logs:" >&2
  for f in "$WORK"/run-*.log; do echo "--- $f" >&2; tail -15 "$f" >&2; done
  exit 1
fi
