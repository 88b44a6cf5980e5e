#!/usr/bin/env bash
# A/B of two kindred release binaries under bench/run.sh's messaging workload: each side starts
# fresh (new SQLite database, same people and channels) on core 0, the load generator runs on core
# 1, and the sides alternate (A, B, A, B, …) so drift of the machine falls on both. Prints one JSON
# line per measurement, its target named after the side and round.
#
#   bench/ab.sh OLD/kindred NEW/kindred            # rates 1000 2000 3000 4000, 2 rounds
#   RATES="3000 4000" ROUNDS=3 bench/ab.sh A B
#
# Build the two binaries first (for example a worktree of the old commit, `cargo build --release
# -p kindred`, and a copy of target/release/kindred); loadgen is built here.
set -euo pipefail
cd "$(dirname "$0")/.."
A=$(realpath "$1"); B=$(realpath "$2")
RATES=${RATES:-"1000 2000 3000 4000"}
ROUNDS=${ROUNDS:-2}
SECS=${BENCH_SECS:-5}
cargo build --release -p kindred-bench --bin loadgen >&2
LOADGEN="taskset -c 1 target/release/loadgen"
echo "# machine: $(nproc) cores, $(grep 'model name' /proc/cpuinfo | head -1 | cut -d: -f2 | xargs), kernel $(uname -r)" >&2
for round in $(seq "$ROUNDS"); do
  for side in A B; do
    bin=$A; [[ $side == B ]] && bin=$B
    work=$(mktemp -d)
    db="sqlite://$work/kindred.db?mode=rwc"
    target/release/loadgen setup --database-url "$db" --out "$work/layout.json" >&2
    KINDRED_LOG=warn KINDRED_WS_SEND_RATE_PER_SEC=100000 KINDRED_WS_SEND_BURST=100000 \
      taskset -c 0 "$bin" serve --bind 127.0.0.1:0 --data-dir "$work" --database-url "$db" > "$work/k.out" 2>&1 &
    pid=$!
    for _ in $(seq 100); do grep -q listening "$work/k.out" 2>/dev/null && break; sleep 0.1; done
    url=$(grep -o 'http://[0-9.:]*' "$work/k.out" | head -1)
    for rate in $RATES; do
      $LOADGEN run --target kindred --url "$url" --layout "$work/layout.json" --rate "$rate" --secs "$SECS" --pid "$pid" |
        sed "s/\"target\":\"kindred\"/\"target\":\"$side-round$round\"/"
    done
    kill $pid; wait $pid 2>/dev/null || true
    rm -rf "$work"
  done
done
