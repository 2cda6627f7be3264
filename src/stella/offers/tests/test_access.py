"""Who sees and changes enrolments: the policy for agencies, the Kursträger rule (§8 IntV) for providers,
refusals audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from stella.audit.models import AuditEvent
from stella.cases import services as cases
from stella.cases.models import TimelineEntry
from stella.competences.models import LanguageAssessment
from stella.core.errors import AccessDenied, NotFound
from stella.offers import services
from stella.offers.access import PROVIDER_BASIS
from stella.offers.models import EnrolmentState
from stella.offers.tests.conftest import act, offer_in
from stella.tests.factories import make_district, make_user


@pytest.fixture
def running(jc, municipality, district):
    start = timezone.localdate() - timedelta(days=10)
    return services.create_offer(actor=act(jc), data=offer_in(municipality, starts_on=start,
                                                               provider_agency_id=district["KT"].pk))


@pytest.fixture
def other_course(jc, municipality):
    """An offer without a Kursträger in Stella."""
    return services.create_offer(actor=act(jc), data=offer_in(municipality, title="Kurs ohne Träger in Stella"))


@pytest.fixture
def seat(running, jc, person):
    return services.enrol(actor=act(jc), person_id=person.pk, offer_id=running.pk,
                          on=timezone.localdate() - timedelta(days=10))


def denied(username: str, **filters) -> bool:
    return AuditEvent.objects.filter(username=username, outcome="denied", **filters).exists()


def test_kurstraeger_sees_all_enrolments_of_its_own_offers(running, jc, kt, person, person2, seat):
    services.request_enrolment(actor=act(jc), person_id=person2.pk, offer_id=running.pk)
    roster = services.offer_roster(actor=act(kt), offer_id=running.pk)
    assert roster.provider_view and roster.hidden == 0
    assert [r.enrolment.person_id for r in roster.enrolled] == [person.pk]
    assert [r.enrolment.person_id for r in roster.waiting] == [person2.pk]
    reads = AuditEvent.objects.filter(username="kt-olga", action="read", object_type="enrolment")
    assert {e.person_id for e in reads} == {person.pk, person2.pk}
    assert all(e.detail["basis"] == PROVIDER_BASIS for e in reads)
    assert services.get_enrolment(actor=act(kt), enrolment_id=seat.pk).person_id == person.pk


def test_kurstraeger_sees_nothing_of_other_offers(other_course, jc, kt, person):
    enrolment = services.enrol(actor=act(jc), person_id=person.pk, offer_id=other_course.pk)
    roster = services.offer_roster(actor=act(kt), offer_id=other_course.pk)
    assert not roster.provider_view and roster.hidden == 1 and roster.enrolled[0].enrolment is None
    for call in (lambda: services.get_enrolment(actor=act(kt), enrolment_id=enrolment.pk),
                 lambda: services.record_attendance(actor=act(kt), enrolment_id=enrolment.pk,
                                                    day=timezone.localdate(), present=True)):
        with pytest.raises(NotFound):
            call()
    assert denied("kt-olga", person_id=person.pk, object_type="enrolment")


def test_another_kurstraeger_is_refused(seat, district):
    other = make_user(make_district("RT", "Reutlingen"), "KT", "caseworker", username="kt-rt")
    with pytest.raises(NotFound):
        services.get_enrolment(actor=act(other), enrolment_id=seat.pk)
    assert denied("kt-rt", object_type="enrolment", object_id=str(seat.pk))


def test_kurstraeger_records_attendance_and_result_but_does_not_admit(running, jc, kt, person, person2, seat):
    today = timezone.localdate()
    services.record_attendance(actor=act(kt), enrolment_id=seat.pk, day=today, present=True)
    event = AuditEvent.objects.get(object_type="attendance", username="kt-olga")
    assert event.detail["basis"] == PROVIDER_BASIS and event.person_id == person.pk
    waiting = services.request_enrolment(actor=act(jc), person_id=person2.pk, offer_id=running.pk)
    with pytest.raises(AccessDenied, match="vermittelnde Behörde"):
        services.admit(actor=act(kt), enrolment_id=waiting.pk)
    with pytest.raises(AccessDenied):
        services.withdraw(actor=act(kt), enrolment_id=waiting.pk, reason="x")
    assert denied("kt-olga", object_type="enrolment", object_id=str(waiting.pk), action="update")
    done = services.complete(actor=act(kt), enrolment_id=seat.pk, ended_on=today, result_level="A2",
                             result_note="DTZ A2")
    assert done.state == EnrolmentState.COMPLETED and done.result_level == "A2"
    # The provider has no file: no timeline entry, no profile row written in its name (see docs/offers.md).
    assert not TimelineEntry.objects.filter(case_file__person=person, title__startswith="Abgeschlossen").exists()
    assert not LanguageAssessment.objects.exists()


def test_kurstraeger_may_record_a_drop_out(seat, kt):
    assert services.drop(actor=act(kt), enrolment_id=seat.pk, reason="unentschuldigt gefehlt").state == "dropped"


def test_kurstraeger_without_a_placement_role_is_refused(seat, make_user):
    registrar = make_user("KT", "registration", username="kt-reg")
    with pytest.raises(AccessDenied):
        services.get_enrolment(actor=act(registrar), enrolment_id=seat.pk)
    assert denied("kt-reg", object_type="enrolment")


def test_kurstraeger_cannot_open_the_person(seat, kt, person):
    with pytest.raises(NotFound):
        services.person_enrolments(actor=act(kt), person_id=person.pk)
    with pytest.raises(NotFound):
        services.record_placement(actor=act(kt), person_id=person.pk, kind="employment", employer="X",
                                  starts_on=timezone.localdate())


def test_agency_without_participation_sees_counts_only(seat, running, aa, person):
    roster = services.offer_roster(actor=act(aa), offer_id=running.pk)
    assert roster.hidden == 1 and roster.enrolled[0].enrolment is None
    assert not AuditEvent.objects.filter(username="aa-nina", action="read", object_type="enrolment").exists()
    with pytest.raises(NotFound):
        services.get_enrolment(actor=act(aa), enrolment_id=seat.pk)
    with pytest.raises(AccessDenied):
        services.person_enrolments(actor=act(aa), person_id=person.pk)
    assert denied("aa-nina", person_id=person.pk)


def test_consent_lets_read_but_not_write(seat, jc, aa, person):
    cases.record_consent(actor=act(jc), person_id=person.pk, categories=["placement"], agency_ids=[aa.agency_id],
                         purpose="Vermittlung", valid_from=timezone.localdate())
    assert services.get_enrolment(actor=act(aa), enrolment_id=seat.pk).pk == seat.pk
    with pytest.raises(AccessDenied):
        services.drop(actor=act(aa), enrolment_id=seat.pk, reason="x")
    assert denied("aa-nina", object_type="person", action="update")


def test_team_lead_reads_but_does_not_change(seat, make_user, person):
    lead = make_user("JC", "team_lead", username="jc-lead")
    assert [e.pk for e in services.person_enrolments(actor=act(lead), person_id=person.pk)] == [seat.pk]
    with pytest.raises(AccessDenied, match="Vermittlung"):
        services.drop(actor=act(lead), enrolment_id=seat.pk, reason="x")
