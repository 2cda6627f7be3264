"""Status history through the services: record, refuse, correct, ask for a date, derived journey."""

from datetime import date

import pytest

from stella.audit.models import AuditEvent
from stella.core.actor import Actor
from stella.core.errors import AccessDenied, InvalidInput, NotFound
from stella.journey import services as journey
from stella.journey.models import StatusEvent
from stella.journey.status import State
from stella.tests.factories import register_housed


@pytest.fixture
def lra(make_user):
    return make_user("LRA", "caseworker")


@pytest.fixture
def person(lra, district):
    return register_housed(lra, district)


def record(user, person, kind, day, outcome=""):
    return journey.record_status_event(actor=Actor.for_user(user), person_id=person.pk, kind=kind,
                                       effective_date=day, outcome=outcome)


def recognise(user, person):
    record(user, person, "asylgesuch", date(2015, 9, 3))
    record(user, person, "gestattung", date(2015, 10, 1))
    record(user, person, "bamf_entscheidung", date(2016, 5, 10), "fluechtlingsschutz")
    record(user, person, "rechtskraft", date(2016, 5, 25))


def test_history_gives_the_status_on_any_date_and_is_audited(lra, person):
    recognise(lra, person)
    assert journey.situation_on(person.pk, date(2016, 1, 1)).state == State.IN_PROCEDURE
    assert journey.situation_on(person.pk, date(2016, 5, 26)).state == State.PROTECTED
    assert AuditEvent.objects.filter(object_type="status_event", person_id=person.pk).count() == 4


def test_impossible_event_is_refused_and_nothing_written(lra, person):
    record(lra, person, "asylgesuch", date(2015, 9, 3))
    with pytest.raises(InvalidInput, match="nicht möglich"):
        record(lra, person, "rechtskraft", date(2015, 10, 1))
    with pytest.raises(InvalidInput) as exc:
        record(lra, person, "bamf_entscheidung", date(2099, 1, 1), "fluechtlingsschutz")
    assert "effective_date" in exc.value.field_errors
    with pytest.raises(InvalidInput):
        record(lra, person, "geburt", date(2015, 1, 1))
    assert StatusEvent.objects.count() == 1


def test_event_in_the_past_must_fit_the_later_history(lra, person):
    recognise(lra, person)
    with pytest.raises(InvalidInput, match="nicht möglich"):  # a Duldung before the final decision
        record(lra, person, "duldung_60a", date(2016, 1, 1))


def test_correction_replaces_and_void_removes_but_both_stay_as_history(lra, person):
    recognise(lra, person)
    final = StatusEvent.objects.get(kind="rechtskraft")
    fix = journey.correct_status_event(actor=Actor.for_user(lra), person_id=person.pk, event_id=final.pk,
                                       effective_date=date(2016, 6, 2), reason="Datum laut Bescheid")
    assert journey.situation_on(person.pk).decision_final_date == date(2016, 6, 2)
    with pytest.raises(InvalidInput, match="bereits berichtigt"):
        journey.correct_status_event(actor=Actor.for_user(lra), person_id=person.pk, event_id=final.pk,
                                     reason="nochmal")
    journey.correct_status_event(actor=Actor.for_user(lra), person_id=person.pk, event_id=fix.pk, void=True,
                                 reason="irrtümlich erfasst")
    assert journey.situation_on(person.pk).state == State.DECIDED
    assert StatusEvent.objects.count() == 6
    with pytest.raises(InvalidInput, match="Grund"):
        journey.correct_status_event(actor=Actor.for_user(lra), person_id=person.pk, event_id=final.pk, reason="")
    with pytest.raises(NotFound):
        journey.correct_status_event(actor=Actor.for_user(lra), person_id=person.pk, event_id=99999, reason="x")


def test_void_that_would_break_history_is_refused(lra, person):
    recognise(lra, person)
    decision = StatusEvent.objects.get(kind="bamf_entscheidung")
    with pytest.raises(InvalidInput, match="nicht möglich"):
        journey.correct_status_event(actor=Actor.for_user(lra), person_id=person.pk, event_id=decision.pk,
                                     void=True, reason="x")


def test_journey_derives_phase_regime_and_leads(lra, person, district):
    recognise(lra, person)
    data = journey.journey(actor=Actor.for_user(lra), person_id=person.pk)
    by_date = {p.on: p for p in data["points"]}
    assert by_date[date(2015, 10, 1)].phase == "Asylverfahren"
    assert by_date[date(2015, 10, 1)].regime == "asylblg_3"
    assert by_date[date(2015, 10, 1)].leads.benefits == district["LRA"]
    switch = by_date[date(2016, 6, 1)]  # final on 25 May → SGB II from 1 June
    assert (switch.regime, switch.leads.benefits, switch.leads.labour) == ("sgb2", district["JC"], district["JC"])
    assert "Rechtskreiswechsel" in switch.cause
    assert data["phase"] == "Leistungsbezug"


def test_only_writers_of_residence_data_record_status(make_user, person):
    kt = make_user("KT", "caseworker")
    with pytest.raises(NotFound):
        record(kt, person, "asylgesuch", date(2015, 9, 3))
    aa_reg = make_user("JC", "benefits")
    with pytest.raises(AccessDenied):
        record(aa_reg, person, "asylgesuch", date(2015, 9, 3))
