"""Web UI: make an appointment in the person file (conflict check), appointment page with cancel,
downloads, "Meine Termine"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from stella.journey import appointments as service
from stella.journey.models import Appointment
from stella.journey.tests.tasks_setup import actor, at, join, user


def day(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).strftime("%d.%m.%Y")


@pytest.fixture
def anna(district):
    return user(district, "JC", "caseworker", username="anna-termin")


@pytest.fixture
def lra(district, person):
    u = user(district, "LRA", "caseworker", username="lra-termin")
    join(u, person)
    return u


def form(**kw):
    return {"day": day(4), "start": "09:00", "end": "10:00", "place": "Jobcenter, Raum 2.14",
            "purpose": "Erstgespräch", "language": "ar", "interpreter_needed": "on"} | kw


def test_make_an_appointment_and_download_the_letter(login, anna, person):
    client = login(anna)
    page = client.get(f"/personen/{person.pk}/aufgaben-termine/termin/")
    assert page.status_code == 200 and "Termin vereinbaren" in page.content.decode()
    created = client.post(f"/personen/{person.pk}/aufgaben-termine/termin/", form())
    assert created.status_code == 302
    a = Appointment.objects.get()
    assert created["Location"] == f"/termine/{a.pk}/"
    assert a.language == "ar" and a.interpreter_needed and a.counsellor == anna
    assert timezone.localtime(a.starts_at).strftime("%H:%M") == "09:00"
    detail = client.get(f"/termine/{a.pk}/").content.decode()
    assert "Arabisch" in detail and "Entwurf, noch nicht muttersprachlich geprüft" in detail
    pdf = client.get(f"/termine/{a.pk}/einladung.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    ics = client.get(f"/termine/{a.pk}/termin.ics")
    assert ics.status_code == 200 and b"BEGIN:VEVENT" in ics.content
    mine = client.get("/termine/").content.decode()
    assert "Erstgespräch" in mine and "Al-Hassan" in mine


def test_conflict_with_another_agency_is_shown_without_its_content(login, anna, lra, person):
    service.create_appointment(actor=actor(lra), person_id=person.pk, starts_at=at(4, 9, 30), ends_at=at(4, 11),
                               place="Gesundheitsamt", purpose="Untersuchung")
    html = login(anna).post(f"/personen/{person.pk}/aufgaben-termine/termin/", form()).content.decode()
    assert "bereits einen Termin: Landratsamt Ludwigsburg" in html
    assert "Gesundheitsamt" not in html and "Untersuchung" not in html
    assert Appointment.objects.count() == 1
    tab = login(anna).get(f"/personen/{person.pk}/aufgaben-termine/").content.decode()
    assert "Termin einer anderen Behörde" in tab and "Untersuchung" not in tab


@pytest.mark.parametrize(("change", "message"), [
    ({"end": "08:00"}, "Das Ende muss nach dem Beginn liegen."),
    ({"day": day(-1)}, "Ein neuer Termin kann nicht in der Vergangenheit liegen."),
    ({"start": "25:00"}, "keine gültige Uhrzeit"),
    ({"language": "xx"}, "Auswahl"),  # not one of the offered languages
    ({"place": ""}, "Dieses Feld ist zwingend erforderlich."),
])
def test_bad_input(login, anna, person, change, message):
    html = login(anna).post(f"/personen/{person.pk}/aufgaben-termine/termin/", form(**change)).content.decode()
    assert message in html and "error-summary" in html
    assert not Appointment.objects.exists()


def test_cancel_and_other_agency_gets_404(login, anna, lra, person):
    a = service.create_appointment(actor=actor(anna), person_id=person.pk, starts_at=at(4, 9), ends_at=at(4, 10),
                                   place="Raum", purpose="Beratung")
    for url in (f"/termine/{a.pk}/", f"/termine/{a.pk}/einladung.pdf", f"/termine/{a.pk}/termin.ics"):
        assert login(lra).get(url).status_code == 404
    client = login(anna)
    done = client.post(f"/termine/{a.pk}/", {"reason": "Person krank"})
    assert done.status_code == 302
    a.refresh_from_db()
    assert a.cancelled_at is not None and a.cancel_reason == "Person krank"
    assert "Abgesagt" in client.get(f"/termine/{a.pk}/").content.decode()
