#!/usr/bin/env bash
# SFU forwarding capacity (bench/src/bin/sfubench.rs): one speaker (VP8 at about 1.5 Mbit/s and
# Opus) to N webrtc-rs subscribers, N rising until loss passes 1% or the SFU's core saturates,
# through Janus's VideoRoom plugin (Debian's `janus`) and through Kindred's SFU. The SFU runs on
# core 0, every peer (publisher and subscribers, one process) on core 1. Everything stays on this
# machine: the peers and the SFU meet on its own address (loopback routing). Prints a markdown
# table per target; notes go to stderr. docs/benchmarks.md has results.
#
#   bench/sfu.sh                 # janus, then kindred
#   bench/sfu.sh janus           # one target
#   SFU_HOLD=5 SFU_STEPS=1,10,50 SFU_MAX=100 bench/sfu.sh janus
#
# Settings (environment): SFU_STEPS (1,5,10,20,40,60,80,100,150,200,...), SFU_MAX (400),
# SFU_HOLD (seconds measured per step, 10), SFU_SETTLE (seconds after every subscriber receives,
# 3), SFU_BITRATE (video bit/s, 1500000), SFU_NACK=1 (negotiate NACK: losses get repaired),
# SFU_BENCH_IP (the address peers and SFU use; default: the first global IPv4 address),
# SFU_LOCK (a lock file held while measuring, so no build runs on the two cores meanwhile;
# default /tmp/kindred-cargo.lock, the one every cargo command here takes; empty: none),
# SFU_QUIET_WAIT (seconds to wait, before each target, for the machine to be idle: less than 20%
# of all CPU busy over 2 s; 600). Rows measured while something else ran say "disturbed".
set -euo pipefail
cd "$(dirname "$0")/.."
targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=(janus kindred)
for t in "${targets[@]}"; do
  [[ $t == janus || $t == kindred ]] || { echo "unknown target $t (janus, kindred)" >&2; exit 2; }
done
STEPS=${SFU_STEPS:-1,5,10,20,40,60,80,100,150,200,250,300,400}
MAX=${SFU_MAX:-400}
HOLD=${SFU_HOLD:-10}
SETTLE=${SFU_SETTLE:-3}
BITRATE=${SFU_BITRATE:-1500000}
LOCK=${SFU_LOCK-/tmp/kindred-cargo.lock}
IP=${SFU_BENCH_IP:-$(ip -4 -o addr show scope global 2>/dev/null | awk '{print $4}' | cut -d/ -f1 | head -1)}
IP=${IP:-127.0.0.1}
extra=()
[[ ${SFU_NACK:-0} == 1 ]] && extra+=(--nack)

bins=(--bin sfubench)
pkgs=(-p kindred-bench)
[[ " ${targets[*]} " == *" kindred "* ]] && bins+=(--bin kindred) && pkgs+=(-p kindred)
if [[ ${BENCH_NO_BUILD:-0} != 1 ]]; then
  flock /tmp/kindred-cargo.lock cargo build --release "${pkgs[@]}" "${bins[@]}" >&2
fi

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# Busy % of all cores over 2 s, from /proc/stat.
busy_pct() {
  local a b total=0 idle i
  read -ra a < /proc/stat; sleep 2; read -ra b < /proc/stat
  idle=$(( (b[4] + b[5]) - (a[4] + a[5]) ))
  for i in 1 2 3 4 5 6 7 8; do total=$(( total + b[i] - a[i] )); done
  echo $(( 100 * (total - idle) / (total > 0 ? total : 1) ))
}
# Waits until the cores are idle (under 20% busy), at most SFU_QUIET_WAIT seconds.
wait_quiet() {
  local waited=0 busy
  while busy=$(busy_pct); (( busy >= 20 )); do
    if (( waited >= ${SFU_QUIET_WAIT:-600} )); then
      echo "# the machine is still ${busy}% busy after ${waited} s: measuring anyway" >&2
      return
    fi
    echo "# the machine is ${busy}% busy: waiting for it to be idle" >&2
    sleep 15
    waited=$(( waited + 17 ))
  done
}
# The client, pinned to core 1: takes the lock (so no build starts), waits for the machine to be
# idle, and measures; the lock is released when it ends.
bench() {
  if [[ -n $LOCK ]]; then
    exec 9>>"$LOCK"
    flock 9
  fi
  wait_quiet
  local status=0
  timeout 1200 taskset -c 1 target/release/sfubench run "$@" || status=$?
  if [[ -n $LOCK ]]; then
    exec 9>&-
  fi
  return "$status"
}
common=(--bind-ip "$IP" --steps "$STEPS" --max "$MAX" --hold "$HOLD" --settle "$SETTLE" --bitrate "$BITRATE" "${extra[@]}")

echo "# machine: $(nproc) cores, $(grep 'model name' /proc/cpuinfo | head -1 | cut -d: -f2 | xargs), kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg), peers and SFU on $IP" >&2

run_janus() {
  if ! command -v janus >/dev/null; then
    echo "# installing janus (Debian package)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y janus >&2
  fi
  local lib
  lib=$(dirname "$(dpkg -L janus | grep -m1 '/plugins/libjanus_videoroom.so$')")/..
  local jw=$work/janus port admin_port secret
  mkdir -p "$jw/etc" "$jw/plugins" "$jw/transports" "$jw/none"
  # Only the VideoRoom plugin and the HTTP transport are loaded: the folders hold nothing else.
  ln -s "$lib/plugins/libjanus_videoroom.so" "$jw/plugins/"
  ln -s "$lib/transports/libjanus_http.so" "$jw/transports/"
  port=$(free_port); admin_port=$(free_port); secret="sfubench$RANDOM"
  cat > "$jw/etc/janus.jcfg" <<EOF
general: {
  configs_folder = "$jw/etc"
  plugins_folder = "$jw/plugins"
  transports_folder = "$jw/transports"
  events_folder = "$jw/none"
  loggers_folder = "$jw/none"
  debug_level = 3
  admin_secret = "$secret"
  session_timeout = 60
}
media: {
  rtp_port_range = "30000-39999"
}
nat: {
  nice_debug = false
  ice_enforce_list = "$IP"
  ignore_mdns = true
}
plugins: {
}
transports: {
}
events: {
  broadcast = false
}
loggers: {
}
EOF
  cat > "$jw/etc/janus.transport.http.jcfg" <<EOF
general: {
  json = "plain"
  base_path = "/janus"
  http = true
  port = $port
  ip = "127.0.0.1"
  https = false
}
admin: {
  admin_base_path = "/admin"
  admin_http = true
  admin_port = $admin_port
  admin_ip = "127.0.0.1"
  admin_https = false
}
EOF
  echo 'general: {
}' > "$jw/etc/janus.plugin.videoroom.jcfg"
  taskset -c 0 janus -F "$jw/etc" -C "$jw/etc/janus.jcfg" > "$jw/janus.log" 2>&1 &
  local jpid=$!
  pids+=("$jpid")
  for _ in $(seq 100); do
    curl -sf -o /dev/null -d '{"janus":"info","transaction":"up"}' "http://127.0.0.1:$port/janus" && break
    sleep 0.1
  done
  echo "# $(janus --version 2>/dev/null | head -1 || echo janus), pid $jpid, HTTP on 127.0.0.1:$port, ICE on $IP" >&2
  bench --target janus --url "http://127.0.0.1:$port/janus" --admin-url "http://127.0.0.1:$admin_port/admin" \
    --admin-secret "$secret" --pid "$jpid" "${common[@]}" || echo "# janus run failed" >&2
  grep -E 'ERR|WARN' "$jw/janus.log" | grep -v 'mDNS' | tail -5 >&2 || true
  kill "$jpid"; wait "$jpid" 2>/dev/null || true
}

run_kindred() {
  local db="sqlite://$work/kindred.db?mode=rwc"
  target/release/sfubench setup --database-url "$db" --subscribers "$MAX" --out "$work/layout.json" >&2
  # Kindred's SFU settings (its UDP port, the address in its candidates) come from KINDRED_*
  # variables in the environment, passed through as they are.
  KINDRED_LOG=warn taskset -c 0 target/release/kindred serve --bind 127.0.0.1:0 --data-dir "$work" \
    --database-url "$db" > "$work/kindred.out" 2>&1 &
  local kpid=$!
  pids+=("$kpid")
  for _ in $(seq 100); do grep -q listening "$work/kindred.out" 2>/dev/null && break; sleep 0.1; done
  local url
  url=$(grep -o 'http://[0-9.:]*' "$work/kindred.out" | head -1)
  echo "# kindred, pid $kpid, at $url" >&2
  bench --target kindred --url "$url" --layout "$work/layout.json" --pid "$kpid" "${common[@]}" \
    || echo "# kindred run failed" >&2
  tail -5 "$work/kindred.out" >&2
  kill "$kpid"; wait "$kpid" 2>/dev/null || true
}

for t in "${targets[@]}"; do
  "run_$t"
done
