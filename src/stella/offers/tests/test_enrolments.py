"""Enrolments: waiting list and its order, admission with capacity (also concurrent) and the hard rules,
direct enrolment inside an outer transaction, attendance, completion with result, drop-out, withdrawal,
notifications and timeline entries."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from stella.audit.models import AuditEvent
from stella.cases.models import TimelineEntry
from stella.competences.models import LanguageAssessment, LevelSource
from stella.core.errors import AccessDenied, InvalidInput, NotFound
from stella.journey.models import Notification
from stella.matching.facts import Failure
from stella.offers import services
from stella.offers.models import Attendance, Enrolment, EnrolmentState
from stella.offers.tests.conftest import act, offer_in
from stella.tests.factories import register


def day(offset: int):
    return timezone.localdate() + timedelta(days=offset)


@pytest.fixture
def running(jc, municipality, district):
    """An integration course that began 20 days ago (attendance can be recorded), two seats."""
    return services.create_offer(actor=act(jc), data=offer_in(
        municipality, starts_on=day(-20), ends_on=day(100), provider_agency_id=district["KT"].pk))


# --- waiting list ------------------------------------------------------------------------------------------------

def test_request_puts_on_waiting_list_in_order(course, jc, jc2, person, person2, person3):
    first = services.request_enrolment(actor=act(jc), person_id=person.pk, offer_id=course.pk)
    second = services.request_enrolment(actor=act(jc2), person_id=person2.pk, offer_id=course.pk)
    third = services.request_enrolment(actor=act(jc), person_id=person3.pk, offer_id=course.pk)
    assert first.state == EnrolmentState.WAITING and first.agency_id == jc.agency_id
    assert [services.get_enrolment(actor=act(jc), enrolment_id=x.pk).waiting_position
            for x in (first, second, third)] == [1, 2, 3]
    services.withdraw(actor=act(jc), enrolment_id=first.pk, reason="Person ist umgezogen")
    roster = services.offer_roster(actor=act(jc), offer_id=course.pk)
    assert [(r.enrolment.pk, r.position) for r in roster.waiting] == [(second.pk, 1), (third.pk, 2)]
    assert [r.enrolment.pk for r in roster.ended] == [first.pk]
    assert AuditEvent.objects.filter(object_type="enrolment", object_id=str(first.pk), action="create",
                                     person_id=person.pk, categories=["placement"]).exists()


def test_order_follows_requested_at_not_id(course, jc, person, person2):
    late = services.request_enrolment(actor=act(jc), person_id=person.pk, offer_id=course.pk)
    early = services.request_enrolment(actor=act(jc), person_id=person2.pk, offer_id=course.pk)
    Enrolment.objects.filter(pk=early.pk).update(requested_at=late.requested_at - timedelta(days=3))
    rows = list(services.person_enrolments(actor=act(jc), person_id=person.pk))
    assert rows[0].waiting_position == 2


def test_request_twice_or_for_closed_offer_is_refused(course, jc, person, person2):
    services.request_enrolment(actor=act(jc), person_id=person.pk, offer_id=course.pk)
    with pytest.raises(InvalidInput, match="bereits angemeldet oder steht auf der Warteliste"):
        services.request_enrolment(actor=act(jc), person_id=person.pk, offer_id=course.pk)
    services.close_offer(actor=act(jc), offer_id=course.pk)
    with pytest.raises(InvalidInput, match="geschlossen"):
        services.request_enrolment(actor=act(jc), person_id=person2.pk, offer_id=course.pk)
    assert Enrolment.objects.count() == 1


def test_request_needs_write_access_to_the_file(course, aa, kt, person):
    for user in (aa, kt):
        with pytest.raises((AccessDenied, NotFound)):
            services.request_enrolment(actor=act(user), person_id=person.pk, offer_id=course.pk)
    assert not Enrolment.objects.exists()
    assert AuditEvent.objects.filter(outcome="denied", username="aa-nina", person_id=person.pk).exists()
    assert AuditEvent.objects.filter(outcome="denied", username="kt-olga", person_id=person.pk).exists()


# --- admission and capacity -----------------------------------------------------------------------------------

def test_admit_gives_a_seat_with_timeline_and_notification(course, jc, jc2, person):
    waiting = services.request_enrolment(actor=act(jc), person_id=person.pk, offer_id=course.pk)
    admitted = services.admit(actor=act(jc2), enrolment_id=waiting.pk)
    assert admitted.state == EnrolmentState.ENROLLED and admitted.enrolled_on == timezone.localdate()
    assert admitted.version == 2
    entry = TimelineEntry.objects.get(case_file__person=person, category="placement")
    assert entry.title == "Platz erhalten: Integrationskurs Allgemein" and "VHS Ludwigsburg" in entry.text
    note = Notification.objects.get(user=jc, kind="enrolment")
    assert "Integrationskurs Allgemein" in note.text and note.link == f"/personen/{person.pk}/angebote/"
    assert "Al-Hassan" not in note.text  # no personal data in notifications
    assert not Notification.objects.filter(user=jc2).exists()
    event = AuditEvent.objects.get(object_type="enrolment", object_id=str(waiting.pk), action="update")
    assert event.detail["state"] == "enrolled" and event.detail["seats_taken"] == 1


def test_enrolment_beyond_capacity_is_refused_and_changes_nothing(course, jc, person, person2, person3):
    for p in (person, person2):
        services.enrol(actor=act(jc), person_id=p.pk, offer_id=course.pk)
    waiting = services.request_enrolment(actor=act(jc), person_id=person3.pk, offer_id=course.pk)
    before = AuditEvent.objects.count()
    with pytest.raises(InvalidInput) as exc:
        services.admit(actor=act(jc), enrolment_id=waiting.pk)
    assert exc.value.field_errors["offer"][0].startswith("Das Angebot ist voll (2 von 2 Plätzen belegt)")
    assert Enrolment.objects.get(pk=waiting.pk).state == EnrolmentState.WAITING
    assert AuditEvent.objects.count() == before
    with pytest.raises(InvalidInput, match="voll"):  # directly, too: and no waiting-list entry is left behind
        services.enrol(actor=act(jc), person_id=register(jc, family="Karimi", birth=None).pk, offer_id=course.pk)
    assert Enrolment.objects.count() == 3


def test_admitting_twice_for_the_last_seat(course, jc, jc2, person, person2, person3):
    services.enrol(actor=act(jc), person_id=person.pk, offer_id=course.pk)
    a = services.request_enrolment(actor=act(jc), person_id=person2.pk, offer_id=course.pk)
    b = services.request_enrolment(actor=act(jc), person_id=person3.pk, offer_id=course.pk)
    services.admit(actor=act(jc), enrolment_id=a.pk)
    with pytest.raises(InvalidInput, match="voll"):
        services.admit(actor=act(jc2), enrolment_id=b.pk)
    with pytest.raises(InvalidInput, match="aufgenommen werden kann nur, wer auf der Warteliste steht"):
        services.admit(actor=act(jc2), enrolment_id=a.pk)
    assert Enrolment.objects.filter(offer=course, state=EnrolmentState.ENROLLED).count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_admissions_never_exceed_capacity(jc, municipality, person, person2, person3):
    if connection.vendor != "postgresql":
        pytest.skip("row locks (select_for_update) need PostgreSQL; SQLite serialises all writes anyway")
    offer = services.create_offer(actor=act(jc), data=offer_in(municipality, seats=1))
    rows = [services.request_enrolment(actor=act(jc), person_id=p.pk, offer_id=offer.pk)
            for p in (person, person2, person3)]
    barrier = threading.Barrier(len(rows))
    outcomes: list[str] = []

    def admit(enrolment_id: int) -> None:
        try:
            barrier.wait()
            services.admit(actor=act(jc), enrolment_id=enrolment_id)
            outcomes.append("ok")
        except InvalidInput as exc:
            outcomes.append(exc.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=admit, args=(r.pk,)) for r in rows]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1, outcomes
    assert all(o.startswith("Das Angebot ist voll (1 von 1") for o in outcomes if o != "ok")
    assert Enrolment.objects.filter(offer=offer, state=EnrolmentState.ENROLLED).count() == 1


def test_rule_refusal_names_the_rule_and_its_basis(course, jc, person, monkeypatch):
    waiting = services.request_enrolment(actor=act(jc), person_id=person.pk, offer_id=course.pk)
    failure = Failure("legal_access", "Kein Anspruch und keine Zulassung zum Integrationskurs.",
                      basis="§44 Abs. 4 AufenthG")
    monkeypatch.setattr(services, "rule_failures", lambda person_id, offer: [failure])
    with pytest.raises(InvalidInput) as exc:
        services.admit(actor=act(jc), enrolment_id=waiting.pk)
    message = exc.value.field_errors["rules"][0]
    assert "Rechtlicher Zugang" in message and "§44 Abs. 4 AufenthG" in message
    assert course.starts_on.strftime("%d.%m.%Y") in message
    assert Enrolment.objects.get(pk=waiting.pk).state == EnrolmentState.WAITING
    assert not TimelineEntry.objects.filter(case_file__person=person).exists()
    admitted = services.admit(actor=act(jc), enrolment_id=waiting.pk, check_rules=False)  # the allocation's path
    assert admitted.state == EnrolmentState.ENROLLED


def test_full_and_forbidden_are_reported_together(course, jc, person, person2, person3, monkeypatch):
    for p in (person, person2):
        services.enrol(actor=act(jc), person_id=p.pk, offer_id=course.pk)
    waiting = services.request_enrolment(actor=act(jc), person_id=person3.pk, offer_id=course.pk)
    monkeypatch.setattr(services, "rule_failures", lambda person_id, offer: [Failure("level", "B1 fehlt.")])
    with pytest.raises(InvalidInput) as exc:
        services.admit(actor=act(jc), enrolment_id=waiting.pk)
    assert set(exc.value.field_errors) == {"offer"}  # a full offer: the rules are not the reason


def test_enrol_admits_an_existing_waiting_entry_and_works_in_an_outer_transaction(course, jc, jc2, person, person2,
                                                                                  person3):
    waiting = services.request_enrolment(actor=act(jc2), person_id=person.pk, offer_id=course.pk)
    refused = []
    with transaction.atomic():
        for p in (person, person2, person3):
            try:
                services.enrol(actor=act(jc), person_id=p.pk, offer_id=course.pk)
            except InvalidInput as exc:
                refused.append((p.pk, exc.message))
    assert Enrolment.objects.get(pk=waiting.pk).state == EnrolmentState.ENROLLED  # the same row, admitted
    assert Notification.objects.filter(user=jc2, kind="enrolment").count() == 1
    assert [pid for pid, _ in refused] == [person3.pk]
    assert Enrolment.objects.filter(offer=course).count() == 2  # the refused one left nothing behind
    with pytest.raises(InvalidInput, match="bereits angemeldet"):
        services.enrol(actor=act(jc), person_id=person.pk, offer_id=course.pk)


def test_admission_date_after_the_end_is_refused(running, jc, person):
    waiting = services.request_enrolment(actor=act(jc), person_id=person.pk, offer_id=running.pk)
    with pytest.raises(InvalidInput) as exc:
        services.admit(actor=act(jc), enrolment_id=waiting.pk, on=day(101))
    assert "on" in exc.value.field_errors


# --- attendance ------------------------------------------------------------------------------------------------

@pytest.fixture
def seat(running, jc, person):
    enrolment = services.enrol(actor=act(jc), person_id=person.pk, offer_id=running.pk, on=day(-20))
    return enrolment


def test_attendance_once_per_day_within_the_dates(seat, jc):
    row = services.record_attendance(actor=act(jc), enrolment_id=seat.pk, day=day(-1), present=False, excused=True)
    assert row.excused and not row.present
    with pytest.raises(InvalidInput, match="bereits erfasst"):
        services.record_attendance(actor=act(jc), enrolment_id=seat.pk, day=day(-1), present=True)
    for bad, text in [(day(-21), "vor dem ersten Kurstag"), (day(1), "in der Zukunft"), (None, "Der Tag fehlt")]:
        with pytest.raises(InvalidInput, match=text):
            services.record_attendance(actor=act(jc), enrolment_id=seat.pk, day=bad, present=True)
    with pytest.raises(InvalidInput, match="fehlt nicht entschuldigt"):
        services.record_attendance(actor=act(jc), enrolment_id=seat.pk, day=day(-2), present=True, excused=True)
    services.record_attendance(actor=act(jc), enrolment_id=seat.pk, day=day(-2), present=True)
    services.record_attendance(actor=act(jc), enrolment_id=seat.pk, day=day(-3), present=False)
    summary = services.attendance_summary(Enrolment.objects.get(pk=seat.pk))
    assert (summary.days, summary.present, summary.excused, summary.unexcused, summary.rate) == (3, 1, 1, 1, 33)
    assert Attendance.objects.count() == 3


def test_attendance_only_for_enrolled(running, jc, person):
    waiting = services.request_enrolment(actor=act(jc), person_id=person.pk, offer_id=running.pk)
    with pytest.raises(InvalidInput, match="nur für Personen mit Platz"):
        services.record_attendance(actor=act(jc), enrolment_id=waiting.pk, day=day(-1), present=True)


def test_attendance_after_the_end_of_the_offer(jc, municipality, person):
    offer = services.create_offer(actor=act(jc), data=offer_in(municipality, starts_on=day(-30), ends_on=day(5)))
    enrolment = services.enrol(actor=act(jc), person_id=person.pk, offer_id=offer.pk, on=day(-30))
    services.update_offer(actor=act(jc), offer_id=offer.pk, version=1,
                          data=offer_in(municipality, starts_on=day(-30), ends_on=day(-10)))  # ended early
    with pytest.raises(InvalidInput, match="nach dem Ende des Angebots"):
        services.record_attendance(actor=act(jc), enrolment_id=enrolment.pk, day=day(-5), present=True)
    services.withdraw(actor=act(jc), enrolment_id=enrolment.pk, reason="Kurs vorzeitig beendet", on=day(-10))
    with pytest.raises(InvalidInput, match="zu Ende gegangen"):
        services.request_enrolment(actor=act(jc), person_id=person.pk, offer_id=offer.pk)


# --- completion ------------------------------------------------------------------------------------------------

def test_complete_language_course_records_the_result_in_the_profile(seat, jc, person):
    done = services.complete(actor=act(jc), enrolment_id=seat.pk, ended_on=day(0), result_level="b1",
                             result_note="DTZ B1 bestanden")
    assert done.state == EnrolmentState.COMPLETED and done.result_level == "B1" and done.ended_on == day(0)
    assessment = LanguageAssessment.objects.get(person=person)
    assert assessment.source == LevelSource.COURSE and assessment.language == "de"
    assert (assessment.speaking, assessment.writing, assessment.source_detail) == ("B1", "B1", "DTZ B1 bestanden")
    titles = list(TimelineEntry.objects.filter(case_file__person=person).values_list("title", flat=True))
    assert "Abgeschlossen: Integrationskurs Allgemein, erreicht: B1" in titles
    event = AuditEvent.objects.filter(object_type="enrolment", object_id=str(seat.pk)).latest("seq")
    assert sorted(event.categories) == ["competences", "placement"]
    with pytest.raises(InvalidInput, match="abgeschlossen"):
        services.complete(actor=act(jc), enrolment_id=seat.pk, ended_on=day(0))


@pytest.mark.parametrize(("level", "ended", "field", "text"), [
    ("MT", 0, "result_level", "„MT“"),
    ("B7", 0, "result_level", "Unbekanntes Sprachniveau"),
    ("", 1, "ended_on", "in der Zukunft"),
    ("", -25, "ended_on", "vor dem Beginn der Teilnahme"),
])
def test_complete_validation(seat, jc, level, ended, field, text):
    with pytest.raises(InvalidInput) as exc:
        services.complete(actor=act(jc), enrolment_id=seat.pk, ended_on=day(ended), result_level=level)
    assert any(text in m for m in exc.value.field_errors[field])
    assert Enrolment.objects.get(pk=seat.pk).state == EnrolmentState.ENROLLED
    assert not LanguageAssessment.objects.exists()


def test_result_level_only_for_language_courses(jc, municipality, person):
    measure = services.create_offer(actor=act(jc), data=offer_in(municipality, kind="measure", measure_type="kompas",
                                                                  target_level="", starts_on=day(-5)))
    enrolment = services.enrol(actor=act(jc), person_id=person.pk, offer_id=measure.pk)
    with pytest.raises(InvalidInput, match="nur bei Sprachkursen"):
        services.complete(actor=act(jc), enrolment_id=enrolment.pk, ended_on=day(0), result_level="A2")
    done = services.complete(actor=act(jc), enrolment_id=enrolment.pk, ended_on=day(0), result_note="teilgenommen")
    assert done.result_level == "" and not LanguageAssessment.objects.exists()


# --- drop-out and withdrawal ------------------------------------------------------------------------------------

def test_drop_frees_the_seat(running, jc, person, person2, person3):
    a = services.enrol(actor=act(jc), person_id=person.pk, offer_id=running.pk)
    services.enrol(actor=act(jc), person_id=person2.pk, offer_id=running.pk)
    waiting = services.request_enrolment(actor=act(jc), person_id=person3.pk, offer_id=running.pk)
    with pytest.raises(InvalidInput, match="Grund des Abbruchs"):
        services.drop(actor=act(jc), enrolment_id=a.pk, reason="")
    with pytest.raises(InvalidInput, match="steht auf der Warteliste"):
        services.drop(actor=act(jc), enrolment_id=waiting.pk, reason="x")
    dropped = services.drop(actor=act(jc), enrolment_id=a.pk, reason="Arbeitsaufnahme")
    assert dropped.state == EnrolmentState.DROPPED and dropped.reason == "Arbeitsaufnahme"
    assert dropped.ended_on == timezone.localdate()
    assert services.admit(actor=act(jc), enrolment_id=waiting.pk).state == EnrolmentState.ENROLLED
    with pytest.raises(InvalidInput, match="abgebrochen"):
        services.withdraw(actor=act(jc), enrolment_id=a.pk, reason="x")


def test_withdraw_needs_a_reason(course, jc, person):
    waiting = services.request_enrolment(actor=act(jc), person_id=person.pk, offer_id=course.pk)
    with pytest.raises(InvalidInput, match="Grund des Rückzugs"):
        services.withdraw(actor=act(jc), enrolment_id=waiting.pk, reason=" ")
    out = services.withdraw(actor=act(jc), enrolment_id=waiting.pk, reason="kein Interesse")
    assert out.state == EnrolmentState.WITHDRAWN


def test_unknown_enrolment(jc):
    with pytest.raises(NotFound):
        services.admit(actor=act(jc), enrolment_id=4711)
