#!/usr/bin/env bash
# Quickstart: build, start the MISO simulator, run the CTS collector twice on the embedded defaults
# (local directory + SQLite registry, no servers). The second run skips the duplicate.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
./scripts/install-deps.sh
swift build
bin="$repo/.build/debug"

work="$(mktemp -d "${TMPDIR:-/tmp}/scraper-demo.XXXXXX")"
"$bin/miso-sim" --port 0 --today 2025-01-20 --nodes 3 > "$work/sim.out" &
sim=$!
trap 'kill $sim 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q listening "$work/sim.out" && break; sleep 0.1; done
url="$(grep -o 'http://[0-9.:]*' "$work/sim.out" | head -1)"
echo "== simulator at $url; working directory $work"

cd "$work"   # no collectors.yaml here: built-in defaults, data under ./data
for run in first second; do
  echo "== $run run"
  "$bin/scraper" run miso-cts --date 2025-01-20 --rate-limit 0 \
      --api-url "$url/api/CoordinatedTransactionScheduling" --log-format text
done
echo "== stored objects"
find data/sourcing -type f | sort
echo "== first lines of the stored payload"
{ gzip -dc data/sourcing/miso_coordinated_transaction_scheduling/year=2025/month=01/day=20/cts_20250120.json.gz || true; } | head -c 300; echo  # head closes the pipe early: not an error
