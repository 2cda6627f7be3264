"""Me and "Meine Fälle", the DPO's audit trail and Art. 15 export, user management by admins."""

from __future__ import annotations

import pytest

from stella.accounts.models import User
from stella.api.tests.conftest import fields, problem
from stella.audit.models import AuditAction, AuditEvent, Outcome
from stella.tests.factories import register


def test_me(make_user, as_user):
    user = make_user("JC", "caseworker", "team_lead")
    body = as_user(user).get("/me").json()
    assert body["username"] == user.username
    assert body["agency"]["code"] == "JC-LB" and body["agency"]["kind"] == "JC"
    assert body["roles"] == ["caseworker", "team_lead"]


def test_my_cases_lists_files_my_agency_takes_part_in(make_user, as_user):
    jc, lra = make_user("JC", "caseworker"), make_user("LRA", "caseworker")
    mine = register(jc, family="Yousef", given="Amal")
    register(lra, family="Tesfay", given="Senait")
    body = as_user(make_user("JC", "team_lead")).get("/me/cases").json()
    assert body["count"] == 1 and body["items"][0]["id"] == mine.pk
    assert as_user(make_user("JC", "analyst")).get("/me/cases").json()["count"] == 0


# --- audit ----------------------------------------------------------------------------------------

@pytest.fixture
def read_person(make_user, as_user):
    """A person whose file a caseworker opened once; returns (person, caseworker)."""
    jc = make_user("JC", "caseworker")
    person = register(jc)
    as_user(jc).get(f"/persons/{person.pk}")
    return person, jc


def test_dpo_sees_the_trail_per_person_and_user(make_user, as_user, read_person):
    person, jc = read_person
    dpo = as_user(make_user("JC", "dpo"))
    by_person = dpo.get("/audit/events", person_id=person.pk).json()
    assert by_person["count"] >= 2
    assert {e["action"] for e in by_person["items"]} >= {"create", "read"}
    assert by_person["items"][0]["seq"] > by_person["items"][-1]["seq"]  # newest first
    by_user = dpo.get("/audit/events", user_id=jc.pk, limit=1).json()
    assert by_user["count"] >= 2 and len(by_user["items"]) == 1
    assert dpo.get("/audit/events", username=jc.username).json()["count"] == by_user["count"]
    # Looking at the trail is itself audited.
    assert AuditEvent.objects.filter(object_type="audit", person_id=person.pk, action=AuditAction.READ).exists()


@pytest.mark.parametrize("role", ["caseworker", "team_lead", "admin", "analyst"])
def test_others_are_refused_the_trail(make_user, as_user, read_person, role):
    user = make_user("JC", role)
    client = as_user(user)
    problem(client.get("/audit/events"), 403)
    problem(client.get("/audit/verify"), 403)
    problem(client.get(f"/persons/{read_person[0].pk}/export"), 404)
    assert AuditEvent.objects.filter(user_id=user.pk, outcome=Outcome.DENIED).count() == 3


def test_verify_and_export(make_user, as_user, read_person):
    person, _ = read_person
    dpo = as_user(make_user("JC", "dpo"))
    verify = dpo.get("/audit/verify").json()
    assert verify["ok"] and verify["checked"] > 0 and verify["problems"] == []
    export = dpo.get(f"/persons/{person.pk}/export")
    assert export.status_code == 200
    body = export.json()
    assert body["person_id"] == person.pk and set(body["sections"]) >= {"identity", "health"}
    assert any(e["object_type"] == "file" for e in body["access_log"])
    problem(dpo.get("/persons/999999/export"), 404)


def test_audit_query_bad_input(make_user, as_user):
    dpo = as_user(make_user("JC", "dpo"))
    assert fields(problem(dpo.get("/audit/events", person_id="abc"), 422)) == {"person_id"}


# --- users ----------------------------------------------------------------------------------------

NEW_USER = {"username": "m.mustermann", "password": "Lange-Passphrase-2026", "agency": "LRA-LB",
            "roles": ["caseworker"], "first_name": "Max", "last_name": "Mustermann"}


def test_admin_manages_users(make_user, as_user):
    admin = as_user(make_user("JC", "admin"))
    created = admin.post("/users", NEW_USER)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["agency"]["code"] == "LRA-LB" and body["roles"] == ["caseworker"] and body["is_active"]
    assert "password" not in body
    listed = admin.get("/users", limit=100).json()
    assert NEW_USER["username"] in {u["username"] for u in listed["items"]}

    changed = admin.patch(f"/users/{body['id']}", {"roles": ["caseworker", "team_lead"], "active": False})
    assert changed.status_code == 200, changed.content
    assert changed.json()["roles"] == ["caseworker", "team_lead"] and not changed.json()["is_active"]
    assert AuditEvent.objects.filter(action=AuditAction.ADMIN, object_id=str(body["id"])).count() == 3


@pytest.mark.parametrize("change, field", [
    ({"agency": "XX-99"}, "agency"),
    ({"roles": ["chef"]}, "roles.0"),
    ({"roles": []}, "roles"),
    ({"password": "kurz"}, "password"),
    ({"username": "jc-admin-taken"}, "username"),
    ({"is_superuser": True}, "is_superuser"),
])
def test_create_user_bad_input(make_user, as_user, change, field):
    admin = make_user("JC", "admin", username="jc-admin-taken")
    before = User.objects.count()
    assert field in fields(problem(as_user(admin).post("/users", {**NEW_USER, **change}), 422))
    assert User.objects.count() == before


def test_user_patch_bad_input(make_user, as_user):
    admin = make_user("JC", "admin")
    client = as_user(admin)
    assert fields(problem(client.patch(f"/users/{admin.pk}", {}), 422)) == {"body"}
    assert fields(problem(client.patch(f"/users/{admin.pk}", {"active": False}), 422)) == {"active"}
    problem(client.patch("/users/999999", {"active": True}), 404)
    # A refused part leaves the other part undone as well.
    assert fields(problem(client.patch(f"/users/{admin.pk}", {"active": False, "roles": ["dpo"]}), 422)) == {"active"}
    assert admin.role_codes() == ["admin"]


@pytest.mark.parametrize("role", ["caseworker", "dpo", "team_lead"])
def test_only_admins_manage_users(make_user, as_user, role):
    client = as_user(make_user("JC", role))
    problem(client.get("/users"), 403)
    problem(client.post("/users", NEW_USER), 403)
    assert not User.objects.filter(username=NEW_USER["username"]).exists()
