"""/api/v1/appointments: create with conflict check, lists, cancel, letter PDF and ICS downloads."""

from __future__ import annotations

import io

import icalendar
import pypdf
import pytest

from stella.api.tests.conftest import fields, problem
from stella.audit.models import AuditEvent
from stella.journey.models import Appointment
from stella.journey.tests.tasks_setup import actor, at, join, register, user
from stella.people.services import LanguageIn, add_language


@pytest.fixture
def jc(district):
    return user(district, "JC", "caseworker", username="jc-api")


@pytest.fixture
def lra(district):
    return user(district, "LRA", "caseworker", username="lra-api")


@pytest.fixture
def person(jc, lra):
    p = register(jc)
    join(lra, p)
    add_language(actor=actor(jc), person_id=p.pk, language=LanguageIn("ar", "MT"))
    return p


def body(person, start, end, **kw):
    return {"person_id": person.pk, "starts_at": start.isoformat(), "ends_at": end.isoformat(),
            "place": "Raum 2.14", "purpose": "Erstgespräch"} | kw


def test_create_list_get_and_downloads(as_user, jc, person):
    api = as_user(jc)
    created = api.post("/appointments", body(person, at(4, 9), at(4, 10), language="ar", interpreter_needed=True))
    assert created.status_code == 201, created.content
    a = created.json()
    assert a["own"] and a["language"] == "ar" and a["counsellor"] == "jc-api"
    assert api.get("/appointments").json()["items"][0]["id"] == a["id"]
    assert api.get(f"/appointments/{a['id']}").json()["purpose"] == "Erstgespräch"
    pdf = api.get(f"/appointments/{a['id']}/letter.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf["X-Translation"] == "ar"
    assert "attachment" in pdf["Content-Disposition"]
    text = pypdf.PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Einladung zu einem Beratungstermin" in text
    ics = api.get(f"/appointments/{a['id']}/calendar.ics")
    assert ics["Content-Type"].startswith("text/calendar")
    event = next(iter(icalendar.Calendar.from_ical(ics.content).walk("VEVENT")))
    assert str(event["location"]) == "Raum 2.14"
    assert AuditEvent.objects.filter(action="export", person_id=person.pk).count() == 2


def test_conflict_refusal_leaks_nothing_to_another_agency(as_user, jc, lra, person):
    as_user(lra).post("/appointments", body(person, at(4, 9), at(4, 10), purpose="Vertrauliche Sache",
                                            place="Gesundheitsamt"))
    refused = problem(as_user(jc).post("/appointments", body(person, at(4, 9, 30), at(4, 10, 30))), 422)
    assert fields(refused) == {"starts_at"}
    assert "Landratsamt" in refused["detail"] and "09:00–10:00 Uhr" in refused["detail"]
    assert "Vertraulich" not in refused["detail"] and "Gesundheitsamt" not in refused["detail"]
    rows = as_user(jc).get("/appointments", person_id=person.pk).json()["items"]
    assert rows == [{"id": None, "own": False, "agency": "LRA-LB", "agency_name": "Landratsamt Ludwigsburg",
                     "starts_at": rows[0]["starts_at"], "ends_at": rows[0]["ends_at"], "cancelled": False,
                     "person_id": person.pk, "place": None, "purpose": None, "language": None,
                     "interpreter_needed": None, "counsellor": None, "cancelled_at": None, "cancel_reason": None,
                     "letter": None, "calendar": None}]


def test_other_agency_cannot_download(as_user, jc, lra, person):
    a = as_user(jc).post("/appointments", body(person, at(4, 9), at(4, 10))).json()
    problem(as_user(lra).get(f"/appointments/{a['id']}/letter.pdf"), 404)
    problem(as_user(lra).get(f"/appointments/{a['id']}/calendar.ics"), 404)
    problem(as_user(lra).post(f"/appointments/{a['id']}/cancel", {}), 404)


@pytest.mark.parametrize(("change", "field"), [
    ({"ends_at": at(4, 8).isoformat()}, "ends_at"),
    ({"starts_at": at(-3, 9).isoformat(), "ends_at": at(-3, 10).isoformat()}, "starts_at"),
    ({"language": "zz"}, "language"),
    ({"starts_at": "2026-03-12T09:00:00"}, "starts_at"),  # no time zone
    ({"counsellor": "lra-api"}, "counsellor"),
])
def test_bad_input(as_user, jc, lra, person, change, field):
    refused = problem(as_user(jc).post("/appointments", body(person, at(4, 9), at(4, 10)) | change), 422)
    assert field in fields(refused)
    assert not Appointment.objects.exists()


def test_cancel(as_user, jc, person):
    api = as_user(jc)
    a = api.post("/appointments", body(person, at(4, 9), at(4, 10))).json()
    done = api.post(f"/appointments/{a['id']}/cancel", {"reason": "verlegt"}).json()
    assert done["cancelled"] and done["cancel_reason"] == "verlegt"
    problem(api.post(f"/appointments/{a['id']}/cancel", {}), 422)
    ics = api.get(f"/appointments/{a['id']}/calendar.ics").content
    assert b"STATUS:CANCELLED" in ics
