"""Bulk hand-over (Sammelübergabe): a group selected by criteria changes lead agency at one effective date,
as one background job (ADR 0008).

The job's state lives in the domain, not in the task queue: one `BulkHandOverItem` per selected person
(unique per job), pending → done / skipped(reason) / failed(reason). A worker claims a chunk of pending
items with a lease (`lease_until`), then processes the chunk set-based in one transaction that re-locks
the items, writes the hand-overs, participations and one audit event per person, and marks the items
done – all or nothing. A worker that dies leaves at most one chunk leased and nothing half-written; when
the lease expires the reaper frees the items and re-queues the job. Because every write is tied to an
item leaving `pending` under a row lock, running the job twice never handles a person twice or skips one.

Bulk hand-overs are decided acts (e.g. the statutory switch of persons with §24 residence on 01.06.2022):
each one is written completed, with participations dated from the effective date.
"""

from __future__ import annotations

import csv
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django_tasks import task, task_backends
from django_tasks.base import TaskResultStatus

from stella.accounts.models import User
from stella.agencies.models import (
    Agency,
    Function,
    Municipality,
    Region,
    RegionKind,
    Responsibility,
    Role,
)
from stella.audit import service as audit
from stella.audit.models import AuditAction
from stella.authz.policy import Category
from stella.cases.models import CaseFile, Participation, ParticipationRole
from stella.core.actor import Actor
from stella.core.errors import AccessDenied, InvalidInput, NotFound
from stella.journey import handovers as ho
from stella.journey.models import (
    BulkHandOverItem,
    BulkHandOverJob,
    BulkJobState,
    EventKind,
    HandOver,
    HandOverState,
    ItemState,
    StatusEvent,
)
from stella.journey.notify import notify
from stella.journey.sets import AnyOf, insert
from stella.journey.summary import build_summaries
from stella.people import validators
from stella.people.models import AccommodationType, Address, Nationality, Person
from stella.rules.dates import de

#: Items per chunk: one claim, one transaction, a few set-based statements.
CHUNK_SIZE = 5000
#: How long a claimed chunk is reserved for its worker; after that the reaper frees it.
LEASE_SECONDS = 300
#: A task processes chunks this long, then queues its continuation (other tasks get the worker too).
SLICE_SECONDS = 120
#: Tasks queued per job: with as many workers (`stella db-worker` processes) they claim chunks side by side
#: (two workers: about 1.7× faster on two cores); with one worker they simply run one after the other.
PARALLEL_TASKS = 2
#: How often the job's watcher looks for a stalled job (needs a backend that can defer tasks).
WATCH_SECONDS = LEASE_SECONDS
LINK = "/uebergaben/sammel/{id}/"


def link(job_id: int) -> str:
    return LINK.format(id=job_id)


# --- criteria --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Criteria:
    """Who belongs to the group. `status`: kinds of the person's latest status event on the effective date;
    `status_from`/`status_until`: bounds on that event's date; `landkreis`/`municipality`: where the person
    lives on the effective date. The receiving agency must serve the municipality anyway."""

    status: tuple[str, ...] = ()
    nationality: tuple[str, ...] = ()
    landkreis: str = ""
    municipality: str = ""
    status_from: date | None = None
    status_until: date | None = None

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"], data["nationality"] = list(self.status), list(self.nationality)
        data["status_from"] = self.status_from.isoformat() if self.status_from else None
        data["status_until"] = self.status_until.isoformat() if self.status_until else None
        return data

    def describe(self) -> str:
        parts = []
        if self.status:
            parts.append("Status: " + ", ".join(EventKind(s).label for s in self.status))
        if self.nationality:
            parts.append("Staatsangehörigkeit: " + ", ".join(self.nationality))
        if self.landkreis:
            parts.append(f"Landkreis: {self.landkreis}")
        if self.municipality:
            parts.append(f"Gemeinde: {self.municipality}")
        if self.status_from or self.status_until:
            lo = de(self.status_from) if self.status_from else "…"
            hi = de(self.status_until) if self.status_until else "…"
            parts.append(f"Status seit {lo} bis {hi}")
        return "; ".join(parts)


def _as_date(value: Any, key: str, errors: dict[str, str]) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors[key] = f"Ungültiges Datum „{value}“ (JJJJ-MM-TT)."
        return None


def _as_list(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v).strip() for v in value if str(v).strip()]


def parse_criteria(data: Mapping[str, Any]) -> Criteria:
    """Criteria from JSON/form data; every problem is a field error under `criteria.<name>`."""
    errors: dict[str, str] = {}
    unknown = set(data) - {"status", "nationality", "landkreis", "municipality", "status_from", "status_until"}
    for key in sorted(unknown):
        errors[f"criteria.{key}"] = "Unbekanntes Kriterium."
    status = _as_list(data.get("status"))
    bad = [s for s in status if s not in EventKind.values]
    if bad:
        errors["criteria.status"] = f"Unbekannter Status: {', '.join(bad)}."
    nationality = []
    for code in _as_list(data.get("nationality")):
        try:
            nationality.append(validators.validate_country(code))
        except ValidationError as exc:
            errors["criteria.nationality"] = exc.messages[0]
    landkreis = str(data.get("landkreis") or "").strip().upper()
    if landkreis and not Region.objects.filter(code=landkreis, kind=RegionKind.LANDKREIS).exists():
        errors["criteria.landkreis"] = f"Unbekannter Landkreis „{landkreis}“ (z. B. LK-LB)."
    municipality = str(data.get("municipality") or "").strip()
    if municipality and not Municipality.objects.filter(name=municipality).exists():
        errors["criteria.municipality"] = f"Unbekannte Gemeinde „{municipality}“."
    status_from = _as_date(data.get("status_from"), "criteria.status_from", errors)
    status_until = _as_date(data.get("status_until"), "criteria.status_until", errors)
    if status_from and status_until and status_until < status_from:
        errors["criteria.status_until"] = "„bis“ liegt vor „seit“."
    if (status_from or status_until) and not status:
        errors["criteria.status"] = "Ein Statusdatum setzt einen Status voraus."
    if not status and not nationality and not errors:
        errors["criteria"] = "Bitte mindestens einen Aufenthaltsstatus oder eine Staatsangehörigkeit angeben."
    if errors:
        raise InvalidInput(errors)
    return Criteria(tuple(dict.fromkeys(status)), tuple(dict.fromkeys(nationality)), landkreis, municipality,
                    status_from, status_until)


def criteria_from_json(data: Mapping[str, Any]) -> Criteria:
    return Criteria(tuple(data.get("status") or ()), tuple(data.get("nationality") or ()),
                    data.get("landkreis") or "", data.get("municipality") or "",
                    date.fromisoformat(data["status_from"]) if data.get("status_from") else None,
                    date.fromisoformat(data["status_until"]) if data.get("status_until") else None)


# --- selection ---------------------------------------------------------------------------------------

def served_municipalities(agency: Agency, function: str, on: date, criteria: Criteria | None = None) -> list[str]:
    """Names of the municipalities the agency serves for the function on the date (within the criteria's
    Landkreis/municipality)."""
    qs = (Responsibility.objects.filter(agency=agency, function=function, valid_from__lte=on)
          .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on)))
    if criteria and criteria.landkreis:
        qs = qs.filter(municipality__landkreis__code=criteria.landkreis)
    if criteria and criteria.municipality:
        qs = qs.filter(municipality__name=criteria.municipality)
    return sorted(set(qs.values_list("municipality__name", flat=True)))


def selection(criteria: Criteria, function: str, to_agency: Agency, effective: date) -> QuerySet[Person]:
    """The persons the criteria select, living on the effective date where the agency is responsible."""
    names = served_municipalities(to_agency, function, effective, criteria)
    lives = (Address.objects.filter(person=OuterRef("pk"), municipality__in=names, valid_from__lte=effective)
             .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=effective)))
    qs = Person.objects.filter(Exists(lives))
    if criteria.nationality:
        qs = qs.filter(Exists(Nationality.objects.filter(person=OuterRef("pk"), country__in=criteria.nationality,
                                                         valid_until__isnull=True)))
    if criteria.status:
        latest = (StatusEvent.objects.filter(person=OuterRef("pk"), voids=False, correction__isnull=True,
                                             effective_date__lte=effective).order_by("-effective_date", "-id"))
        qs = qs.annotate(status_kind=Subquery(latest.values("kind")[:1]),
                         status_date=Subquery(latest.values("effective_date")[:1])).filter(
            status_kind__in=criteria.status)
        if criteria.status_from:
            qs = qs.filter(status_date__gte=criteria.status_from)
        if criteria.status_until:
            qs = qs.filter(status_date__lte=criteria.status_until)
    return qs


@dataclass(frozen=True)
class Request:
    """A validated bulk request."""

    criteria: Criteria
    function: str
    to_agency: Agency
    effective_date: date
    reason: str
    legal_basis: str = ""


def _validate(actor: Actor, criteria: Mapping[str, Any] | Criteria, function: str, to_agency_id: int | None,
              effective_date: date | None, reason: str, legal_basis: str = "", *, need_reason: bool) -> Request:
    errors: dict[str, str] = {}
    parsed: Criteria | None = None
    try:
        parsed = criteria if isinstance(criteria, Criteria) else parse_criteria(criteria)
    except InvalidInput as exc:
        errors.update({k: v[0] for k, v in exc.field_errors.items()})
    if function not in Function.values:
        errors["function"] = f"Unbekannte Aufgabe „{function}“."
    agency = Agency.objects.filter(pk=to_agency_id, active=True).first() if to_agency_id else None
    if agency is None:
        errors["to_agency"] = "Unbekannte Behörde."
    try:
        ho.check_effective_date(effective_date)
    except InvalidInput as exc:
        errors.update({k: v[0] for k, v in exc.field_errors.items()})
    reason = (reason or "").strip()
    if need_reason and not reason:
        errors["reason"] = "Bitte den Anlass angeben."
    if len(reason) > 300:
        errors["reason"] = "Zu lang (höchstens 300 Zeichen)."
    if errors:
        raise InvalidInput(errors)
    assert parsed is not None and agency is not None and effective_date is not None
    _require_bulk_right(actor, agency, function)
    if not served_municipalities(agency, function, effective_date):
        raise InvalidInput({"to_agency": f"„{agency.name}“ ist am {de(effective_date)} in keiner Gemeinde für "
                                         f"„{Function(function).label}“ zuständig."})
    return Request(parsed, function, agency, effective_date, reason, legal_basis.strip()[:200])


def _require_bulk_right(actor: Actor, to_agency: Agency, function: str) -> None:
    """Team leads of the receiving agency, or of the agency handing over in the same Landkreis."""
    mine = Agency.objects.filter(pk=actor.agency_id).first() if actor.agency_id else None
    giving_kind = ho.FUNCTION_KIND.get(ho.source_function(function))
    allowed = actor.has_role(Role.TEAM_LEAD) and mine is not None and (
        mine.pk == to_agency.pk or (mine.kind == giving_kind and mine.landkreis_id == to_agency.landkreis_id))
    if not allowed:
        reason = ("Sammelübergaben legt nur die Teamleitung der übernehmenden oder der abgebenden Behörde im "
                  "selben Landkreis an.")
        audit.record_denied(actor, AuditAction.CREATE, reason=reason, object_type="bulk_handover")
        raise AccessDenied(reason)


@dataclass(frozen=True)
class Preview:
    count: int
    by_municipality: list[tuple[str, int]]
    request: Request


def preview_bulk(*, actor: Actor, criteria: Mapping[str, Any] | Criteria, function: str, to_agency_id: int | None,
                 effective_date: date | None, reason: str = "") -> Preview:
    """How many persons the criteria select (per municipality), before anything is created (audited search)."""
    req = _validate(actor, criteria, function, to_agency_id, effective_date, reason, need_reason=False)
    qs = selection(req.criteria, req.function, req.to_agency, req.effective_date)
    count = qs.count()
    by_municipality: list[tuple[str, int]] = []
    if count:
        names = served_municipalities(req.to_agency, req.function, req.effective_date, req.criteria)
        by_municipality = list(
            Address.objects.filter(person__in=qs.values("pk"), municipality__in=names,
                                   valid_from__lte=req.effective_date)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=req.effective_date))
            .values("municipality").annotate(n=Count("person", distinct=True)).order_by("municipality")
            .values_list("municipality", "n"))
    audit.record(actor, AuditAction.SEARCH, categories=[Category.RESIDENCE, Category.IDENTITY],
                 object_type="bulk_handover_preview",
                 detail={"criteria": req.criteria.as_json(), "function": req.function, "to": req.to_agency.code,
                         "effective_date": req.effective_date.isoformat(), "count": count})
    return Preview(count, by_municipality, req)


def create_bulk_job(*, actor: Actor, criteria: Mapping[str, Any] | Criteria, function: str, to_agency_id: int | None,
                    effective_date: date | None, reason: str, legal_basis: str = "",
                    start: bool = True) -> BulkHandOverJob:
    """Create the job and one item per selected person in one transaction, then queue it (after commit).
    A selection that matches nobody is refused and nothing is created."""
    req = _validate(actor, criteria, function, to_agency_id, effective_date, reason, legal_basis, need_reason=True)
    qs = selection(req.criteria, req.function, req.to_agency, req.effective_date)
    with transaction.atomic():
        job = BulkHandOverJob.objects.create(
            criteria=req.criteria.as_json(), function=req.function, to_agency=req.to_agency,
            effective_date=req.effective_date, reason=req.reason, legal_basis=req.legal_basis,
            created_by_id=actor.user_id)
        total = _insert_items(job, qs)
        if not total:
            transaction.set_rollback(True)
            raise InvalidInput({"criteria": "Die Auswahl trifft auf keine Person zu; es wurde nichts angelegt."})
        BulkHandOverJob.objects.filter(pk=job.pk).update(total=total)
        job.total = total
        audit.record(actor, AuditAction.CREATE, categories=[Category.RESIDENCE, Category.IDENTITY],
                     object_type="bulk_handover", object_id=job.pk,
                     detail={"criteria": job.criteria, "function": job.function, "to": req.to_agency.code,
                             "effective_date": job.effective_date.isoformat(), "persons": total})
        if start:
            transaction.on_commit(lambda: enqueue(job.pk, watch=True, tasks=PARALLEL_TASKS))
    return job


def _insert_items(job: BulkHandOverJob, qs: QuerySet[Person]) -> int:
    """One INSERT … SELECT: the items are written by the database, not row by row from Python."""
    inner, params = qs.order_by("id").values("id").query.sql_with_params()  # items in person order
    q = connection.ops.quote_name
    table = q(BulkHandOverItem._meta.db_table)
    with connection.cursor() as cur:
        # Table and column names come from model metadata; values are parameters.
        cur.execute(f"INSERT INTO {table} ({q('job_id')}, {q('person_id')}, {q('state')}, {q('reason')}) "  # noqa: S608
                    f"SELECT %s, sel.{q('id')}, %s, %s FROM ({inner}) sel", [job.pk, ItemState.PENDING, "", *params])
        return int(cur.rowcount)


# --- queueing --------------------------------------------------------------------------------------------

def _backend_defers() -> bool:
    return bool(getattr(task_backends["default"], "supports_defer", False))


def enqueue(job_id: int, *, watch: bool = False, tasks: int = 1) -> str:
    """Queue the job's processing as `tasks` tasks (and, if the backend can defer, its watcher); remember the
    last task's id. Tasks of one job share its items, so they run side by side when several workers run."""
    for _ in range(max(1, tasks)):
        result = run_bulk_job.enqueue(job_id)
    BulkHandOverJob.objects.filter(pk=job_id).update(task_id=str(result.id)[:64])
    if watch and _backend_defers():
        watch_bulk_job.using(run_after=timezone.now() + timedelta(seconds=WATCH_SECONDS)).enqueue(job_id)
    return str(result.id)


def _task_waiting(job: BulkHandOverJob) -> bool:
    """Is the job's last task still waiting in the queue (so queueing another would only duplicate it)?"""
    if not job.task_id:
        return False
    try:
        status = run_bulk_job.get_result(job.task_id).status
    except Exception:  # noqa: BLE001 – unknown id, a backend without results: assume nothing waits
        return False
    return bool(status == TaskResultStatus.READY)


@task()
def run_bulk_job(job_id: int) -> dict[str, Any]:
    """Task: process the job's pending items for one time slice; queue the continuation if some remain."""
    progress = process_job(job_id, max_seconds=SLICE_SECONDS)
    if progress.more:
        enqueue(job_id)
    return progress.as_dict()


@task()
def watch_bulk_job(job_id: int) -> list[int]:
    """Task: the job's watcher – reap it if stalled, and look again later while it is not finished."""
    requeued = reap(job_id=job_id)
    job = BulkHandOverJob.objects.filter(pk=job_id).first()
    if job is not None and job.state not in (BulkJobState.DONE, BulkJobState.FAILED) and _backend_defers():
        watch_bulk_job.using(run_after=timezone.now() + timedelta(seconds=WATCH_SECONDS)).enqueue(job_id)
    return requeued


# --- processing ------------------------------------------------------------------------------------------

@dataclass
class Progress:
    job_id: int
    done: int = 0
    skipped: int = 0
    failed: int = 0
    chunks: int = 0
    more: bool = False  # stopped for the time slice with items left
    finished: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def job_actor(job: BulkHandOverJob) -> Actor:
    """The job writes on behalf of the person who created it (the audit names them)."""
    user = User.objects.select_related("agency").filter(pk=job.created_by_id).first() if job.created_by_id else None
    purpose = f"Sammelübergabe Nr. {job.pk}"
    return Actor.for_user(user, purpose=purpose) if user else Actor.system(purpose)


def process_job(job_id: int, *, max_seconds: float | None = None, chunk_size: int = CHUNK_SIZE,
                now: datetime | None = None) -> Progress:
    """Claim and process chunks until none is left (or the time slice ends). Safe to run any number of
    times, also in parallel: items are claimed with a lease and processed under a row lock."""
    job = BulkHandOverJob.objects.select_related("to_agency").filter(pk=job_id).first()
    if job is None:
        raise NotFound("Die Sammelübergabe wurde nicht gefunden.")
    progress = Progress(job_id)
    if job.state in (BulkJobState.DONE, BulkJobState.FAILED):
        progress.finished = True
        return progress
    BulkHandOverJob.objects.filter(pk=job_id, state=BulkJobState.QUEUED).update(state=BulkJobState.RUNNING)
    actor = job_actor(job)
    context = JobContext.load(job)
    started = time.monotonic()
    while True:
        claimed = claim(job_id, chunk_size, now=now)
        if not claimed:
            break
        result = process_chunk(job, actor, context, claimed)
        progress.done += result["done"]
        progress.skipped += result["skipped"]
        progress.failed += result["failed"]
        progress.chunks += 1
        if max_seconds is not None and time.monotonic() - started > max_seconds:
            progress.more = True
            return progress
    progress.finished = finish_if_complete(job_id)
    return progress


def claim(job_id: int, size: int, now: datetime | None = None) -> list[int]:
    """Reserve up to `size` pending items nobody holds (or whose lease expired) for LEASE_SECONDS."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(BulkHandOverItem.objects.select_for_update(skip_locked=True)
                   .filter(job_id=job_id, state=ItemState.PENDING)
                   .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
                   .order_by("pk").values_list("pk", flat=True)[:size])
        if ids:
            BulkHandOverItem.objects.filter(AnyOf("id", ids)).update(lease_until=now + timedelta(seconds=LEASE_SECONDS))
    return ids


@dataclass
class JobContext:
    """What every chunk of a job needs and that does not change during it: the responsibility table."""

    to_agency: Agency
    served: set[str]
    source_agency: dict[str, int]  # municipality name → agency responsible for the source function
    accommodation: dict[str, int]  # municipality name → agency of provisional accommodation
    kinds: dict[int, str] = field(default_factory=dict)  # agency id → kind

    @classmethod
    def load(cls, job: BulkHandOverJob) -> JobContext:
        eff, day_before = job.effective_date, job.effective_date - timedelta(days=1)

        def table(function: str, on: date) -> dict[str, int]:
            rows = (Responsibility.objects.filter(function=function, valid_from__lte=on)
                    .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
                    .values_list("municipality__name", "agency_id"))
            return dict(rows)

        served = {name for name, agency in table(job.function, eff).items() if agency == job.to_agency_id}
        return cls(job.to_agency, served, table(ho.source_function(job.function), day_before),
                   table(Function.ACCOMMODATION_VU, eff), dict(Agency.objects.values_list("pk", "kind")))


def process_chunk(job: BulkHandOverJob, actor: Actor, context: JobContext, item_ids: list[int]) -> dict[str, int]:
    """Process claimed items in one transaction; if that fails, item by item so one bad person cannot hold
    up the others (each failure is recorded with its reason)."""
    try:
        with transaction.atomic():
            return _process(job, actor, context, item_ids)
    except Exception:  # noqa: BLE001,S110 – isolate the failing item(s) below; BaseException (a kill) propagates
        pass
    counts = Counter({"done": 0, "skipped": 0, "failed": 0})
    for item_id in item_ids:
        try:
            with transaction.atomic():
                counts.update(_process(job, actor, context, [item_id]))
        except Exception as exc:  # noqa: BLE001 – recorded as the item's failure reason
            reason = f"Technischer Fehler: {type(exc).__name__}: {exc}"[:300]
            counts["failed"] += BulkHandOverItem.objects.filter(pk=item_id, state=ItemState.PENDING).update(
                state=ItemState.FAILED, reason=reason, lease_until=None, processed_at=timezone.now())
    return dict(counts)


def _process(job: BulkHandOverJob, actor: Actor, context: JobContext, item_ids: list[int]) -> dict[str, int]:
    """The set-based core (caller's transaction): decide per person, then write everything per chunk."""
    items = dict(BulkHandOverItem.objects.select_for_update().filter(AnyOf("id", item_ids), state=ItemState.PENDING)
                 .values_list("person_id", "pk"))  # re-locked: a lease that expired meanwhile cannot double-process
    if not items:
        return {"done": 0, "skipped": 0, "failed": 0}
    if connection.vendor == "postgresql":
        # Safe without the flush: a chunk lost in a database crash is lost with its item states, so it is
        # simply pending again (and redone); nothing can be half-written or done twice.
        with connection.cursor() as cur:
            cur.execute("SET LOCAL synchronous_commit TO OFF")
    pids = list(items)
    eff = job.effective_date
    case_files = dict(CaseFile.objects.filter(AnyOf("person_id", pids)).values_list("person_id", "pk"))
    addresses: dict[int, tuple[str, str]] = {}
    for pid, name, accommodation in (Address.objects.filter(AnyOf("person_id", pids), valid_from__lte=eff)
                                     .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=eff))
                                     .order_by("person_id", "valid_from", "id")
                                     .values_list("person_id", "municipality", "accommodation")):
        addresses[pid] = (name, accommodation)
    open_ones = dict(HandOver.objects.filter(AnyOf("person_id", pids), function=job.function, state__in=ho.OPEN_STATES)
                     .values_list("person_id", "pk"))
    leads: dict[int, list[tuple[int, date]]] = defaultdict(list)  # case file → (agency, since) of open leads
    for file_id, agency, since in (Participation.objects.filter(AnyOf("case_file_id", case_files.values()),
                                                                role=ParticipationRole.LEAD)
                                   .filter(Q(until__isnull=True) | Q(until__gte=eff))
                                   .values_list("case_file_id", "agency_id", "since")):
        leads[file_id].append((agency, since))
    giving_kind = ho.FUNCTION_KIND.get(ho.source_function(job.function))
    to_id = context.to_agency.pk
    moves: list[ho.Move] = []
    skipped: dict[str, list[int]] = defaultdict(list)
    for pid in pids:
        cf = case_files.get(pid)
        address = addresses.get(pid)
        if cf is None:
            skipped["Keine Fallakte."].append(pid)
            continue
        if address is None:
            skipped[f"Keine Anschrift am {de(eff)}."].append(pid)
            continue
        if address[0] not in context.served:
            skipped[f"Die Gemeinde „{address[0]}“ wird am {de(eff)} nicht von „{context.to_agency.name}“ "
                    f"betreut."].append(pid)
            continue
        if pid in open_ones:
            skipped[f"Es gibt bereits eine offene Übergabe (Nr. {open_ones[pid]})."].append(pid)
            continue
        current = sorted((lead for lead in leads.get(cf, []) if context.kinds.get(lead[0]) == giving_kind),
                         key=lambda lead: lead[1])
        from_id = current[-1][0] if current else context.source_agency.get(address[0])
        receiver_leads = any(agency == to_id for agency, _ in leads.get(cf, []))
        giver_leads = from_id is not None and from_id != to_id and any(a == from_id for a, _ in leads.get(cf, []))
        if receiver_leads and not giver_leads:
            skipped[f"„{context.to_agency.name}“ ist bereits federführend."].append(pid)
            continue
        accommodating = (address[1] == AccommodationType.VORLAEUFIG and from_id is not None
                         and context.accommodation.get(address[0]) == from_id)
        moves.append(ho.Move(pid, cf, job.function, from_id, to_id, eff, still_accommodating=accommodating))
    entries = _write(job, actor, moves) if moves else []
    now = timezone.now()
    if entries:
        BulkHandOverItem.objects.filter(AnyOf("id", [items[m.person_id] for m in moves])).update(
            state=ItemState.DONE, reason="", lease_until=None, processed_at=now)
    for reason, persons in skipped.items():
        BulkHandOverItem.objects.filter(AnyOf("id", [items[pid] for pid in persons])).update(
            state=ItemState.SKIPPED, reason=reason[:300], lease_until=None, processed_at=now)
    # Last: the audit chain's head stays locked from here to the commit, so parallel workers wait briefly.
    audit.record_many(actor, AuditAction.CREATE, entries)
    return {"done": len(moves), "skipped": sum(len(v) for v in skipped.values()), "failed": 0}


def _write(job: BulkHandOverJob, actor: Actor, moves: list[ho.Move]) -> list[audit.Entry]:
    """Hand-overs (completed) and participations, set-based; returns one audit entry per person."""
    now = timezone.now()
    summaries = build_summaries([m.person_id for m in moves], job.to_agency)
    ids = dict(zip([m.person_id for m in moves], insert(HandOver, [
        {"person_id": m.person_id, "function": job.function, "from_agency_id": m.from_agency_id,
         "to_agency_id": m.to_agency_id, "reason": job.reason, "legal_basis": job.legal_basis,
         "effective_date": m.effective_date, "summary": summaries[m.person_id], "state": HandOverState.COMPLETED,
         "trigger_id": None, "rerouted_from_id": None, "bulk_job_id": job.pk, "decision_note": "",
         "created_at": now, "created_by_id": job.created_by_id, "decided_at": now,
         "decided_by_id": job.created_by_id, "completed_at": now, "version": 1}
        for m in moves]), strict=True))
    ho.grant_leads(moves, actor)
    changes = ho.end_leads(moves, actor)
    codes = dict(Agency.objects.filter(pk__in={m.from_agency_id for m in moves if m.from_agency_id})
                 .values_list("pk", "code"))
    return [audit.Entry(person_id=m.person_id, categories=tuple(summaries[m.person_id]["categories"]),
                        object_type="handover", object_id=ids[m.person_id],
                        detail={"bulk_job": job.pk, "function": job.function, "state": HandOverState.COMPLETED,
                                "from": codes.get(m.from_agency_id or 0), "to": job.to_agency.code,
                                "effective_date": m.effective_date.isoformat(),
                                "participations": changes.get(m.person_id, [])})
            for m in moves]


def finish_if_complete(job_id: int) -> bool:
    """Mark the job done once no item is pending; exactly one caller wins (and notifies)."""
    if BulkHandOverItem.objects.filter(job_id=job_id, state=ItemState.PENDING).exists():
        return False
    with transaction.atomic():
        won = BulkHandOverJob.objects.filter(pk=job_id).exclude(state=BulkJobState.DONE).update(
            state=BulkJobState.DONE, finished_at=timezone.now())
        if not won:
            return True
        job = BulkHandOverJob.objects.select_related("to_agency").get(pk=job_id)
        counts = item_counts(job_id)
        audit.record(job_actor(job), AuditAction.UPDATE, object_type="bulk_handover", object_id=job_id,
                     detail={"state": BulkJobState.DONE, **counts})
        users: list[User | int] = list(User.objects.filter(agency=job.to_agency, is_active=True,
                                                           role_assignments__role=Role.TEAM_LEAD).distinct())
        if job.created_by_id:
            users.append(job.created_by_id)
        notify(users, "bulk_handover",
               f"Sammelübergabe Nr. {job_id} fertig: {counts['done']} übergeben, {counts['skipped']} übersprungen, "
               f"{counts['failed']} fehlgeschlagen", link(job_id))
    return True


# --- reaper ----------------------------------------------------------------------------------------------

def reap(*, now: datetime | None = None, job_id: int | None = None) -> list[int]:
    """Free the items of workers whose lease expired and re-queue every job that has pending items but
    no live worker (no valid lease, no recent progress, no task waiting in the queue). Returns the ids of
    the jobs queued again. Safe to run any time: a duplicate task finds nothing left to claim."""
    now = now or timezone.now()
    jobs = BulkHandOverJob.objects.filter(state__in=[BulkJobState.QUEUED, BulkJobState.RUNNING])
    if job_id is not None:
        jobs = jobs.filter(pk=job_id)
    requeued = []
    for job in jobs:
        items = BulkHandOverItem.objects.filter(job=job, state=ItemState.PENDING)
        freed = items.filter(lease_until__lt=now).update(lease_until=None)
        if not items.exists():
            finish_if_complete(job.pk)
            continue
        if items.filter(lease_until__gte=now).exists() or _task_waiting(job):
            continue
        last = BulkHandOverItem.objects.filter(job=job).aggregate(m=Max("processed_at"))["m"]
        if not freed and last is not None and last > now - timedelta(seconds=LEASE_SECONDS):
            continue  # a live worker between two chunks
        enqueue(job.pk, tasks=PARALLEL_TASKS)
        audit.record(Actor.system("Sammelübergabe fortsetzen"), AuditAction.UPDATE, object_type="bulk_handover",
                     object_id=job.pk, detail={"requeued": True, "freed_items": freed})
        requeued.append(job.pk)
    return requeued


# --- reading -------------------------------------------------------------------------------------------

def item_counts(job_id: int, now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    counts = dict(BulkHandOverItem.objects.filter(job_id=job_id).values_list("state").annotate(
        n=Count("id")).order_by())
    leased = BulkHandOverItem.objects.filter(job_id=job_id, state=ItemState.PENDING, lease_until__gte=now).count()
    out = {s: counts.get(s, 0) for s in ItemState.values}
    out["in_progress"] = leased
    return out


def _may_see(actor: Actor, job: BulkHandOverJob) -> bool:
    if not actor.roles.intersection({Role.TEAM_LEAD, Role.CASEWORKER, Role.BENEFITS}) or actor.agency_id is None:
        return False
    if actor.agency_id == job.to_agency_id or (actor.user_id and actor.user_id == job.created_by_id):
        return True
    if job.created_by_id is None:
        return False
    creator_agency = User.objects.filter(pk=job.created_by_id).values_list("agency_id", flat=True).first()
    return creator_agency == actor.agency_id


def access_job(actor: Actor, job_id: int) -> BulkHandOverJob:
    """A job the actor's agency receives or created; anything else looks missing (audited)."""
    job = BulkHandOverJob.objects.select_related("to_agency", "created_by").filter(pk=job_id).first()
    if job is None:
        raise NotFound("Die Sammelübergabe wurde nicht gefunden.")
    if not _may_see(actor, job):
        audit.record_denied(actor, AuditAction.READ, reason="Die Behörde ist an dieser Sammelübergabe nicht beteiligt.",
                            object_type="bulk_handover", object_id=job_id)
        raise NotFound("Die Sammelübergabe wurde nicht gefunden.")
    return job


@dataclass(frozen=True)
class JobStatus:
    job: BulkHandOverJob
    counts: dict[str, int]
    criteria: Criteria
    stalled: bool

    @property
    def processed(self) -> int:
        return self.counts["done"] + self.counts["skipped"] + self.counts["failed"]

    @property
    def percent(self) -> int:
        return int(100 * self.processed / self.job.total) if self.job.total else 100


def job_status(*, actor: Actor, job_id: int) -> JobStatus:
    """Progress of a job: items per state, and whether it looks stalled (pending, nobody working)."""
    job = access_job(actor, job_id)
    counts = item_counts(job_id)
    stalled = False
    if job.state in (BulkJobState.QUEUED, BulkJobState.RUNNING) and counts["pending"] and not counts["in_progress"]:
        last = BulkHandOverItem.objects.filter(job_id=job_id).aggregate(m=Max("processed_at"))["m"] or job.created_at
        stalled = last < timezone.now() - timedelta(seconds=LEASE_SECONDS) and not _task_waiting(job)
    return JobStatus(job, counts, criteria_from_json(job.criteria), stalled)


def resume_job(*, actor: Actor, job_id: int) -> bool:
    """A team lead asks a stalled job to go on (what the reaper does on its own round)."""
    job = access_job(actor, job_id)
    if not actor.has_role(Role.TEAM_LEAD):
        reason = "Nur die Teamleitung kann eine Sammelübergabe fortsetzen."
        audit.record_denied(actor, AuditAction.UPDATE, reason=reason, object_type="bulk_handover", object_id=job_id)
        raise AccessDenied(reason)
    return job.pk in reap(job_id=job.pk)


def jobs_for(*, actor: Actor) -> QuerySet[BulkHandOverJob]:
    """Jobs the actor's agency receives or created, newest first (no person data: not an audited read)."""
    if actor.agency_id is None or not actor.roles.intersection({Role.TEAM_LEAD, Role.CASEWORKER, Role.BENEFITS}):
        return BulkHandOverJob.objects.none()
    mine = Q(to_agency_id=actor.agency_id) | Q(created_by__agency_id=actor.agency_id)
    return BulkHandOverJob.objects.filter(mine).select_related("to_agency", "created_by").order_by("-created_at")


def job_items(*, actor: Actor, job_id: int, state: str = "") -> QuerySet[BulkHandOverItem]:
    """The per-person result (audited read of base identity: the report names persons)."""
    if state and state not in ItemState.values:
        raise InvalidInput({"state": f"Unbekannter Stand „{state}“."})
    job = access_job(actor, job_id)
    qs = BulkHandOverItem.objects.filter(job=job)
    if state:
        qs = qs.filter(state=state)
    audit.record_read(actor, person_id=None, categories=[Category.IDENTITY], object_type="bulk_handover_items",
                      object_id=job_id, detail={"state": state})
    return qs.select_related("person").prefetch_related("person__names").order_by("pk")


REPORT_HEADER = ["person_id", "name", "geburtsdatum", "stand", "grund", "uebergabe_id", "bearbeitet_am"]


def report_rows(*, actor: Actor, job_id: int) -> Iterator[list[str]]:
    """The report as CSV rows (header first), read in batches; the export is audited."""
    job = access_job(actor, job_id)
    audit.record(actor, AuditAction.EXPORT, categories=[Category.IDENTITY], object_type="bulk_handover_report",
                 object_id=job_id)
    return _rows(job)


def _rows(job: BulkHandOverJob) -> Iterator[list[str]]:
    yield REPORT_HEADER
    last = 0
    while True:
        batch = list(BulkHandOverItem.objects.filter(job=job, pk__gt=last).select_related("person")
                     .prefetch_related("person__names").order_by("pk")[:CHUNK_SIZE])
        if not batch:
            return
        handovers = dict(HandOver.objects.filter(bulk_job=job, person_id__in=[i.person_id for i in batch])
                         .values_list("person_id", "pk"))
        for item in batch:
            name = item.person.primary_name
            yield [str(item.person_id), name.display if name else "", item.person.birth_date_display,
                   ItemState(item.state).label, item.reason, str(handovers.get(item.person_id, "")),
                   timezone.localtime(item.processed_at).strftime("%d.%m.%Y %H:%M") if item.processed_at else ""]
        last = batch[-1].pk


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterator[list[str]]) -> Iterator[str]:
    """CSV text (UTF-8 with BOM, header row, `;` as German spreadsheets expect), streamed row by row."""
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff"
    for row in rows:
        yield writer.writerow(row)


__all__ = [
    "CHUNK_SIZE", "LEASE_SECONDS", "Criteria", "JobStatus", "Preview", "Progress", "access_job", "claim",
    "create_bulk_job", "csv_lines", "enqueue", "finish_if_complete", "item_counts", "job_items", "job_status", "jobs_for",
    "parse_criteria", "preview_bulk", "process_job", "reap", "report_rows", "resume_job", "run_bulk_job",
    "selection", "watch_bulk_job",
]
