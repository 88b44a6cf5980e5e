#!/usr/bin/env bash
# Signaling relay latency (bench/src/bin/signalbench.rs): an ICE candidate sent by one person of a
# call, until it reaches the other, closed loop, through one `kindred serve` node (SQLite, then
# PostgreSQL) and across two nodes sharing PostgreSQL and Redis. Servers on core 0, the client on
# core 1. Prints one JSON line per setup; docs/benchmarks.md has results.
#
#   bench/signaling.sh                      # SIGNAL_FRAMES=1000 per setup
#   BENCH_POSTGRES=postgres://postgres@127.0.0.1:5432 BENCH_REDIS=redis://127.0.0.1:6379 bench/signaling.sh
set -euo pipefail
cd "$(dirname "$0")/.."
FRAMES=${SIGNAL_FRAMES:-1000}
PG=${BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432}
REDIS=${BENCH_REDIS:-redis://127.0.0.1:6379}

if [[ ${BENCH_NO_BUILD:-0} != 1 ]]; then
  cargo build --release -p kindred -p kindred-bench --bin kindred --bin signalbench >&2
fi
BENCH="taskset -c 1 target/release/signalbench"
work=$(mktemp -d)
pids=()
PREFIX="signal$RANDOM:"
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

# start_node N DATABASE_URL [REDIS_URL]: sets URL_N and PID_N.
start_node() {
  local n=$1 db=$2 redis=${3:-}
  local extra=()
  [[ -n $redis ]] && extra=(--redis-url "$redis")
  KINDRED_LOG=warn KINDRED_REDIS_PREFIX=$PREFIX \
    taskset -c 0 target/release/kindred serve --bind 127.0.0.1:0 --data-dir "$work" --database-url "$db" "${extra[@]}" \
    > "$work/node$n.out" 2>&1 &
  pids+=($!)
  eval "PID_$n=$!"
  for _ in $(seq 100); do grep -q listening "$work/node$n.out" 2>/dev/null && break; sleep 0.1; done
  eval "URL_$n=$(grep -o 'http://[0-9.:]*' "$work/node$n.out" | head -1)"
}
stop_nodes() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; pids=(); }

echo "# machine: $(nproc) cores, $(grep 'model name' /proc/cpuinfo | head -1 | cut -d: -f2 | xargs), kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2

# One node, embedded SQLite.
db="sqlite://$work/kindred.db?mode=rwc"
target/release/signalbench setup --database-url "$db" --out "$work/pair.json" >&2
start_node 1 "$db"
$BENCH run --url "$URL_1" --pair "$work/pair.json" --frames "$FRAMES" --label one-node-sqlite
stop_nodes

# PostgreSQL: one node, then two nodes over Redis (sharing the database and the key prefix).
if psql "$PG/postgres" -qtAc 'SELECT 1' >/dev/null 2>&1; then
  name="kindred_signal_$RANDOM"
  psql "$PG/postgres" -qc "CREATE DATABASE $name" >&2
  db="$PG/$name"
  target/release/signalbench setup --database-url "$db" --out "$work/pair-pg.json" >&2
  start_node 1 "$db"
  $BENCH run --url "$URL_1" --pair "$work/pair-pg.json" --frames "$FRAMES" --label one-node-postgres
  stop_nodes
  if redis-cli -u "$REDIS" ping 2>/dev/null | grep -q PONG; then
    start_node 1 "$db" "$REDIS"
    start_node 2 "$db" "$REDIS"
    $BENCH run --url "$URL_1,$URL_2" --pair "$work/pair-pg.json" --frames "$FRAMES" --label two-nodes-postgres-redis
    stop_nodes
  else
    echo "# Redis not reachable at $REDIS: two-node run skipped" >&2
  fi
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" >&2
else
  echo "# PostgreSQL not reachable at $PG: PostgreSQL and two-node runs skipped" >&2
fi
