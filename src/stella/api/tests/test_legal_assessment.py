"""GET /persons/{id}/legal-assessment (inputs with provenance, answers, refusals, 404, 422) and
POST /rules/check (one question in the batch format, for other tools)."""

from __future__ import annotations

from datetime import date

import pytest

from stella.agencies.models import AgencyKind, Role
from stella.api.tests.conftest import fields, problem
from stella.audit.models import AuditEvent
from stella.authz.policy import Action, Category, decide, may_find_person
from stella.cases import services as cases
from stella.cases.access import file_context
from stella.core.actor import Actor
from stella.journey.tests.assessment_fixtures import syrian_asylum_seeker
from stella.rules import WorkPermissionInput, work_permission

pytestmark = pytest.mark.django_db


@pytest.fixture
def jc(make_user):
    return make_user("JC", "caseworker", username="jc-api")


@pytest.fixture
def person(jc):
    return syrian_asylum_seeker(jc)


def path(person) -> str:
    return f"/persons/{person.pk}/legal-assessment"


def test_happy_path(as_user, jc, person) -> None:
    response = as_user(jc, purpose="Beratung").get(path(person), date="2016-03-01")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["person_id"] == person.pk and body["reference_date"] == "2016-03-01"
    assert body["rule_version"] == "2026.2" and body["coverage"]["benefit"] == [2015, 2026]
    inputs = {i["key"]: i for i in body["inputs"]}
    assert inputs["status"]["value"] == "gestattung"
    assert inputs["status"]["source"].startswith("aus Dokument Aufenthaltsgestattung vom 03.09.2015")
    assert inputs["asylum_request_date"]["value"] == "2015-09-03"
    assert inputs["duldung_grounds"]["value"] == []
    employment = body["work_permission"][0]
    expected = work_permission(WorkPermissionInput(
        reference_date=date(2016, 3, 1), status="gestattung", activity="employment", nationality="SYR",
        entry_date=date(2015, 9, 3), asylum_request_date=date(2015, 9, 3)))
    assert employment["result"] == expected.to_dict()
    assert employment["outcome_label"] == "Erlaubnis der Ausländerbehörde und Zustimmung der BA nötig"
    assert employment["error"] is None and employment["refused"] is None
    assert [a["topic"] for a in body["work_permission"]] == ["employment", "vocational_training", "internship",
                                                             "self_employment"]
    assert body["benefit"]["result"]["regime"] == "asylblg_3" and body["benefit"]["result"]["stage"] == 1
    assert body["regime_switch"] is None
    assert body["course_access"]["result"]["outcome"] == "ADMISSIBLE"
    event = AuditEvent.objects.get(person_id=person.pk, object_type="legal_assessment")
    assert event.purpose == "Beratung" and event.detail["reference_date"] == "2016-03-01"


def test_overrides_in_the_query(as_user, jc, person) -> None:
    body = as_user(jc).get(path(person), date="2017-03-01", status="ae_25_2", decision_final_date="2017-02-10",
                           lives_in_reception_centre="false", duldung_grounds=[]).json()
    inputs = {i["key"]: i for i in body["inputs"]}
    assert inputs["status"]["source"] == "Angabe der Fachkraft" and inputs["status"]["overridden"] is True
    assert inputs["status"]["file_value"].startswith("Aufenthaltsgestattung")
    assert inputs["lives_in_reception_centre"]["value"] is False
    assert {a["result"]["outcome"] for a in body["work_permission"]} == {"FREE"}
    assert body["regime_switch"]["result"]["first_sgb2_day"] == "2017-03-01"


def test_repeated_duldung_grounds(as_user, jc, person) -> None:
    body = as_user(jc).get(path(person), date="2018-06-01", status="duldung",
                           duldung_grounds=["own_fault", "return_imminent"]).json()
    assert {i["key"]: i for i in body["inputs"]}["duldung_grounds"]["value"] == ["own_fault", "return_imminent"]
    assert body["work_permission"][0]["result"]["outcome"] == "BAN"
    assert body["work_permission"][0]["result"]["rule"] == "10"


def test_missing_input_is_an_answer_error_not_a_failure(as_user, jc) -> None:
    person = syrian_asylum_seeker(jc, documents=[])
    body = as_user(jc).get(path(person), date="2016-03-01", status="gestattung").json()
    employment = body["work_permission"][0]
    assert employment["result"] is None
    assert employment["error"].startswith("Für diese Einschätzung fehlt: Datum des Asylgesuchs")
    assert employment["error_fields"] == ["asylum_request_date"]


def test_date_outside_the_rules(as_user, jc, person) -> None:
    body = as_user(jc).get(path(person), date="2030-01-01").json()
    assert "außerhalb der abgedeckten Jahre 2013–2027" in body["work_permission"][0]["error"]
    assert "außerhalb der abgedeckten Jahre 2015–2026" in body["benefit"]["error"]


def test_refused_answer(as_user, make_user, person) -> None:
    aa = make_user("AA", "caseworker")
    cases.add_participation(actor=Actor.for_user(aa), person_id=person.pk, role="contributing",
                            legal_basis="§39a SGB III")
    body = as_user(aa).get(path(person), date="2016-03-01").json()
    assert body["benefit"]["result"] is None
    assert body["benefit"]["refused"].startswith("Für den Bereich „Leistungen“ fehlt Ihrer Behörde")
    assert body["work_permission"][0]["result"]["outcome"] == "ABH_BA"


@pytest.mark.parametrize("kind", ["KT", "MB"])
def test_not_found_for_persons_the_caller_may_not_find(as_user, make_user, person, kind) -> None:
    body = problem(as_user(make_user(kind, "caseworker")).get(path(person)), 404)
    assert body["detail"] == "Die Person wurde nicht gefunden."
    problem(as_user(make_user("JC", "caseworker")).get("/persons/999999/legal-assessment"), 404)


@pytest.mark.parametrize(("params", "field"), [
    ({"date": "2023-02-30"}, "date"),
    ({"date": "01.03.2016"}, "date"),
    ({"status": "asyl"}, "status"),
    ({"household": "wg"}, "household"),
    ({"lives_in_reception_centre": "vielleicht"}, "lives_in_reception_centre"),
    ({"duldung_grounds": "laziness"}, "duldung_grounds.0"),
    ({"nationality": "SYRIA"}, "nationality"),
    ({"stauts": "gestattung"}, "stauts"),
])
def test_bad_query_values_are_422(as_user, jc, person, params, field) -> None:
    body = problem(as_user(jc).get(path(person), **params), 422)
    # Ninja reports list-valued query parameters as "query.<name>.<i>" (errors.field_path keeps the prefix).
    assert any(f == field or f == f"query.{field}" for f in fields(body)), body


def test_unknown_country_code_is_422_from_the_service(as_user, jc, person) -> None:
    body = problem(as_user(jc).get(path(person), nationality="ZZZ"), 422)
    assert body["errors"] == [{"field": "nationality",
                               "message": "Unbekannter Ländercode „ZZZ“ (ISO 3166 Alpha-3 erwartet, z. B. SYR)."}]


def test_needs_a_token(anonymous, person) -> None:
    problem(anonymous.get(path(person)), 401)


def test_answers_follow_the_policy_for_every_agency_kind_and_role(as_user, make_user, jc, person) -> None:
    """A small permission matrix: 404 when the person may not be found, else each answer is given exactly
    when the policy allows reading its category."""
    lra = make_user("LRA", "caseworker")
    cases.add_participation(actor=Actor.for_user(lra), person_id=person.pk, role="contributing",
                            legal_basis="§1 AsylbLG")
    wrong, seen = [], set()
    for kind in AgencyKind:
        for role in Role:
            user = make_user(kind.value, role.value)
            ctx = file_context(Actor.for_user(user), person.pk)
            caller = Actor.for_user(user)
            response = as_user(user).get(path(person), date="2016-03-01")
            if not may_find_person(caller, ctx):
                seen.add("404")
                if response.status_code != 404:
                    wrong.append(f"{kind}/{role}: {response.status_code}, expected 404")
                continue
            body = response.json()
            for category, answer in ((Category.RESIDENCE, body["work_permission"][0]),
                                     (Category.RESIDENCE, body["course_access"]),
                                     (Category.BENEFITS, body["benefit"])):
                allowed = decide(caller, Action.READ, category, ctx).allowed
                seen.add(f"{category}:{allowed}")
                if allowed != (answer["refused"] is None):
                    wrong.append(f"{kind}/{role} {answer['question']}: refused={answer['refused']!r}")
    assert not wrong, "\n".join(wrong)
    assert {"404", "residence:True", "residence:False", "benefits:True", "benefits:False"} <= seen


# --- POST /rules/check ----------------------------------------------------------------------------------------------

QUESTION = {"question": "work_permission", "reference_date": "2016-03-01", "status": "gestattung",
            "nationality": "SYR", "entry_date": "2015-09-01", "asylum_request_date": "2015-09-03",
            "lives_in_reception_centre": False, "duldung_grounds": [], "activity": "employment"}


def test_rules_check_happy_path(as_user, make_user) -> None:
    user = make_user("KT", "caseworker")  # any authenticated user: no personal data involved
    response = as_user(user).post("/rules/check", QUESTION)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["outcome"] == "ABH_BA" and body["basis"] == ["§61 Abs. 2 AsylG", "§32 BeschV"]
    assert body["unverified"] is False and body["rule_version"] == "2026.2"
    benefit = as_user(user).post("/rules/check", {
        "question": "benefit", "id": "b-1", "reference_date": "2024-06-01", "age": 34, "household": "single",
        "regime_inputs": {"status": "gestattung", "entry_date": "2022-10-01", "analogue_since": None}}).json()
    assert (benefit["id"], benefit["regime"], benefit["stage"], benefit["amount_eur"]) == ("b-1", "asylblg_3", 1, 460)
    assert not AuditEvent.objects.filter(object_type="legal_assessment").exists()


@pytest.mark.parametrize(("question", "field", "message"), [
    ({**QUESTION, "reference_date": "2023-02-30"}, "reference_date", "unmögliches Datum"),
    ({**QUESTION, "colour": "blue"}, "colour", "Unbekannte Felder: colour."),
    ({k: v for k, v in QUESTION.items() if k not in ("activity", "status")}, "activity", "Pflichtfelder fehlen"),
    ({**QUESTION, "question": "weather"}, "question", "Unbekannte oder fehlende Frageart"),
    ({**QUESTION, "status": "asyl"}, "status", "Unbekannter Aufenthaltsstatus „asyl“"),
    ({**QUESTION, "reference_date": "2012-01-01"}, "reference_date", "außerhalb der abgedeckten Jahre 2013–2027"),
    ({**QUESTION, "entry_date": "2015-09-10"}, "asylum_request_date", "widersprüchliche Angaben"),
])
def test_rules_check_bad_question_is_422(as_user, jc, question, field, message) -> None:
    body = problem(as_user(jc).post("/rules/check", question), 422)
    assert field in fields(body), body
    assert message in body["detail"]


def test_rules_check_needs_an_object_and_a_token(as_user, jc, anonymous) -> None:
    problem(as_user(jc).post("/rules/check", [QUESTION]), 422)
    problem(anonymous.post("/rules/check", QUESTION), 401)


def test_openapi_documents_both(db, anonymous) -> None:
    spec = anonymous.get("/openapi.json").json()
    assessment = spec["paths"]["/api/v1/persons/{person_id}/legal-assessment"]["get"]
    assert {p["name"] for p in assessment["parameters"]} >= {"person_id", "date", "status", "duldung_grounds"}
    check = spec["paths"]["/api/v1/rules/check"]["post"]
    assert check["requestBody"]["content"]["application/json"]["example"]["question"] == "work_permission"
    assert "422" in {str(s) for s in check["responses"]}
