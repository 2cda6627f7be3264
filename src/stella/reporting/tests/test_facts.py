"""Per-person facts on hand-built histories with known answers: spans split at every change (status, regime
switch at the month's end, hand-over of the lead, move to another district, household), events with the
attributes of their day, the K2 rules (≤ 1 integration per month, follow-up flags None while open),
departure, merged persons, and `store`'s earliest difference."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stella.agencies.models import Municipality
from stella.journey.models import DecisionOutcome
from stella.journey.status import Situation, State
from stella.offers.models import EnrolmentState, OfferKind, Outcome
from stella.reporting import facts
from stella.reporting.models import EventKind, FactEvent, FactSpan, PersonFact
from stella.reporting.tests.factsetup import Builder, household, offer
from stella.tests.factories import make_district

TODAY = date(2024, 6, 15)
POS = DecisionOutcome.FLUECHTLINGSSCHUTZ


@pytest.fixture
def world(db):
    lb = make_district("LB", "Ludwigsburg")
    rt = make_district("RT", "Reutlingen")
    Municipality.objects.create(name="Ludwigsburg", landkreis=lb["JC"].landkreis)
    Municipality.objects.create(name="Reutlingen", landkreis=rt["JC"].landkreis)
    return {"lb": lb, "rt": rt}


def spans_of(rows: facts.FactRows, pid: int) -> list[FactSpan]:
    return sorted((s for s in rows.spans if s.person_id == pid), key=lambda s: s.starts_on)


def events_of(rows: facts.FactRows, pid: int, kind: str) -> list[FactEvent]:
    return sorted((e for e in rows.events if e.person_id == pid and e.kind == kind), key=lambda e: e.on)


def recognised(world) -> Builder:
    """Asylum seeker in Ludwigsburg, recognised (final 10.03.2023), lead LRA → JC on 01.04.2023."""
    lb = world["lb"]
    b = Builder(date(2023, 1, 15))
    b.status("einreise", date(2022, 12, 1)).status("asylantrag", date(2022, 12, 5))
    b.status("bamf_entscheidung", date(2023, 2, 10), POS).status("rechtskraft", date(2023, 3, 10))
    b.lead(lb["LRA"], date(2023, 1, 15), date(2023, 3, 31), team="Asyl").lead(lb["JC"], date(2023, 4, 1), team="U25")
    b.lives("Ludwigsburg", date(2023, 1, 15))
    return b


def test_spans_split_at_status_regime_switch_and_handover(world):
    b = recognised(world)
    rows = facts.build([b.pk], today=TODAY)
    got = [(s.starts_on, s.ends_on, s.agency, s.team, s.status_group, s.regime, s.phase, s.district,
            s.accommodation) for s in spans_of(rows, b.pk)]
    assert got == [
        (date(2023, 1, 15), date(2023, 2, 9), "LRA-LB", "Asyl", "gestattung", "asylblg", "Asylverfahren", "LK-LB", "vu"),
        (date(2023, 2, 10), date(2023, 3, 9), "LRA-LB", "Asyl", "gestattung", "asylblg", "Entscheidung", "LK-LB", "vu"),
        # protection final on 10.03.: AsylbLG to the end of March (a span ends on the month's last day) …
        (date(2023, 3, 10), date(2023, 3, 31), "LRA-LB", "Asyl", "schutz", "asylblg", "Leistungsbezug", "LK-LB", "vu"),
        # … SGB II and the Jobcenter's lead from the 1st of the next month
        (date(2023, 4, 1), None, "JC-LB", "U25", "schutz", "sgb2", "Leistungsbezug", "LK-LB", "vu"),
    ]
    fact = next(p for p in rows.persons if p.person_id == b.pk)
    assert (fact.registered_on, fact.arrival_on, fact.recognition_on) == (date(2023, 1, 15), date(2022, 12, 1),
                                                                          date(2023, 3, 10))
    assert (fact.sex, fact.birth_year, fact.origin) == ("f", 1990, "asyl8")


def test_handover_recognition_and_counselling_events(world):
    lb = world["lb"]
    b = recognised(world)
    b.handover(lb["LRA"], lb["JC"], effective=date(2023, 4, 1), completed=date(2023, 4, 20))
    b.handover(lb["LRA"], lb["JC"], effective=date(2023, 4, 1), completed=date(2023, 5, 5))  # 34 days: too late
    b.appointment(lb["LRA"], date(2023, 2, 1))
    b.appointment(lb["JC"], date(2023, 4, 3), cancelled=True)  # cancelled: does not count
    b.appointment(lb["JC"], date(2023, 5, 2))
    b.contact(date(2023, 1, 20))
    rows = facts.build([b.pk], today=TODAY)
    handovers = events_of(rows, b.pk, EventKind.HANDOVER)
    assert [(e.on, e.days, e.flag, e.agency) for e in handovers] == [
        (date(2023, 4, 20), 19, True, "JC-LB"), (date(2023, 5, 5), 34, False, "JC-LB")]
    [rec] = events_of(rows, b.pk, EventKind.RECOGNITION)
    assert (rec.on, rec.days, rec.regime) == (date(2023, 5, 2), 53, "sgb2")
    [first] = events_of(rows, b.pk, EventKind.COUNSELLING)  # the contact note is earlier than any appointment
    assert (first.on, first.days, first.status_group, first.agency) == (date(2023, 1, 20), 5, "gestattung", "LRA-LB")
    fact = rows.persons[0]
    assert (fact.first_counselling_on, fact.first_jc_appointment_on) == (date(2023, 1, 20), date(2023, 5, 2))


def test_move_between_districts_gives_two_spans_and_events_carry_the_district_of_the_day(world):
    lb = world["lb"]
    b = Builder(date(2023, 1, 2), nationality="UKR")
    b.status("einreise", date(2022, 6, 1)).status("ae_24", date(2022, 6, 10))
    b.lead(lb["JC"], date(2023, 1, 2))
    b.lives("Ludwigsburg", date(2023, 1, 2), date(2023, 6, 30), accommodation="private")
    b.lives("Reutlingen", date(2023, 7, 1), accommodation="private")
    b.placement("employment", date(2023, 5, 3), date(2023, 5, 31))
    b.placement("employment", date(2023, 8, 10))
    rows = facts.build([b.pk], today=TODAY)
    got = [(s.starts_on, s.ends_on, s.district, s.status_group, s.regime, s.phase) for s in spans_of(rows, b.pk)]
    assert got == [
        (date(2023, 1, 2), date(2023, 5, 2), "LK-LB", "ukraine", "sgb2", "Leistungsbezug"),
        (date(2023, 5, 3), date(2023, 5, 31), "LK-LB", "ukraine", "sgb2", "Ausbildung/Arbeit"),
        (date(2023, 6, 1), date(2023, 6, 30), "LK-LB", "ukraine", "sgb2", "Leistungsbezug"),
        (date(2023, 7, 1), date(2023, 8, 9), "LK-RT", "ukraine", "sgb2", "Leistungsbezug"),
        (date(2023, 8, 10), None, "LK-RT", "ukraine", "sgb2", "Ausbildung/Arbeit"),
    ]
    assert [(e.on, e.district, e.agency) for e in events_of(rows, b.pk, EventKind.INTEGRATION)] == [
        (date(2023, 5, 3), "LK-LB", "JC-LB"), (date(2023, 8, 10), "LK-RT", "JC-LB")]
    assert rows.persons[0].origin == "ukraine"


def test_at_most_one_integration_per_month_and_flags_none_while_open(world):
    lb = world["lb"]
    b = Builder(date(2022, 11, 1))
    b.status("einreise", date(2022, 10, 1)).status("ae_24", date(2022, 10, 5))
    b.lead(lb["JC"], date(2022, 11, 1)).lives("Ludwigsburg", date(2022, 11, 1))
    b.placement("employment", date(2023, 1, 5), date(2023, 12, 31), outcome_12m=Outcome.EMPLOYED,
                ends_benefit_receipt=True)
    b.placement("training", date(2023, 1, 20))  # same month: not a second integration
    b.placement("employment", date(2023, 3, 10), date(2023, 6, 30), outcome_12m=Outcome.ENDED,
                ends_benefit_receipt=False)
    b.placement("self_employed", date(2024, 2, 1), date(2024, 2, 29))
    b.placement("employment", date(2024, 4, 2), ends_benefit_receipt=True)
    b.placement("minijob", date(2023, 9, 1))
    b.placement("minijob", date(2023, 9, 20))  # same month
    b.placement("employment", date(2024, 7, 1))  # after today: not yet an integration
    rows = facts.build([b.pk], today=TODAY)
    got = [(e.on, e.detail, e.flag, e.flag2) for e in events_of(rows, b.pk, EventKind.INTEGRATION)]
    assert got == [
        (date(2023, 1, 5), "employment", True, True),  # outcome after 12 months: still employed
        # ended; on 10.03.2024 the training from January 2023 (open-ended) still runs → employed
        (date(2023, 3, 10), "employment", True, False),
        (date(2024, 2, 1), "self_employed", None, None),  # 12 months not over; receipt unknown
        (date(2024, 4, 2), "employment", None, None),  # 3 months not over on 15.06.2024
    ]
    assert [(e.on, e.detail) for e in events_of(rows, b.pk, EventKind.MINIJOB)] == [(date(2023, 9, 1), "minijob")]
    [first] = events_of(rows, b.pk, EventKind.FIRST_INTEGRATION)
    assert (first.on, first.days) == (date(2023, 1, 5), 65)
    [year1] = events_of(rows, b.pk, EventKind.ARRIVAL_YEAR)  # arrival 01.10.2022: one anniversary so far
    assert (year1.on, year1.bucket, year1.flag) == (date(2023, 10, 1), 1, True)


def test_still_employed_false_when_nothing_runs_twelve_months_later(world):
    lb = world["lb"]
    b = Builder(date(2022, 11, 1)).lead(lb["JC"], date(2022, 11, 1)).lives("Ludwigsburg", date(2022, 11, 1))
    b.status("einreise", date(2022, 10, 1)).status("ae_24", date(2022, 10, 5))
    b.placement("employment", date(2023, 3, 10), date(2023, 6, 30), outcome_12m=Outcome.ENDED)
    rows = facts.build([b.pk], today=TODAY)
    [e] = events_of(rows, b.pk, EventKind.INTEGRATION)
    assert (e.flag, e.flag2) == (False, None)
    [year1] = events_of(rows, b.pk, EventKind.ARRIVAL_YEAR)
    assert year1.flag is False


def test_single_parent_until_a_partner_joins(world):
    lb = world["lb"]
    mother = Builder(date(2023, 1, 2)).lead(lb["JC"], date(2023, 1, 2)).lives("Ludwigsburg", date(2023, 1, 2))
    mother.status("einreise", date(2022, 6, 1)).status("ae_24", date(2022, 6, 10))
    child = Builder(date(2023, 1, 2), birth=date(2015, 1, 1))
    partner = Builder(date(2023, 1, 2), sex="m")
    hh = household((mother, "head", date(2023, 1, 2), None), (child, "child", date(2023, 1, 2), None),
                   (partner, "partner", date(2023, 9, 1), None))
    rows = facts.build([mother.pk], today=TODAY)
    got = [(s.starts_on, s.ends_on, s.single_parent, s.household) for s in spans_of(rows, mother.pk)]
    assert got == [(date(2023, 1, 2), date(2023, 8, 31), True, hh.pk), (date(2023, 9, 1), None, False, hh.pk)]
    assert rows.persons[0].household == hh.pk


def test_departure_ends_the_client_span_and_later_events_use_the_last_span(world):
    lb = world["lb"]
    b = Builder(date(2023, 1, 2)).lead(lb["LRA"], date(2023, 1, 2)).lives("Ludwigsburg", date(2023, 1, 2))
    b.status("einreise", date(2022, 12, 1)).status("asylantrag", date(2022, 12, 5))
    b.status("ausreise", date(2023, 10, 15))
    b.contact(date(2023, 11, 2))  # a note after departure
    rows = facts.build([b.pk], today=TODAY)
    assert [(s.starts_on, s.ends_on, s.status_group) for s in spans_of(rows, b.pk)] == [
        (date(2023, 1, 2), date(2023, 10, 14), "gestattung")]
    [c] = events_of(rows, b.pk, EventKind.COUNSELLING)
    assert (c.on, c.status_group, c.agency) == (date(2023, 11, 2), "gestattung", "LRA-LB")


def test_course_events_activation_and_wait(world):
    lb = world["lb"]
    muni = Municipality.objects.get(name="Ludwigsburg")
    course = offer(lb["LRA"], muni, OfferKind.INTEGRATION_COURSE, date(2023, 3, 1), date(2023, 8, 31))
    measure = offer(lb["JC"], muni, OfferKind.MEASURE, date(2023, 10, 1), date(2023, 10, 31))
    b = Builder(date(2023, 1, 2)).lead(lb["JC"], date(2023, 1, 2)).lives("Ludwigsburg", date(2023, 1, 2))
    b.status("einreise", date(2022, 6, 1)).status("ae_24", date(2022, 6, 10))
    b.enrol(course, EnrolmentState.COMPLETED, requested=date(2023, 2, 1), enrolled=date(2023, 2, 20),
            ended=date(2023, 8, 31), level="B1")
    b.enrol(measure, EnrolmentState.ENROLLED, requested=date(2023, 9, 1), enrolled=date(2023, 9, 25))
    rows = facts.build([b.pk], today=TODAY)
    [start] = events_of(rows, b.pk, EventKind.COURSE_START)
    [end] = events_of(rows, b.pk, EventKind.COURSE_END)
    assert (start.on, start.days) == (date(2023, 3, 1), 58)
    assert (end.on, end.days, end.detail) == (date(2023, 8, 31), 241, "B1")
    assert [(e.on, e.days) for e in events_of(rows, b.pk, EventKind.COURSE_WAIT)] == [
        (date(2023, 2, 20), 19), (date(2023, 9, 25), 24)]
    got = [(s.starts_on, s.ends_on, s.activated, s.phase) for s in spans_of(rows, b.pk)]
    assert got == [
        (date(2023, 1, 2), date(2023, 2, 28), False, "Leistungsbezug"),
        (date(2023, 3, 1), date(2023, 8, 31), True, "Sprache"),
        (date(2023, 9, 1), date(2023, 9, 30), False, "Sprache"),  # a completed course keeps its phase
        (date(2023, 10, 1), date(2023, 10, 31), True, "Qualifizierung"),
        (date(2023, 11, 1), None, False, "Sprache"),
    ]
    fact = rows.persons[0]
    assert (fact.first_course_start_on, fact.first_course_end_on, fact.first_course_level) == (
        date(2023, 3, 1), date(2023, 8, 31), "B1")


def test_person_without_lead_has_a_person_fact_but_no_spans_or_events(world):
    b = Builder(date(2023, 1, 2))
    b.contact(date(2023, 1, 5))
    rows = facts.build([b.pk], today=TODAY)
    assert [p.person_id for p in rows.persons] == [b.pk]
    assert rows.spans == [] and rows.events == []


def test_merged_person_gets_no_facts_and_store_deletes_old_ones(world):
    lb = world["lb"]
    b = Builder(date(2023, 1, 2)).lead(lb["JC"], date(2023, 1, 2))
    survivor = Builder(date(2023, 1, 2))
    assert facts.store([b.pk], today=TODAY) == date(2023, 1, 2)
    assert FactSpan.objects.filter(person_id=b.pk).exists()
    b.person.merged_into = survivor.person
    b.person.save(update_fields=["merged_into"])
    assert facts.build([b.pk], today=TODAY).persons == []
    assert facts.store([b.pk], today=TODAY) == date(2023, 1, 2)  # its spans vanish from that day on
    assert not PersonFact.objects.filter(person_id=b.pk).exists()
    assert not FactSpan.objects.filter(person_id=b.pk).exists()


def test_store_returns_the_earliest_difference(world):
    lb = world["lb"]
    b = recognised(world)
    other = Builder(date(2023, 2, 1)).lead(lb["JC"], date(2023, 2, 1))
    assert facts.store([b.pk, other.pk], today=TODAY) == date(2023, 1, 15)
    assert facts.store([b.pk, other.pk], today=TODAY) is None  # nothing changed
    b.placement("employment", date(2023, 8, 10))
    assert facts.store([b.pk, other.pk], today=TODAY) == date(2023, 8, 10)
    assert FactEvent.objects.filter(person_id=b.pk, kind=EventKind.INTEGRATION).count() == 1
    assert PersonFact.objects.get(person_id=b.pk).first_integration_on == date(2023, 8, 10)
    assert FactSpan.objects.filter(person_id=other.pk).count() == 1


def test_build_reads_in_bulk_not_per_person(world):
    lb = world["lb"]
    people = [recognised(world) for _ in range(3)]
    for p in people:
        p.placement("employment", date(2023, 8, 10))
        p.appointment(lb["JC"], date(2023, 5, 2))
    with CaptureQueriesContext(connection) as few:
        facts.build([people[0].pk], today=TODAY)
    with CaptureQueriesContext(connection) as many:
        facts.build([p.pk for p in people], today=TODAY)
    assert len(many) == len(few) <= 16


@pytest.mark.parametrize(("situation", "title", "group"), [
    (Situation(state=State.IN_PROCEDURE), "", "gestattung"),
    (Situation(state=State.DECIDED, outcome="abgelehnt"), "", "gestattung"),
    (Situation(state=State.REJECTED_FINAL), "", "duldung"),
    (Situation(state=State.TOLERATED), "", "duldung"),
    (Situation(state=State.PROTECTED), "", "schutz"),
    (Situation(state=State.RESIDENCE_PERMIT), "ae_25_2", "schutz"),
    (Situation(state=State.FIKTION, outcome=POS, decision_final_date=date(2020, 1, 1)), "", "schutz"),
    (Situation(state=State.RESIDENCE_PERMIT), "ae_24", "ukraine"),
    (Situation(state=State.FIKTION), "ae_24", "ukraine"),
    (Situation(state=State.ENTERED), "", "sonstige"),
])
def test_status_group(situation, title, group):
    assert facts.status_group(situation, title) == group


def test_add_months_clamps_to_the_month_end():
    assert facts.add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert facts.add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert facts.add_months(date(2023, 11, 15), 3) == date(2024, 2, 15)


def test_facts_do_not_depend_on_which_persons_are_built_together(world):
    lb = world["lb"]
    early = Builder(date(2014, 12, 1)).lead(lb["LRA"], date(2014, 12, 1)).lives("Ludwigsburg", date(2014, 12, 1))
    early.status("einreise", date(2014, 11, 20)).status("asylantrag", date(2014, 11, 25))
    late = recognised(world)

    def rows(ids):
        facts._REGIME_MEMO.clear()
        built = facts.build(ids, today=TODAY)
        return sorted((s.person_id, *(getattr(s, f) for f in facts.SPAN_FIELDS)) for s in built.spans)

    together = rows([early.pk, late.pk])
    assert together == sorted(rows([late.pk]) + rows([early.pk]))
    # before the rule tables' first AsylbLG day (01.03.2015) the regime of that day applies
    regime = 1 + facts.SPAN_FIELDS.index("regime")
    assert [r[regime] for r in together if r[0] == early.pk] == ["asylblg"]


def test_children_and_pensioners_are_not_in_the_caseload(world):
    """Spans are clipped to working age (15–64 by birth year, as the SGB II caseload); the curve by years since
    arrival counts adults (18–64 on the anniversary)."""
    lb = world["lb"]

    def person(birth: date) -> Builder:
        b = Builder(date(2019, 1, 2), birth=birth).lead(lb["JC"], date(2019, 1, 2))
        b.lives("Ludwigsburg", date(2019, 1, 2)).status("einreise", date(2018, 6, 1)).status("ae_24", date(2018, 6, 2))
        return b

    teen, child, old = person(date(2006, 7, 1)), person(date(2015, 1, 1)), person(date(1958, 3, 1))
    rows = facts.build([teen.pk, child.pk, old.pk], today=TODAY)
    teen_spans, old_spans = spans_of(rows, teen.pk), spans_of(rows, old.pk)
    assert (teen_spans[0].starts_on, teen_spans[-1].ends_on) == (date(2021, 1, 1), None)  # turns 15 in 2021
    assert spans_of(rows, child.pk) == []
    assert (old_spans[0].starts_on, old_spans[-1].ends_on) == (date(2019, 1, 2), date(2022, 12, 31))  # 64 in 2022
    assert [e.bucket for e in events_of(rows, teen.pk, EventKind.ARRIVAL_YEAR)] == [
        k for k in range(1, 11) if date(2018 + k, 6, 1) <= TODAY and 2018 + k - 2006 >= 18]


def test_integrations_count_only_while_a_client_of_working_age(world):
    """The K2 numerator comes from the caseload of its denominator: a job after the person turned 65 (their span
    ends 31.12. of the year they turn 64) or after departure is no integration and no minijob – other events keep
    the fallback to the last span. Found at 1 M persons: the report's K2 numerator was 0.15 % above the bare SQL's.
    Two jobs in one month: the one while a client counts, even if another came first."""
    lb = world["lb"]
    old = Builder(date(2019, 1, 2), birth=date(1958, 3, 1)).lead(lb["JC"], date(2019, 1, 2))
    old.lives("Ludwigsburg", date(2019, 1, 2)).status("einreise", date(2018, 6, 1)).status("ae_24", date(2018, 6, 2))
    old.placement("employment", date(2022, 6, 1))  # 64: counts
    old.placement("employment", date(2023, 3, 1))  # 65: not in the caseload any more
    old.placement("minijob", date(2023, 4, 1))
    gone = Builder(date(2023, 1, 2)).lead(lb["LRA"], date(2023, 1, 2)).lives("Ludwigsburg", date(2023, 1, 2))
    gone.status("einreise", date(2022, 12, 1)).status("asylantrag", date(2022, 12, 5))
    gone.status("ausreise", date(2023, 10, 15))
    gone.placement("employment", date(2023, 1, 1))  # the day before the file's first lead …
    gone.placement("employment", date(2023, 1, 20))  # … the same month as a client: this one counts
    gone.placement("training", date(2023, 9, 1))  # while a client
    gone.placement("employment", date(2023, 11, 6))  # after departure
    rows = facts.build([old.pk, gone.pk], today=TODAY)
    assert [e.on for e in events_of(rows, old.pk, EventKind.INTEGRATION)] == [date(2022, 6, 1)]
    assert events_of(rows, old.pk, EventKind.MINIJOB) == []
    assert [e.on for e in events_of(rows, gone.pk, EventKind.INTEGRATION)] == [date(2023, 1, 20), date(2023, 9, 1)]
