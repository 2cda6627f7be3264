"""The competence profile over HTTP: round trips per row kind, end and confirm, problem details naming the
field for bad input (nothing written), refusals as 403/404 like the policy says."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from stella.api.tests.conftest import ApiClient, fields, problem, token_for
from stella.audit.models import AuditEvent
from stella.competences.models import LanguageAssessment, WorkExperience
from stella.tests.factories import register

TODAY = date.today()


@pytest.fixture
def jc(make_user):
    return make_user("JC", "caseworker")


@pytest.fixture
def person(jc):
    return register(jc)


@pytest.fixture
def api(jc):
    return ApiClient(token_for(jc))


def url(person, suffix: str = "") -> str:
    return f"/persons/{person.pk}/competences{suffix}"


def test_profile_round_trip(api, person, kldb):
    assert api.post(url(person, "/school"), {"years": 12, "certificate": "university_entrance",
                                             "country": "SYR"}).status_code == 201
    r = api.post(url(person, "/qualifications"), {
        "kind": "vocational", "title": "ممرض", "year": 2012, "occupation_code": "81302", "recognition": "applied",
        "recognition_body": "Regierungspräsidium Stuttgart", "recognition_date": str(TODAY)})
    assert r.status_code == 201, r.content
    qualification = r.json()
    assert qualification["occupation"]["code"] == "81302" and qualification["occupation"]["skill_level"] == 2
    r = api.post(url(person, "/experience"), {"title": "طباخ", "language": "ar", "years": 4.5, "country": "SYR"})
    assert r.status_code == 201 and r.json()["occupation"] is None and r.json()["years"] == 4.5
    assert api.post(url(person, "/skills"), {"kind": "driving_licence", "value": "B"}).status_code == 201
    r = api.post(url(person, "/languages"), {"language": "de", "speaking": "B1", "understanding": "B1",
                                             "reading": "A2", "source": "certificate", "source_detail": "DTZ",
                                             "assessed_on": str(TODAY)})
    assert r.status_code == 201 and r.json()["level"] == "A2" and r.json()["writing"] == ""
    r = api.post(url(person, "/circumstances"), {"needs_childcare": True, "mobility": "municipality"})
    assert r.status_code == 201

    body = api.get(url(person)).json()
    assert body["german_level"] == "A2"
    assert [s["years"] for s in body["school"]] == [12]
    assert body["qualifications"][0]["recognition_label"] == "beantragt"
    assert body["experience"][0]["title_as_given"] == "طباخ"
    assert body["skills"][0] == {**body["skills"][0], "kind": "driving_licence", "value": "B"}
    assert body["circumstances"]["needs_childcare"] is True
    assert body["circumstances"]["recorded_by"] == "JC-LB"


def test_confirm_end_and_history(api, person, kldb):
    row = api.post(url(person, "/experience"), {"title": "Cook", "language": "en", "years": 3}).json()
    r = api.post(url(person, f"/experience/{row['id']}/confirm"), {"code": "29302"})
    assert r.status_code == 201, r.content
    confirmed = r.json()
    assert confirmed["replaces"] == row["id"] and confirmed["occupation"]["code"] == "29302"
    r = api.post(url(person, f"/experience/{confirmed['id']}/end"))
    assert r.status_code == 200 and r.json()["ended_at"]
    assert api.get(url(person)).json()["experience"] == []
    history = api.get(url(person), history="true").json()["experience"]
    assert [(e["id"], e["ended_at"] is not None) for e in history] == [(row["id"], True), (confirmed["id"], True)]


def test_update_recognition(api, person):
    row = api.post(url(person, "/qualifications"), {"kind": "academic", "title": "BSc"}).json()
    r = api.post(url(person, f"/qualifications/{row['id']}/recognition"),
                 {"recognition": "full", "recognition_body": "ZAB", "recognition_date": str(TODAY)})
    assert r.status_code == 201 and r.json()["replaces"] == row["id"] and r.json()["recognition"] == "full"


@pytest.mark.parametrize(("suffix", "payload", "field"), [
    ("/languages", {"language": "de", "speaking": "B3", "source": "self", "assessed_on": str(TODAY)}, "speaking"),
    ("/languages", {"language": "de", "source": "self", "assessed_on": str(TODAY)}, "levels"),
    ("/languages", {"language": "de", "speaking": "A1", "source": "self",
                    "assessed_on": str(TODAY + timedelta(days=1))}, "assessed_on"),
    ("/languages", {"language": "de", "speaking": "A1", "source": "oracle", "assessed_on": str(TODAY)}, "source"),
    ("/school", {"years": 9, "country": "XYZ"}, "country"),
    ("/school", {"years": 9, "extra": 1}, "extra"),
    ("/qualifications", {"kind": "vocational", "title": "Koch", "occupation_code": "12345"}, "occupation_code"),
    ("/qualifications", {"kind": "vocational", "title": "Koch", "recognition": "full", "recognition_body": "IHK",
                         "recognition_date": str(TODAY + timedelta(days=5))}, "recognition_date"),
    ("/experience", {"title": "Koch", "years": -2}, "years"),
    ("/skills", {"kind": "driving_licence", "value": "Z"}, "value"),
    ("/circumstances", {"mobility": "anywhere"}, "mobility"),
])
def test_bad_input_is_a_problem_naming_the_field(api, person, kldb, suffix, payload, field):
    before = sum(m.objects.count() for m in (LanguageAssessment, WorkExperience))
    body = problem(api.post(url(person, suffix), payload), 422)
    assert field in fields(body), body
    assert sum(m.objects.count() for m in (LanguageAssessment, WorkExperience)) == before
    assert api.get(url(person)).json()["school"] == []


def test_confirm_with_unknown_code(api, person, kldb):
    row = api.post(url(person, "/experience"), {"title": "Cook", "years": 3}).json()
    body = problem(api.post(url(person, f"/experience/{row['id']}/confirm"), {"code": "99999"}), 422)
    assert fields(body) == {"code"} and "99999" in body["detail"]
    assert api.get(url(person)).json()["experience"][0]["id"] == row["id"]


def test_end_unknown_kind_and_row(api, person):
    problem(api.post(url(person, "/hobbies/1/end")), 422)
    problem(api.post(url(person, "/skills/99999/end")), 404)


def test_refusals(make_user, person):
    clerk = ApiClient(token_for(make_user("JC", "registration")))
    body = problem(clerk.post(url(person, "/skills"), {"kind": "skill", "value": "Schweißen"}), 403)
    assert "Kompetenzen" in body["detail"]
    problem(clerk.get(url(person)), 403)
    course_provider = ApiClient(token_for(make_user("KT", "caseworker")))
    problem(course_provider.get(url(person)), 404)
    problem(course_provider.post(url(person, "/school"), {"years": 3}), 404)
    agency = ApiClient(token_for(make_user("AA", "caseworker")))
    problem(agency.post(url(person, "/school"), {"years": 3}), 403)
    assert AuditEvent.objects.filter(person_id=person.pk, outcome="denied").count() >= 5


def test_suggestions_endpoint(api, person, kldb):
    row = api.post(url(person, "/experience"), {"title": "Bäcker", "language": "de", "years": 3}).json()
    r = api.get(url(person, f"/experience/{row['id']}/suggestions"))
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["title_as_given"] == "Bäcker" and body["confirmed"] is None
    assert body["candidates"] and all(len(c["code"]) == 5 for c in body["candidates"])
    problem(api.get(url(person, "/experience/999999/suggestions")), 404)


def test_permission_matrix_follows_the_policy(district, person):
    """Every agency kind × role, reading and writing the profile: 2xx, 403 or 404 exactly as the policy says."""
    from stella.accounts.models import RoleAssignment, User
    from stella.agencies.models import AgencyKind, Role
    from stella.authz.policy import Action, Category, decide, may_find_person
    from stella.cases.access import file_context
    from stella.core.actor import Actor

    wrong, outcomes = [], set()
    for kind, role in [(k, r) for k in AgencyKind for r in Role]:
        user = User(username=f"m-{kind}-{role}".lower(), agency=district[kind])
        user.set_unusable_password()
        user.save()
        RoleAssignment.objects.create(user=user, role=role)
        me, client = Actor.for_user(user), ApiClient(token_for(user))
        ctx = file_context(me, person.pk)
        for action, call, ok in (
            (Action.READ, lambda c: c.get(url(person)), 200),
            (Action.WRITE, lambda c, v=str(role): c.post(url(person, "/skills"), {"kind": "skill", "value": v}), 201),
        ):
            if not may_find_person(me, ctx):
                want = 404
            else:
                want = ok if decide(me, action, Category.COMPETENCES, ctx) else 403
            got = call(client).status_code
            outcomes.add(want)
            if got != want:
                wrong.append(f"{kind}/{role} {action}: {got}, policy says {want}")
    assert not wrong, "\n".join(wrong)
    assert outcomes == {200, 201, 403, 404}
