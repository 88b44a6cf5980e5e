"""SciPy's linear_sum_assignment on Kindred's score matrix, mentors expanded into capacity slots.

Usage: scipy_lsa.py DIR, where DIR holds what `matchbench --out DIR` writes: matrix.bin (int32
little-endian, mentees x mentors, row-major, INT32_MIN for a forbidden pair), capacity.bin (uint32
little-endian, one per mentor) and shape.txt ("mentees mentors").

Prints one line of key=value pairs: scipy_s (seconds for the slot expansion and the solve, the
work Kindred's solver does from the same matrix; loading the files is not counted), scipy_total,
scipy_matched, scipy_peak_kib (peak RSS of the whole process, from getrusage) and
scipy_extra_kib (peak during expansion and solve above the RSS before it, where Linux allows
resetting the peak mark).

Cardinality first, as Kindred's solver does: linear_sum_assignment on a rectangular matrix
assigns every row or every column, whichever side is smaller, so with no forbidden pairs it finds
the best total among assignments of the largest possible size. Forbidden pairs get a weight so
low that they are chosen only when nothing else completes the assignment, and are then dropped.
"""

import resource
import sys
import time

import numpy as np
from scipy.optimize import linear_sum_assignment

FORBIDDEN = np.iinfo(np.int32).min


def status_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1])
    return 0


def reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def main() -> None:
    d = sys.argv[1]
    with open(f"{d}/shape.txt") as f:
        rows, cols = (int(x) for x in f.read().split())
    scores = np.fromfile(f"{d}/matrix.bin", dtype="<i4").reshape(rows, cols)
    capacity = np.fromfile(f"{d}/capacity.bin", dtype="<u4").astype(np.int64)

    before = status_kib("VmRSS:")
    reset = reset_peak()
    start = time.perf_counter()
    slots = np.repeat(np.arange(cols), capacity)
    weights = scores[:, slots].astype(np.float64)
    forbidden = scores[:, slots] == FORBIDDEN
    weights[forbidden] = -1e15
    row_ind, col_ind = linear_sum_assignment(weights, maximize=True)
    elapsed = time.perf_counter() - start
    extra = status_kib("VmHWM:") - before if reset else "n/a"

    keep = ~forbidden[row_ind, col_ind]
    total = int(scores[row_ind[keep], slots[col_ind[keep]]].astype(np.int64).sum())
    matched = int(keep.sum())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"scipy_s={elapsed:.3f} scipy_total={total} scipy_matched={matched} "
        f"scipy_peak_kib={peak} scipy_extra_kib={extra}"
    )


if __name__ == "__main__":
    main()
