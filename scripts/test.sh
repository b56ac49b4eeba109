#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, then runs every test. Tests start the
# servers they need (redis-server, moto_server, librdkafka's mock cluster, miso-sim) on free
# loopback ports and stop them.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
swift build --build-tests
swift test --skip-build "$@"
