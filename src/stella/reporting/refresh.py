"""The incremental refresh of the reporting facts and cells (docs/reporting-facts.md).

The audit trail says which persons changed: every write of personal data is audited with the person's id, bulk
demo loads name their person range, an offer change touches the persons enrolled in it. `refresh` recomputes
the facts of those persons (`facts.store`), rebuilds the cells from the earliest month that changed
(`cube.build`) and moves the watermark `RefreshState.audit_id` (an `AuditEvent.seq`, gap-free in commit order)
– all in one transaction, so a failure changes nothing but `last_error`. Facts also depend on the passage of
time (follow-up flags after 3 and 12 months, anniversaries of arrival, the month becoming complete), so the
first refresh of a new month rebuilds all facts (`full`), chunk by chunk; the watermark of a full run is taken
before it starts, so writes during the rebuild are picked up by the next run. One refresh at a time: a lease
(`running_since`) taken under `select_for_update`; a lease older than an hour is stale and taken over. A full
run renews it after every chunk of facts (at 1,000,000 persons the facts alone take longer than the lease), so
only the cells phase must fit into one lease.

Every run that read the histories is itself audited (one system event, object_type `reporting_refresh`, with
what it did – no person named, so `changed_persons` passes over it); the watermark includes that event when no
other write came between.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min, Subquery
from django.utils import timezone

from stella.audit import service as audit
from stella.audit.models import AuditAction, AuditEvent
from stella.core.actor import Actor
from stella.core.errors import DomainError
from stella.offers.models import Enrolment, Offer
from stella.people.models import HouseholdMember, Person
from stella.reporting import facts
from stella.reporting.cube import last_complete_month, month_start
from stella.reporting.models import RefreshState

log = logging.getLogger(__name__)

#: A lease older than this belongs to a worker that died (django-tasks issue #46): it is taken over.
LEASE = timedelta(hours=1)
#: Audit actions that change nothing.
NOT_WRITES = frozenset({AuditAction.READ, AuditAction.SEARCH, AuditAction.LOGIN, AuditAction.LOGOUT,
                        AuditAction.LOGIN_FAILED, AuditAction.TOKEN, AuditAction.EXPORT})
#: More changed persons than this are rebuilt in chunks (a full run) rather than in one transaction.
MAX_INCREMENTAL = 20_000
_RANGE = re.compile(r"^(\d+)-(\d+)$")


class RefreshBusy(DomainError):
    """Another refresh holds the lease."""

    status = 409
    title = "Aktualisierung läuft bereits"

    def __init__(self, message: str) -> None:
        super().__init__(message, code="busy")


@dataclass
class RefreshResult:
    full: bool = False
    persons: int = 0
    dirty_from: date | None = None  # earliest changed date of the facts (None: no change)
    cells: int | None = None  # cells written (None: cells were current, nothing rebuilt)
    audit_id: int = 0
    data_until: date | None = None
    reasons: list[str] = field(default_factory=list)


def state_row(*, lock: bool = False) -> RefreshState:
    """The one RefreshState row (created on first use)."""
    qs = RefreshState.objects.order_by("pk")
    if lock:
        qs = qs.select_for_update()
    state = qs.first()
    if state is None:
        RefreshState.objects.create()
        state = qs.first()
        assert state is not None
    return state


def _acquire(now: datetime) -> RefreshState:
    with transaction.atomic():
        state = state_row(lock=True)
        if state.running_since is not None and state.running_since > now - LEASE:
            since = timezone.localtime(state.running_since).strftime("%d.%m.%Y %H:%M")
            raise RefreshBusy(f"Die Auswertungen werden bereits aktualisiert (seit {since}). Bitte später erneut "
                              "versuchen.")
        RefreshState.objects.filter(pk=state.pk).update(running_since=now)
        state.running_since = now
    return state


def _renew(pk: int) -> None:
    """Keep the lease of a long run alive (committed at once: the run's chunks are their own transactions)."""
    RefreshState.objects.filter(pk=pk, running_since__isnull=False).update(running_since=timezone.now())


def _release(pk: int, error: str = "") -> None:
    with transaction.atomic():
        RefreshState.objects.filter(pk=pk).update(running_since=None, **({"last_error": error[:2000]} if error else {}))


def audit_head() -> int:
    return AuditEvent.objects.aggregate(m=Max("seq"))["m"] or 0


@dataclass
class Changes:
    persons: set[int] = field(default_factory=set)
    full: bool = False
    reasons: list[str] = field(default_factory=list)
    #: cells to rebuild from this day even if no person's facts change (offer seats come from the offers)
    dirty: date | None = None


def _range(event_detail: dict[str, Any], object_id: str) -> tuple[int, int] | None:
    first, last = event_detail.get("first_person_id"), event_detail.get("last_person_id")
    if isinstance(first, int) and isinstance(last, int):
        return first, last
    m = _RANGE.match(object_id or "")
    return (int(m.group(1)), int(m.group(2))) if m else None


def changed_persons(after: int, upto: int) -> Changes:
    """The persons named by the write events with after < seq <= upto (or a full rebuild when a bulk write does
    not say whom it touched)."""
    out = Changes()
    offers: set[int] = set()
    ranges: list[tuple[int, int]] = []
    rows = (AuditEvent.objects.filter(seq__gt=after, seq__lte=upto).exclude(action__in=NOT_WRITES)
            .values_list("person_id", "object_type", "object_id", "detail").order_by("seq"))
    for person_id, object_type, object_id, detail in rows.iterator(chunk_size=5000):
        if person_id is not None:
            out.persons.add(int(person_id))
        elif object_type.startswith("demo_"):
            span = _range(detail if isinstance(detail, dict) else {}, object_id)
            if span is None:
                out.full = True
                out.reasons.append(f"Sammelimport „{object_type}“ ohne Personenbereich")
            else:
                ranges.append(span)
        elif object_type in ("merge", "unmerge"):
            out.full = True
            out.reasons.append("Zusammenführung ohne Person")
        elif object_type == "offer" and object_id.isdigit():
            offers.add(int(object_id))  # dates of an offer decide seats, activation and course starts
    for first, last in ranges:
        if last - first >= MAX_INCREMENTAL:
            out.full = True
            out.reasons.append(f"Sammelimport von {last - first + 1} Personen")
            return out
        out.persons.update(Person.objects.filter(pk__gte=first, pk__lte=last).values_list("pk", flat=True))
    if offers:
        out.persons.update(Enrolment.objects.filter(offer_id__in=offers).values_list("person_id", flat=True))
        out.dirty = Offer.objects.filter(pk__in=offers).aggregate(m=Min("starts_on"))["m"]
    out.persons |= household_members(out.persons)
    if len(out.persons) > MAX_INCREMENTAL:
        out.full = True
        out.reasons.append(f"{len(out.persons)} geänderte Personen")
    return out


def household_members(persons: set[int]) -> set[int]:
    """Everyone who ever shared a household with these persons: a member joining or leaving changes the
    others' single-parent attribute and household."""
    found: set[int] = set()
    ids = sorted(persons)
    for n in range(0, len(ids), facts.CHUNK):
        own = HouseholdMember.objects.filter(person_id__in=ids[n:n + facts.CHUNK]).values("household_id")
        found.update(HouseholdMember.objects.filter(household_id__in=Subquery(own)).values_list("person_id", flat=True))
    return found


def _cells_since(dirty: date | None, today: date) -> date | None:
    """The first month whose cells must be rebuilt (not before the window the cube keeps)."""
    if dirty is None:
        return None
    limit = int(getattr(settings, "STELLA_REPORTING_MONTHS", 60))
    last = last_complete_month(today)
    index = last.year * 12 + last.month - 1 - (limit - 1)
    earliest = date(index // 12, index % 12 + 1, 1)
    return max(month_start(dirty), earliest)


def _build_cells(since: date | None, today: date, *, everything: bool = False) -> int:
    from stella.reporting import cube

    if everything:  # from the first month with facts, within the window the cube keeps (relative to `today`)
        since = _cells_since(cube.data_start(), today)
    if since is None or since > last_complete_month(today):
        return 0
    return int(cube.build(since=since, until=last_complete_month(today)))


def _all_person_ids() -> Iterable[list[int]]:
    last = 0
    while True:
        ids = list(Person.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:facts.CHUNK])
        if not ids:
            return
        yield ids
        last = ids[-1]


def needs_full(state: RefreshState, today: date) -> str:
    """Why the facts must be rebuilt completely ('' if not): never built, or a new month began since."""
    if state.full_at is None:
        return "noch nie vollständig berechnet"
    if month_start(timezone.localtime(state.full_at).date()) < month_start(today):
        return "neuer Monat seit der letzten vollständigen Berechnung"
    return ""


def refresh(*, full: bool = False, today: date | None = None) -> RefreshResult:
    """Bring facts and cells up to date (see the module docstring). Raises RefreshBusy while another refresh
    runs; any other failure is recorded in `RefreshState.last_error` and re-raised, with nothing changed."""
    today = today or timezone.localdate()
    now = timezone.now()
    state = _acquire(now)
    try:
        result = _run(state, full=full, today=today, now=now)
    except Exception as exc:
        _release(state.pk, error=f"{timezone.localtime(now):%d.%m.%Y %H:%M}: {type(exc).__name__}: {exc}")
        raise
    _release(state.pk)
    return result


def _run(state: RefreshState, *, full: bool, today: date, now: datetime) -> RefreshResult:
    result = RefreshResult()
    why = "auf Anforderung" if full else needs_full(state, today)
    head = audit_head()  # taken before reading anything: later writes are for the next run
    changes = Changes() if why else changed_persons(state.audit_id, head)
    if changes.full:
        why = "; ".join(changes.reasons)
    result.audit_id, result.data_until = head, last_complete_month(today)
    if why:
        result.full, result.reasons = True, [why]
        for ids in _all_person_ids():  # each chunk its own transaction (facts.store)
            facts.store(ids, today=today, compare=False)
            result.persons += len(ids)
            _renew(state.pk)
        with transaction.atomic():
            result.cells = _build_cells(None, today, everything=True)
            head = result.audit_id = _record(result, head)
            RefreshState.objects.filter(pk=state.pk).update(
                audit_id=head, dirty_from=None, refreshed_at=now, full_at=now, data_until=result.data_until,
                last_error="")
        log.info("reporting refresh (full: %s): %d persons, %s cells", why, result.persons, result.cells)
        return result
    with transaction.atomic():
        current = state_row(lock=True)
        dirty = facts.store(sorted(changes.persons), today=today) if changes.persons else None
        result.persons, result.dirty_from = len(changes.persons), dirty
        pending = min((d for d in (dirty, changes.dirty, current.dirty_from) if d is not None), default=None)
        since = _cells_since(pending, today)
        result.cells = _build_cells(since, today) if since is not None else None
        keep = None
        if pending is not None and month_start(pending) > last_complete_month(today):
            keep = month_start(pending)  # a change in the current month: its cells are built once it is complete
        if result.persons or result.cells is not None:  # a run that read no history writes no event
            head = result.audit_id = _record(result, head)
        RefreshState.objects.filter(pk=current.pk).update(
            audit_id=head, dirty_from=keep, refreshed_at=now, data_until=result.data_until, last_error="")
    log.info("reporting refresh: %d persons, dirty from %s, %s cells", result.persons, dirty, result.cells)
    return result


def _record(result: RefreshResult, head: int) -> int:
    """Audit the run (a system process that read the histories of `result.persons` persons and wrote derived
    aggregates) and return the new watermark: the event's own seq when nothing else was written since `head`."""
    event = audit.record(
        Actor.system("Auswertungen aktualisieren"), AuditAction.UPDATE, object_type="reporting_refresh",
        object_id=result.data_until.isoformat() if result.data_until else "",
        detail={"full": result.full, "persons": result.persons, "cells": result.cells,
                "dirty_from": result.dirty_from.isoformat() if result.dirty_from else None,
                "reasons": result.reasons, "audit_from": head})
    return event.seq if event.seq == head + 1 else head


def status() -> RefreshState:
    """The refresh state (for `stella reporting status` and the dashboard's "Stand")."""
    return state_row()


__all__ = ["LEASE", "RefreshBusy", "RefreshResult", "changed_persons", "needs_full", "refresh", "status"]
