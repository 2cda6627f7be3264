"""Online check at scale: p50/p95 of `stella.linkage.online.find_candidates(record)` on PostgreSQL for query
records drawn as variants of existing persons, against a bare-SQL anchor measured in the same run, sample by
sample alternating (same cache state and load).

The anchor is the bare SQL of the candidate query: one grouped range scan of the (key, birth_year, person)
index for the record's name keys and birth year ±1 — the rows any candidate search has to read, without
loading the candidates, scoring them with the Splink model or building evidence. `online.candidate_ids` (the
service's candidate query alone) is timed too, to show where the time of the check goes.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import date
from typing import Any

from stella.linkage.synthetic import rule_variant, typo

VARIANTS = ("translit_rule", "typo", "swap", "placeholder", "year_pm1", "drop_given", "exact_copy")


def variant(rng: random.Random, person: Any) -> tuple[Any, str]:
    """A new registration of `person` (a Person with prefetched names) with one realistic change."""
    from stella.linkage.records import record_from_input, record_of

    rec = record_of(person)
    given, family = rec.names[0]
    born = rec.birth_date
    kind = VARIANTS[int(rng.random() * len(VARIANTS))]
    if kind == "translit_rule":
        parts = given.split() + family.split()
        j = int(rng.random() * len(parts))
        new = rule_variant(rng, parts[j]) or typo(rng, parts[j])
        if j < len(given.split()):
            g = given.split()
            g[j] = new
            given = " ".join(g)
        else:
            f = family.split()
            f[j - len(given.split())] = new
            family = " ".join(f)
    elif kind == "typo":
        if rng.random() < 0.5:
            family = typo(rng, family)
        else:
            given = typo(rng, given)
    elif kind == "swap":
        given, family = family, given
    elif kind == "placeholder" and born is not None:
        born = date(born.year, 1, 1)
    elif kind == "year_pm1" and born is not None:
        born = born.replace(year=born.year - 1, day=min(born.day, 28))
    elif kind == "drop_given" and len(given.split()) > 1:
        given = given.split()[0]
    return record_from_input("query", [(given, family)], birth_date=born, sex=rec.sex,
                             nationality=rec.nationality, birth_place=rec.birth_place), kind


def anchor_sql(record: Any) -> int:
    """The bare candidate query (rows fetched completely)."""
    from django.db import connection

    from stella.linkage.online import record_keys

    keys = record_keys(record)
    if not keys:
        return 0
    need = 2 if len(keys) >= 2 else 1
    with connection.cursor() as cur:
        if record.birth_date is None:
            cur.execute("SELECT person_id FROM people_namekey WHERE key = ANY(%s) GROUP BY person_id "
                        "HAVING count(*) >= %s ORDER BY person_id LIMIT 200", [keys, len(keys)])
        else:
            y = record.birth_date.year
            cur.execute("SELECT person_id, count(*) FROM people_namekey WHERE key = ANY(%s) AND "
                        "(birth_year IN (%s, %s, %s) OR birth_year IS NULL) GROUP BY person_id "
                        "HAVING count(*) >= %s ORDER BY 2 DESC, 1 LIMIT 200", [keys, y - 1, y, y + 1, need])
        return len(cur.fetchall())


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run(samples: int, warmup: int, seed: int) -> dict[str, Any]:
    from django.db.models import Max, Min, Prefetch

    from stella.linkage import online
    from stella.people.models import Nationality, Person, PersonName

    rng = random.Random(f"linkage-online:{seed}")
    bounds = Person.objects.aggregate(lo=Min("pk"), hi=Max("pk"))
    persons = Person.objects.count()
    queries: list[tuple[Any, int, str]] = []
    while len(queries) < samples + warmup:
        pid = bounds["lo"] + int(rng.random() * (bounds["hi"] - bounds["lo"] + 1))
        person = (Person.objects.filter(pk=pid, merged_into__isnull=True).select_related("registered_by")
                  .prefetch_related(
                      Prefetch("names", queryset=PersonName.objects.filter(valid_until__isnull=True).order_by("id")),
                      Prefetch("nationalities", queryset=Nationality.objects.filter(valid_until__isnull=True)))
                  .first())
        if person is None or not person.names.all():
            continue
        rec, kind = variant(rng, person)
        queries.append((rec, pid, kind))
    times: dict[str, list[float]] = {"find_candidates": [], "anchor": [], "candidate_ids": []}
    hits = {"top1": 0, "top10": 0, "candidates": 0}
    by_kind: dict[str, list[int]] = {}
    sizes: list[int] = []
    for i, (rec, pid, kind) in enumerate(queries):
        order = ("find_candidates", "anchor", "candidate_ids") if i % 2 == 0 else \
            ("candidate_ids", "anchor", "find_candidates")
        found: list[Any] = []
        for what in order:
            started = time.perf_counter()
            if what == "anchor":
                n = anchor_sql(rec)
            elif what == "candidate_ids":
                online.candidate_ids(rec)
            else:
                found = online.find_candidates(rec, limit=10)
            elapsed = (time.perf_counter() - started) * 1000
            if i >= warmup:
                times[what].append(elapsed)
        if i >= warmup:
            sizes.append(n)
            ids = [int(p.right_id) for p in found]
            hit = pid in ids
            hits["top10"] += hit
            hits["top1"] += bool(ids) and ids[0] == pid
            hits["candidates"] += len(ids)
            s = by_kind.setdefault(kind, [0, 0])
            s[0] += 1
            s[1] += hit
    out: dict[str, Any] = {"persons": persons, "samples": samples, "warmup": warmup, "seed": seed}
    for what, values in times.items():
        out[what] = {"p50_ms": _pct(values, 0.5), "p95_ms": _pct(values, 0.95), "max_ms": max(values),
                     "mean_ms": statistics.fmean(values)}
    out["ratio_p95"] = out["find_candidates"]["p95_ms"] / out["anchor"]["p95_ms"]
    out["anchor_rows_p50"] = _pct([float(s) for s in sizes], 0.5)
    out["true_person_top1"] = hits["top1"] / samples
    out["true_person_top10"] = hits["top10"] / samples
    out["mean_candidates_shown"] = hits["candidates"] / samples
    out["top10_by_variant"] = {k: {"samples": v[0], "found": v[1] / v[0]} for k, v in sorted(by_kind.items())}
    return out
