"""Measured work of the allocation benchmark, each in its own process so that its peak memory is its own.

    python -m bench.allocation.child solve INSTANCE.npz RESULT.npz   # stella.matching.flow.solve on arrays
    python -m bench.allocation.child lp INSTANCE.npz                 # SciPy HiGHS on the same LP (the anchor)

Prints one JSON object: the timed seconds and the process's resident memory after loading the instance.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np


def rss_kb() -> int:
    """Current resident set size (VmRSS) of this process in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def load(path: str) -> dict[str, Any]:
    with np.load(path) as data:
        return {k: data[k] for k in data.files}


def solve(instance: str, result: str) -> dict[str, Any]:
    from stella.matching import flow

    inst = load(instance)
    loaded = rss_kb()
    started, cpu = time.perf_counter(), time.process_time()
    solution = flow.solve(int(inst["n_persons"]), inst["capacity"], inst["pair_person"], inst["pair_offer"],
                          inst["pair_score"])
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    np.savez(result, offer_of=solution.offer_of)
    return {"seconds": seconds, "cpu_seconds": cpu, "rss_loaded_kb": loaded, "total_score": solution.total_score,
            "objective": solution.objective, "assigned": solution.assigned}


def lp(instance: str) -> dict[str, Any]:
    """max Σ score·x  s.t. Σ_o x[p,o] ≤ 1 per person, Σ_p x[p,o] ≤ capacity per offer, 0 ≤ x ≤ 1."""
    import scipy
    import scipy.sparse as sp
    from scipy.optimize import linprog

    inst = load(instance)
    loaded = rss_kb()
    started, cpu = time.perf_counter(), time.process_time()
    n, cap = int(inst["n_persons"]), inst["capacity"]
    person, offer, score = inst["pair_person"], inst["pair_offer"], inst["pair_score"]
    k = len(person)
    rows = np.concatenate([person, n + offer])
    cols = np.concatenate([np.arange(k), np.arange(k)])
    a = sp.csr_matrix((np.ones(2 * k), (rows, cols)), shape=(n + len(cap), k))
    b = np.concatenate([np.ones(n), cap.astype(float)])
    built = time.perf_counter()
    res = linprog(-score.astype(float), A_ub=a, b_ub=b, bounds=(0, 1), method="highs")
    done = time.perf_counter()
    fractional = int(((res.x > 1e-6) & (res.x < 1 - 1e-6)).sum()) if res.x is not None else -1
    return {"seconds": done - started, "cpu_seconds": time.process_time() - cpu, "build_seconds": built - started, "solve_seconds": done - built,
            "rss_loaded_kb": loaded, "status": int(res.status), "message": str(res.message),
            "objective": -float(res.fun) if res.fun is not None else None, "fractional": fractional,
            "scipy": scipy.__version__}


def main(argv: list[str]) -> int:
    if argv[:1] == ["solve"] and len(argv) == 3:
        out = solve(argv[1], argv[2])
    elif argv[:1] == ["lp"] and len(argv) == 2:
        out = lp(argv[1])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
