"""/api/v1/tasks and /api/v1/notifications: lists per view, create, close, reassign; problem details."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from stella.api.tests.conftest import fields, problem
from stella.audit.models import AuditEvent
from stella.journey.models import Notification, Task
from stella.journey.tests.tasks_setup import register, user


def soon(days: int = 5) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


@pytest.fixture
def anna(district):
    return user(district, "JC", "caseworker", team="Team Nord", username="anna")


@pytest.fixture
def ben(district):
    return user(district, "JC", "caseworker", team="Team Nord", username="ben")


@pytest.fixture
def lead(district):
    return user(district, "JC", "team_lead", team="Team Nord", username="lead")


@pytest.fixture
def other(district):
    return user(district, "AA", "caseworker", username="aa-nina")


@pytest.fixture
def person(anna):
    return register(anna)


def test_create_list_and_read(as_user, anna, person):
    api = as_user(anna)
    created = api.post("/tasks", {"title": "Zeugnisse anfordern", "due_date": soon(), "person_id": person.pk,
                                  "reason": "Anerkennung"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["assignee"] == "anna" and body["team"] == "Team Nord" and body["person_name"] == "Al-Hassan, Mohammed"
    assert body["state"] == "open" and body["overdue"] is False and body["link"] == f"/aufgaben/{body['id']}/"
    listed = api.get("/tasks").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == body["id"]
    assert api.get(f"/tasks/{body['id']}").json()["title"] == "Zeugnisse anfordern"
    assert api.get("/tasks", person_id=person.pk).json()["count"] == 1
    assert AuditEvent.objects.filter(object_type="task", action="read", object_id=str(body["id"])).exists()


def test_other_agency_gets_404_and_nothing_in_lists(as_user, anna, other, person):
    task_id = as_user(anna).post("/tasks", {"title": "Intern", "due_date": soon()}).json()["id"]
    api = as_user(other)
    problem(api.get(f"/tasks/{task_id}"), 404)
    problem(api.post(f"/tasks/{task_id}/complete", {}), 404)
    assert api.get("/tasks").json()["count"] == 0
    assert api.get("/tasks", view="unassigned").json()["count"] == 0


def test_bad_input_gives_problem_details(as_user, anna, other):
    api = as_user(anna)
    body = problem(api.post("/tasks", {"title": "x", "due_date": soon(-2)}), 422)
    assert fields(body) == {"due_date"}
    body = problem(api.post("/tasks", {"title": "x", "due_date": soon(), "assignee": other.username}), 422)
    assert fields(body) == {"assignee"} and "eigenen Behörde" in body["detail"]
    unknown = problem(api.post("/tasks", {"title": "x", "due_date": soon(), "assignee": "gibt-es-nicht"}), 422)
    assert unknown["detail"] == body["detail"]  # unknown and foreign accounts answer alike
    body = problem(api.post("/tasks", {"title": "x", "due_date": "2026-02-30"}), 422)
    assert fields(body) == {"due_date"}
    body = problem(api.post("/tasks", {"title": "x", "due_date": soon(), "colour": "rot"}), 422)
    assert fields(body) == {"colour"}
    assert not Task.objects.exists()


def test_reassign_notifies_and_is_listed_in_notifications(as_user, anna, ben, person):
    task_id = as_user(anna).post("/tasks", {"title": "Rückruf", "due_date": soon(), "person_id": person.pk}).json()["id"]
    moved = as_user(anna).post(f"/tasks/{task_id}/reassign", {"assignee": "ben", "due_date": soon(9)})
    assert moved.status_code == 200 and moved.json()["assignee"] == "ben" and moved.json()["due_date"] == soon(9)
    event = AuditEvent.objects.get(object_type="task", object_id=str(task_id), action="update")
    assert event.detail["from"]["assignee"] == "anna" and event.detail["to"]["assignee"] == "ben"
    api = as_user(ben)
    assert api.get("/notifications/unread").json() == {"unread": 1}
    items = api.get("/notifications").json()["items"]
    assert items[0]["link"] == f"/aufgaben/{task_id}/" and items[0]["read_at"] is None
    assert api.post(f"/notifications/{items[0]['id']}/read").json()["read_at"] is not None
    assert api.get("/notifications", unread=True).json()["count"] == 0
    problem(as_user(anna).post(f"/notifications/{items[0]['id']}/read"), 404)  # not hers
    Notification.objects.create(user=ben, kind="task", text="x")
    assert api.post("/notifications/read-all").json() == {"marked": 1}


def test_complete_and_cancel(as_user, anna):
    api = as_user(anna)
    first = api.post("/tasks", {"title": "a", "due_date": soon()}).json()["id"]
    second = api.post("/tasks", {"title": "b", "due_date": soon()}).json()["id"]
    assert api.post(f"/tasks/{first}/complete", {"note": "ok"}).json()["state"] == "done"
    problem(api.post(f"/tasks/{first}/complete", {}), 422)
    assert fields(problem(api.post(f"/tasks/{second}/cancel", {}), 422)) == {"note"}
    done = api.post(f"/tasks/{second}/cancel", {"note": "doppelt"}).json()
    assert done["state"] == "cancelled" and done["close_note"] == "doppelt"
    assert api.get("/tasks").json()["count"] == 0
    assert api.get("/tasks", state="all").json()["count"] == 2


def test_team_view_only_for_team_leads(as_user, anna, ben, lead):
    as_user(ben).post("/tasks", {"title": "Bens", "due_date": soon(1)})
    as_user(anna).post("/tasks", {"title": "Annas", "due_date": soon(3)})
    body = as_user(lead).get("/tasks", view="team").json()
    assert [t["title"] for t in body["items"]] == ["Bens", "Annas"]
    problem(as_user(anna).get("/tasks", view="team"), 403)


def test_roles_without_files_are_refused(as_user, district):
    problem(as_user(user(district, "JC", "analyst")).get("/tasks"), 403)


def test_openapi_lists_the_endpoints(anonymous):
    paths = anonymous.get("/openapi.json").json()["paths"]
    assert {"/api/v1/tasks", "/api/v1/tasks/{task_id}/reassign", "/api/v1/notifications",
            "/api/v1/appointments", "/api/v1/appointments/{appointment_id}/letter.pdf"} <= set(paths)
