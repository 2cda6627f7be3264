"""Outcome-report benchmark (issue 7 §5): "every dashboard page under 1 s with 1,000,000 persons and 20,000,000
history events on PostgreSQL on this machine (pre-aggregation where needed, refreshed incrementally by a
background task); benchmark in bench/ against the bare SQL aggregate."

Measured on the database BENCH_REPORT_DATABASE_URL (default …/stella_bench_link, the 1,000,000-person demo of
the duplicate benchmark; it is migrated, never dropped or refilled unless --fill N asks for it):

1. the size: persons and history events (status events, timeline entries, participations, addresses,
   enrolments, placements, appointments, hand-overs);
2. the full build: facts for every person (`reporting.refresh`, full) and the cells of every month
   (`reporting.cube.build()`), wall time of each (skipped with --no-build when the cells are current);
3. the incremental refresh after changing 100 persons (a placement each, through the offers service, as the
   lead Jobcenter's caseworker): what the background task does after such a change – rolled back afterwards
   unless --keep-changes, so the benchmark database stays as it was;
4. p50/p95 of each dashboard page through Django's test client as a logged-in analyst (overview; indicator page
   k2 by district with a demographic filter; a drill-down page) and of the API report call, each alternating
   with the anchor: the bare SQL that computes the same K2 numerator and denominator for one district and month
   straight from placements and participations (bench/reporting/anchor.py). Every sample asks for another
   month or district, so no answer is served from a cache that the previous sample filled.

Target: p95 of every page under 1 s. Figures are printed as ratios to the anchor measured in the same run and
saved to bench/results/reporting-<date>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from bench.run import Figure, timed
from bench.run import machine as base_machine
from stella.reporting.numbers import de_number

ROOT = Path(__file__).resolve().parents[2]
TARGET_MS = 1000.0
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/stella_bench_link"
ANALYST = "jc.analyst"
CASEWORKER = "jc.caseworker"
INDICATOR = "k2"
FILTER = ("sex", "f")
#: URL names of the dashboard pages (stella.web.urls)
OVERVIEW_URL = "web:reports"
INDICATOR_URL = "web:report"


@dataclass
class Timing:
    """Wall times (ms) of one page or of the anchor; `errors` counts answers other than 200."""

    name: str
    path: str
    times_ms: list[float] = field(default_factory=list)
    errors: int = 0

    def add(self, ms: float, ok: bool) -> None:
        self.times_ms.append(ms)
        if not ok:
            self.errors += 1

    def p(self, q: float) -> float:
        return Figure.pct(self.times_ms, q)

    def summary(self, anchor: Timing | None = None) -> dict[str, Any]:
        p50, p95 = self.p(0.5), self.p(0.95)
        out: dict[str, Any] = {"name": self.name, "path": self.path, "samples": len(self.times_ms),
                               "p50_ms": round(p50, 1), "p95_ms": round(p95, 1), "max_ms": round(max(self.times_ms), 1),
                               "errors": self.errors}
        if anchor is not None:
            a50, a95 = anchor.p(0.5), anchor.p(0.95)
            out.update({"anchor_p50_ms": round(a50, 1), "anchor_p95_ms": round(a95, 1),
                        "ratio_p50": round(p50 / a50, 3) if a50 else None,
                        "ratio_p95": round(p95 / a95, 3) if a95 else None,
                        "target_p95_ms": TARGET_MS, "meets_target": p95 < TARGET_MS and not self.errors})
        return out


def overview_path() -> str:
    from django.urls import reverse

    return reverse(OVERVIEW_URL)


def indicator_path(code: str) -> str:
    from django.urls import reverse

    return reverse(INDICATOR_URL, kwargs={"code": code})


def database_url() -> str:
    return os.environ.get("BENCH_REPORT_DATABASE_URL", DEFAULT_URL)


# --- size --------------------------------------------------------------------------------------------------

def history_models() -> list[Any]:
    from stella.cases.models import Participation, TimelineEntry
    from stella.journey.models import Appointment, HandOver, StatusEvent
    from stella.offers.models import Enrolment, Placement
    from stella.people.models import Address

    return [StatusEvent, TimelineEntry, Participation, Address, Enrolment, Placement, Appointment, HandOver]


def size() -> dict[str, Any]:
    """Persons and history events (exact counts), the reporting tables and the database size."""
    from django.db import connection

    from stella.people.models import Person
    from stella.reporting.models import Cell, FactEvent, FactSpan, PersonFact

    def count(model: Any) -> int:
        with connection.cursor() as cur:
            cur.execute(f"SELECT count(*) FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
            return int(cur.fetchone()[0])

    history = {m._meta.db_table: count(m) for m in history_models()}
    reporting = {m._meta.db_table: count(m) for m in (PersonFact, FactSpan, FactEvent, Cell)}
    return {"persons": count(Person), "history": history, "history_events": sum(history.values()),
            "reporting": reporting}


# --- builds ------------------------------------------------------------------------------------------------

def full_build() -> dict[str, Any]:
    """`refresh.refresh(full=True)`: facts of every person (chunk by chunk), then the cells of every month; the
    time of `cube.build` is taken inside the run (the rest is the facts)."""
    from stella.reporting import cube, refresh

    build = cube.build
    cube_ms: list[float] = []

    def timed_build(**kwargs: Any) -> int:
        ms, cells = timed(lambda: build(**kwargs))
        cube_ms.append(ms)
        return int(cells)

    cube.build = timed_build  # type: ignore[assignment]
    try:
        ms, result = timed(lambda: refresh.refresh(full=True))
    finally:
        cube.build = build  # type: ignore[assignment]
    total = ms / 1000
    cube_seconds = sum(cube_ms) / 1000
    return {"seconds": total, "facts_seconds": total - cube_seconds, "cube_seconds": cube_seconds,
            "persons": result.persons, "cells": result.cells,
            "data_until": result.data_until.isoformat() if result.data_until else None}


class _Rollback(Exception):
    pass


def incremental(changed: int, keep: bool) -> dict[str, Any]:
    """Record a placement for `changed` persons led by the caseworker's Jobcenter (dated in the newest complete
    month), then time the incremental refresh (facts of the persons the audit trail names, cells from the
    earliest month touched). Rolled back unless `keep`."""
    from django.db import connection, transaction

    from stella.accounts.models import User
    from stella.core.actor import Actor
    from stella.offers import services as offers
    from stella.reporting import refresh
    from stella.reporting.models import RefreshState

    user = User.objects.select_related("agency").get(username=CASEWORKER)
    actor = Actor.for_user(user, purpose="Benchmark Auswertungen")
    state = RefreshState.objects.first()
    day = (state.data_until if state and state.data_until else date.today().replace(day=1)).replace(day=10)
    with connection.cursor() as cur:
        cur.execute("SELECT cf.person_id FROM cases_participation pa JOIN cases_casefile cf ON cf.id = pa.case_file_id "
                    "WHERE pa.agency_id = %s AND pa.role = 'lead' AND pa.until IS NULL AND pa.since <= %s "
                    "ORDER BY cf.person_id LIMIT %s", [user.agency_id, day, changed * 3])
        pool = [r[0] for r in cur.fetchall()]
    out: dict[str, Any] = {"persons": 0, "day": day.isoformat(), "kept": keep}
    try:
        with transaction.atomic():
            started = time.perf_counter()
            for pid in pool:
                if out["persons"] == changed:
                    break
                try:
                    with transaction.atomic():
                        offers.record_placement(actor=actor, person_id=pid, kind="employment",
                                                employer="Benchmark GmbH", starts_on=day)
                    out["persons"] += 1
                except Exception:  # noqa: BLE001, S112 – a person the rules refuse is skipped; another is taken
                    continue
            out["change_seconds"] = time.perf_counter() - started
            seconds, result = timed(lambda: refresh.refresh())
            out["refresh_seconds"] = seconds / 1000
            out.update({"refresh_full": result.full, "refresh_persons": result.persons,
                        "refresh_cells": result.cells, "refresh_reasons": result.reasons,
                        "dirty_from": result.dirty_from.isoformat() if result.dirty_from else None})
            if not keep:
                raise _Rollback
    except _Rollback:
        pass
    return out


# --- pages -------------------------------------------------------------------------------------------------

def months_and_districts() -> tuple[list[date], list[str]]:
    """The last 12 complete months with cells and the pilot districts (Landkreise with agencies)."""
    from stella.agencies.models import Region, RegionKind
    from stella.reporting.models import Cell, RefreshState

    state = RefreshState.objects.first()
    newest = state.data_until if state and state.data_until else None
    if newest is None:
        newest = Cell.objects.order_by("-month").values_list("month", flat=True).first()
    if newest is None:
        raise SystemExit("Keine Auswertungszellen: erst ohne --no-build laufen lassen.")
    from stella.reporting.cube import add_months

    months = [add_months(newest.replace(day=1), -k) for k in range(12)]
    districts = list(Region.objects.filter(kind=RegionKind.LANDKREIS, agencies_in_landkreis__isnull=False)
                     .distinct().order_by("code").values_list("code", flat=True))
    return months, districts


def pages(samples: int, warmup: int, anchor_samples: int) -> tuple[list[Timing], Timing, dict[str, Any]]:
    """Each page once per sample, in turn (so all see the same load); then the anchor on its own (it takes
    seconds at 1,000,000 persons, so it gets fewer samples)."""
    from django.core.cache import cache
    from django.test import Client

    from bench.reporting.anchor import k2
    from stella.accounts.models import User
    from stella.accounts.services import issue_token

    months, districts = months_and_districts()
    user = User.objects.get(username=ANALYST)
    browser = Client(HTTP_HOST="localhost")
    browser.force_login(user)
    api = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {issue_token(user=user)[1]}")
    combos = [(m, d) for m in months for d in districts]

    def combo(i: int) -> tuple[date, str]:
        return combos[i % len(combos)]

    def month(i: int) -> str:
        return combo(i)[0].strftime("%Y-%m")

    def get(client: Client, path: str, params: dict[str, str]) -> Any:
        return client.get(path, params, secure=True)

    def overview_anew(i: int) -> Any:
        """The overview computed from the cells: its cache (services.OVERVIEW_CACHE_SECONDS) emptied first, as
        after every cube build."""
        cache.clear()
        return get(browser, overview_path(), {"month": month(i)})

    operations: list[tuple[Timing, Callable[[int], Any]]] = [
        (Timing("Übersicht (Pilotlandkreise), neu berechnet", overview_path()), overview_anew),
        (Timing("Übersicht, dieselbe noch einmal (aus dem Cache)", overview_path()),
         lambda i: get(browser, overview_path(), {"month": month(i)})),
        (Timing(f"Kennzahlseite {INDICATOR} nach Landkreis", indicator_path(INDICATOR)),
         lambda i: get(browser, indicator_path(INDICATOR), {"month": month(i), "breakdown": "district"})),
        # a demographic filter goes with a unit and a non-organisational breakdown (statistical confidentiality)
        (Timing(f"Kennzahlseite {INDICATOR}, ein Landkreis, Filter {FILTER[0]}={FILTER[1]}, Verlauf",
                indicator_path(INDICATOR)),
         lambda i: get(browser, indicator_path(INDICATOR), {"month": month(i), "district": combo(i)[1],
                                                             "filter_dim": FILTER[0], "filter_value": FILTER[1],
                                                             "breakdown": "month"})),
        (Timing(f"Drill-down {INDICATOR}: ein Landkreis nach Behörde", indicator_path(INDICATOR)),
         lambda i: get(browser, indicator_path(INDICATOR), {"month": month(i), "district": combo(i)[1],
                                                             "breakdown": "agency"})),
        (Timing(f"API GET /api/v1/reports/{INDICATOR}", f"/api/v1/reports/{INDICATOR}"),
         lambda i: get(api, f"/api/v1/reports/{INDICATOR}", {"month": month(i), "district": combo(i)[1],
                                                              "breakdown": "sex"})),
    ]
    for i in range(warmup + samples):
        for timing, op in operations:
            ms, response = timed(partial(op, i))
            if i >= warmup:
                timing.add(ms, response.status_code == 200)
    anchor = Timing("Anker: K2 Zähler und Nenner aus den Fachtabellen (1 Landkreis, 1 Monat)", "SQL")
    for i in range(1 + anchor_samples):  # the first run warms the cache
        ms, _ = timed(partial(lambda j: k2(combo(j)[1], combo(j)[0]), i))
        if i:
            anchor.add(ms, True)
    # The anchor and the report side by side for the newest month of each district (they should agree closely).
    agreement = []
    for d in districts:
        a = k2(d, months[0])
        r = get(api, f"/api/v1/reports/{INDICATOR}", {"month": months[0].strftime("%Y-%m"), "district": d})
        total = r.json()["total"]["figure"] if r.status_code == 200 else {}
        agreement.append({"district": d, "month": months[0].strftime("%Y-%m"),
                          "anchor_integrations": a.integrations, "anchor_avg_caseload": float(a.average_caseload),
                          "anchor_rate": float(a.rate) if a.rate is not None else None,
                          "report_numerator": total.get("numerator"), "report_denominator": total.get("denominator"),
                          "report_display": total.get("display"),
                          "agrees": (total.get("numerator"), total.get("denominator")) == (
                              a.integrations, float(a.average_caseload.quantize(Decimal("0.01"))))})
    return [t for t, _ in operations], anchor, {"months": [m.isoformat() for m in months], "districts": districts,
                                                 "agreement": agreement}


# --- output ------------------------------------------------------------------------------------------------

def machine() -> dict[str, Any]:
    """bench.run.machine() and the work_mem the cube's SQL engine sets per build."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT current_setting('work_mem')")
        (work_mem,) = cur.fetchone()
    return {**base_machine(), "work_mem": work_mem}


def de(x: float | None, digits: int = 1) -> str:
    return de_number(x, digits)


def render(r: dict[str, Any]) -> str:
    m, sz = r["machine"], r["size"]
    lines = [f"Auswertungen (issue 7) – {r['date']}; {de(sz['persons'], 0)} Personen, "
             f"{de(sz['history_events'], 0)} Verlaufsereignisse; {m['cpus']} CPUs, {m['memory']}, {m['postgres']}, "
             f"Datenbank {m['database_size']}; Commit {m['git_commit']}; Last {m['loadavg_start'][0]:.1f} → "
             f"{m['loadavg_end'][0]:.1f}", ""]
    lines.append("Verlaufsereignisse: " + ", ".join(f"{k} {de(v, 0)}" for k, v in sz["history"].items()))
    lines.append("Auswertungstabellen: " + ", ".join(f"{k} {de(v, 0)}" for k, v in sz["reporting"].items()))
    b = r.get("build")
    if b:
        lines.append(f"Vollständiger Aufbau (refresh full): {de(b['seconds'])} s, davon Fakten {de(b['facts_seconds'])} s "
                     f"({de(b['persons'], 0)} Personen), Zellen {de(b['cube_seconds'])} s ({de(b['cells'], 0)} Zellen, "
                     f"Daten bis {b['data_until']})")
    inc = r.get("incremental")
    if inc:
        lines.append(f"Inkrementelle Aktualisierung nach {inc['persons']} geänderten Personen (Vermittlung am "
                     f"{inc['day']}): {de(inc.get('refresh_seconds'), 2)} s für {inc.get('refresh_persons')} Personen "
                     f"und {de(inc.get('refresh_cells'), 0)} Zellen ab {inc.get('dirty_from')}"
                     f"{' – VOLLSTÄNDIG: ' + '; '.join(inc['refresh_reasons']) if inc.get('refresh_full') else ''}"
                     f"{'' if inc['kept'] else ' (danach zurückgerollt)'}")
    an = r["anchor"]
    lines += ["", f"{r['samples']} Messungen je Seite (nach {r['warmup']} zum Aufwärmen), Anker {an['samples']} "
              "Messungen; Zeiten in ms; ×Anker = Anteil an der Zeit des nackten SQL-Aggregats (K2 aus den "
              "Fachtabellen, gleicher Lauf)",
              "| Seite | p50 | p95 | max | ×Anker p50 | ×Anker p95 | Ziel p95 < 1 s |",
              "|---|---:|---:|---:|---:|---:|---|"]
    for f in r["figures"]:
        errors = f" ({f['errors']} Fehler)" if f["errors"] else ""
        lines.append(f"| {f['name']}{errors} | {de(f['p50_ms'])} | {de(f['p95_ms'])} | {de(f['max_ms'])} | "
                     f"{de(f['ratio_p50'], 3)} | {de(f['ratio_p95'], 3)} | {'PASS' if f['meets_target'] else 'MISS'} |")
    lines.append(f"| {an['name']} | {de(an['p50_ms'])} | {de(an['p95_ms'])} | {de(an['max_ms'])} | 1 | 1 | |")
    agreement = r.get("pages", {}).get("agreement", [])
    if agreement:
        lines += ["", "K2 im Vergleich (neuester Monat): Anker-SQL gegen Bericht",
                  "| Landkreis | Anker Integrationen | Anker Ø Bestand | Anker Quote | Bericht Zähler | Bericht Nenner "
                  "| Bericht | gleich |", "|---|---:|---:|---:|---:|---:|---|---|"]
        for a in agreement:
            lines.append(f"| {a['district']} | {a['anchor_integrations']} | {de(a['anchor_avg_caseload'])} | "
                         f"{de(a['anchor_rate'])} % | {a['report_numerator']} | {de(a['report_denominator'])} | "
                         f"{a['report_display']} | {'ja' if a['agrees'] else 'nein'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reporting", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=int(os.environ.get("BENCH_SAMPLES", "50")))
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--anchor-samples", type=int, default=5, help="Messungen des Ankers (Standard 5)")
    parser.add_argument("--no-build", action="store_true", help="Fakten und Zellen nicht neu aufbauen (sind aktuell)")
    parser.add_argument("--changed", type=int, default=100, help="Personen für die inkrementelle Aktualisierung")
    parser.add_argument("--no-incremental", action="store_true", help="die inkrementelle Aktualisierung nicht messen")
    parser.add_argument("--keep-changes", action="store_true",
                        help="die Vermittlungen der inkrementellen Messung behalten (sonst zurückgerollt)")
    parser.add_argument("--fill", type=int, default=0,
                        help="Datenbank anlegen und mit stella demo auf N Personen auffüllen (nur für kleine "
                             "Entwicklungsdatenbanken; die 1-Mio.-Datenbank ist schon gefüllt)")
    parser.add_argument("--output", type=Path, default=None, help="JSON-Ergebnis (Standard: bench/results/…)")
    args = parser.parse_args(argv)
    url = database_url()
    if not url.startswith(("postgres://", "postgresql://")):
        print("Der Benchmark braucht PostgreSQL (BENCH_REPORT_DATABASE_URL=postgres://…).", file=sys.stderr)
        return 2
    os.environ["STELLA_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stella.settings")
    hosts = os.environ.get("STELLA_ALLOWED_HOSTS", "")
    if "localhost" not in hosts.split(","):
        os.environ["STELLA_ALLOWED_HOSTS"] = ",".join(h for h in (hosts, "localhost") if h)
    import django
    from django.core.management import call_command

    if args.fill:
        from bench.prepare import prepare

        prepare(url, args.fill)
    else:
        django.setup()
        call_command("migrate", verbosity=0, interactive=False)  # creates the reporting tables, nothing else
    result: dict[str, Any] = {"date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "machine": machine(),
                              "database": url.rsplit("/", 1)[-1], "samples": args.samples, "warmup": args.warmup}
    if not args.no_build:
        print("Vollständiger Aufbau der Fakten und Zellen …", flush=True)
        result["build"] = full_build()
    if not args.no_incremental:
        print(f"Inkrementelle Aktualisierung nach {args.changed} Änderungen …", flush=True)
        result["incremental"] = incremental(args.changed, args.keep_changes)
    print(f"Seiten: {args.samples} Messungen je Seite …", flush=True)
    figures, anchor, info = pages(args.samples, args.warmup, args.anchor_samples)
    result["figures"] = [f.summary(anchor) for f in figures]
    result["anchor"] = anchor.summary()
    result["pages"] = info
    result["size"] = size()
    result["machine"]["loadavg_end"] = os.getloadavg()
    result["checks"] = {f"{f['name']}: p95 < 1 s": f["meets_target"] for f in result["figures"]}
    print()
    print(render(result))
    out = args.output or ROOT / "bench" / "results" / f"reporting-{result['date'].replace(':', '')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"\nErgebnis gespeichert: {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0 if all(result["checks"].values()) else 1
