"""Tasks (Wiedervorlage) over HTTP: lists (mine, team queue, unassigned, team-lead view, per person),
create, complete, cancel, reassign. Same services, policy and audit as the web UI."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from stella.accounts.models import User
from stella.api.auth import actor
from stella.api.schemas import IsoDate, Page, PageQuery, Strict, paginate
from stella.cases.access import today
from stella.journey import tasks as service
from stella.journey.models import Task, TaskState

router = Router(tags=["Aufgaben"])


class TaskOut(Schema):
    id: int
    title: str
    reason: str
    due_date: date
    overdue: bool
    state: str
    state_label: str
    source: str
    source_key: str
    person_id: int | None
    person_name: str
    agency: str
    team: str
    assignee: str | None = Field(description="Benutzername der zuständigen Person (leer: Team oder niemand)")
    assignee_name: str
    created_at: datetime
    created_by: str | None
    done_at: datetime | None
    close_note: str
    link: str


def task_dict(task: Task) -> dict[str, Any]:
    person = task.person
    name = person.primary_name if person else None
    assignee = task.assignee
    return {
        "id": task.pk, "title": task.title, "reason": task.reason, "due_date": task.due_date,
        "overdue": task.state == TaskState.OPEN and task.due_date < today(), "state": task.state,
        "state_label": TaskState(task.state).label, "source": task.source, "source_key": task.source_key,
        "person_id": task.person_id, "person_name": name.display if name else "", "agency": task.agency.code,
        "team": task.team, "assignee": assignee.get_username() if assignee else None,
        "assignee_name": (assignee.get_full_name() or assignee.get_username()) if assignee else "",
        "created_at": task.created_at, "created_by": task.created_by.get_username() if task.created_by else None,
        "done_at": task.done_at, "close_note": task.close_note, "link": service.task_link(task.pk),
    }


class TaskQuery(PageQuery):
    view: Literal["mine", "team-queue", "unassigned", "team"] = Field(
        "mine", description="mine: mir zugewiesen; team-queue: meinem Team ohne Person; unassigned: niemandem in "
                            "meiner Behörde; team: Teamansicht (nur Teamleitung)")
    person_id: int | None = Field(None, description="Nur Aufgaben zu dieser Person (Ansicht wird ignoriert)")
    state: Literal["open", "done", "cancelled", "all"] = "open"


class TaskCreate(Strict):
    title: str = Field(max_length=200)
    due_date: IsoDate
    person_id: int | None = None
    assignee: str | None = Field(None, max_length=150, description="Benutzername in Ihrer Behörde; ohne Angabe "
                                                                    "und ohne Team: Sie selbst")
    team: str = Field("", max_length=80)
    reason: str = Field("", max_length=300)


class TaskClose(Strict):
    note: str = Field("", max_length=300)


class TaskReassign(Strict):
    assignee: str | None = Field(None, max_length=150)
    team: str = Field("", max_length=80)
    due_date: IsoDate | None = None


def _user_id(username: str | None) -> int | None:
    """Usernames name accounts in the API; an unknown one is refused by the service like one of another
    agency (the same message, so nothing is learnt about other agencies' accounts)."""
    if username is None:
        return None
    return User.objects.filter(username=username).values_list("pk", flat=True).first() or -1


def _reload(task_id: int) -> Task:
    return Task.objects.select_related("person", "assignee", "agency", "created_by").prefetch_related(
        "person__names").get(pk=task_id)


@router.get("", response=Page[TaskOut], summary="Aufgaben")
def list_tasks(request: HttpRequest, query: Query[TaskQuery]) -> Any:
    """Ordered by due date, so overdue tasks (`overdue: true`) come first."""
    me = actor(request)
    state = "" if query.state == "all" else query.state
    if query.person_id is not None:
        qs = service.person_tasks(actor=me, person_id=query.person_id)
        if state:
            qs = qs.filter(state=state)
    elif query.view == "team":
        qs = service.team_tasks(actor=me, state=state)
    else:
        lists = service.my_tasks(actor=me, state=state)
        qs = lists[{"mine": "mine", "team-queue": "team", "unassigned": "unassigned"}[query.view]]
    return paginate(qs.select_related("created_by"), query, task_dict)


@router.post("", response={201: TaskOut}, summary="Aufgabe anlegen")
def create_task(request: HttpRequest, payload: TaskCreate) -> Any:
    task = service.create_task(actor=actor(request), title=payload.title, due_date=payload.due_date,
                               person_id=payload.person_id, assignee_id=_user_id(payload.assignee), team=payload.team,
                               reason=payload.reason)
    return Status(201, task_dict(_reload(task.pk)))


@router.get("/{int:task_id}", response=TaskOut, summary="Aufgabe")
def get_task(request: HttpRequest, task_id: int) -> Any:
    service.get_task(actor=actor(request), task_id=task_id)
    return task_dict(_reload(task_id))


@router.post("/{int:task_id}/complete", response=TaskOut, summary="Aufgabe erledigen")
def complete_task(request: HttpRequest, task_id: int, payload: TaskClose) -> Any:
    service.complete_task(actor=actor(request), task_id=task_id, note=payload.note)
    return task_dict(_reload(task_id))


@router.post("/{int:task_id}/cancel", response=TaskOut, summary="Aufgabe als entfallen markieren")
def cancel_task(request: HttpRequest, task_id: int, payload: TaskClose) -> Any:
    """`note` (why the task is no longer needed) is required."""
    service.cancel_task(actor=actor(request), task_id=task_id, note=payload.note)
    return task_dict(_reload(task_id))


@router.post("/{int:task_id}/reassign", response=TaskOut, summary="Aufgabe neu zuweisen")
def reassign_task(request: HttpRequest, task_id: int, payload: TaskReassign) -> Any:
    """To a user (`assignee`) and/or a team of your agency, optionally with a new due date; audited, and the
    new assignee is notified."""
    service.reassign_task(actor=actor(request), task_id=task_id, assignee_id=_user_id(payload.assignee),
                          team=payload.team, due_date=payload.due_date)
    return task_dict(_reload(task_id))
