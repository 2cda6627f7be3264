"""One measured side of the linkage benchmark, in its own process so that its peak memory is its own.

    python -m bench.linkage.child stella INPUT.pkl OUT.json [--train] [--threshold T]
    python -m bench.linkage.child plain-dedupe INPUT.pkl OUT.json --threshold T [--also 0.95]
    python -m bench.linkage.child plain-febrl INPUT.pkl OUT.json
    python -m bench.linkage.child blocking INPUT.pkl OUT.json

INPUT.pkl holds the records (and for FEBRL the raw rows). OUT.json gets the clusters (or the blocking
result); stdout one JSON object with the timed seconds of the linking itself.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
import time
from pathlib import Path
from typing import Any


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def stella(data: dict[str, Any], threshold: float | None, train: bool) -> dict[str, str]:
    from stella.linkage import engine

    kwargs: dict[str, Any] = {"threshold": threshold}
    if train:
        kwargs["train"] = True
    return engine.link_records(data["records"], **kwargs)


def blocking(data: dict[str, Any]) -> dict[str, Any]:
    """Which true pairs Stella's blocking rules generate (Splink computes the blocked pairs of the engine's
    own settings on the engine's own feature table)."""
    from splink import DuckDBAPI, Linker

    from stella.linkage import engine, features

    model = engine.load_model()
    settings = dict(model["splink"])
    api = DuckDBAPI()
    table = features.feature_table(features.feature_rows(data["records"]))
    linker = Linker(api.register(table), settings)
    started = time.perf_counter()
    blocked = linker.inference.compute_blocked_pairs_for_predict()
    import pyarrow as pa

    con = api.duckdb_con
    truth = pa.table({"a": [a for a, _ in data["true_pairs"]], "b": [b for _, b in data["true_pairs"]]})
    con.register("bench_truth", truth)
    table_name = blocked.physical_name
    n_blocked = con.execute(f"select count(*) from {table_name}").fetchall()[0][0]  # noqa: S608 - Splink name
    found = con.execute(
        f"select distinct t.a, t.b from bench_truth t join {table_name} p on "  # noqa: S608
        "least(p.join_key_l, p.join_key_r) = t.a and greatest(p.join_key_l, p.join_key_r) = t.b").fetchall()
    return {"blocked_pairs": int(n_blocked), "found": [list(x) for x in found],
            "seconds_blocking": time.perf_counter() - started}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.linkage.child")
    parser.add_argument("what", choices=["stella", "plain-dedupe", "plain-febrl", "blocking"])
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--threshold", type=float, default=None)
    parser.add_argument("--train", action="store_true")
    parser.add_argument("--also", type=float, action="append", default=[], help="plain-dedupe: more thresholds")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stella.settings")
    import django

    django.setup()
    with open(args.input, "rb") as f:
        data = pickle.load(f)  # noqa: S301 - our own file, written by bench.linkage.run
    loaded = rss_kb()
    started, cpu = time.perf_counter(), time.process_time()
    extra: dict[str, Any] = {}
    if args.what == "stella":
        out: Any = stella(data, args.threshold, args.train)
    elif args.what == "plain-dedupe":
        from bench.linkage.plain import dedupe_link_at

        thresholds = sorted({args.threshold, *args.also})
        out = {str(t): c for t, c in dedupe_link_at(data["records"], thresholds).items()}
    elif args.what == "plain-febrl":
        from bench.linkage.plain import febrl4_link

        out = febrl4_link(data["a"], data["b"])
    else:
        out = blocking(data)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    Path(args.output).write_text(json.dumps(out))
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "rss_loaded_kb": loaded, **extra}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
