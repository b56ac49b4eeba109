#!/usr/bin/env bash
# Throughput of `scraper worker` processes sharing one queue, against M simulated sources that each
# answer in LATENCY_MS and allow RATE requests a minute (scraper's per-host limit, shared over Redis).
# Throughput should grow with the number of workers until the sources' limits bind, then stay flat:
# at most M * RATE / 60 candidates a second, however many workers run.
#
#   scripts/bench-workers.sh            # defaults: M=2 sources, RATE=60/min, LATENCY_MS=1000, DAYS=12, WORKERS="1 2 4 8"
#   M=3 RATE=120 WORKERS="1 2 3 6" scripts/bench-workers.sh
#
# Prints a Markdown table (the README's); "candidates" counts every candidate done, stored or found already
# stored (the simulated sources serve the same days, so most are duplicates after the first source).
# Needs a debug build (swift build) and redis-server.
set -euo pipefail
cd "$(dirname "$0")/.."
M="${M:-2}"; RATE="${RATE:-60}"; LATENCY_MS="${LATENCY_MS:-1000}"; DAYS="${DAYS:-12}"; WORKERS="${WORKERS:-1 2 4 8}"
bin="$(swift build --show-bin-path)"
work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
redis_port="$(free_port)"
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no >"$work/redis.log" 2>&1 &
pids+=($!)

{
  echo "defaults:"
  echo "  storage: {type: local, path: $work/data}"
  echo "  registry: {type: redis, host: 127.0.0.1, port: $redis_port, allow_mixed_sharing: true}"
  echo "  retry: {max_attempts: 2, base_delay: 0.2, max_delay: 1}"
  echo "collectors:"
} >"$work/collectors.yaml"
for i in $(seq 1 "$M"); do
  host="127.0.0.$((i + 1))"
  "$bin/miso-sim" --host "$host" --port 0 --nodes 2 --latency-ms "$LATENCY_MS" >"$work/sim-$i.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do grep -q "listening on" "$work/sim-$i.log" && break; sleep 0.1; done
  url="$(sed -n 's/^miso-sim listening on //p' "$work/sim-$i.log")"
  {
    echo "  source-$i:"
    echo "    type: miso.cts"
    echo "    api_url: $url/api/CoordinatedTransactionScheduling"
    echo "    http: {rate_limit_per_minute: $RATE}"
  } >>"$work/collectors.yaml"
done
for _ in $(seq 1 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done

bound="$(python3 -c "print(f'{$M * $RATE / 60:.2f}')")"
echo "| workers | candidates | seconds | candidates/s | limit ($M sources × $RATE/min) |"
echo "|---:|---:|---:|---:|---:|"
cd "$work"
for n in $WORKERS; do
  redis-cli -p "$redis_port" flushall >/dev/null
  rm -rf "$work/data"
  # Day by day, source by source: the queue interleaves the sources, as a mixed backfill would.
  for d in $(seq 1 "$DAYS"); do
    for i in $(seq 1 "$M"); do
      "$bin/scraper" enqueue "source-$i" --date "2025-01-$(printf %02d "$d")" --log-format json >/dev/null 2>&1
    done
  done
  start="$(date +%s.%N)"
  wpids=()
  for w in $(seq 1 "$n"); do
    "$bin/scraper" worker --concurrency 1 --exit-when-empty --claim-idle 60 --log-format json >"$work/worker-$n-$w.out" 2>"$work/worker-$n-$w.err" &
    wpids+=($!)
  done
  for p in "${wpids[@]}"; do wait "$p"; done
  end="$(date +%s.%N)"
  total="$(cat "$work"/worker-"$n"-*.out | python3 -c 'import sys, json; print(sum(json.loads(l)["collected"] + json.loads(l)["skipped_duplicate"] for l in sys.stdin if l.startswith("{")))')"
  python3 -c "s=$end-$start; print(f'| $n | $total | {s:.1f} | {$total/s:.2f} | $bound |')"
done
