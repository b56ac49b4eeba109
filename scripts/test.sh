#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, then runs every test. Tests start the
# servers they need (redis-server, moto_server, librdkafka's mock cluster, miso-sim) on free
# loopback ports and stop them. Extra arguments go to `swift test` (e.g. --filter CTSEndToEndTests).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
swift build --build-tests
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
# The suite is XCTest only; --disable-swift-testing keeps the empty Swift Testing pass from having the last word.
swift test --skip-build --disable-swift-testing "$@" 2>&1 | tee "$log" || status=$?
# One plain closing line: "N passed, N failed".
line="$(grep -E 'Executed [0-9]+ tests?, with [0-9]+ failures?' "$log" | tail -n 1 || true)"
if [ -n "$line" ]; then
  total="$(sed -E 's/.*Executed ([0-9]+) tests?.*/\1/' <<<"$line")"
  failed="$( (grep -E "^Test Case '.*' failed" "$log" || true) | sort -u | wc -l)"
  echo "$((total - failed)) passed, ${failed} failed"
fi
exit "$status"
