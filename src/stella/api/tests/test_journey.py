"""Status history over the API: record, refuse with the reason, correct, read the derived journey."""

from __future__ import annotations

import pytest

from stella.api.tests.conftest import fields, problem
from stella.journey.models import StatusEvent
from stella.tests.factories import register_housed


@pytest.fixture
def lra(make_user):
    return make_user("LRA", "caseworker")


@pytest.fixture
def person(lra, district):
    return register_housed(lra, district)


def test_history_and_journey(lra, person, as_user, district):
    client = as_user(lra)
    for body in [{"kind": "asylgesuch", "effective_date": "2015-09-03"},
                 {"kind": "gestattung", "effective_date": "2015-10-01"},
                 {"kind": "bamf_entscheidung", "effective_date": "2016-05-10", "outcome": "subsidiaer"},
                 {"kind": "rechtskraft", "effective_date": "2016-05-31"}]:
        assert client.post(f"/persons/{person.pk}/status-events", body).status_code == 201
    data = client.get(f"/persons/{person.pk}/journey").json()
    assert (data["state"], data["phase"]) == ("protected", "Leistungsbezug")
    switch = next(p for p in data["points"] if p["on"] == "2016-06-01")
    assert switch["regime"] == "sgb2" and switch["leads"]["benefits"] == district["JC"].code


def test_contradicting_event_is_422_with_reason(lra, person, as_user):
    body = problem(as_user(lra).post(f"/persons/{person.pk}/status-events",
                                     {"kind": "rechtskraft", "effective_date": "2016-01-01"}), 422)
    assert fields(body) == {"kind"} and "nicht möglich" in body["errors"][0]["message"]
    assert not StatusEvent.objects.exists()


@pytest.mark.parametrize("body,field", [
    ({"kind": "geburt", "effective_date": "2016-01-01"}, "kind"),
    ({"kind": "asylgesuch", "effective_date": "2016-02-30"}, "effective_date"),
    ({"kind": "asylgesuch", "effective_date": "2016-01-01", "extra": 1}, "extra"),
])
def test_bad_input(lra, person, as_user, body, field):
    assert field in fields(problem(as_user(lra).post(f"/persons/{person.pk}/status-events", body), 422))


def test_correction_and_refusals(lra, person, as_user, make_user):
    client = as_user(lra)
    event = client.post(f"/persons/{person.pk}/status-events",
                        {"kind": "asylgesuch", "effective_date": "2015-09-03"}).json()
    fix = client.post(f"/persons/{person.pk}/status-events/{event['id']}/corrections",
                      {"reason": "Datum laut AKN", "effective_date": "2015-09-04"})
    assert fix.status_code == 201 and fix.json()["corrects"] == event["id"]
    events = client.get(f"/persons/{person.pk}/journey").json()["events"]
    assert [e["in_force"] for e in events] == [False, True]
    problem(as_user(make_user("KT", "caseworker")).get(f"/persons/{person.pk}/journey"), 404)
    problem(as_user(make_user("JC", "caseworker")).get(f"/persons/{person.pk}/journey"), 403)
