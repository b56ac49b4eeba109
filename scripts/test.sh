#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, then runs every test. Tests start the
# servers they need (redis-server, moto_server, librdkafka's mock cluster, miso-sim, the Pushgateway)
# on free loopback ports and stop them. Extra arguments go to `swift test` (e.g. --filter CTSEndToEndTests);
# SCRATCH_PATH=DIR builds and tests in another scratch directory (a second worktree's build).
#
# The closing line is "N passed, M failed, K skipped" (scripts/test-summary.sh). The exit status is
# non-zero when a test failed, and — with CI=true — when a test skipped that Tests/skip-allowlist.txt
# does not list with its reason.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
scratch=()
[ -z "${SCRATCH_PATH:-}" ] || scratch=(--scratch-path "$SCRATCH_PATH")
swift build "${scratch[@]}" --build-tests
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
# The suite is XCTest only; --disable-swift-testing keeps the empty Swift Testing pass from having the last word.
swift test "${scratch[@]}" --skip-build --disable-swift-testing "$@" 2>&1 | tee "$log" || status=$?
summary=0
./scripts/test-summary.sh "$log" || summary=$?
[ "$status" -ne 0 ] || status="$summary"
exit "$status"
