"""Measure file, search and note latencies (p50/p95) and their floors; print and save the figures.

Operations run in-process: the API through Django's WSGI handler (every middleware, bearer token,
serialisation; no network), the services directly. Each operation alternates with its floor (bare
SQL fetching the same rows, see floors.py) on different persons of the same sample, so both see the
same cache state and the same background load.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
TARGETS_MS = {"file": 50.0, "search": 100.0}
#: A search with more hits than this would say "more than 1000" (measured as a proposal, see docs).
SEARCH_COUNT_CAP = 1000


@dataclass
class Figure:
    group: str  # file, search, note
    name: str
    floor: str
    times_ms: list[float] = field(default_factory=list)
    floor_ms: list[float] = field(default_factory=list)
    errors: int = 0

    @staticmethod
    def pct(values: list[float], q: float) -> float:
        if not values:
            return float("nan")
        ordered = sorted(values)
        k = (len(ordered) - 1) * q
        lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
        return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)

    def summary(self) -> dict[str, Any]:
        p50, p95 = self.pct(self.times_ms, 0.5), self.pct(self.times_ms, 0.95)
        f50, f95 = self.pct(self.floor_ms, 0.5), self.pct(self.floor_ms, 0.95)
        target = TARGETS_MS.get(self.group)
        return {"group": self.group, "name": self.name, "floor": self.floor, "samples": len(self.times_ms),
                "p50_ms": round(p50, 2), "p95_ms": round(p95, 2), "mean_ms": round(statistics.fmean(self.times_ms), 2),
                "floor_p50_ms": round(f50, 3), "floor_p95_ms": round(f95, 3),
                "ratio_p50": round(p50 / f50, 1) if f50 else None, "ratio_p95": round(p95 / f95, 1) if f95 else None,
                "target_p95_ms": target, "meets_target": (p95 < target) if target else None, "errors": self.errors}


class Wsgi:
    """Calls the Django WSGI application in-process, as a WSGI server would."""

    def __init__(self, token: str) -> None:
        from django.core.wsgi import get_wsgi_application

        self.app = get_wsgi_application()
        self.auth = f"Bearer {token}"

    def __call__(self, method: str, path: str, query: dict[str, Any] | None = None,
                 body: dict[str, Any] | None = None) -> tuple[int, bytes]:
        data = json.dumps(body).encode() if body is not None else b""
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": urlencode(query or {}), "SCRIPT_NAME": "",
            "SERVER_NAME": "localhost", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "localhost", "HTTP_AUTHORIZATION": self.auth, "HTTP_ACCEPT": "application/json",
            "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(data),
            "wsgi.errors": sys.stderr, "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
        }
        if body is not None:
            environ["CONTENT_TYPE"] = "application/json"
            environ["CONTENT_LENGTH"] = str(len(data))
        status: list[str] = []

        def start_response(s: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
            status.append(s)
            return lambda _: None

        result = self.app(environ, start_response)
        try:
            content = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close:
                close()  # request_finished: what a server does after each response
        return int(status[0].split()[0]), content


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter_ns()
    value = fn()
    return (time.perf_counter_ns() - start) / 1e6, value


def measure(fig: Figure, op: Callable[[int], Any], floor: Callable[[int], Any], samples: int, warmup: int,
            check: Callable[[Any], bool] = lambda _: True) -> Figure:
    """Alternate operation and floor; item i of the operation and of the floor use different inputs."""
    for i in range(warmup):
        op(i)
        floor(i)
    for i in range(warmup, warmup + samples):
        ms, value = timed(partial(op, i))
        fig.times_ms.append(ms)
        if not check(value):
            fig.errors += 1
        ms, _ = timed(partial(floor, i + samples + warmup))
        fig.floor_ms.append(ms)
    return fig


def _variant_queries(rng: random.Random, count: int) -> list[tuple[int, str, list[str]]]:
    """(person id, query, keys) for random persons: their registered name, each word spelled in another
    transliteration with the same search key where the name has one (Mohammed → Muhammad)."""
    from django.db import connection

    from stella.demo.catalog import ORIGINS
    from stella.people.names import name_keys

    spellings: dict[str, list[str]] = {}
    for o in ORIGINS:
        for form in (*o.male, *o.female, *o.family):
            for v in form.latin:
                same = [w for w in form.latin if w != v and name_keys(w) == name_keys(v)]
                spellings.setdefault(v, [])
                spellings[v] += [w for w in same if w not in spellings[v]]
    with connection.cursor() as cur:
        cur.execute("SELECT min(id), max(id) FROM people_person")
        lo, hi = cur.fetchone()
        ids = [rng.randint(lo, hi) for _ in range(count * 2)]
        cur.execute("SELECT person_id, given_names, family_name FROM people_personname "
                    "WHERE kind = 'registered' AND person_id = ANY(%s)", [ids])
        rows = {pid: (g, f) for pid, g, f in cur.fetchall()}
    out = []
    for pid in ids:
        if pid not in rows:
            continue
        given, family = rows[pid]
        words = [*given.split(" ")[:1], family]
        query = " ".join(rng.choice(spellings.get(w) or [w]) for w in words)
        out.append((pid, query, name_keys(query)))
        if len(out) == count:
            break
    return out


def machine() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT version(), pg_size_pretty(pg_database_size(current_database())), "
                    "current_setting('shared_buffers'), current_setting('synchronous_commit')")
        version, size, shared, sync = cur.fetchone()
    mem = ""
    try:
        meminfo = Path("/proc/meminfo").read_text().splitlines()
        mem_kb = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
        mem = f"{mem_kb / 1024 / 1024:.0f} GB"
    except (OSError, StopIteration):
        pass
    git = shutil.which("git")
    commit = subprocess.run([git, "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,  # noqa: S603
                            text=True, check=False).stdout.strip() if git else ""
    return {"cpus": os.cpu_count(), "memory": mem, "python": platform.python_version(), "postgres": version.split(",")[0],
            "database_size": size, "shared_buffers": shared, "synchronous_commit": sync,
            "loadavg_start": os.getloadavg(), "git_commit": commit}


def run(samples: int, warmup: int, seed: int) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from bench import floors
    from stella.accounts.models import User
    from stella.accounts.services import issue_token
    from stella.authz.policy import Category
    from stella.cases import services as cases
    from stella.core.actor import Actor
    from stella.people.models import Person
    from stella.people.services import search_persons

    rng = random.Random(seed)
    info = machine()
    user = User.objects.select_related("agency").get(username="jc.caseworker")
    actor = Actor.for_user(user, purpose="Benchmark")
    assert user.agency_id is not None
    agency, today = user.agency_id, timezone.localdate()
    # The API (src/stella/api) is measured through WSGI when its URLconf imports; otherwise only the
    # services are, and the figures say why the API is missing.
    try:
        import stella.urls  # noqa: F401
        api_error = ""
    except Exception as exc:  # noqa: BLE001 – any import failure means: no API figures this run
        api_error = f"{type(exc).__name__}: {exc}"
        print(f"WARNUNG: API nicht messbar ({api_error}); nur die Dienste werden gemessen.", file=sys.stderr)
    _, token = issue_token(user=user)
    api = Wsgi(token)

    # Persons whose file the Jobcenter Ludwigsburg leads: it may read their identity section.
    with connection.cursor() as cur:
        cur.execute("SELECT cf.person_id FROM cases_participation pa JOIN cases_casefile cf ON cf.id = pa.case_file_id "
                    "WHERE pa.agency_id = %s AND pa.role = 'lead' AND pa.until IS NULL", [agency])
        pool = [r[0] for r in cur.fetchall()]
    n = 2 * (samples + warmup)
    persons = rng.sample(pool, min(n, len(pool)))

    def pid(i: int) -> int:
        return persons[i % len(persons)]

    queries = _variant_queries(rng, n)

    def query(i: int) -> tuple[int, str, list[str]]:
        return queries[i % len(queries)]

    def ok(status_body: tuple[int, bytes]) -> bool:
        return 200 <= status_body[0] < 300

    def found(result: Any) -> bool:
        return bool(result)

    figures: list[Figure] = []

    def measure_api(fig: Figure, *args: Any, **kwargs: Any) -> None:
        if not api_error:
            figures.append(measure(fig, *args, **kwargs))

    # (a) opening a file
    measure_api(Figure("file", "API GET /persons/{id}", "SQL: Person, Namen, Staatsangeh., Kontext"),
                lambda i: api("GET", f"/api/v1/persons/{pid(i)}"),
                lambda i: floors.file(pid(i), agency, today), samples, warmup, ok)
    measure_api(Figure("file", "API GET /persons/{id}/sections/identity", "SQL: alle Zeilen des Bereichs"),
                lambda i: api("GET", f"/api/v1/persons/{pid(i)}/sections/identity"),
                lambda i: floors.identity(pid(i), agency, today), samples, warmup, ok)

    def both(i: int) -> tuple[int, bytes]:
        first = api("GET", f"/api/v1/persons/{pid(i)}")
        second = api("GET", f"/api/v1/persons/{pid(i)}/sections/identity")
        return (max(first[0], second[0]), second[1])

    measure_api(Figure("file", "API Akte öffnen: Kopf + Identität (2 Aufrufe)", "SQL: beide Abfragen"),
                both, lambda i: (floors.file(pid(i), agency, today), floors.identity(pid(i), agency, today)),
                samples, warmup, ok)
    figures.append(measure(Figure("file", "Dienst open_file()", "SQL: Person, Namen, Staatsangeh., Kontext"),
                           lambda i: cases.open_file(actor=actor, person_id=pid(i)),
                           lambda i: floors.file(pid(i), agency, today), samples, warmup))
    figures.append(measure(Figure("file", "Dienst read_section(identity)", "SQL: alle Zeilen des Bereichs"),
                           lambda i: cases.read_section(actor=actor, person_id=pid(i), category=Category.IDENTITY),
                           lambda i: floors.identity(pid(i), agency, today), samples, warmup))

    # (b) name search: a transliteration variant of a real name, first page of 20 and the count
    def service_search(i: int) -> int:
        qs = search_persons(actor, name=query(i)[1]).prefetch_related("names", "nationalities")
        page = list(qs[:20])
        return qs.count() if page else 0

    figures.append(measure(Figure("search", "Dienst search_persons(): Seite 1 + Anzahl", "SQL: Schnittmenge, Seite, Anzahl"),
                           service_search, lambda i: floors.search(query(i)[2]), samples, warmup, found))

    def service_search_capped(i: int) -> int:
        """What a capped count would cost ("mehr als 1000 Treffer"): not what the API does today."""
        qs = search_persons(actor, name=query(i)[1]).prefetch_related("names", "nationalities")
        page = list(qs[:20])
        return qs[:SEARCH_COUNT_CAP + 1].count() if page else 0

    figures.append(measure(Figure("search", f"Dienst: Seite 1 + Anzahl bis {SEARCH_COUNT_CAP} (Vorschlag)",
                                  f"SQL: Schnittmenge, Seite, Anzahl bis {SEARCH_COUNT_CAP}"),
                           service_search_capped, lambda i: floors.search(query(i)[2], SEARCH_COUNT_CAP),
                           samples, warmup, found))
    measure_api(Figure("search", "API GET /persons?name=…", "SQL: Schnittmenge, Seite, Anzahl"),
                lambda i: api("GET", "/api/v1/persons", {"name": query(i)[1]}),
                lambda i: floors.search(query(i)[2]), samples, warmup,
                lambda r: ok(r) and json.loads(r[1]).get("count", 0) > 0)

    # (c) adding a note
    def service_note(i: int) -> Any:
        return cases.add_entry(actor=actor, person_id=pid(i), kind="note", category="counselling",
                               title="Vermerk (Messung)", text="Benchmark: Vermerk über den Dienst")

    figures.append(measure(Figure("note", "Dienst add_entry()", "SQL: INSERT des Eintrags"),
                           service_note, lambda i: floors.note(pid(i), user.pk, agency, timezone.now()),
                           samples, warmup))
    measure_api(Figure("note", "API POST /persons/{id}/timeline", "SQL: INSERT des Eintrags"),
                lambda i: api("POST", f"/api/v1/persons/{pid(i)}/timeline",
                              body={"kind": "note", "category": "counselling", "title": "Vermerk (Messung)",
                                    "text": "Benchmark: Vermerk über die API"}),
                lambda i: floors.note(pid(i), user.pk, agency, timezone.now()), samples, warmup, ok)
    info["loadavg_end"] = os.getloadavg()
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "persons": Person.objects.count(),
        "samples": samples,
        "warmup": warmup,
        "machine": info,
        "figures": [f.summary() for f in figures],
        "api_error": api_error,
    }


def render(result: dict[str, Any]) -> str:
    lines = [
        f"Stella-Benchmark {result['date']} – {result['persons']:,} Personen, {result['samples']} Messungen je Vorgang "
        f"(nach {result['warmup']} zum Aufwärmen)".replace(",", "."),
        "Zeiten in ms; ×Boden = Vielfaches der bloßen SQL-Abfrage, die dieselben Zeilen holt (gleicher Lauf).",
        "",
        f"| {'Vorgang':<58} | {'p50':>7} | {'p95':>7} | {'Boden p50':>9} | {'Boden p95':>9} | {'×Boden p50':>10} "
        f"| {'×Boden p95':>10} | {'Ziel p95':>8} |",
        f"|{'-' * 60}|{'-' * 9}|{'-' * 9}|{'-' * 11}|{'-' * 11}|{'-' * 12}|{'-' * 12}|{'-' * 10}|",
    ]
    for f in result["figures"]:
        target = f"< {f['target_p95_ms']:.0f} {'✓' if f['meets_target'] else '✗'}" if f["target_p95_ms"] else ""
        errors = f" ({f['errors']} Fehler)" if f["errors"] else ""
        lines.append(
            f"| {f['group'] + ': ' + f['name'] + errors:<58} | {f['p50_ms']:>7.1f} | {f['p95_ms']:>7.1f} "
            f"| {f['floor_p50_ms']:>9.2f} | {f['floor_p95_ms']:>9.2f} | {f['ratio_p50']:>9.1f}× | {f['ratio_p95']:>9.1f}× "
            f"| {target:>8} |")
    if result.get("api_error"):
        lines += ["", f"API nicht gemessen: {result['api_error']}"]
    m = result["machine"]
    lines += ["", f"Maschine: {m['cpus']} Kerne, {m['memory']}, {m['postgres']}, Datenbank {m['database_size']}, "
                  f"shared_buffers {m['shared_buffers']}, synchronous_commit {m['synchronous_commit']}; "
                  f"Last {m['loadavg_start'][0]:.1f} → {m['loadavg_end'][0]:.1f}; Python {m['python']}; "
                  f"Commit {m['git_commit']}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--samples", type=int, default=int(os.environ.get("BENCH_SAMPLES", "200")))
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2015)
    parser.add_argument("--persons", type=int, default=int(os.environ.get("BENCH_PERSONS", "1000000")))
    parser.add_argument("--no-fill", action="store_true", help="die Datenbank nicht anlegen oder auffüllen")
    parser.add_argument("--output", type=Path, default=None, help="JSON-Ergebnis (Standard: bench/results/…)")
    parser.add_argument("--handover", action="store_true",
                        help="statt Akte/Suche/Vermerk die Sammelübergabe messen (bench/handover.py)")
    parser.add_argument("--handover-persons", type=int, default=int(os.environ.get("BENCH_HANDOVER_PERSONS", "100000")),
                        help="Personen der Sammelübergabe (Standard 100000)")
    parser.add_argument("--handover-crash", type=int, default=20_000,
                        help="Personen der Absturzprobe (Worker mit SIGKILL beenden; 0 = ohne)")
    parser.add_argument("--handover-workers", type=int, default=2,
                        help="Worker-Prozesse (stella db_worker) für die Sammelübergabe (Standard 2)")
    args = parser.parse_args(argv)
    url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/stella_bench")
    os.environ["STELLA_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stella.settings")
    if not url.startswith(("postgres://", "postgresql://")):
        print("Der Benchmark braucht PostgreSQL (BENCH_DATABASE_URL=postgres://…).", file=sys.stderr)
        return 2
    from bench.prepare import prepare

    if args.handover:
        return _handover(url, args)
    if args.no_fill:
        import django

        django.setup()
        prepared = None
    else:
        prepared = prepare(url, args.persons)
    result = run(args.samples, args.warmup, args.seed)
    if prepared is not None and prepared.loaded:
        result["load"] = asdict(prepared)
    text = render(result)
    print(text)
    if prepared is not None and prepared.loaded:
        print(f"\nAufbau der Datenbank: {prepared.loaded:,} Personen in {prepared.load_seconds:.0f} s (stella demo, "
              "danach VACUUM ANALYZE)".replace(",", "."))
    out = args.output or ROOT / "bench" / "results" / f"bench-{result['date'].replace(':', '')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"\nErgebnis gespeichert: {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    failed = [f for f in result["figures"] if f["errors"]]
    return 1 if failed else 0


def _handover(url: str, args: argparse.Namespace) -> int:
    """The bulk hand-over benchmark on its own cohort (the database only needs to exist and be migrated)."""
    import django
    from django.core.management import call_command

    from bench.handover import main as handover_main
    from bench.prepare import ensure_database

    ensure_database(url)
    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    return handover_main(args.handover_persons, args.handover_crash, args.output, args.handover_workers)
