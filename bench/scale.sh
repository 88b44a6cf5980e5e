#!/usr/bin/env bash
# Scale benchmark: one program seeded at each size in SCALE_SIZES (people; default the national-
# scale issue's S and L, 656 and 6,533, and 10,000), on the embedded SQLite default and on
# PostgreSQL; then the mentee's channel list, `hello` → `welcome`, a one-row read and creating a
# program-wide channel, timed against a release server (`scalebench`, bench/src/bin/scalebench.rs);
# then, on a second start with the worker sweeping back to back, one-row reads for SCALE_SWEEP_SECS
# and the sweeps' times from /metrics; on PostgreSQL, then, two nodes over a Redis of their own
# (port SCALE_REDIS_PORT) and the bytes that creating a program-wide channel publishes on it.
# SCALE_SWEEP_SECS=0 leaves out the sweep phase.
# With SCALE_BASELINE=<git revision>, that revision is built too (in a worktree, with this
# scalebench.rs, into target/baseline) and measured on a database seeded the same way, right
# before the current build, so both sides come from one run. One JSON line per size, backend and
# build; docs/benchmarks.md has results. Loopback only.
#
#   bench/scale.sh
#   SCALE_BASELINE=fd5535f SCALE_SIZES="656 6533" bench/scale.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SCALE_SIZES:-"656 6533 10000"}
BACKENDS=${SCALE_BACKENDS:-"sqlite postgres"}
PG=${SCALE_POSTGRES:-postgres://postgres@127.0.0.1:5432}
REPS=${SCALE_REPS:-20}
SWEEP_SECS=${SCALE_SWEEP_SECS:-20}
REDIS_PORT=${SCALE_REDIS_PORT:-6391}

mkdir -p web-client/dist
cargo build --release -p kindred -p kindred-bench >&2
work=$(mktemp -d)
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  if [[ -n ${SCALE_BASELINE:-} ]]; then git worktree remove --force "$work/baseline" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

builds="current:target/release"
if [[ -n ${SCALE_BASELINE:-} ]]; then
  git worktree add --detach "$work/baseline" "$SCALE_BASELINE" >&2
  cp bench/src/bin/scalebench.rs "$work/baseline/bench/src/bin/scalebench.rs"
  mkdir -p "$work/baseline/web-client/dist"
  CARGO_TARGET_DIR="$PWD/target/baseline" cargo build --release --manifest-path "$work/baseline/Cargo.toml" \
    -p kindred -p kindred-bench >&2
  builds="baseline:target/baseline/release $builds"
fi
echo "# machine: $(nproc) cores, $(grep 'model name' /proc/cpuinfo | head -1 | cut -d: -f2 | xargs), kernel $(uname -r)" >&2

# Starts `kindred serve` from build directory $1 on database $2; sets pid and url.
start_server() {
  rm -f "$work/kindred.out"
  KINDRED_LOG=warn "$1/kindred" serve --bind 127.0.0.1:0 --data-dir "$work" --database-url "$2" \
    > "$work/kindred.out" 2>&1 &
  pid=$!
  for _ in $(seq 300); do grep -q listening "$work/kindred.out" 2>/dev/null && break; sleep 0.1; done
  url=$(grep -o 'http://[0-9.:]*' "$work/kindred.out" | head -1)
}

for backend in $BACKENDS; do
  for people in $SIZES; do
    for build in $builds; do
      label=${build%%:*}; bin=${build#*:}
      if [[ $backend == postgres ]]; then
        name="kindred_scale_${label}_$people"
        psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" -c "CREATE DATABASE $name" >&2
        db="$PG/$name"
      else
        rm -f "$work"/scale.db*
        db="sqlite://$work/scale.db?mode=rwc"
      fi
      started=$(date +%s)
      "$bin/scalebench" seed --database-url "$db" --people "$people" --out "$work/layout.json"
      echo "# seeded $people people on $backend for $label in $(( $(date +%s) - started )) s" >&2
      if [[ $backend == sqlite ]]; then
        # Settled as a database that has been running for months is: the seed's writes copied
        # from the WAL into the database file, not left for the server's first minute.
        command -v sqlite3 >/dev/null || apt-get install -y sqlite3 >&2
        sqlite3 "$work/scale.db" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
      fi
      # Requests first, with no worker (so no sweep runs beside them); then the worker alone
      # sweeping back to back while one-row reads go on.
      KINDRED_WORKER=false start_server "$bin" "$db"
      "$bin/scalebench" measure --url "$url" --layout "$work/layout.json" --pid "$pid" --reps "$REPS" \
        | sed "s/^{/{\"build\":\"$label\",\"backend\":\"$backend\",/"
      kill $pid; wait $pid 2>/dev/null || true
      if (( SWEEP_SECS > 0 )); then
        KINDRED_SWEEP_MS=200 start_server "$bin" "$db"
        "$bin/scalebench" sweeps --url "$url" --layout "$work/layout.json" --seconds "$SWEEP_SECS" \
          | sed "s/^{/{\"build\":\"$label\",\"backend\":\"$backend\",/"
        kill $pid; wait $pid 2>/dev/null || true
        # What the server warned about meanwhile (sqlx names any statement over a second).
        grep -a -i -E "warn|error" "$work/kindred.out" | cut -c1-400 | head -20 >&2 || true
      fi
      if [[ $backend == postgres ]]; then
        # Two nodes over a Redis of their own: the bytes a program-wide creation publishes.
        redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
          > "$work/redis.out" 2>&1 &
        redis_pid=$!
        for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
        export KINDRED_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
        KINDRED_WORKER=false start_server "$bin" "$db"; first=$pid; first_url=$url
        mv "$work/kindred.out" "$work/kindred1.out"
        KINDRED_WORKER=false start_server "$bin" "$db"; second=$pid
        unset KINDRED_REDIS_URL
        bytes() { redis-cli -p "$REDIS_PORT" info stats | tr -d '\r' | sed -n 's/^total_net_input_bytes://p'; }
        before=$(bytes)
        created=$("$bin/scalebench" create --url "$first_url" --layout "$work/layout.json" --count 3)
        after=$(bytes)
        echo "$created" | sed "s/^{/{\"build\":\"$label\",\"backend\":\"$backend\",\"nodes\":2,\"bus_bytes_per_creation\":$(( (after - before) / 3 )),/"
        kill $first $second; wait $first $second 2>/dev/null || true
        kill $redis_pid; wait $redis_pid 2>/dev/null || true
      fi
      if [[ $backend == postgres ]]; then psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" >&2; fi
    done
  done
done
