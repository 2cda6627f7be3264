"""Allocation benchmark: is the min-cost-flow allocation optimal, under 10 s and under 1 GB at district scale?

One seeded instance – 100,000 persons, 2,000 offers with 60,000 seats, 20 distinct feasible offers per person,
integer scores 0–1000 – is solved three ways, each in its own process (peak RSS per process via wait4):

1. **flow**: `stella.matching.flow.solve` on arrays – timed: input checks, canonical ordering, building the
   2.1-million-arc network, OR-Tools' solve and reading the flows back (the target: < 10 s, < 1 GB);
2. **CLI**: `stella allocate --pairs … --capacities … --out …` on CSV files whose rows are shuffled –
   timed from the outside: interpreter and Django start, reading and checking 2 million rows, solve, writing;
3. **anchor**: SciPy's HiGHS on the LP relaxation of the same problem (totally unimodular, so its optimum is
   the integer optimum) – an independent solver that proves the flow optimal.

Then: same objective (flow = CLI = LP), every assignment feasible (each person once, only feasible pairs, no
offer above capacity), and the CLI's assignment identical to the array path's (same input in another row
order → same result).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
TARGET_SECONDS = 10.0
TARGET_MB = 1024.0


def generate(persons: int, offers: int, seats: int, per_person: int, max_score: int, seed: int) -> dict[str, Any]:
    """The seeded instance: capacities (≥ 1 each) summing to `seats`; `per_person` distinct offers per person."""
    rng = np.random.default_rng(seed)
    capacity = rng.multinomial(seats - offers, np.full(offers, 1 / offers)) + 1
    chosen = rng.integers(0, offers, (persons, per_person))
    while True:  # redraw the rows that drew an offer twice (about one in ten at 20 of 2,000)
        chosen.sort(axis=1)
        again = np.nonzero((np.diff(chosen, axis=1) == 0).any(axis=1))[0]
        if not len(again):
            break
        chosen[again] = rng.integers(0, offers, (len(again), per_person))
    return {
        "n_persons": np.int64(persons), "capacity": capacity.astype(np.int64),
        "pair_person": np.repeat(np.arange(persons, dtype=np.int64), per_person),
        "pair_offer": chosen.ravel().astype(np.int64),
        "pair_score": rng.integers(0, max_score + 1, persons * per_person).astype(np.int64),
    }


def write_csv(inst: dict[str, Any], folder: Path, seed: int) -> tuple[Path, Path]:
    """PAIRS and CAPS with ids = index + 1, PAIRS rows in a shuffled order."""
    order = np.random.default_rng(seed + 1).permutation(len(inst["pair_person"]))
    pairs, caps = folder / "PAIRS.csv", folder / "CAPS.csv"
    table = np.column_stack([inst["pair_person"][order] + 1, inst["pair_offer"][order] + 1,
                             inst["pair_score"][order]])
    with pairs.open("w", encoding="utf-8", newline="") as f:
        f.write("person_id,offer_id,score\n")
        np.savetxt(f, table, fmt="%d", delimiter=",")
    with caps.open("w", encoding="utf-8", newline="") as f:
        f.write("offer_id,capacity\n")
        np.savetxt(f, np.column_stack([np.arange(1, len(inst["capacity"]) + 1), inst["capacity"]]), fmt="%d",
                   delimiter=",")
    return pairs, caps


def measured(cmd: list[str], cwd: Path) -> dict[str, Any]:
    """Run `cmd`; wall seconds, peak RSS (MiB, from wait4's rusage of exactly this process), stdout."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src"),
                                                         os.environ.get("PYTHONPATH", "")])}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, env=env)  # noqa: S603
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage (peak RSS), not all children's
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} ist fehlgeschlagen ({proc.returncode}):\n{stderr}")
    return {"wall_seconds": wall, "peak_rss_mb": usage.ru_maxrss / 1024,
            "cpu_seconds": usage.ru_utime + usage.ru_stime, "stdout": stdout}


def check_assignment(inst: dict[str, Any], offer_of: np.ndarray) -> dict[str, Any]:
    """Feasibility of an assignment (offer index per person, −1 = none) and its total score, recomputed from
    the instance (generate() lays the pairs out as `per_person` consecutive rows per person)."""
    per_person = len(inst["pair_offer"]) // int(inst["n_persons"])
    offers = inst["pair_offer"].reshape(-1, per_person)
    scores = inst["pair_score"].reshape(-1, per_person)
    assigned = np.nonzero(offer_of >= 0)[0]
    match = offers[assigned] == offer_of[assigned][:, None]
    feasible = bool(match.any(axis=1).all())
    used = np.bincount(offer_of[assigned], minlength=len(inst["capacity"]))
    return {"assigned": len(assigned), "feasible_pairs": feasible,
            "within_capacity": bool((used <= inst["capacity"]).all()),
            "total_score": int(scores[assigned][match].sum()) if feasible else None, "seats_used": int(used.sum())}


def read_assign(path: Path, persons: int) -> np.ndarray:
    offer_of = np.full(persons, -1, dtype=np.int64)
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        assert next(reader) == ["person_id", "offer_id"]
        for p, o in reader:
            if offer_of[int(p) - 1] != -1:
                raise SystemExit(f"Person {p} ist in ASSIGN doppelt zugeteilt.")
            offer_of[int(p) - 1] = int(o) - 1
    return offer_of


def machine() -> dict[str, Any]:
    import ortools
    import scipy

    mem = ""
    try:
        mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))
        mem = f"{mem_kb / 1024 / 1024:.0f} GB"
    except (OSError, StopIteration):
        pass
    return {"cpus": os.cpu_count(), "memory": mem, "python": platform.python_version(),
            "ortools": ortools.__version__, "scipy": scipy.__version__, "numpy": np.__version__,
            "loadavg_start": os.getloadavg()}


def run(args: argparse.Namespace) -> dict[str, Any]:
    python = sys.executable
    stella = shutil.which("stella", path=str(Path(python).parent)) or "stella"
    folder = Path(tempfile.mkdtemp(prefix="stella-allocation-"))
    result: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "machine": machine(),
        "instance": {"persons": args.persons, "offers": args.offers, "seats": args.seats,
                     "per_person": args.per_person, "pairs": args.persons * args.per_person,
                     "max_score": args.max_score, "seed": args.seed}}
    try:
        print("Erzeuge die Instanz …", flush=True)
        inst = generate(args.persons, args.offers, args.seats, args.per_person, args.max_score, args.seed)
        np.savez(folder / "instance.npz", **inst)
        pairs, caps = write_csv(inst, folder, args.seed)
        result["instance"]["pairs_csv_mb"] = round(pairs.stat().st_size / 1e6, 1)

        print("1/3 flow.solve auf Arrays …", flush=True)
        proc = measured([python, "-m", "bench.allocation.child", "solve", "instance.npz", "result.npz"], folder)
        report = json.loads(proc["stdout"])
        with np.load(folder / "result.npz") as data:
            flow_offer_of = data["offer_of"]
        result["flow"] = {"seconds": report["seconds"], "cpu_seconds": report["cpu_seconds"],
                          "wall_seconds": proc["wall_seconds"],
                          "peak_rss_mb": proc["peak_rss_mb"], "rss_loaded_mb": report["rss_loaded_kb"] / 1024,
                          "objective": report["objective"], "check": check_assignment(inst, flow_offer_of)}

        print("2/3 stella allocate auf CSV …", flush=True)
        proc = measured([stella, "allocate", "--pairs", str(pairs), "--capacities", str(caps),
                         "--out", str(folder / "ASSIGN.csv")], folder)
        cli_offer_of = read_assign(folder / "ASSIGN.csv", args.persons)
        result["cli"] = {"wall_seconds": proc["wall_seconds"], "cpu_seconds": proc["cpu_seconds"],
                         "peak_rss_mb": proc["peak_rss_mb"],
                         "output": proc["stdout"].strip().splitlines(), "check": check_assignment(inst, cli_offer_of),
                         "identical_to_flow": bool((cli_offer_of == flow_offer_of).all())}

        if args.no_lp:
            result["lp"] = None
        else:
            print("3/3 Anker: SciPy HiGHS (LP) …", flush=True)
            proc = measured([python, "-m", "bench.allocation.child", "lp", "instance.npz"], folder)
            report = json.loads(proc["stdout"])
            result["lp"] = {**report, "wall_seconds": proc["wall_seconds"], "peak_rss_mb": proc["peak_rss_mb"],
                            "process_cpu_seconds": proc["cpu_seconds"]}
    finally:
        if args.keep:
            print(f"Dateien behalten: {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    result["machine"]["loadavg_end"] = os.getloadavg()
    result["checks"] = checks(result)
    return result


def checks(r: dict[str, Any]) -> dict[str, bool]:
    f, c, lp = r["flow"], r["cli"], r["lp"]
    out = {
        "flow feasible": f["check"]["feasible_pairs"] and f["check"]["within_capacity"],
        "CLI feasible": c["check"]["feasible_pairs"] and c["check"]["within_capacity"],
        "flow total = reported": f["check"]["total_score"] == f["objective"],
        "CLI total = flow total": c["check"]["total_score"] == f["objective"],
        "CLI assignment = flow assignment": c["identical_to_flow"],
        "flow < 10 s": f["seconds"] < TARGET_SECONDS,
        "flow < 1 GB": f["peak_rss_mb"] < TARGET_MB,
    }
    if lp is not None:
        out["LP optimal"] = lp["status"] == 0
        out["flow = LP optimum"] = lp["objective"] is not None and abs(lp["objective"] - f["objective"]) < 0.5
    return out


def render(r: dict[str, Any]) -> str:
    i, f, c, lp, m = r["instance"], r["flow"], r["cli"], r["lp"], r["machine"]

    def de(x: float, digits: int = 1) -> str:
        return f"{x:,.{digits}f}".replace(",", "_").replace(".", ",").replace("_", ".")

    lines = [
        f"Zuteilung: {de(i['persons'], 0)} Personen, {de(i['offers'], 0)} Angebote mit {de(i['seats'], 0)} Plätzen, "
        f"{i['per_person']} Angebote je Person ({de(i['pairs'], 0)} Paare), Punktzahlen 0–{i['max_score']}, "
        f"Seed {i['seed']}",
        f"Maschine: {m['cpus']} CPUs, {m['memory']}, Python {m['python']}, OR-Tools {m['ortools']}, "
        f"SciPy {m['scipy']}; Last {m['loadavg_start'][0]:.1f} → {m['loadavg_end'][0]:.1f}",
        "",
        "| Weg | gemessen | Zeit | CPU-Zeit | Spitze RSS | Ziel |",
        "|---|---|---:|---:|---:|---|",
        f"| flow.solve (Arrays) | Prüfung, Netz, Lösen, Flüsse | {de(f['seconds'], 2)} s | {de(f['cpu_seconds'], 2)} s "
        f"| {de(f['peak_rss_mb'], 0)} MB "
        f"| < 10 s, < 1 GB {'✓' if r['checks']['flow < 10 s'] and r['checks']['flow < 1 GB'] else '✗'} |",
        f"| stella allocate (CSV) | ganzer Prozess | {de(c['wall_seconds'], 2)} s | {de(c['cpu_seconds'], 2)} s "
        f"| {de(c['peak_rss_mb'], 0)} MB | |",
    ]
    if lp is not None:
        lines.append(f"| Anker: SciPy HiGHS (LP) | Matrix + linprog | {de(lp['seconds'], 2)} s "
                     f"| {de(lp['cpu_seconds'], 2)} s | {de(lp['peak_rss_mb'], 0)} MB | |")
    lines += ["", f"Zielwert (Gesamtpunktzahl): flow {de(f['objective'], 0)}, CLI {de(c['check']['total_score'] or 0, 0)}"
              + (f", LP {de(lp['objective'], 1)} ({lp['fractional']} gebrochene Variablen)" if lp else ""),
              f"Zugeteilt: {de(f['check']['assigned'], 0)} Personen, {de(f['check']['seats_used'], 0)} Plätze belegt",
              f"RSS nach dem Laden der Instanz (flow): {de(f['rss_loaded_mb'], 0)} MB",
              "", "Prüfungen: " + ", ".join(f"{k} {'✓' if v else '✗'}" for k, v in r["checks"].items())]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.allocation", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--offers", type=int, default=2_000)
    parser.add_argument("--seats", type=int, default=60_000)
    parser.add_argument("--per-person", type=int, default=20)
    parser.add_argument("--max-score", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2015)
    parser.add_argument("--no-lp", action="store_true", help="ohne den LP-Anker (nur zum schnellen Ausprobieren)")
    parser.add_argument("--keep", action="store_true", help="Instanz und CSV-Dateien nicht löschen")
    parser.add_argument("--output", type=Path, default=None, help="JSON-Ergebnis (Standard: bench/results/…)")
    args = parser.parse_args(argv)
    if args.seats < args.offers or args.per_person > args.offers:
        parser.error("--seats muss ≥ --offers und --per-person ≤ --offers sein")
    result = run(args)
    print()
    print(render(result))
    out = args.output or ROOT / "bench" / "results" / f"allocation-{result['date'].replace(':', '')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"\nErgebnis gespeichert: {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0 if all(result["checks"].values()) else 1
