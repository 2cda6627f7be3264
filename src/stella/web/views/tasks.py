"""Tasks (Wiedervorlage) in the web UI: "Meine Aufgaben", the team view for team leads, a task with its
actions (erledigen, entfallen, neu zuweisen), new tasks (free or for a person), the person file's tab
"Aufgaben und Termine", and the notification list behind the bell in the header.

Every page calls the services in `journey.tasks` / `journey.notifications`; they check access and audit.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from stella.authz.policy import Action, Category, decide
from stella.cases.access import file_context, today
from stella.core.errors import AccessDenied, InvalidInput, NotFound
from stella.journey import appointments as appointment_service
from stella.journey import notifications as inbox
from stella.journey import tasks as service
from stella.journey.models import Task, TaskState
from stella.web.labels import translate_message
from stella.web.task_forms import CancelTaskForm, CloseForm, ReassignForm, TaskForm
from stella.web.views.common import actor_of, case_role_required, not_found, refuse
from stella.web.views.files import _frame, _open

#: Messages of journey.tasks / journey.appointments without a variable part (kept for makemessages).
SERVICE_MESSAGES = [
    gettext_noop("Ihre Rolle hat keinen Zugriff auf Aufgaben und Termine."),
    gettext_noop("Die Aufgabe wurde nicht gefunden."),
    gettext_noop("Der Termin wurde nicht gefunden."),
    gettext_noop("Die Benachrichtigung wurde nicht gefunden."),
    gettext_noop("Nur Teamleitungen sehen die Aufgaben des Teams."),
    gettext_noop("Aufgaben können nur an aktive Mitarbeitende Ihrer eigenen Behörde vergeben werden."),
    gettext_noop("Diese Person arbeitet nicht mit Fallakten und kann keine Aufgaben übernehmen."),
    gettext_noop("Das Fälligkeitsdatum fehlt."),
    gettext_noop("Das Fälligkeitsdatum liegt in der Vergangenheit."),
    gettext_noop("Bitte angeben, was zu tun ist."),
    gettext_noop("Bitte angeben, warum die Aufgabe entfällt."),
    gettext_noop("Bitte eine Person oder ein Team angeben."),
    gettext_noop("Die Aufgabe ist bereits so zugewiesen."),
    gettext_noop("Die Aufgabe ist bereits erledigt."),
    gettext_noop("Die Aufgabe ist bereits entfallen."),
    gettext_noop("Ein neuer Termin kann nicht in der Vergangenheit liegen."),
    gettext_noop("Das Ende muss nach dem Beginn liegen."),
    gettext_noop("Ein Termin dauert höchstens 10 Stunden."),
    gettext_noop("Der Termin liegt mehr als zwei Jahre in der Zukunft."),
    gettext_noop("Der Ort fehlt."),
    gettext_noop("Der Anlass fehlt."),
    gettext_noop("Die Ansprechperson muss ein aktives Konto Ihrer Behörde mit Fallbearbeitung sein."),
    gettext_noop("Der Termin ist bereits abgesagt."),
    gettext_noop("Ein Termin, der schon begonnen hat, kann nicht mehr abgesagt werden."),
]

#: Labels of journey.models and journey.letter_texts shown through |tr (kept for makemessages).
DOMAIN_LABELS = [
    gettext_noop("offen"), gettext_noop("erledigt"), gettext_noop("entfallen"),
    gettext_noop("von Hand"), gettext_noop("Übergabe"), gettext_noop("Frist"),
    gettext_noop("Arabisch"), gettext_noop("Persisch (Farsi/Dari)"), gettext_noop("Englisch"), gettext_noop("Tigrinya"),
]

STATE_FILTERS = {"offen": TaskState.OPEN, "erledigt": TaskState.DONE, "entfallen": TaskState.CANCELLED}


def rows(tasks: Any) -> list[dict[str, Any]]:
    """Tasks for the tables: overdue flagged (in words, not only by colour)."""
    on = today()
    out = []
    for t in tasks:
        name = t.person.primary_name if t.person_id else None
        out.append({"task": t, "overdue": t.state == TaskState.OPEN and t.due_date < on,
                    "due_today": t.state == TaskState.OPEN and t.due_date == on, "person_name": name})
    return out


# ---------------------------------------------------------------------------------------------------------------
# Lists


@case_role_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    wanted = request.GET.get("stand", "offen")
    state = STATE_FILTERS.get(wanted, TaskState.OPEN)
    try:
        lists = service.my_tasks(actor=actor, state=state)
    except AccessDenied as exc:
        return refuse(request, exc.reason)
    sections: list[dict[str, Any]] = [
        {"key": "mine", "title": _("Mir zugewiesen"), "rows": rows(lists["mine"]),
         "empty": _("Ihnen ist keine Aufgabe zugewiesen.")},
        {"key": "team", "title": _("Für mein Team"), "rows": rows(lists["team"]),
         "empty": _("Ihr Team hat keine offenen Aufgaben ohne zuständige Person.")},
        {"key": "unassigned", "title": _("Nicht zugewiesen"), "rows": rows(lists["unassigned"]),
         "empty": _("Keine Aufgaben ohne Zuständigkeit.")},
    ]
    overdue = sum(1 for s in sections for r in s["rows"] if r["overdue"])
    return render(request, "web/tasks/my_tasks.html", {
        "sections": sections, "overdue": overdue, "state": wanted if wanted in STATE_FILTERS else "offen",
        "is_team_lead": service.is_team_lead(actor)})


@case_role_required
def team(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    try:
        tasks = list(service.team_tasks(actor=actor))
    except AccessDenied as exc:
        return refuse(request, exc.reason)
    table = rows(tasks)
    return render(request, "web/tasks/team.html", {
        "rows": table, "overdue_rows": [r for r in table if r["overdue"]], "workload": service.workload(tasks)})


# ---------------------------------------------------------------------------------------------------------------
# One task


def _forms(actor_agency: int | None, data: Any = None, which: str = "") -> dict[str, Any]:
    return {
        "close_form": CloseForm(data if which == "close" else None, prefix="close"),
        "cancel_form": CancelTaskForm(data if which == "cancel" else None, prefix="cancel"),
        "reassign_form": ReassignForm(data if which == "reassign" else None, prefix="reassign",
                                      agency_id=actor_agency),
    }


def _detail(request: HttpRequest, task_id: int, forms: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    actor = actor_of(request)
    try:
        task = service.get_task(actor=actor, task_id=task_id)
    except NotFound as exc:
        raise not_found(exc) from exc
    except AccessDenied as exc:
        return refuse(request, exc.reason)
    writable = task.person_id is None or decide(
        actor, Action.WRITE, Category.COUNSELLING, file_context(actor, task.person_id)).allowed
    context = {"task": task, "row": rows([task])[0], "writable": writable and task.state == TaskState.OPEN,
               **(forms or _forms(actor.agency_id))}
    return render(request, "web/tasks/task_detail.html", context, status=status)


@case_role_required
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    return _detail(request, task_id)


def _act(request: HttpRequest, task_id: int, which: str) -> HttpResponse:
    actor = actor_of(request)
    forms = _forms(actor.agency_id, request.POST, which)
    form = forms[f"{which}_form"]
    if form.is_valid():
        c = form.cleaned_data
        try:
            if which == "close":
                service.complete_task(actor=actor, task_id=task_id, note=c.get("note", ""))
                messages.success(request, _("Die Aufgabe ist erledigt."))
            elif which == "cancel":
                service.cancel_task(actor=actor, task_id=task_id, note=c.get("note", ""))
                messages.success(request, _("Die Aufgabe ist als entfallen vermerkt."))
            else:
                task = service.reassign_task(actor=actor, task_id=task_id, due_date=c.get("due_date"),
                                             **form.assignment())
                messages.success(request, _("Die Aufgabe wurde neu zugewiesen."))
                if task.assignee_id != actor.user_id:
                    return redirect("web:tasks")
        except InvalidInput as exc:
            if set(exc.field_errors) <= {"state"}:
                messages.error(request, translate_message(exc.message))
                return redirect("web:task", task_id=task_id)
            form.apply_service_errors(exc)
        except AccessDenied as exc:
            return refuse(request, exc.reason)
        except NotFound as exc:
            raise not_found(exc) from exc
        else:
            return redirect("web:task", task_id=task_id)
    return _detail(request, task_id, forms)


@require_POST
@case_role_required
def task_complete(request: HttpRequest, task_id: int) -> HttpResponse:
    return _act(request, task_id, "close")


@require_POST
@case_role_required
def task_cancel(request: HttpRequest, task_id: int) -> HttpResponse:
    return _act(request, task_id, "cancel")


@require_POST
@case_role_required
def task_reassign(request: HttpRequest, task_id: int) -> HttpResponse:
    return _act(request, task_id, "reassign")


# ---------------------------------------------------------------------------------------------------------------
# New task


def _create(request: HttpRequest, person_id: int | None) -> tuple[TaskForm, int, Task | None]:
    actor = actor_of(request)
    status = 200
    if request.method != "POST":
        return TaskForm(agency_id=actor.agency_id), status, None
    form = TaskForm(request.POST, agency_id=actor.agency_id)
    if form.is_valid():
        c = form.cleaned_data
        try:
            task = service.create_task(actor=actor, title=c["title"], due_date=c["due_date"], person_id=person_id,
                                       reason=c.get("reason", ""), **form.assignment())
        except InvalidInput as exc:
            form.apply_service_errors(exc)
        except AccessDenied as exc:
            form.add_error(None, _("Kein Zugriff: %(reason)s") % {"reason": translate_message(exc.reason)})
            status = 403
        else:
            messages.success(request, _("Die Aufgabe „%(title)s“ wurde angelegt.") % {"title": task.title})
            return form, status, task
    return form, status, None


@case_role_required
def task_new(request: HttpRequest) -> HttpResponse:
    form, status, task = _create(request, None)
    if task is not None:
        return redirect("web:tasks")
    return render(request, "web/tasks/task_form.html", {"form": form}, status=status)


@case_role_required
def person_task_new(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    ov = _open(actor, pk)
    decision = decide(actor, Action.WRITE, Category.COUNSELLING, ov.context)
    if not decision:
        return refuse(request, decision.reason)
    form, status, task = _create(request, pk)
    if task is not None:
        return redirect("web:person_tasks", pk=pk)
    return render(request, "web/tasks/person_task_form.html", _frame(request, ov, "tasks", form=form), status=status)


# ---------------------------------------------------------------------------------------------------------------
# The person file's tab


@case_role_required
def person_panel(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    ov = _open(actor, pk)
    context = _frame(request, ov, "tasks")
    try:
        tasks = list(service.person_tasks(actor=actor, person_id=pk))
        appointments = appointment_service.person_appointments(actor=actor, person_id=pk)
    except AccessDenied as exc:
        context["refusal"] = translate_message(exc.reason)
        return render(request, "web/tasks/person_panel.html", context, status=403)
    except NotFound as exc:
        raise not_found(exc) from exc
    context.update(
        open_rows=rows([t for t in tasks if t.state == TaskState.OPEN]),
        closed_rows=rows([t for t in tasks if t.state != TaskState.OPEN]),
        appointments=appointments,
        may_write=decide(actor, Action.WRITE, Category.COUNSELLING, ov.context).allowed,
    )
    return render(request, "web/tasks/person_panel.html", context)


# ---------------------------------------------------------------------------------------------------------------
# Notifications


def safe_link(link: str) -> str:
    """Only links inside Stella are followed (notification links are site paths)."""
    return link if link.startswith("/") and not link.startswith("//") else ""


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    items = list(inbox.notifications_for(actor=actor)[:100])
    for n in items:
        n.safe_link = safe_link(n.link)  # type: ignore[attr-defined]
    return render(request, "web/tasks/notifications.html", {"items": items,
                                                            "unread": sum(1 for n in items if n.read_at is None)})


@require_POST
@login_required
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    try:
        note = inbox.mark_read(actor=actor_of(request), notification_id=notification_id)
    except NotFound as exc:
        raise Http404(translate_message(exc.message)) from exc
    target = safe_link(note.link)
    if request.POST.get("open") and target:
        return redirect(target)
    return redirect(reverse("web:notifications"))


@require_POST
@login_required
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = inbox.mark_all_read(actor=actor_of(request))
    if count:
        messages.success(request, _("Alle Benachrichtigungen sind als gelesen markiert."))
    return redirect("web:notifications")
