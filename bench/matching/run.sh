#!/usr/bin/env bash
# Kindred's matching core against SciPy's linear_sum_assignment, same score matrices.
#
# Creates .venv (numpy, scipy) beside this script if missing, builds `matchbench` in release, then
# for each size runs `matchbench --one SIZE` (a fresh process: its own peak memory) and
# `scipy_lsa.py` on the matrix it wrote, and prints one table. Exits non-zero if the two solvers'
# totals or matched counts differ at any size.
#
# Environment: MATCHBENCH_SIZES (default "1000x300 2000x600 5000x1000 10000x2000"),
# CARGO_TARGET_DIR (default: target/ beside this script).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
sizes="${MATCHBENCH_SIZES:-1000x300 2000x600 5000x1000 10000x2000}"
target="${CARGO_TARGET_DIR:-$here/target}"

if [ ! -x "$here/.venv/bin/python" ]; then
    python3 -m venv "$here/.venv"
    "$here/.venv/bin/pip" install --quiet numpy scipy
fi
py="$here/.venv/bin/python"

CARGO_TARGET_DIR="$target" cargo build --quiet --release --manifest-path "$here/Cargo.toml"
bench="$target/release/matchbench"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

results="$work/results.txt"
: >"$results"
for size in $sizes; do
    echo "== $size" >&2
    kindred="$("$bench" --one "$size" --out "$work/$size")"
    scipy="$("$py" "$here/scipy_lsa.py" "$work/$size")"
    rm -rf "${work:?}/$size"
    echo "$kindred $scipy" | tee -a "$results" >&2
done

"$py" - "$results" <<'PY'
import sys

rows = []
with open(sys.argv[1]) as f:
    for line in f:
        rows.append(dict(kv.split("=", 1) for kv in line.split()))

def mib(kib):
    return "n/a" if kib == "n/a" else f"{int(kib) / 1024:.0f}"

print()
print("| mentees × mentors | places | Kindred score s | Kindred solve s | SciPy solve s | speed-up "
      "| Kindred solver extra MiB | SciPy extra MiB | Kindred peak MiB | SciPy peak MiB | same optimum |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
bad = 0
for r in rows:
    same = r["total"] == r["scipy_total"] and r["matched"] == r["scipy_matched"]
    bad += not same
    n, m = r["size"].split("x")
    print(f"| {int(n):,} × {int(m):,} | {int(r['capacity']):,} | {r['score_s']} | {r['solve_s']} | {r['scipy_s']} "
          f"| {float(r['scipy_s']) / max(float(r['solve_s']), 1e-9):.1f}× "
          f"| {mib(r['solve_extra_kib'])} | {mib(r['scipy_extra_kib'])} | {mib(r['peak_kib'])} "
          f"| {mib(r['scipy_peak_kib'])} | {'yes' if same else 'NO'} ({int(r['total']):,}) |")

print()
print("| mentees × mentors | matched (all three) | optimal total | greedy total | stable total "
      "| optimal: got a top-3 mentor | greedy: top-3 | stable: top-3 |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for r in rows:
    n, m = r["size"].split("x")
    matched = " / ".join(f"{int(r[k]):,}" for k in ("matched", "greedy_matched", "stable_matched"))
    print(f"| {int(n):,} × {int(m):,} | {matched} | {int(r['total']):,} | {int(r['greedy_total']):,} "
          f"| {int(r['stable_total']):,} | {r['top3']} | {r['greedy_top3']} | {r['stable_top3']} |")

if bad:
    print(f"\n{bad} size(s) where Kindred and SciPy disagree", file=sys.stderr)
    sys.exit(1)
PY
