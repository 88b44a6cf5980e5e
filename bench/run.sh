#!/usr/bin/env bash
# Side-by-side benchmark: Kindred (every message persisted, embedded SQLite or PostgreSQL) against
# a Socket.IO 4 server (no persistence) under the same workload. The server runs on core 0, the
# load generator on core 1. Prints one JSON line per measurement; docs/benchmarks.md has results.
#
#   bench/run.sh                      # Kindred on SQLite
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/kindred_bench bench/run.sh
#
# Calls have their own: bench/signaling.sh (relay latency of call frames, one and two nodes) and
# bench/call/ (pressing Call in Chromium to the first decoded remote video frame).
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${BENCH_SECS:-5}
KINDRED_RATES=${KINDRED_RATES:-"250 500 750 1000 1250"}
SOCKETIO_RATES=${SOCKETIO_RATES:-"250 1000 1500 2000 2500"}
IDLE=${BENCH_IDLE:-10000}
KINDRED_TWO_NODE_RATES=${KINDRED_TWO_NODE_RATES:-"250 1000 2000"}
SOCKETIO_TWO_NODE_RATES=${SOCKETIO_TWO_NODE_RATES:-"250 1000 2000"}

cargo build --release -p kindred -p kindred-bench >&2
(cd bench/socketio && npm ci --no-audit --no-fund >&2)
LOADGEN="taskset -c 1 target/release/loadgen"
work=$(mktemp -d)
cleanup() { kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

db=${BENCH_DATABASE_URL:-"sqlite://$work/kindred.db?mode=rwc"}
if [[ $db == postgres* ]]; then
  base=${db%/*}; name=${db##*/}
  psql "$base/postgres" -qc "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" >&2
fi
target/release/loadgen setup --database-url "$db" --out "$work/layout.json" >&2

start_kindred() {
  KINDRED_LOG=warn KINDRED_WS_SEND_RATE_PER_SEC=100000 KINDRED_WS_SEND_BURST=100000 \
    taskset -c 0 target/release/kindred serve --bind 127.0.0.1:0 --data-dir "$work" --database-url "$db" > "$work/kindred.out" 2>&1 &
  KPID=$!
  for _ in $(seq 100); do grep -q listening "$work/kindred.out" 2>/dev/null && break; sleep 0.1; done
  KURL=$(grep -o 'http://[0-9.:]*' "$work/kindred.out" | head -1)
}
start_socketio() {
  PORT=$1 taskset -c 0 node bench/socketio/server.js > "$work/sio.out" 2>&1 &
  SPID=$!
  for _ in $(seq 100); do grep -q listening "$work/sio.out" 2>/dev/null && break; sleep 0.1; done
}

echo "# machine: $(nproc) cores, $(grep 'model name' /proc/cpuinfo | head -1 | cut -d: -f2 | xargs), kernel $(uname -r)" >&2
start_kindred
for rate in $KINDRED_RATES; do $LOADGEN run --target kindred --url "$KURL" --layout "$work/layout.json" --rate "$rate" --secs "$SECS" --pid "$KPID"; done
kill $KPID; wait $KPID 2>/dev/null || true
start_kindred
$LOADGEN idle --target kindred --url "$KURL" --layout "$work/layout.json" --conns "$IDLE" --pid "$KPID"
kill $KPID; wait $KPID 2>/dev/null || true

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
start_socketio "$port"
for rate in $SOCKETIO_RATES; do $LOADGEN run --target socketio --url "http://127.0.0.1:$port" --rate "$rate" --secs "$SECS" --pid "$SPID"; done
kill $SPID; wait $SPID 2>/dev/null || true
start_socketio "$port"
$LOADGEN idle --target socketio --url "http://127.0.0.1:$port" --conns "$IDLE" --pid "$SPID"

# Two nodes each: Kindred over Redis pub/sub (sharing the database), Socket.IO with its Redis adapter.
if [[ ${BENCH_TWO_NODES:-1} == 1 ]]; then
  prefix="bench$RANDOM:"
  start_node() {
    KINDRED_LOG=warn KINDRED_WS_SEND_RATE_PER_SEC=100000 KINDRED_WS_SEND_BURST=100000 KINDRED_REDIS_PREFIX=$prefix \
      taskset -c 0 target/release/kindred serve --bind 127.0.0.1:0 --data-dir "$work" --database-url "$db" \
      --redis-url redis://127.0.0.1:6379 > "$work/node$1.out" 2>&1 &
    eval "NPID$1=$!"
    for _ in $(seq 100); do grep -q listening "$work/node$1.out" 2>/dev/null && break; sleep 0.1; done
    eval "NURL$1=$(grep -o 'http://[0-9.:]*' "$work/node$1.out" | head -1)"
  }
  start_node 1; start_node 2
  for rate in $KINDRED_TWO_NODE_RATES; do
    $LOADGEN run --target kindred --url "$NURL1,$NURL2" --layout "$work/layout.json" --rate "$rate" --secs "$SECS" --pid "$NPID1,$NPID2" | sed 's/"target":"kindred"/"target":"kindred-2-nodes"/'
  done
  kill $NPID1 $NPID2; wait $NPID1 $NPID2 2>/dev/null || true
  p1=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  p2=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  REDIS_URL=redis://127.0.0.1:6379 PORT=$p1 taskset -c 0 node bench/socketio/server.js > "$work/s1.out" 2>&1 & S1=$!
  REDIS_URL=redis://127.0.0.1:6379 PORT=$p2 taskset -c 0 node bench/socketio/server.js > "$work/s2.out" 2>&1 & S2=$!
  for _ in $(seq 100); do grep -q listening "$work/s1.out" && grep -q listening "$work/s2.out" && break; sleep 0.1; done
  sleep 1
  for rate in $SOCKETIO_TWO_NODE_RATES; do
    $LOADGEN run --target socketio --url "http://127.0.0.1:$p1,http://127.0.0.1:$p2" --rate "$rate" --secs "$SECS" --pid "$S1,$S2" | sed 's/"target":"socketio"/"target":"socketio-2-nodes"/'
  done
fi
