"""Placements into training or work: validation, from an offer (kind, work-permission rule), outcome after 6 and
12 months (not before), end; access and audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from stella.audit.models import AuditEvent
from stella.cases.models import TimelineEntry
from stella.core.errors import AccessDenied, InvalidInput, NotFound
from stella.matching.facts import Failure
from stella.offers import services
from stella.offers.models import Placement
from stella.offers.tests.conftest import act, offer_in
from stella.rules.dates import add_months


def day(offset: int):
    return timezone.localdate() + timedelta(days=offset)


@pytest.fixture
def vacancy(jc, municipality, kldb):
    return services.create_offer(actor=act(jc), data=offer_in(
        municipality, kind="vacancy", title="Koch/Köchin", provider="Hotel Krone", target_level="",
        occupation_code="29302", seats=1))


def place(user, person, **changes):
    data = {"kind": "employment", "employer": "Hotel Krone", "starts_on": day(0)}
    data.update(changes)
    return services.record_placement(actor=act(user), person_id=person.pk, **data)


def test_record_placement_from_a_vacancy(jc, person, vacancy):
    placement = place(jc, person, offer_id=vacancy.pk, ends_benefit_receipt=True)
    assert placement.offer_id == vacancy.pk and placement.occupation.code == "29302"  # taken from the offer
    assert placement.municipality_id == vacancy.municipality_id and placement.ends_benefit_receipt is True
    assert placement.agency_id == jc.agency_id
    entry = TimelineEntry.objects.get(case_file__person=person, category="placement")
    assert entry.title.startswith("Vermittelt: sozialversicherungspflichtige Beschäftigung bei Hotel Krone")
    event = AuditEvent.objects.get(object_type="placement", object_id=str(placement.pk))
    assert event.action == "create" and event.categories == ["placement"] and event.detail["occupation"] == "29302"
    with pytest.raises(InvalidInput, match="bereits vermittelt"):
        place(jc, person, offer_id=vacancy.pk)


@pytest.mark.parametrize(("changes", "field", "text"), [
    ({"kind": "volunteering"}, "kind", "Unbekannte Art der Vermittlung"),
    ({"employer": " "}, "employer", "Arbeitgeber"),
    ({"starts_on": None}, "starts_on", "Der Beginn fehlt."),
    ({"ends_on": day(-1)}, "ends_on", "vor dem Beginn"),
    ({"occupation_code": "00000"}, "occupation_code", "gibt es in der geladenen Fassung"),
    ({"municipality_id": 99999}, "municipality_id", "gibt es nicht"),
    ({"offer_id": 99999}, "offer_id", "nicht gefunden"),
])
def test_validation(jc, person, kldb, changes, field, text):
    with pytest.raises(InvalidInput) as exc:
        place(jc, person, **changes)
    assert any(text in m for m in exc.value.field_errors[field]), exc.value.field_errors
    assert not Placement.objects.exists()


def test_offer_must_be_work_and_fit_the_kind(jc, person, course, vacancy):
    with pytest.raises(InvalidInput, match="Ausbildungsplatz oder einer Stelle"):
        place(jc, person, offer_id=course.pk)
    with pytest.raises(InvalidInput) as exc:
        place(jc, person, offer_id=vacancy.pk, kind="training")
    assert "kind" in exc.value.field_errors


def test_work_permission_rule_refuses_with_rule_and_basis(jc, person, vacancy, monkeypatch):
    failure = Failure("legal_access", "Beschäftigungsverbot während der Wohnpflicht in der Erstaufnahme.",
                      basis="§61 Abs. 1 AsylG")
    monkeypatch.setattr(services, "placement_rule_failures", lambda person_id, offer, starts_on: [failure])
    with pytest.raises(InvalidInput) as exc:
        place(jc, person, offer_id=vacancy.pk)
    message = exc.value.field_errors["rules"][0]
    assert "Rechtlicher Zugang" in message and "§61 Abs. 1 AsylG" in message
    assert not Placement.objects.exists()
    place(jc, person)  # without an offer there is no offer to check against


def test_outcome_only_after_the_months_have_passed(jc, person):
    start = add_months(timezone.localdate(), -7)
    placement = place(jc, person, starts_on=start)
    with pytest.raises(InvalidInput) as exc:
        services.record_outcome(actor=act(jc), placement_id=placement.pk, months=12, outcome="employed")
    due = add_months(start, 12).strftime("%d.%m.%Y")
    assert exc.value.field_errors["months"] == [f"Der Stand nach 12 Monaten kann erst ab dem {due} erfasst werden."]
    with pytest.raises(InvalidInput, match="nach 6 oder nach 12 Monaten"):
        services.record_outcome(actor=act(jc), placement_id=placement.pk, months=3, outcome="employed")
    with pytest.raises(InvalidInput, match="Unbekannter Stand"):
        services.record_outcome(actor=act(jc), placement_id=placement.pk, months=6, outcome="happy")
    done = services.record_outcome(actor=act(jc), placement_id=placement.pk, months=6, outcome="employed")
    assert done.outcome_6m == "employed" and done.outcome_12m == "" and done.version == 2
    assert AuditEvent.objects.filter(object_type="placement", action="update", detail__outcome_6m="employed").exists()


def test_outcome_on_the_due_day(jc, person):
    placement = place(jc, person, starts_on=add_months(timezone.localdate(), -6))
    assert services.record_outcome(actor=act(jc), placement_id=placement.pk, months=6, outcome="ended").outcome_6m


def test_end_placement(jc, person):
    placement = place(jc, person, starts_on=day(-100))
    with pytest.raises(InvalidInput, match="vor dem Beginn"):
        services.end_placement(actor=act(jc), placement_id=placement.pk, ends_on=day(-101))
    ended = services.end_placement(actor=act(jc), placement_id=placement.pk, ends_on=day(-1), reason="Probezeit")
    assert ended.ends_on == day(-1)
    with pytest.raises(InvalidInput, match="bereits am"):
        services.end_placement(actor=act(jc), placement_id=placement.pk, ends_on=day(0))


def test_access_to_placements(jc, aa, make_user, person):
    placement = place(jc, person)
    assert [p.pk for p in services.person_placements(actor=act(jc), person_id=person.pk)] == [placement.pk]
    with pytest.raises(AccessDenied):
        place(aa, person)
    with pytest.raises(NotFound):  # a placement of a file the actor may not read is answered like a missing one
        services.record_outcome(actor=act(aa), placement_id=placement.pk, months=6, outcome="employed")
    lead = make_user("JC", "team_lead", username="jc-lead")
    with pytest.raises(AccessDenied):
        services.end_placement(actor=act(lead), placement_id=placement.pk, ends_on=day(0))
    assert AuditEvent.objects.filter(outcome="denied", person_id=person.pk, username="aa-nina").count() >= 2
    assert AuditEvent.objects.filter(outcome="denied", person_id=person.pk, username="jc-lead").exists()
    with pytest.raises(NotFound):
        services.end_placement(actor=act(jc), placement_id=4242, ends_on=day(0))
