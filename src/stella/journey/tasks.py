"""Tasks (Wiedervorlage): created by hand, by hand-overs and by deadlines; assigned to a user or a team
of one agency; completed, cancelled or reassigned. Also the deadline scan (`scan_deadlines`).

Visibility: a task is seen only by users of its agency who hold a case role; a task linked to a person
also needs the right to read that file's counselling category (tasks and appointments belong to
Category.COUNSELLING), writing one the right to write it. Anything else is answered like a missing
task (NotFound) and the refusal is audited. Reads and writes are audited; notifications to the new
assignee go through `journey.notify`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_tasks import task as background_task

from stella import rules
from stella.accounts.models import User
from stella.agencies.models import Agency, AgencyKind, Function, Role
from stella.audit import service as audit
from stella.audit.models import AuditAction
from stella.authz.policy import CASE_ROLES, LEGAL_BASIS, Action, Category, FileContext, decide
from stella.cases.access import access_person, check, file_context, today
from stella.cases.models import Consent, Participation, ParticipationRole
from stella.core.actor import Actor
from stella.core.errors import AccessDenied, InvalidInput, NotFound
from stella.journey.models import EventKind, StatusEvent, Task, TaskSource, TaskState
from stella.journey.notify import mark_link_read, notify
from stella.journey.status import EventFact, Situation, State, TransitionError, fold
from stella.people.models import AccommodationType, Address, IdentityDocument, Person, Relationship
from stella.rules.dates import add_months, de, period_end
from stella.rules.model import Dated, Provenance

COUNSELLING = Category.COUNSELLING
MAX_DUE_YEARS = 10
NOTIFY_KIND = "task"


def task_link(task_id: int) -> str:
    """Where a task is shown in the web UI (used in notifications)."""
    return f"/aufgaben/{task_id}/"


# ---------------------------------------------------------------------------------------------------------------
# Access


def _require_case_role(actor: Actor) -> int:
    """The actor's agency id, if the actor works on files at all."""
    if actor.agency_id is None or not actor.roles.intersection(CASE_ROLES):
        raise AccessDenied("Ihre Rolle hat keinen Zugriff auf Aufgaben und Termine.")
    return actor.agency_id


def readable_person_ids(actor: Actor, person_ids: Iterable[int], action: Action = Action.READ,
                        category: Category = COUNSELLING) -> set[int]:
    """Of the given persons, those whose `category` the actor may read (or write) – the policy's
    `decide()` per person, with the file contexts loaded in two queries instead of two per person."""
    ids = sorted({pid for pid in person_ids if pid is not None})
    if not ids or actor.agency_id is None:
        return set()
    on = today()
    roles: dict[int, set[str]] = defaultdict(set)
    consented: dict[int, set[Category]] = defaultdict(set)
    for chunk in _chunks(ids, 500):
        for pid, role in (Participation.objects.active_on(on)
                          .filter(case_file__person_id__in=chunk, agency_id=actor.agency_id)
                          .values_list("case_file__person_id", "role")):
            roles[pid].add(role)
        for pid, cats in (Consent.objects.valid_on(on)
                          .filter(case_file__person_id__in=chunk, agencies=actor.agency_id)
                          .values_list("case_file__person_id", "categories")):
            consented[pid].update(Category(c) for c in cats if c in Category._value2member_map_)
    allowed = set()
    for pid in ids:
        found = roles.get(pid, set())
        participation = "lead" if "lead" in found else (next(iter(found)) if found else None)
        ctx = FileContext(participation=participation, consented=frozenset(consented.get(pid, set())))
        if decide(actor, action, category, ctx).allowed:
            allowed.add(pid)
    return allowed


def _chunks(items: Sequence[int], size: int) -> Iterable[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _deny(actor: Actor, task: Task | None, reason: str, action: str = AuditAction.READ) -> NotFound:
    audit.record_denied(actor, action, reason=reason, person_id=task.person_id if task else None,
                        categories=[COUNSELLING], object_type="task", object_id=task.pk if task else "")
    return NotFound("Die Aufgabe wurde nicht gefunden.")


def _fetch(actor: Actor, task_id: int, action: Action) -> Task:
    """A task the actor may see (and, for WRITE, change), or NotFound – refusals audited. Called outside
    the write's transaction, so that the audited refusal is not rolled back with it."""
    _require_case_role(actor)
    task = Task.objects.select_related("person", "assignee", "agency").filter(pk=task_id).first()
    if task is None:
        raise NotFound("Die Aufgabe wurde nicht gefunden.")
    audit_action = AuditAction.READ if action is Action.READ else AuditAction.UPDATE
    if task.agency_id != actor.agency_id:
        raise _deny(actor, task, "Aufgabe einer anderen Behörde.", audit_action)
    if task.person_id is not None:
        ctx = file_context(actor, task.person_id)
        decision = decide(actor, action, COUNSELLING, ctx)
        if not decision:
            if action is Action.WRITE and decide(actor, Action.READ, COUNSELLING, ctx):
                # Visible but not changeable: say why instead of pretending it is missing.
                audit.record_denied(actor, audit_action, reason=decision.reason, person_id=task.person_id,
                                    categories=[COUNSELLING], object_type="task", object_id=task.pk)
                raise AccessDenied(decision.reason)
            raise _deny(actor, task, decision.reason, audit_action)
    return task


def visible_tasks(actor: Actor, base: QuerySet[Task] | None = None) -> QuerySet[Task]:
    """Tasks of the actor's agency that the actor may read (person-linked ones need COUNSELLING)."""
    agency_id = _require_case_role(actor)
    qs = (base if base is not None else Task.objects.all()).filter(agency_id=agency_id)
    person_ids = qs.filter(person__isnull=False).values_list("person_id", flat=True).distinct()
    readable = readable_person_ids(actor, list(person_ids))
    return qs.filter(Q(person__isnull=True) | Q(person_id__in=readable))


def get_task(*, actor: Actor, task_id: int) -> Task:
    """One task (audited read); the user's notifications about it count as read."""
    task = _fetch(actor, task_id, Action.READ)
    audit.record_read(actor, person_id=task.person_id, categories=[COUNSELLING], object_type="task",
                      object_id=task.pk)
    if actor.user_id is not None:  # opening the task reads its notifications
        mark_link_read(actor.user_id, task_link(task.pk))
    return task


# ---------------------------------------------------------------------------------------------------------------
# Lists


def _team_of(actor: Actor) -> str:
    if actor.user_id is None:
        return ""
    return User.objects.filter(pk=actor.user_id).values_list("team", flat=True).first() or ""


def _listed(actor: Actor, qs: QuerySet[Task], view: str, person_id: int | None = None) -> QuerySet[Task]:
    audit.record_read(actor, person_id=person_id, categories=[COUNSELLING], object_type="tasks",
                      detail={"view": view})
    return qs.select_related("person", "assignee", "agency").prefetch_related("person__names").order_by(
        "due_date", "id")


def my_tasks(*, actor: Actor, state: str = TaskState.OPEN) -> dict[str, QuerySet[Task]]:
    """'Meine Aufgaben': assigned to me; to my team without a named assignee; or to nobody in my agency
    (e.g. deadline tasks waiting to be taken). Each list is ordered by due date, so overdue work comes first."""
    _require_case_role(actor)
    base = Task.objects.filter(state=state) if state else Task.objects.all()
    team = _team_of(actor)
    mine = visible_tasks(actor, base.filter(assignee_id=actor.user_id))
    team_qs = (visible_tasks(actor, base.filter(assignee__isnull=True, team=team)) if team
               else Task.objects.none())
    unassigned = visible_tasks(actor, base.filter(assignee__isnull=True, team=""))
    audit.record_read(actor, person_id=None, categories=[COUNSELLING], object_type="tasks",
                      detail={"view": "mine", "state": state})
    order = ("due_date", "id")
    rel = ("person", "assignee", "agency")
    return {
        "mine": mine.select_related(*rel).prefetch_related("person__names").order_by(*order),
        "team": team_qs.select_related(*rel).prefetch_related("person__names").order_by(*order),
        "unassigned": unassigned.select_related(*rel).prefetch_related("person__names").order_by(*order),
    }


def is_team_lead(actor: Actor) -> bool:
    return actor.has_role(Role.TEAM_LEAD) and actor.agency_id is not None


def team_tasks(*, actor: Actor, state: str = TaskState.OPEN) -> QuerySet[Task]:
    """The team view for team leads: open work of the lead's team (tasks of the team and of its members,
    and the agency's unassigned ones); a lead without a team sees the whole agency."""
    agency_id = _require_case_role(actor)
    if not is_team_lead(actor):
        audit.record_denied(actor, AuditAction.READ, reason="Nur Teamleitungen sehen die Aufgaben des Teams.",
                            categories=[COUNSELLING], object_type="tasks")
        raise AccessDenied("Nur Teamleitungen sehen die Aufgaben des Teams.")
    base = Task.objects.filter(state=state) if state else Task.objects.all()
    team = _team_of(actor)
    if team:
        base = base.filter(Q(team=team) | Q(assignee__team=team, assignee__agency_id=agency_id)
                           | Q(assignee__isnull=True, team=""))
    return _listed(actor, visible_tasks(actor, base), "team")


def person_tasks(*, actor: Actor, person_id: int, include_closed: bool = True) -> QuerySet[Task]:
    """The actor's agency's tasks about one person (the file needs COUNSELLING read)."""
    agency_id = _require_case_role(actor)
    _, ctx = access_person(actor, person_id)
    check(actor, person_id, ctx, Action.READ, COUNSELLING)
    qs = Task.objects.filter(agency_id=agency_id, person_id=person_id)
    if not include_closed:
        qs = qs.filter(state=TaskState.OPEN)
    return _listed(actor, qs, "person", person_id=person_id)


@dataclass(frozen=True)
class Workload:
    """Open and overdue tasks of one assignee (or of the team / nobody) in the team view."""

    label: str  # the user's name or the team's; empty for nobody
    kind: str  # "user", "team" or "none"
    open: int
    overdue: int


def workload(tasks: Iterable[Task], on: date | None = None) -> list[Workload]:
    on = on or today()
    counts: dict[tuple[str, str], list[int]] = {}
    for t in tasks:
        if t.assignee_id:
            assert t.assignee is not None
            key = ("user", t.assignee.get_full_name() or t.assignee.get_username())
        else:
            key = ("team", t.team) if t.team else ("none", "")
        row = counts.setdefault(key, [0, 0])
        row[0] += 1
        row[1] += int(t.state == TaskState.OPEN and t.due_date < on)
    return sorted((Workload(k[1], k[0], v[0], v[1]) for k, v in counts.items()),
                  key=lambda w: (-w.overdue, -w.open, w.label))


# ---------------------------------------------------------------------------------------------------------------
# Writes


def _validate_assignment(actor: Actor, assignee_id: int | None, team: str,
                         errors: dict[str, str]) -> tuple[User | None, str]:
    agency_id = _require_case_role(actor)
    team = (team or "").strip()
    assignee = None
    if assignee_id is not None:
        assignee = User.objects.filter(pk=assignee_id, agency_id=agency_id, is_active=True).first()
        if assignee is None:
            errors["assignee"] = ("Aufgaben können nur an aktive Mitarbeitende Ihrer eigenen Behörde vergeben "
                                  "werden.")
        elif not set(assignee.role_codes()).intersection(CASE_ROLES):
            errors["assignee"] = "Diese Person arbeitet nicht mit Fallakten und kann keine Aufgaben übernehmen."
            assignee = None
    if team:
        if len(team) > 80:
            errors["team"] = "Der Teamname ist zu lang (höchstens 80 Zeichen)."
        elif not User.objects.filter(agency_id=agency_id, team=team, is_active=True).exists():
            errors["team"] = f"Das Team „{team}“ gibt es in Ihrer Behörde nicht."
        elif assignee is not None and assignee.team != team:
            errors["team"] = f"Die zuständige Person gehört nicht zum Team „{team}“."
    elif assignee is not None:
        team = assignee.team
    return assignee, team


def _validate_due(due_date: date | None, errors: dict[str, str], *, allow_past: bool = False) -> None:
    if due_date is None:
        errors["due_date"] = "Das Fälligkeitsdatum fehlt."
    elif not allow_past and due_date < today():
        errors["due_date"] = "Das Fälligkeitsdatum liegt in der Vergangenheit."
    elif due_date > today() + timedelta(days=366 * MAX_DUE_YEARS):
        errors["due_date"] = f"Das Fälligkeitsdatum liegt mehr als {MAX_DUE_YEARS} Jahre in der Zukunft."


def _validate_text(title: str, reason: str, errors: dict[str, str]) -> tuple[str, str]:
    title, reason = (title or "").strip(), (reason or "").strip()
    if not title:
        errors["title"] = "Bitte angeben, was zu tun ist."
    elif len(title) > 200:
        errors["title"] = "Die Aufgabe ist zu lang beschrieben (höchstens 200 Zeichen)."
    if len(reason) > 300:
        errors["reason"] = "Der Anlass ist zu lang (höchstens 300 Zeichen)."
    return title, reason


def _recipients(task: Task) -> list[User]:
    if task.assignee is not None:
        return [task.assignee]
    if task.team:
        return list(User.objects.filter(agency_id=task.agency_id, team=task.team, is_active=True))
    return []


def _notify(task: Task, text: str, exclude_user_id: int | None) -> None:
    users = [u for u in _recipients(task) if u.pk != exclude_user_id]
    if users:
        notify(users, NOTIFY_KIND, text, task_link(task.pk))


def _assignment_detail(task: Task) -> dict[str, Any]:
    return {"assignee": task.assignee.get_username() if task.assignee else "", "team": task.team}


def create_task(*, actor: Actor, title: str, due_date: date | None, person_id: int | None = None,
                assignee_id: int | None = None, team: str = "", reason: str = "") -> Task:
    """A task by hand. Without assignee and team it is assigned to the actor. The new assignee (or the
    team) is notified unless it is the actor."""
    agency_id = _require_case_role(actor)
    errors: dict[str, str] = {}
    title, reason = _validate_text(title, reason, errors)
    _validate_due(due_date, errors)
    assignee, team = _validate_assignment(actor, assignee_id, team, errors)
    if errors:
        raise InvalidInput(errors)
    assert due_date is not None
    person = None
    if person_id is not None:
        person, ctx = access_person(actor, person_id)
        check(actor, person_id, ctx, Action.WRITE, COUNSELLING)
    if assignee is None and not team and actor.user_id is not None:
        assignee = User.objects.filter(pk=actor.user_id).first()
        team = assignee.team if assignee else ""
    with transaction.atomic():
        task = Task.objects.create(person=person, agency_id=agency_id, team=team, assignee=assignee,
                                   title=title, reason=reason, due_date=due_date, source=TaskSource.MANUAL,
                                   created_by_id=actor.user_id)
        audit.record(actor, AuditAction.CREATE, person_id=person_id, categories=[COUNSELLING], object_type="task",
                     object_id=task.pk, detail={"due_date": due_date.isoformat(), **_assignment_detail(task)})
        _notify(task, f"Neue Aufgabe: „{title[:150]}“, fällig am {de(due_date)}.", actor.user_id)
    return task


def _locked(task_id: int) -> Task:
    return Task.objects.select_for_update(of=("self",)).select_related("assignee").get(pk=task_id)


def _close(actor: Actor, task_id: int, state: str, note: str, change: str) -> Task:
    _fetch(actor, task_id, Action.WRITE)
    with transaction.atomic():
        task = _locked(task_id)
        if task.state != TaskState.OPEN:
            raise InvalidInput({"state": f"Die Aufgabe ist bereits {TaskState(task.state).label}."})
        task.state = state
        task.done_at = timezone.now()
        task.closed_by_id = actor.user_id
        task.close_note = note
        task.save(update_fields=["state", "done_at", "closed_by", "close_note"])
        audit.record(actor, AuditAction.UPDATE, person_id=task.person_id, categories=[COUNSELLING],
                     object_type="task", object_id=task.pk, detail={"change": change, "note": note[:200]})
    return task


def complete_task(*, actor: Actor, task_id: int, note: str = "") -> Task:
    note = (note or "").strip()
    if len(note) > 300:
        raise InvalidInput({"note": "Der Vermerk ist zu lang (höchstens 300 Zeichen)."})
    return _close(actor, task_id, TaskState.DONE, note, "complete")


def cancel_task(*, actor: Actor, task_id: int, note: str) -> Task:
    """Mark a task as no longer needed; the reason is required."""
    note = (note or "").strip()
    if not note:
        raise InvalidInput({"note": "Bitte angeben, warum die Aufgabe entfällt."})
    if len(note) > 300:
        raise InvalidInput({"note": "Der Vermerk ist zu lang (höchstens 300 Zeichen)."})
    return _close(actor, task_id, TaskState.CANCELLED, note, "cancel")


def reassign_task(*, actor: Actor, task_id: int, assignee_id: int | None = None, team: str = "",
                  due_date: date | None = None) -> Task:
    """Give an open task to another user or team of the same agency (optionally with a new due date);
    audited with the old and new assignment, and the new assignee (or team) is notified."""
    errors: dict[str, str] = {}
    _require_case_role(actor)
    assignee, team = _validate_assignment(actor, assignee_id, team, errors)
    if assignee is None and not team and "assignee" not in errors and "team" not in errors:
        errors["assignee"] = "Bitte eine Person oder ein Team angeben."
    if due_date is not None:
        _validate_due(due_date, errors)
    if errors:
        raise InvalidInput(errors)
    _fetch(actor, task_id, Action.WRITE)
    with transaction.atomic():
        task = _locked(task_id)
        if task.state != TaskState.OPEN:
            raise InvalidInput({"state": f"Die Aufgabe ist bereits {TaskState(task.state).label}."})
        before = _assignment_detail(task)
        if task.assignee_id == (assignee.pk if assignee else None) and task.team == team and (
                due_date is None or due_date == task.due_date):
            raise InvalidInput({"assignee": "Die Aufgabe ist bereits so zugewiesen."})
        task.assignee, task.team = assignee, team
        fields = ["assignee", "team"]
        if due_date is not None:
            task.due_date = due_date
            fields.append("due_date")
        task.save(update_fields=fields)
        audit.record(actor, AuditAction.UPDATE, person_id=task.person_id, categories=[COUNSELLING],
                     object_type="task", object_id=task.pk,
                     detail={"change": "reassign", "from": before, "to": _assignment_detail(task),
                             "due_date": task.due_date.isoformat()})
        if before != _assignment_detail(task):
            _notify(task, f"Aufgabe an Sie übertragen: „{task.title[:150]}“, fällig am {de(task.due_date)}.",
                    actor.user_id)
    return task


def ensure_task(*, actor: Actor, agency: Agency, person: Person | None, title: str, due_date: date,
                source: str, source_key: str, reason: str = "", team: str = "",
                assignee: User | None = None) -> tuple[Task, bool]:
    """Create a task for another part of the system (deadline scan, hand-overs) once per
    (agency, source_key): a second call returns the existing task – whatever its state – and
    `created=False`. The creation is audited; a named assignee or team is notified."""
    if not source_key:
        raise ValueError("ensure_task braucht einen source_key.")
    existing = Task.objects.filter(agency=agency, source_key=source_key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            task = Task.objects.create(person=person, agency=agency, team=team, assignee=assignee,
                                       title=title[:200], reason=reason[:300], due_date=due_date, source=source,
                                       source_key=source_key[:120], created_by_id=actor.user_id)
            audit.record(actor, AuditAction.CREATE, person_id=person.pk if person else None,
                         categories=[COUNSELLING], object_type="task", object_id=task.pk,
                         detail={"source": source, "source_key": source_key, "agency": agency.code,
                                 "due_date": due_date.isoformat()})
            _notify(task, f"Neue Aufgabe: „{task.title[:150]}“, fällig am {de(due_date)}.", actor.user_id)
    except IntegrityError:  # a concurrent scan created it first
        return Task.objects.get(agency=agency, source_key=source_key), False
    return task, True


# ---------------------------------------------------------------------------------------------------------------
# Deadline scan

#: How far ahead a deadline becomes a task, per kind (days before the date).
LEAD_DAYS = {"doc-expiry": 30, "vu-end": 60, "wait-end": 30}
#: Deadlines up to this many days in the past still become tasks: a scan that did not run for a few
#: days (holiday, outage) misses nothing. Older ones are history, not work.
CATCH_UP_DAYS = 14
#: How far back status events are read to find running wait periods; longer than any wait in the rule
#: tables (the longest, 12 months, applied before 2014).
WAIT_LOOKBACK_MONTHS = 24

_FLUEAG = Provenance(basis=("§§8, 9 FlüAG BW",), sources=("S42", "S43"))
#: Maximum duration of provisional accommodation in Baden-Württemberg (law-facts.md §4), in months:
#: general and for persons admitted on humanitarian grounds (§§22–24 AufenthG).
VU_MAX_MONTHS: tuple[Dated[int], ...] = (Dated(date(2014, 1, 1), None, 24, _FLUEAG),)
VU_MAX_MONTHS_HUMANITARIAN: tuple[Dated[int], ...] = (Dated(date(2014, 1, 1), None, 6, _FLUEAG),)
#: Status events that mark an admission on humanitarian grounds (§§22–24 AufenthG). Stella records §24;
#: §§22, 23 have no event kind yet.
HUMANITARIAN_EVENTS = frozenset({EventKind.AE_24})


def _value_on(table: tuple[Dated[int], ...], day: date) -> int:
    for row in table:
        if row.covers(day):
            return row.value
    return table[0].value if day < table[0].valid_from else table[-1].value


def vu_end(admission: date, humanitarian: bool) -> date:
    """Last day of provisional accommodation that began on `admission` (§§187, 188 BGB: the period ends
    on the day of the last month that carries the admission day's number, or the month's last day)."""
    months = _value_on(VU_MAX_MONTHS_HUMANITARIAN if humanitarian else VU_MAX_MONTHS, admission)
    return period_end(admission, months)


@dataclass
class ScanItem:
    kind: str
    source_key: str
    person_id: int
    agency: str = ""
    due_date: date | None = None
    result: str = "created"  # created | exists | skipped
    reason: str = ""
    task_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "source_key": self.source_key, "person_id": self.person_id,
                "agency": self.agency, "due_date": self.due_date.isoformat() if self.due_date else None,
                "result": self.result, "reason": self.reason, "task_id": self.task_id}


@dataclass
class ScanReport:
    on: date
    items: list[ScanItem] = field(default_factory=list)

    def count(self, result: str, kind: str | None = None) -> int:
        return sum(1 for i in self.items if i.result == result and (kind is None or i.kind == kind))

    @property
    def created(self) -> list[ScanItem]:
        return [i for i in self.items if i.result == "created"]


class _Scan:
    """State of one scan: situations, participations and nationalities loaded in bulk per batch of persons."""

    def __init__(self, actor: Actor, on: date) -> None:
        self.actor = actor
        self.on = on
        self.report = ScanReport(on)
        self._situations: dict[int, Situation | None] = {}
        self._events: dict[int, list[StatusEvent]] = {}
        self._parts: dict[int, list[Participation]] = {}

    # --- bulk loading --------------------------------------------------------------------------------------

    def load(self, person_ids: Iterable[int]) -> None:
        missing = sorted({p for p in person_ids if p not in self._parts})
        for chunk in _chunks(missing, 500):
            events: dict[int, list[StatusEvent]] = defaultdict(list)
            for e in (StatusEvent.objects.filter(person_id__in=chunk, correction__isnull=True, voids=False)
                      .order_by("effective_date", "id")):
                events[e.person_id].append(e)
            parts: dict[int, list[Participation]] = defaultdict(list)
            for p in (Participation.objects.active_on(self.on).filter(case_file__person_id__in=chunk)
                      .select_related("agency", "case_file")):
                parts[p.case_file.person_id].append(p)
            for pid in chunk:
                self._events[pid] = events.get(pid, [])
                self._parts[pid] = parts.get(pid, [])

    def situation(self, person_id: int) -> Situation | None:
        if person_id not in self._situations:
            facts = [EventFact(e.kind, e.effective_date, e.outcome, key=e.pk) for e in self._events.get(person_id, [])]
            try:
                self._situations[person_id] = fold(facts, until=self.on)
            except TransitionError:  # stored history is checked on write; never guess on a broken one
                self._situations[person_id] = None
        return self._situations[person_id]

    def humanitarian(self, person_id: int) -> bool:
        return any(e.kind in HUMANITARIAN_EVENTS and e.effective_date <= self.on
                   for e in self._events.get(person_id, []))

    def participating(self, person_id: int) -> list[Participation]:
        return self._parts.get(person_id, [])

    # --- writing -------------------------------------------------------------------------------------------

    def skip(self, kind: str, key: str, person_id: int, reason: str, due: date | None = None) -> None:
        self.report.items.append(ScanItem(kind, key, person_id, due_date=due, result="skipped", reason=reason))

    def create(self, kind: str, key: str, person: Person, agency: Agency, due: date, title: str,
               reason: str) -> None:
        task, created = ensure_task(actor=self.actor, agency=agency, person=person, title=title, due_date=due,
                                    source=TaskSource.DEADLINE, source_key=key, reason=reason)
        self.report.items.append(ScanItem(kind, key, person.pk, agency.code, due,
                                          "created" if created else "exists", task_id=task.pk))

    def in_window(self, kind: str, day: date) -> bool:
        return self.on - timedelta(days=CATCH_UP_DAYS) <= day <= self.on + timedelta(days=LEAD_DAYS[kind])

    def active(self, person_id: int) -> bool:
        situation = self.situation(person_id)
        return situation is None or situation.state != State.DEPARTED


def _counsels(agency: Agency) -> bool:
    """Only agencies with a legal basis for counselling data can see a task about a person."""
    return COUNSELLING in LEGAL_BASIS.get(agency.kind, {})


def _scan_documents(scan: _Scan) -> None:
    """Documents whose validity ends within 30 days → the file's lead agencies that counsel the person
    (contributing ones when no lead counsels). The ABH, which issues the documents, has no counselling
    basis and keeps its own deadlines."""
    kind = "doc-expiry"
    lo, hi = scan.on - timedelta(days=CATCH_UP_DAYS), scan.on + timedelta(days=LEAD_DAYS[kind])
    docs = list(IdentityDocument.objects.filter(valid_until__gte=lo, valid_until__lte=hi).select_related("person")
                .order_by("valid_until", "id"))
    scan.load(d.person_id for d in docs)
    for doc in docs:
        assert doc.valid_until is not None
        key = f"{kind}:{doc.pk}"
        renewed = IdentityDocument.objects.filter(person_id=doc.person_id, kind=doc.kind).exclude(pk=doc.pk).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gt=doc.valid_until)).exists()
        if renewed:
            scan.skip(kind, key, doc.person_id, "Ein neueres Dokument derselben Art ist erfasst.", doc.valid_until)
            continue
        if not scan.active(doc.person_id):
            scan.skip(kind, key, doc.person_id, "Die Person ist ausgereist.", doc.valid_until)
            continue
        parts = [p for p in scan.participating(doc.person_id) if _counsels(p.agency)]
        leads = [p for p in parts if p.role == ParticipationRole.LEAD] or parts
        if not leads:
            scan.skip(kind, key, doc.person_id, "Keine beteiligte Behörde mit Beratungsauftrag.", doc.valid_until)
            continue
        label = doc.get_kind_display()
        title = f"{label} läuft am {de(doc.valid_until)} ab: Verlängerung klären"
        reason = f"Frist: {label} Nr. {doc.number} gültig bis {de(doc.valid_until)}"
        for agency in dict.fromkeys(p.agency for p in leads):
            scan.create(kind, key, doc.person, agency, doc.valid_until, title, reason)


def _scan_accommodation(scan: _Scan) -> None:
    """End of provisional accommodation (vorläufige Unterbringung): 24 months after admission, 6 months
    for persons admitted under §24 AufenthG → the Landratsamt (the one responsible for the municipality
    if it takes part in the file, otherwise any Landratsamt that does)."""
    from stella.journey.services import responsible_agency

    kind = "vu-end"
    catch_up, lead = scan.on - timedelta(days=CATCH_UP_DAYS), scan.on + timedelta(days=LEAD_DAYS[kind])
    ranges = Q()
    for table in (VU_MAX_MONTHS, VU_MAX_MONTHS_HUMANITARIAN):
        for m in {row.value for row in table}:  # admissions whose end can fall into the window (±3 days for month lengths)
            ranges |= Q(valid_from__gte=add_months(catch_up, -m) - timedelta(days=3),
                        valid_from__lte=add_months(lead, -m) + timedelta(days=3))
    addresses = list(Address.objects.filter(ranges, accommodation=AccommodationType.VORLAEUFIG)
                     .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=catch_up))
                     .select_related("person").order_by("valid_from", "id"))
    scan.load(a.person_id for a in addresses)
    municipalities: dict[str, Any] = {}
    for address in addresses:
        humanitarian = scan.humanitarian(address.person_id)
        end = vu_end(address.valid_from, humanitarian)
        if not scan.in_window(kind, end) or (address.valid_until is not None and address.valid_until < end):
            continue
        key = f"{kind}:{address.pk}"
        if not scan.active(address.person_id):
            scan.skip(kind, key, address.person_id, "Die Person ist ausgereist.", end)
            continue
        lras = [p.agency for p in scan.participating(address.person_id) if p.agency.kind == AgencyKind.LRA]
        if address.municipality not in municipalities:
            from stella.agencies.models import Municipality

            place = Municipality.objects.filter(name=address.municipality).first()
            municipalities[address.municipality] = responsible_agency(place, Function.ACCOMMODATION_VU, scan.on)
        responsible = municipalities[address.municipality]
        targets = [responsible] if responsible in lras else lras[:1]
        if not targets:
            scan.skip(kind, key, address.person_id, "Kein Landratsamt an der Fallakte beteiligt.", end)
            continue
        months = _value_on(VU_MAX_MONTHS_HUMANITARIAN if humanitarian else VU_MAX_MONTHS, address.valid_from)
        basis = f"§24 AufenthG: höchstens {months} Monate" if humanitarian else f"höchstens {months} Monate"
        title = f"Vorläufige Unterbringung endet am {de(end)}: Anschlussunterbringung veranlassen"
        reason = (f"Frist: aufgenommen am {de(address.valid_from)} in {address.municipality}; {basis} "
                  f"({', '.join(_FLUEAG.basis)}; Verlängerung um bis zu 3 Monate möglich)")
        for agency in targets:
            assert agency is not None
            scan.create(kind, key, address.person, agency, end, title, reason)


def _minor_children(person_id: int, on: date) -> bool:
    from stella.people.models import HouseholdMember

    households = HouseholdMember.objects.filter(person_id=person_id, since__lte=on).filter(
        Q(until__isnull=True) | Q(until__gte=on)).exclude(relationship=Relationship.CHILD).values("household_id")
    children = (HouseholdMember.objects.filter(household_id__in=households, relationship=Relationship.CHILD,
                                               since__lte=on)
                .filter(Q(until__isnull=True) | Q(until__gte=on)).exclude(person_id=person_id)
                .select_related("person"))
    return any((c.person.age_on(on) or 99) < 18 for c in children)


def wait_question(person: Person, situation: Situation, on: date) -> rules.WorkPermissionInput | None:
    """The work-permission question for a person during the asylum procedure or with a Duldung, built
    from the status history, the accommodation (EA) and nationality; None where no wait can apply."""
    status = situation.rules_status
    if status not in {"gestattung", "duldung"}:
        return None
    # .all() so that nationalities and addresses prefetched by the scan are used
    nationality = next((n.country for n in sorted(person.nationalities.all(), key=lambda n: n.pk)
                        if n.valid_until is None), "XXX")
    current = [a for a in person.addresses.all()
               if a.valid_from <= on and (a.valid_until is None or a.valid_until >= on)]
    ea = max(current, key=lambda a: (a.valid_from, a.pk), default=None)
    in_ea = ea is not None and ea.accommodation == AccommodationType.ERSTAUFNAHME
    return rules.WorkPermissionInput(
        reference_date=on, status=status, activity="employment", nationality=nationality,
        entry_date=situation.entry_date, asylum_request_date=situation.asylum_request_date,
        asylum_application_date=situation.asylum_application_date,
        lives_in_reception_centre=in_ea, reception_centre_since=ea.valid_from if in_ea and ea else None,
        with_minor_children=_minor_children(person.pk, on) if in_ea else False,
        duldung_since=situation.duldung_since,
    )


def _scan_waits(scan: _Scan) -> None:
    """End of a work-permission wait period (the rules' `wait_ends`) → the Agentur für Arbeit and the
    Landratsamt taking part in the file."""
    kind = "wait-end"
    since = add_months(scan.on, -WAIT_LOOKBACK_MONTHS)
    person_ids = list(StatusEvent.objects.filter(effective_date__gte=since, effective_date__lte=scan.on)
                      .values_list("person_id", flat=True).distinct().order_by("person_id"))
    for chunk in _chunks(person_ids, 500):
        scan.load(chunk)
        waiting = [pid for pid in chunk if (s := scan.situation(pid)) is not None
                   and s.rules_status in {"gestattung", "duldung"}]
        persons = Person.objects.filter(pk__in=waiting).prefetch_related("nationalities", "addresses").in_bulk()
        for pid in waiting:
            situation = scan.situation(pid)
            assert situation is not None
            question = wait_question(persons[pid], situation, scan.on)
            if question is None:
                continue
            try:
                answer = rules.work_permission(question)
            except rules.RuleInputError as exc:
                scan.skip(kind, f"{kind}:{pid}", pid, f"Regelwerk: {exc.message}")
                continue
            ends = answer.details.get("wait_ends")
            if not ends:
                continue
            end = date.fromisoformat(ends)
            if not scan.in_window(kind, end):
                continue
            key = f"{kind}:{pid}:{answer.details.get('rule', '')}"
            agencies = [p.agency for p in scan.participating(pid) if p.agency.kind in {AgencyKind.AA, AgencyKind.LRA}]
            if not agencies:
                scan.skip(kind, key, pid, "Weder Agentur für Arbeit noch Landratsamt an der Fallakte beteiligt.", end)
                continue
            title = f"Wartezeit endet, Beschäftigung ab {de(end)} möglich: Arbeitsmarktzugang prüfen"
            reason = (f"Frist: {'; '.join(answer.basis)} (Regel {answer.details.get('rule', '')}, "
                      f"Regelsatz {answer.rule_version})")
            for agency in dict.fromkeys(agencies):
                scan.create(kind, key, persons[pid], agency, end, title, reason)


def scan_deadlines(on: date | None = None, *, actor: Actor | None = None) -> ScanReport:
    """Create the deadline tasks due around `on` (today by default): document expiry, end of provisional
    accommodation, end of a work-permission wait. Idempotent: a second run creates nothing new (one task
    per agency and source key, e.g. `doc-expiry:<document>`, `vu-end:<address>`, `wait-end:<person>:<rule>`)."""
    on = on or today()
    actor = actor or Actor.system("Fristenprüfung (Wiedervorlagen)")
    scan = _Scan(actor, on)
    _scan_documents(scan)
    _scan_accommodation(scan)
    _scan_waits(scan)
    report = scan.report
    audit.record(actor, AuditAction.READ, categories=[Category.RESIDENCE, COUNSELLING], object_type="deadline_scan",
                 detail={"on": on.isoformat(), "created": report.count("created"), "exists": report.count("exists"),
                         "skipped": report.count("skipped")})
    return report


__all__ = ["CATCH_UP_DAYS", "LEAD_DAYS", "ScanReport", "Workload", "cancel_task", "complete_task", "create_task",
           "ensure_task", "get_task", "is_team_lead", "my_tasks", "person_tasks", "readable_person_ids",
           "reassign_task", "scan_deadlines", "scan_deadlines_job", "task_link", "team_tasks", "visible_tasks", "vu_end", "wait_question",
           "workload"]


# ---------------------------------------------------------------------------------------------------------------
# Background job (Django's Tasks framework, django-tasks backport): `stella deadlines scan --enqueue` or a
# daily timer puts it on the queue; `stella db-worker` runs it. The scan is idempotent, so a job that
# died half-way is simply run again.


@background_task()
def scan_deadlines_job(on: str | None = None) -> dict[str, int]:
    """Run `scan_deadlines` (on an ISO date, today by default) and return the counts."""
    report = scan_deadlines(date.fromisoformat(on) if on else None)
    return {"created": report.count("created"), "exists": report.count("exists"), "skipped": report.count("skipped")}
