"""Bulk hand-over benchmark: N persons (default 100,000) change lead agency in one job, on PostgreSQL,
against a bare-SQL anchor measured in the same run.

Each run adds its own cohort – persons from Ukraine with a Fiktionsbescheinigung, living in a municipality
made for the run in the Landkreis Ludwigsburg, led by the Landratsamt – written with COPY, so the
criteria select exactly the cohort on any database (empty or the 1M demo). Then:

1. **Anchor** (bare SQL, one transaction, rolled back): the same selection and the same state change –
   job and items, one completed hand-over per person, the Jobcenter's lead participation, the
   Landratsamt's lead ended the day before, its aftercare participation, items marked done. No
   summaries, no audit events, no per-person decisions: what the job adds on top.
2. **Job** through the real path: `create_bulk_job` (selection, one INSERT … SELECT of the items, audit),
   queued on the django-tasks database backend, run by `--handover-workers` (default 2) `stella db_worker
   --batch` processes until done. Then every person is checked: exactly one hand-over, one new lead, one audit event.

Then (`--handover-crash N`, default 20,000) a second cohort runs a crash drill: the real `stella db_worker`
processes are killed (SIGKILL) in the middle of a chunk, the reaper frees the leases and re-queues the job, a
new worker finishes it; every person must be handled exactly once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LANDKREIS = "LK-LB"
BENCH_USER = "bench.jc.team_lead"


@dataclass
class Cohort:
    municipality: str
    persons: int
    first_id: int
    last_id: int
    seconds: float


@dataclass
class Result:
    date: str
    persons: int
    database_persons: int
    chunk_size: int
    cohort_seconds: float
    anchor_seconds: float
    create_seconds: float = 0.0
    process_seconds: float = 0.0
    total_seconds: float = 0.0
    done: int = 0
    skipped: int = 0
    failed: int = 0
    audit_events: int = 0
    workers: int = 1
    checks: dict[str, bool] = field(default_factory=dict)
    crash: dict[str, Any] = field(default_factory=dict)
    machine: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        return self.total_seconds / self.anchor_seconds if self.anchor_seconds else float("nan")


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


# --- set-up --------------------------------------------------------------------------------------------

def ensure_setup() -> tuple[Any, Any, Any]:
    """Agencies of the pilot (demo setup, idempotent) and a team lead of the Jobcenter Ludwigsburg."""
    from stella.accounts.models import RoleAssignment, User
    from stella.demo.setup import ensure_agencies

    agencies = ensure_agencies()
    user = User.objects.filter(username=BENCH_USER).first()
    if user is None:
        user = User(username=BENCH_USER, agency=agencies["JC-LB"], first_name="Bench", last_name="Teamleitung")
        user.set_unusable_password()
        user.save()
        RoleAssignment.objects.create(user=user, role="team_lead")
    return agencies["JC-LB"], agencies["LRA-LB"], user


def make_cohort(n: int, lra_id: int, label: str) -> Cohort:
    """A municipality for this run (with the Ludwigsburg responsibility table) and `n` persons in it."""
    from django.db import connection, transaction
    from django.utils import timezone

    from stella.agencies.models import Municipality, Region, Responsibility
    from stella.cases.models import CaseFile, Participation
    from stella.journey.models import StatusEvent
    from stella.people.models import Address, LanguageSkill, Nationality, Person, PersonName

    started = time.perf_counter()
    region = Region.objects.get(code=LANDKREIS)
    template = Municipality.objects.filter(landkreis=region).order_by("pk").first()
    assert template is not None, "Die Zuständigkeitstabelle des Landkreises fehlt (stella demo setup)."
    name = f"Benchheim {label}"
    with transaction.atomic():
        municipality = Municipality.objects.create(name=name, landkreis=region)
        Responsibility.objects.bulk_create([
            Responsibility(municipality=municipality, function=r.function, agency_id=r.agency_id,
                           valid_from=r.valid_from, valid_until=r.valid_until)
            for r in Responsibility.objects.filter(municipality=template)])
    now = timezone.now()
    arrival, fiktion = date(2022, 3, 10), date(2022, 3, 15)
    q = connection.ops.quote_name

    def cols(model: Any, *names: str) -> str:
        return ", ".join(q(model._meta.get_field(f).column) for f in names)

    first = last = 0
    chunk = 20_000
    for start in range(0, n, chunk):
        size = min(chunk, n - start)
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                        [Person._meta.db_table, size])
            pids = [r[0] for r in cur.fetchall()]
            cur.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                        [CaseFile._meta.db_table, size])
            cfs = [r[0] for r in cur.fetchall()]
            first, last = first or pids[0], pids[-1]
            raw = cur.cursor
            copies: list[tuple[Any, tuple[str, ...], Callable[[int, int, int], list[tuple[Any, ...]]]]] = [
                (Person, ("id", "sex", "birth_date", "birth_date_precision", "birth_place", "birth_country",
                          "registered_by", "created_at", "updated_at", "version"),
                 lambda i, p, c: [(p, "f" if i % 2 else "m", date(1980 + i % 25, 1 + i % 12, 1 + i % 28), "exact",
                                   "", "UKR", lra_id, now, now, 1)]),
                (PersonName, ("person", "kind", "given_names", "family_name", "script", "source_agency",
                              "created_at", "valid_until"),
                 lambda i, p, c: [(p, "registered", f"Olena {i}", "Bench-Kovalenko", "latn", lra_id, now, None)]),
                (Nationality, ("person", "country", "created_at", "valid_until"),
                 lambda i, p, c: [(p, "UKR", now, None)]),
                (LanguageSkill, ("person", "language", "level", "created_at"),
                 lambda i, p, c: [(p, "uk", "MT", now), (p, "de", "A2", now)]),
                (Address, ("person", "street", "postcode", "municipality", "accommodation", "valid_from",
                           "valid_until", "created_at"),
                 lambda i, p, c: [(p, f"Hauptstraße {i % 200 + 1}", "71634", name, "vu" if i % 2 else "private",
                                   arrival, None, now)]),
                (CaseFile, ("id", "person", "opened_at"), lambda i, p, c: [(c, p, now)]),
                (Participation, ("case_file", "agency", "role", "since", "until", "legal_basis", "created_at",
                                 "created_by"),
                 lambda i, p, c: [(c, lra_id, "lead", fiktion, None, "§§2, 3 AsylbLG", now, None)]),
                (StatusEvent, ("person", "kind", "effective_date", "outcome", "document", "note", "corrects", "voids",
                               "agency", "recorded_by", "recorded_at"),
                 lambda i, p, c: [(p, "einreise", arrival, "", None, "", None, False, lra_id, None, now),
                                  (p, "fiktion", fiktion, "", None, "", None, False, lra_id, None, now)]),
            ]
            for model, names, rows in copies:
                sql = f"COPY {q(model._meta.db_table)} ({cols(model, *names)}) FROM STDIN"
                with raw.copy(sql) as copy:
                    for i, (p, c) in enumerate(zip(pids, cfs, strict=True)):
                        for row in rows(start + i, p, c):
                            copy.write_row(row)
    with connection.cursor() as cur:
        for model in (Person, PersonName, Nationality, LanguageSkill, Address, CaseFile, Participation, StatusEvent):
            cur.execute(f"ANALYZE {q(model._meta.db_table)}")
    return Cohort(name, n, first, last, time.perf_counter() - started)


def criteria(cohort: Cohort) -> dict[str, Any]:
    return {"status": ["fiktion"], "nationality": ["UKR"], "landkreis": LANDKREIS, "municipality": cohort.municipality}


# --- the anchor ----------------------------------------------------------------------------------------

ANCHOR = """
WITH sel AS (
  SELECT p.id AS pid, cf.id AS cf
  FROM people_person p
  JOIN cases_casefile cf ON cf.person_id = p.id
  WHERE EXISTS (SELECT 1 FROM people_address a WHERE a.person_id = p.id AND a.municipality = %(m)s
                  AND a.valid_from <= %(eff)s AND (a.valid_until IS NULL OR a.valid_until >= %(eff)s))
    AND EXISTS (SELECT 1 FROM people_nationality n WHERE n.person_id = p.id AND n.country = 'UKR'
                  AND n.valid_until IS NULL)
    AND (SELECT se.kind FROM journey_statusevent se
          WHERE se.person_id = p.id AND NOT se.voids AND se.effective_date <= %(eff)s
            AND NOT EXISTS (SELECT 1 FROM journey_statusevent c WHERE c.corrects_id = se.id)
          ORDER BY se.effective_date DESC, se.id DESC LIMIT 1) = 'fiktion'
), items AS (
  INSERT INTO journey_bulkhandoveritem (job_id, person_id, state, reason, processed_at)
  SELECT %(job)s, pid, 'done', '', now() FROM sel RETURNING person_id
), handovers AS (
  INSERT INTO journey_handover (person_id, function, from_agency_id, to_agency_id, reason, legal_basis, effective_date,
                                summary, state, bulk_job_id, decision_note, created_at, decided_at, completed_at, version)
  SELECT pid, 'benefits_sgb2', %(lra)s, %(jc)s, 'Anker', '§74 SGB II', %(eff)s, json_build_object('for_agency', 'JC-LB'),
         'completed', %(job)s, '', now(), now(), now(), 1 FROM sel RETURNING id
), leads AS (
  INSERT INTO cases_participation (case_file_id, agency_id, role, since, legal_basis, created_at)
  SELECT cf, %(jc)s, 'lead', %(eff)s, '§§19 ff. SGB II', now() FROM sel RETURNING id
), ended AS (
  UPDATE cases_participation pa SET until = GREATEST(pa.since, %(eff)s::date - 1)
  FROM sel WHERE pa.case_file_id = sel.cf AND pa.agency_id = %(lra)s AND pa.role = 'lead'
    AND (pa.until IS NULL OR pa.until >= %(eff)s) RETURNING pa.id
)
INSERT INTO cases_participation (case_file_id, agency_id, role, since, until, legal_basis, created_at)
SELECT cf, %(lra)s, 'contributing', %(eff)s, %(eff)s::date + 89, 'Übergabezeitraum', now() FROM sel
"""


def anchor(cohort: Cohort, jc: Any, lra: Any, effective: date) -> float:
    """The bare-SQL state change in one transaction, timed, then rolled back."""
    from django.db import connection, transaction

    from stella.journey.models import BulkHandOverJob

    with transaction.atomic():
        job = BulkHandOverJob.objects.create(criteria={}, function="benefits_sgb2", to_agency=jc,
                                             effective_date=effective, reason="Anker")
        start = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute(ANCHOR, {"m": cohort.municipality, "eff": effective, "job": job.pk, "lra": lra.pk,
                                 "jc": jc.pk})
            cur.execute("UPDATE journey_bulkhandoveritem SET state = 'done' WHERE job_id = %s", [job.pk])
        seconds = time.perf_counter() - start
        transaction.set_rollback(True)
    return seconds


# --- the job -------------------------------------------------------------------------------------------

WORKER = [sys.executable, "-m", "stella.cli", "db_worker", "--batch", "--no-startup-delay", "--no-reload",
          "--verbosity", "0"]


def workers(count: int) -> list[subprocess.Popen[bytes]]:
    """`stella db_worker --batch` processes, as in production (each exits when the queue is empty)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "stella.settings"}
    return [subprocess.Popen(WORKER, env=env, cwd=ROOT) for _ in range(count)]  # noqa: S603


def run_job(cohort: Cohort, jc: Any, user: Any, effective: date, count: int) -> tuple[Any, float, float]:
    """create_bulk_job (its tasks are queued after commit), then `count` database workers until done."""
    from stella.core.actor import Actor
    from stella.journey import bulk

    actor = Actor.for_user(user, purpose="Benchmark Sammelübergabe")
    create_s, job = timed(lambda: bulk.create_bulk_job(
        actor=actor, criteria=criteria(cohort), function="benefits_sgb2", to_agency_id=jc.pk,
        effective_date=effective, reason="Benchmark: Rechtskreiswechsel", legal_basis="§74 SGB II"))

    def process() -> None:
        for worker in workers(count):
            if worker.wait() != 0:
                raise SystemExit("Ein Worker ist mit Fehler beendet worden.")

    process_s, _ = timed(process)
    return job, create_s, process_s


def check(job: Any, cohort: Cohort) -> tuple[dict[str, bool], int]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT count(*), count(DISTINCT person_id) FROM journey_handover WHERE bulk_job_id = %s", [job.pk])
        handovers, distinct = cur.fetchone()
        cur.execute("SELECT count(*) FROM journey_bulkhandoveritem WHERE job_id = %s AND state <> 'done'", [job.pk])
        (not_done,) = cur.fetchone()
        cur.execute("""SELECT count(*) FROM cases_participation pa JOIN cases_casefile cf ON cf.id = pa.case_file_id
                       WHERE pa.agency_id = %s AND pa.role = 'lead' AND cf.person_id BETWEEN %s AND %s""",
                    [job.to_agency_id, cohort.first_id, cohort.last_id])
        (leads,) = cur.fetchone()
        cur.execute("""SELECT count(*), count(DISTINCT person_id) FROM audit_auditevent
                       WHERE object_type = 'handover' AND person_id BETWEEN %s AND %s""",
                    [cohort.first_id, cohort.last_id])
        audits, audited = cur.fetchone()
    checks = {
        "one hand-over per person": handovers == distinct == cohort.persons,
        "every item done": not_done == 0,
        "one new lead per person": leads == cohort.persons,
        "one audit event per person": audits == audited == cohort.persons,
    }
    return checks, int(audits)


# --- crash drill ---------------------------------------------------------------------------------------

def crash_drill(persons: int, jc: Any, lra: Any, user: Any, effective: date, label: str) -> dict[str, Any]:
    """Kill the real worker processes mid-job (SIGKILL), reap, restart: nobody twice, nobody missed."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from stella.core.actor import Actor
    from stella.journey import bulk
    from stella.journey.models import BulkHandOverItem

    cohort = make_cohort(persons, lra.pk, label + "-crash")
    job = bulk.create_bulk_job(actor=Actor.for_user(user), criteria=criteria(cohort), function="benefits_sgb2",
                               to_agency_id=jc.pk, effective_date=effective, reason="Crash-Probe")
    running = workers(2)  # both tasks of the job start
    deadline = time.monotonic() + 300
    done_at_kill = 0
    tasks = DBTaskResult.objects.filter(task_path="stella.journey.bulk.run_bulk_job", args_kwargs__args=[job.pk])
    while time.monotonic() < deadline:  # kill once both tasks run, a chunk is done and another one is being written
        done_at_kill = BulkHandOverItem.objects.filter(job=job, state="done").count()
        if (done_at_kill and not tasks.filter(status="READY").exists()
                and BulkHandOverItem.objects.filter(job=job, state="pending", lease_until__isnull=False).exists()):
            time.sleep(0.5)  # well into the chunk's transaction
            break
        time.sleep(0.05)
    for worker in running:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    leased = BulkHandOverItem.objects.filter(job=job, state="pending", lease_until__isnull=False).count()
    job.refresh_from_db()
    task_state = DBTaskResult.objects.filter(id=job.task_id).values_list("status", flat=True).first() or ""
    later = timezone.now() + timedelta(seconds=bulk.LEASE_SECONDS + 1)
    requeued = bulk.reap(now=later)  # as the reaper would after the lease (5 min) has passed
    for restarted in workers(1):
        restarted.wait()
    job.refresh_from_db()
    checks, _ = check(job, cohort)
    return {"persons": persons, "done_when_killed": done_at_kill, "leased_when_killed": leased,
            "task_state_after_kill": task_state, "requeued": requeued == [job.pk], "job_state": job.state,
            "checks": checks}


# --- entry -----------------------------------------------------------------------------------------------

def run(persons: int, *, crash: int = 0, worker_count: int = 2) -> Result:
    from django.utils import timezone

    from stella.journey import bulk
    from stella.people.models import Person

    load_start = os.getloadavg()
    jc, lra, user = ensure_setup()
    label = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    cohort = make_cohort(persons, lra.pk, label)
    effective = timezone.localdate().replace(day=1)  # within the correction window, SGB II for §24 on that day
    result = Result(date=datetime.now(UTC).isoformat(timespec="seconds"), persons=persons,
                    database_persons=Person.objects.count(), chunk_size=bulk.CHUNK_SIZE,
                    cohort_seconds=round(cohort.seconds, 1), anchor_seconds=0.0)
    result.anchor_seconds = round(anchor(cohort, jc, lra, effective), 2)
    job, create_s, process_s = run_job(cohort, jc, user, effective, worker_count)
    result.workers = worker_count
    job.refresh_from_db()
    result.create_seconds, result.process_seconds = round(create_s, 2), round(process_s, 2)
    result.total_seconds = round(create_s + process_s, 2)
    counts = bulk.item_counts(job.pk)
    result.done, result.skipped, result.failed = counts["done"], counts["skipped"], counts["failed"]
    result.checks, result.audit_events = check(job, cohort)
    result.checks["job done"] = job.state == "done"
    if crash:
        result.crash = crash_drill(crash, jc, lra, user, effective, label)
    from bench.run import machine

    result.machine = machine()
    result.machine["loadavg_start"], result.machine["loadavg_end"] = load_start, os.getloadavg()
    return result


def n(value: float) -> str:
    """German thousands separator."""
    return f"{value:,.0f}".replace(",", ".")


def render(r: Result) -> str:
    rate = r.persons / r.total_seconds if r.total_seconds else 0
    lines = [
        f"Sammelübergabe {r.date}: {n(r.persons)} Personen (Datenbank: {n(r.database_persons)} Personen), "
        f"Blöcke zu {n(r.chunk_size)}",
        "",
        "| Schritt | Sekunden | × Anker |",
        "|---|---:|---:|",
        f"| Anker: nacktes SQL, gleiche Auswahl und Zustandsänderung (ohne Zusammenfassung/Protokoll) "
        f"| {r.anchor_seconds:.1f} | 1,0× |",
        f"| Auftrag anlegen: Auswahl + Einträge (INSERT … SELECT) + Protokoll | {r.create_seconds:.1f} "
        f"| {r.create_seconds / r.anchor_seconds:.1f}× |",
        f"| Verarbeitung: {r.workers} × stella db_worker --batch (Prozesse) | {r.process_seconds:.1f} "
        f"| {r.process_seconds / r.anchor_seconds:.1f}× |",
        f"| **Gesamt** | **{r.total_seconds:.1f}** | **{r.ratio:.1f}×** |",
        "",
        f"{n(rate)} Personen/s; erledigt {n(r.done)}, übersprungen {r.skipped}, fehlgeschlagen {r.failed}; "
        f"{n(r.audit_events)} Protokolleinträge; Kohorte per COPY in {r.cohort_seconds:.0f} s angelegt.",
        "Prüfungen: " + ", ".join(f"{k} {'✓' if v else '✗'}" for k, v in r.checks.items()),
        f"Ziel < 120 s: {'✓' if r.total_seconds < 120 else '✗'}",
    ]
    if r.crash:
        c = r.crash
        lines += ["", f"Absturzprobe ({n(c['persons'])} Personen): beide Worker nach {n(c['done_when_killed'])} "
                      f"erledigten Personen mit SIGKILL beendet ({n(c['leased_when_killed'])} Personen noch verpachtet, Auftrag "
                      f"{c['task_state_after_kill']}); Reaper reiht neu ein: {'✓' if c['requeued'] else '✗'}; "
                      f"neuer Worker: {c['job_state']}. "
                  + ", ".join(f"{k} {'✓' if v else '✗'}" for k, v in c["checks"].items())]
    m = r.machine
    lines += ["", f"Maschine: {m.get('cpus')} Kerne, {m.get('memory')}, {m.get('postgres')}, "
                  f"Datenbank {m.get('database_size')}, synchronous_commit {m.get('synchronous_commit')}; "
                  f"Last {m.get('loadavg_start', [0])[0]:.1f} → {m.get('loadavg_end', [0])[0]:.1f}; "
                  f"Commit {m.get('git_commit')}"]
    return "\n".join(lines)


def main(persons: int, crash: int, output: Path | None, worker_count: int = 2) -> int:
    result = run(persons, crash=crash, worker_count=worker_count)
    print(render(result))
    out = output or ROOT / "bench" / "results" / f"handover-{result.date.replace(':', '')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    data = asdict(result)
    data["ratio"] = round(result.ratio, 2)
    out.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"\nErgebnis gespeichert: {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    ok = all(result.checks.values()) and (not result.crash or all(result.crash["checks"].values()))
    return 0 if ok else 1
