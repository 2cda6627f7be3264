"""Matching benchmark: p50/p95 of one person's ranked offer list among 20,000 open offers, on PostgreSQL, against
a bare-SQL anchor measured in the same run.

Set-up (idempotent): the pilot districts with their municipalities and agencies (`stella.demo.setup`), the
shipped KldB 2010, and N generated offers (default 20,000; provider "Benchmark Matching", reused by later runs)
over the four pilot districts: every kind (integration course, DeuFöV, measure, training place, vacancy), start
dates spread over the rest of the year from the reference date, minimum levels, course targets, real KldB codes,
childcare, women-only, part-time, driving licence, 5 % closed. Each run registers one person with a realistic
profile through the services: a recognised refugee from Syria living in Ludwigsburg (status history entry →
asylum request → Gestattung → BAMF decision → final), German B1 (certificate), cook with 4 years of experience,
a partly recognised qualification, a driving licence, mobile within the district, on the waiting list of three
offers.

Measured, alternating sample by sample so both see the same cache state and load:

1. `matching.lists.offers_for_person` (the service: access check, facts, pre-filtered candidates, hard rules with
   the rules package once per start date, score, top 50, audit event);
2. `GET /api/v1/persons/{id}/matches` through Django's WSGI handler (token, middleware, JSON);
3. **anchor**: one bare SQL select of all open offers starting on or after the reference date (every column
   matching reads), fetched completely — the rows any ranking has to look at, without rules, score or audit.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ON = date(2026, 3, 2)  # inside the rules' covered years (2013–2026), so every start date can be assessed
PROVIDER = "Benchmark Matching"
BENCH_USER = "bench.matching.jc"
TARGET_P95_MS = 200.0
KIND_WEIGHTS = {"integration_course": 30, "deufoev": 15, "measure": 20, "training": 15, "vacancy": 20}
LEVELS = ("A1", "A2", "B1", "B2", "C1")


def generate_offers(count: int, seed: int) -> int:
    """Add offers until `count` benchmark offers exist; returns how many were added."""
    from stella.agencies.models import Agency, Municipality
    from stella.competences.models import Occupation
    from stella.demo.catalog import DISTRICTS
    from stella.offers.models import MeasureType, Offer

    have = Offer.objects.filter(provider=PROVIDER).count()
    if have >= count:
        return 0
    rng = random.Random(seed + have)
    places = list(Municipality.objects.filter(landkreis__code__in=[f"LK-{d.code}" for d in DISTRICTS])
                  .values_list("id", "landkreis__code"))
    owners = {a.landkreis.code: a for a in Agency.objects.filter(code__startswith="JC-").select_related("landkreis")}
    occupations = list(Occupation.objects.filter(level=5, version__active=True).values_list("id", flat=True))
    kinds = list(KIND_WEIGHTS)
    weights = list(KIND_WEIGHTS.values())
    end = date(ON.year, 12, 31)
    batch: list[Offer] = []
    for i in range(count - have):
        kind = rng.choices(kinds, weights)[0]
        place, landkreis = rng.choice(places)
        starts = ON + timedelta(days=rng.randint(0, (end - ON).days))
        course = kind in ("integration_course", "deufoev")
        target = rng.choice(LEVELS[1:] if kind == "deufoev" else LEVELS[:3]) if course else ""
        minimum = "" if kind == "integration_course" else rng.choice(["", "", "A1", "A2", "B1", "B2"])
        if course and minimum and LEVELS.index(minimum) >= LEVELS.index(target):
            minimum = LEVELS[LEVELS.index(target) - 1]
        batch.append(Offer(
            kind=kind, title=f"{kind} {have + i + 1}", provider=PROVIDER, owner=owners[landkreis],
            measure_type=rng.choice([MeasureType.PERF, MeasureType.KOMPAS, MeasureType.EQ]) if kind == "measure" else "",
            module="Basissprachkurs" if kind == "integration_course" else "", target_level=target,
            occupation_id=rng.choice(occupations) if kind in ("training", "vacancy", "measure") else None,
            municipality_id=place, starts_on=starts,
            ends_on=starts + timedelta(days=rng.choice([90, 180, 270])) if kind != "vacancy" else None,
            seats=rng.randint(1, 3) if kind in ("training", "vacancy") else rng.randint(10, 25),
            min_german_level=minimum, childcare=rng.random() < 0.2 and kind != "vacancy",
            women_only=rng.random() < 0.05, part_time=rng.random() < 0.4,
            requires_driving_licence=kind == "vacancy" and rng.random() < 0.15,
            state="closed" if rng.random() < 0.05 else "open"))
    Offer.objects.bulk_create(batch, batch_size=2000)
    return len(batch)


def bench_user() -> Any:
    from stella.accounts.models import RoleAssignment, User
    from stella.agencies.models import Agency

    user, created = User.objects.get_or_create(username=BENCH_USER,
                                               defaults={"agency": Agency.objects.get(code="JC-LB")})
    if created:
        user.set_unusable_password()
        user.save()
        RoleAssignment.objects.create(user=user, role="caseworker")
    return user


def register_person(user: Any, seed: int) -> int:
    """One person with a realistic profile, written through the services (as a caseworker would)."""
    from decimal import Decimal

    from stella.competences import services as competences
    from stella.core.actor import Actor
    from stella.journey.services import record_status_event
    from stella.offers.models import Enrolment, Offer
    from stella.people.services import AddressIn, NameIn, PersonIn
    from stella.people.services import register_person as register

    actor = Actor.for_user(user, purpose="Benchmark Matching")
    person = register(actor=actor, data=PersonIn(
        names=[NameIn(family_name="Haddad", given_names="Rami")], sex="m", birth_date=date(1991, 4, 2),
        nationalities=["SYR"], address=AddressIn("Ludwigsburg", date(2016, 9, 1), accommodation="private")))
    for kind, day, outcome in [("einreise", date(2015, 9, 14), ""), ("asylgesuch", date(2015, 9, 15), ""),
                               ("gestattung", date(2015, 11, 2), ""),
                               ("bamf_entscheidung", date(2016, 6, 20), "fluechtlingsschutz"),
                               ("rechtskraft", date(2016, 7, 8), "")]:
        record_status_event(actor=actor, person_id=person.pk, kind=kind, effective_date=day, outcome=outcome)
    competences.add_language_assessment(actor=actor, person_id=person.pk, language="de", source="certificate",
                                        assessed_on=date(2025, 6, 30), source_detail="DTZ B1", speaking="B1",
                                        understanding="B1", reading="B1", writing="B1")
    row = competences.add_work_experience(actor=actor, person_id=person.pk, title="طباخ", years=Decimal("4"),
                                          language="ar", country="SYR")
    competences.confirm_occupation(actor=actor, person_id=person.pk, row_id=row.pk, code="29302")
    competences.add_qualification(actor=actor, person_id=person.pk, kind="vocational", title="Koch", country="SYR",
                                  occupation_code="29302", recognition="partial", recognition_body="IHK FOSA",
                                  recognition_date=date(2024, 3, 1))
    competences.add_skill(actor=actor, person_id=person.pk, kind="driving_licence", value="B")
    competences.set_circumstances(actor=actor, person_id=person.pk, mobility="district")
    rng = random.Random(seed)
    ids = list(Offer.objects.filter(provider=PROVIDER, state="open", kind="vacancy",
                                    municipality__landkreis__code="LK-LB").values_list("id", flat=True)[:200])
    for offer_id in rng.sample(ids, 3):  # on the waiting list since January (direct rows: a set-up shortcut)
        Enrolment.objects.create(person=person, offer_id=offer_id, state="waiting", agency=user.agency,
                                 requested_at=datetime(2026, 1, 12, 9, tzinfo=UTC))
    return person.pk


ANCHOR_SQL = """
SELECT o.id, o.kind, o.title, o.municipality_id, m.landkreis_id, o.starts_on, o.ends_on, o.seats,
       o.min_german_level, o.target_level, c.code, o.childcare, o.women_only, o.part_time,
       o.requires_driving_licence, o.state
FROM offers_offer o JOIN agencies_municipality m ON m.id = o.municipality_id
LEFT JOIN competences_occupation c ON c.id = o.occupation_id
WHERE o.state = 'open' AND o.starts_on >= %s
"""


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(name: str, times: list[float], anchor: list[float]) -> dict[str, Any]:
    p50, p95, a50, a95 = pct(times, 0.5), pct(times, 0.95), pct(anchor, 0.5), pct(anchor, 0.95)
    return {"name": name, "samples": len(times), "p50_ms": round(p50, 1), "p95_ms": round(p95, 1),
            "anchor_p50_ms": round(a50, 2), "anchor_p95_ms": round(a95, 2), "ratio_p50": round(p50 / a50, 1),
            "ratio_p95": round(p95 / a95, 1), "target_p95_ms": TARGET_P95_MS, "meets_target": p95 < TARGET_P95_MS}


def measure(samples: int, warmup: int, seed: int) -> dict[str, Any]:
    from django.db import connection

    from bench.run import Wsgi, machine, timed
    from stella.accounts.services import issue_token
    from stella.core.actor import Actor
    from stella.matching import lists
    from stella.offers.models import Offer

    info = machine()
    user = bench_user()
    person_id = register_person(user, seed)
    actor = Actor.for_user(user, purpose="Benchmark Matching")
    wsgi = Wsgi(issue_token(user=user)[1])
    path, query = f"/api/v1/persons/{person_id}/matches", {"on": ON.isoformat()}

    def service() -> Any:
        return lists.offers_for_person(actor=actor, person_id=person_id, on=ON, limit=50)

    def api() -> Any:
        status, body = wsgi("GET", path, query)
        assert status == 200, body[:300]
        return body

    def anchor() -> int:
        with connection.cursor() as cur:
            cur.execute(ANCHOR_SQL, [ON])
            return len(cur.fetchall())

    first = service()
    queries: list[str] = []
    with connection.execute_wrapper(lambda execute, sql, params, many, context: (queries.append(sql),
                                                                                 execute(sql, params, many, context))[1]):
        service()
    rows = anchor()
    starts = {m.facts.starts_on for m in first.matches}
    times: dict[str, list[float]] = {"service": [], "api": [], "anchor": []}
    for i in range(warmup + samples):
        for name, fn in (("service", service), ("anchor", anchor), ("api", api), ("anchor", anchor)):
            ms, _ = timed(fn)
            if i >= warmup:
                times[name].append(ms)
    info["loadavg_end"] = os.getloadavg()
    anchor_half = times["anchor"]
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"), "reference_date": ON.isoformat(),
        "offers": Offer.objects.filter(provider=PROVIDER).count(), "open_offers_from_reference_date": rows,
        "all_offers": Offer.objects.count(), "candidates_after_prefilter": first.candidates,
        "more": first.more, "shown": len(first.matches), "queries_per_call": len(queries),
        "distinct_start_dates_shown": len(starts), "samples": samples, "warmup": warmup, "person_id": person_id,
        "top": [{"offer": m.offer.pk, "kind": m.offer.kind, "score": m.score.total if m.score else None}
                for m in first.matches[:5]],
        "figures": [summary("service offers_for_person (top 50)", times["service"], anchor_half[0::2]),
                    summary("API GET /persons/{id}/matches", times["api"], anchor_half[1::2])],
        "machine": info,
    }


def render(r: dict[str, Any]) -> str:
    lines = [f"Matching-Benchmark {r['date']}: {r['offers']:,} Benchmark-Angebote ({r['all_offers']:,} insgesamt), "
             f"{r['open_offers_from_reference_date']:,} offen ab {r['reference_date']}; nach SQL-Vorfilter "
             f"{r['candidates_after_prefilter']:,}, gezeigt {r['shown']} (weitere geeignete: {'ja' if r['more'] else 'nein'}); "
             f"{r['queries_per_call']} SQL-Abfragen je Aufruf; {r['samples']} Messungen (nach {r['warmup']})."
             .replace(",", "."), "",
             "| Vorgang | p50 | p95 | Anker p50 | Anker p95 | ×Anker p50 | ×Anker p95 | Ziel p95 |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]
    for f in r["figures"]:
        ok = "✓" if f["meets_target"] else "✗"
        lines.append(f"| {f['name']} | {f['p50_ms']:.1f} | {f['p95_ms']:.1f} | {f['anchor_p50_ms']:.2f} | "
                     f"{f['anchor_p95_ms']:.2f} | {f['ratio_p50']:.1f}× | {f['ratio_p95']:.1f}× | "
                     f"< {f['target_p95_ms']:.0f} {ok} |")
    m = r["machine"]
    lines += ["", f"Maschine: {m['cpus']} Kerne, {m['memory']}, {m['postgres']}, Datenbank {m['database_size']}; "
                  f"Last {m['loadavg_start'][0]:.1f} → {m['loadavg_end'][0]:.1f}; Commit {m['git_commit']}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.matching", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--offers", type=int, default=20_000, help="Benchmark-Angebote (Standard 20000)")
    parser.add_argument("--samples", type=int, default=100, help="Messungen je Vorgang (Standard 100, mindestens 50)")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.samples < 50:
        parser.error("mindestens 50 Messungen")
    url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/stella_bench")
    if not url.startswith(("postgres://", "postgresql://")):
        print("Der Benchmark braucht PostgreSQL (BENCH_DATABASE_URL=postgres://…).", file=sys.stderr)
        return 2
    os.environ["STELLA_DATABASE_URL"] = url
    os.environ.setdefault("STELLA_DEBUG", "0")
    os.environ.setdefault("STELLA_ALLOWED_HOSTS", "localhost")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stella.settings")
    from bench.prepare import ensure_database, vacuum

    ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from stella.competences.kldb import ensure_loaded
    from stella.demo.setup import ensure_agencies

    ensure_agencies()
    ensure_loaded()
    started = time.perf_counter()
    added = generate_offers(args.offers, args.seed)
    if added:
        vacuum()
        print(f"{added} Angebote erzeugt in {time.perf_counter() - started:.1f} s.", flush=True)
    result = measure(args.samples, args.warmup, args.seed)
    print(render(result))
    out = args.output or ROOT / "bench" / "results" / f"matching-{result['date'].replace(':', '')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"\nErgebnis gespeichert: {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    return 0 if all(f["meets_target"] for f in result["figures"]) else 1
