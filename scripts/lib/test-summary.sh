#!/usr/bin/env bash
# Prints what the test run did, per module, from the surefire (unit) and failsafe (integration) XML reports, the
# failing tests by name and message (when any), then one closing line "Tests: N passed, N failed, N skipped".
# Exits 1 when a test failed or erred, when a module with tests left no report (its test JVM died), or when no
# test ran at all.
#
#   bash scripts/lib/test-summary.sh [ROOT [all|some]]   (some: only some modules were asked to run)
set -uo pipefail
ROOT=${1:-.}
SCOPE=${2:-all}
cd "$ROOT" || exit 1

attr() { # attr NAME LINE -> the value of NAME="..." in LINE, 0 if absent
  local v
  v=$(printf '%s' "$2" | grep -o " $1=\"[0-9]*\"" | head -n 1 | tr -dc '0-9')
  echo "${v:-0}"
}

total_run=0 total_failed=0 total_skipped=0 missing=0
printf '\n%-16s %8s %8s %8s %8s\n' "module" "run" "failed" "errors" "skipped"
for pom in $(find . -name pom.xml -not -path '*/target/*' -not -path './.devnet/*' | sort); do
  module=$(dirname "$pom"); module=${module#./}
  [ "$module" = "." ] && continue
  has_tests=0
  [ -d "$module/src/test/java" ] && [ -n "$(find "$module/src/test/java" -name '*Test.java' -o -name '*IT.java' 2>/dev/null | head -n 1)" ] && has_tests=1
  run=0 failed=0 errors=0 skipped=0 reports=0
  for f in "$module"/target/surefire-reports/TEST-*.xml "$module"/target/failsafe-reports/TEST-*.xml; do
    [ -f "$f" ] || continue
    reports=$((reports + 1))
    line=$(grep -m 1 '<testsuite ' "$f")
    run=$((run + $(attr tests "$line")))
    failed=$((failed + $(attr failures "$line")))
    errors=$((errors + $(attr errors "$line")))
    skipped=$((skipped + $(attr skipped "$line")))
  done
  if [ "$has_tests" = 1 ] && [ "$reports" = 0 ] && [ "$SCOPE" = all ]; then
    printf '%-16s %8s\n' "$module" "NO REPORT (its tests did not run, or their JVM died)"
    missing=$((missing + 1))
    continue
  fi
  [ "$reports" = 0 ] && continue
  printf '%-16s %8d %8d %8d %8d\n' "$module" "$run" "$failed" "$errors" "$skipped"
  total_run=$((total_run + run)); total_failed=$((total_failed + failed + errors)); total_skipped=$((total_skipped + skipped))
done
passed=$((total_run - total_failed - total_skipped))
# The failing tests by name, next to the closing line: a log kept only in part (CI's) still says which failed and why.
if [ "$total_failed" -gt 0 ]; then
  echo
  find . -path ./.devnet -prune -o -path '*/target/*-reports/TEST-*.xml' -print | sort | while read -r f; do
    awk -v module="$(printf '%s' "$f" | sed 's#^\./##; s#/target/.*##')" '
      /<testcase / {
        name = $0; sub(/.* name="/, "", name); sub(/".*/, "", name)
        cls = $0; sub(/.* classname="/, "", cls); sub(/".*/, "", cls); sub(/.*\./, "", cls)
      }
      /<(failure|error)[ >]/ {
        msg = ""
        if ($0 ~ / message="/) { msg = $0; sub(/.* message="/, "", msg); sub(/".*/, "", msg) }
        gsub(/&#10;|&#13;/, " ", msg); gsub(/&lt;/, "<", msg); gsub(/&gt;/, ">", msg); gsub(/&quot;/, "\"", msg)
        gsub(/&apos;/, "\047", msg); gsub(/&amp;/, "\\&", msg)
        printf "FAILED %s %s.%s: %s\n", module, cls, name, substr(msg, 1, 300)
      }' "$f"
  done
fi
echo
echo "Tests: $passed passed, $total_failed failed, $total_skipped skipped"
if [ "$total_failed" -gt 0 ] || [ "$missing" -gt 0 ] || [ "$total_run" -eq 0 ]; then
  exit 1
fi
