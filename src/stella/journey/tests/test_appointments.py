"""Appointments through the services: conflict check across agencies (and what its refusal may say),
cancelling, lists, bad input."""

from datetime import timedelta

import pytest
from django.utils import timezone

from stella.audit.models import AuditEvent, Outcome
from stella.core.errors import AccessDenied, InvalidInput, NotFound
from stella.journey import appointments as appts
from stella.journey.models import Appointment
from stella.journey.tests.tasks_setup import actor, at, join, register, user


@pytest.fixture
def jc(district):
    return user(district, "JC", "caseworker", username="jc-termin")


@pytest.fixture
def lra(district):
    return user(district, "LRA", "benefits", username="lra-termin")


@pytest.fixture
def person(jc, lra):
    p = register(jc)
    join(lra, p)
    return p


def book(u, person, start, end, **kw):
    data = {"place": "Jobcenter Ludwigsburg, Zimmer 2.14", "purpose": "Erstgespräch"} | kw
    return appts.create_appointment(actor=actor(u), person_id=person.pk, starts_at=start, ends_at=end, **data)


def test_create_is_audited_and_held_by_the_actor(jc, person):
    a = book(jc, person, at(3, 9), at(3, 10), language="ar", interpreter_needed=True)
    assert a.agency == jc.agency and a.counsellor == jc and a.language == "ar" and a.interpreter_needed
    event = AuditEvent.objects.get(object_type="appointment", action="create")
    assert event.person_id == person.pk and event.detail["interpreter_needed"] is True


def test_conflict_with_another_agency_names_agency_and_time_but_not_content(jc, lra, person):
    book(lra, person, at(3, 9), at(3, 10), purpose="Gesundheitsuntersuchung", place="Gesundheitsamt, Raum 7")
    with pytest.raises(InvalidInput) as exc:
        book(jc, person, at(3, 9, 30), at(3, 11))
    message = exc.value.field_errors["starts_at"][0]
    assert "Landratsamt Ludwigsburg" in message
    assert f"{at(3, 9):%d.%m.%Y}, 09:00–10:00 Uhr" in message
    assert "Gesundheit" not in message and "Raum 7" not in message
    assert Appointment.objects.count() == 1


def test_conflict_within_the_agency_shows_the_other_appointment(jc, person):
    book(jc, person, at(3, 9), at(3, 10), purpose="Bewerbungstraining", place="Raum 1")
    with pytest.raises(InvalidInput, match="„Bewerbungstraining“, Raum 1"):
        book(jc, person, at(3, 8), at(3, 9, 30))


def test_touching_and_cancelled_appointments_do_not_conflict(jc, lra, person):
    first = book(lra, person, at(3, 9), at(3, 10))
    book(jc, person, at(3, 10), at(3, 11))  # starts when the other ends
    appts.cancel_appointment(actor=actor(lra), appointment_id=first.pk, reason="Person krank")
    book(jc, person, at(3, 9), at(3, 10))
    assert Appointment.objects.filter(cancelled_at__isnull=True).count() == 2


@pytest.mark.parametrize(("field", "kwargs"), [
    ("ends_at", {"starts_at": at(3, 10), "ends_at": at(3, 9)}),
    ("ends_at", {"starts_at": at(3, 10), "ends_at": at(3, 10)}),
    ("ends_at", {"starts_at": at(3, 8), "ends_at": at(3, 19)}),
    ("starts_at", {"starts_at": at(-1, 10), "ends_at": at(-1, 11)}),
    ("starts_at", {"starts_at": at(800, 10), "ends_at": at(800, 11)}),
    ("language", {"language": "xx"}),
    ("language", {"language": "klingon"}),
    ("place", {"place": " "}),
    ("purpose", {"purpose": ""}),
])
def test_bad_input_is_refused_and_nothing_written(jc, person, field, kwargs):
    data = {"starts_at": at(3, 9), "ends_at": at(3, 10), "place": "Raum 1", "purpose": "Beratung"} | kwargs
    with pytest.raises(InvalidInput) as exc:
        appts.create_appointment(actor=actor(jc), person_id=person.pk, **data)
    assert field in exc.value.field_errors
    assert not Appointment.objects.exists()


def test_unknown_language_message_names_the_code(jc, person):
    with pytest.raises(InvalidInput, match="Unbekannter Sprachcode „xx“"):
        book(jc, person, at(3, 9), at(3, 10), language="xx")


def test_counsellor_of_another_agency_is_refused(jc, lra, person):
    with pytest.raises(InvalidInput) as exc:
        book(jc, person, at(3, 9), at(3, 10), counsellor_id=lra.pk)
    assert "counsellor" in exc.value.field_errors


def test_other_agency_cannot_open_or_cancel_and_sees_only_busy_times(jc, lra, person):
    mine = book(jc, person, at(3, 9), at(3, 10), purpose="Vertraulich")
    for call in (lambda: appts.get_appointment(actor=actor(lra), appointment_id=mine.pk),
                 lambda: appts.cancel_appointment(actor=actor(lra), appointment_id=mine.pk),
                 lambda: appts.invitation_letter(actor=actor(lra), appointment_id=mine.pk)):
        with pytest.raises(NotFound):
            call()
    assert AuditEvent.objects.filter(object_type="appointment", outcome=Outcome.DENIED).count() == 3
    rows = appts.person_appointments(actor=actor(lra), person_id=person.pk)
    assert [(r.own, r.agency.code) for r in rows] == [(False, "JC-LB")]
    own_rows = appts.person_appointments(actor=actor(jc), person_id=person.pk)
    assert own_rows[0].own


def test_cancelled_appointments_of_others_are_not_listed(jc, lra, person):
    other = book(lra, person, at(3, 9), at(3, 10))
    appts.cancel_appointment(actor=actor(lra), appointment_id=other.pk)
    assert appts.person_appointments(actor=actor(jc), person_id=person.pk) == []
    assert appts.person_appointments(actor=actor(lra), person_id=person.pk)[0].cancelled


def test_cancel_rules(jc, person):
    a = book(jc, person, at(3, 9), at(3, 10))
    with pytest.raises(InvalidInput):
        appts.cancel_appointment(actor=actor(jc), appointment_id=a.pk, reason="x" * 301)
    appts.cancel_appointment(actor=actor(jc), appointment_id=a.pk, reason="verlegt")
    with pytest.raises(InvalidInput, match="bereits abgesagt"):
        appts.cancel_appointment(actor=actor(jc), appointment_id=a.pk)
    past = Appointment.objects.create(person=person, agency=jc.agency, starts_at=at(-2, 9), ends_at=at(-2, 10),
                                      place="x", purpose="y", counsellor=jc)
    with pytest.raises(InvalidInput, match="begonnen"):
        appts.cancel_appointment(actor=actor(jc), appointment_id=past.pk)


def test_my_appointments_are_mine_from_today_on(district, jc, person):
    colleague = user(district, "JC", "caseworker")
    mine = book(jc, person, at(1, 9), at(1, 10))
    theirs = book(colleague, person, at(2, 9), at(2, 10))
    Appointment.objects.create(person=person, agency=jc.agency, starts_at=at(-3, 9), ends_at=at(-3, 10),
                               place="x", purpose="alt", counsellor=jc)
    assert list(appts.my_appointments(actor=actor(jc))) == [mine]
    assert list(appts.my_appointments(actor=actor(jc), agency_wide=True)) == [mine, theirs]
    assert len(appts.my_appointments(actor=actor(jc), include_past=True)) == 2


def test_writing_needs_counselling_write(district, jc, person):
    registration = user(district, "JC", "registration")
    with pytest.raises(AccessDenied):
        book(registration, person, at(3, 9), at(3, 10))


def test_span_text_crossing_midnight(jc):
    start = at(3, 23)
    text = appts.span_text(start, start + timedelta(hours=2))
    assert "23:00 Uhr bis" in text and (start + timedelta(hours=2)).strftime("%d.%m.%Y") in text
    assert timezone.is_aware(start)
