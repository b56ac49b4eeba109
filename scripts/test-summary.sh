#!/usr/bin/env bash
# Reads the output of `swift test` (XCTest) from the file $1 and prints one closing line:
#   "N passed, M failed, K skipped"
# followed by the name of every failed and every skipped test. Exit status: 1 when a test failed, when
# the log has no XCTest totals line, or — with CI=true — when a test skipped that is not on the
# allow-list (Tests/skip-allowlist.txt, or $SKIP_ALLOWLIST): one `Class/testName  reason` per line.
# Otherwise 0. scripts/test.sh calls it; so do the tests of this script (TestRunnerSummaryTests).
set -euo pipefail
log="$1"
allowlist="${SKIP_ALLOWLIST:-$(cd "$(dirname "$0")/.." && pwd)/Tests/skip-allowlist.txt}"

# The totals: the last "Executed" line is the outermost suite's ("All tests" or "Selected tests").
# XCTest writes "Executed 12 tests, with 0 failures (0 unexpected)" when nothing skipped and
# "Executed 12 tests, with 2 tests skipped and 0 failures (0 unexpected)" otherwise.
totals="$(grep -E 'Executed [0-9]+ tests?, with ([0-9]+ tests? skipped and )?[0-9]+ failures?' "$log" | tail -n 1 || true)"
if [ -z "$totals" ]; then
  echo "no XCTest totals line in the output: the test run did not finish (crash, build failure or timeout)"
  exit 1
fi
total="$(sed -E 's/.*Executed ([0-9]+) tests?.*/\1/' <<<"$totals")"

# Test names as Class/testName, one per test (a test that fails several assertions counts once).
names() { (grep -E "^Test Case '[^']+' $1 \(" "$log" || true) | sed -E "s/^Test Case '([^']+)' $1 .*/\1/" \
            | sed -E 's/^-\[([^ ]+) ([^]]+)\]$/\1.\2/; s/^[^.]+\.([^.]+\.[^.]+)$/\1/; s/\./\//' | sort -u; }
failed_names="$(names failed)"
# A test that failed before it skipped counts as failed only.
skipped_names="$(comm -23 <(names skipped) <(printf '%s\n' "$failed_names" | sed '/^$/d'))"
count() { sed '/^$/d' <<<"$1" | wc -l | tr -d ' '; }
failed="$(count "$failed_names")"
skipped="$(count "$skipped_names")"
echo "$((total - failed - skipped)) passed, ${failed} failed, ${skipped} skipped"

status=0
[ "$failed" -eq 0 ] || status=1
while IFS= read -r name; do [ -n "$name" ] && echo "  failed:  $name"; done <<<"$failed_names"
while IFS= read -r name; do
  [ -n "$name" ] || continue
  reason="$( (grep -E "^${name}[[:space:]]" "$allowlist" 2>/dev/null || true) | head -n 1 | sed -E 's/^[^[:space:]]+[[:space:]]+//')"
  if [ -n "$reason" ]; then
    echo "  skipped: $name (allowed: $reason)"
  elif [ "${CI:-}" = "true" ]; then
    echo "  skipped: $name — not on the skip allow-list ($allowlist): in CI this fails the run"
    status=1
  else
    echo "  skipped: $name — not on the skip allow-list: CI would fail"
  fi
done <<<"$skipped_names"
exit "$status"
