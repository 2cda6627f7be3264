"""Offers: validation per field (German messages, nothing written), ownership, optimistic locking, close and
cancel, the search filters and the seat counts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stella.audit.models import AuditEvent
from stella.core.errors import AccessDenied, Conflict, InvalidInput, NotFound
from stella.journey.models import Notification
from stella.offers import query, services
from stella.offers.models import Enrolment, EnrolmentState, Offer, OfferState
from stella.offers.tests.conftest import act, offer_in, soon
from stella.tests.factories import make_municipality


def errors_of(actor, data) -> dict[str, list[str]]:
    before = Offer.objects.count()
    with pytest.raises(InvalidInput) as exc:
        services.create_offer(actor=actor, data=data)
    assert Offer.objects.count() == before
    return exc.value.field_errors


def test_create_integration_course(jc, municipality):
    offer = services.create_offer(actor=act(jc), data=offer_in(municipality))
    assert offer.owner_id == jc.agency_id and offer.state == OfferState.OPEN and offer.version == 1
    assert offer.created_by_id == jc.pk
    event = AuditEvent.objects.get(object_type="offer", object_id=str(offer.pk))
    assert event.action == "create" and event.person_id is None and event.detail["seats"] == 2


@pytest.mark.parametrize(("changes", "field", "text"), [
    ({"kind": ""}, "kind", "Bitte die Art"),
    ({"kind": "cooking"}, "kind", "Unbekannte Angebotsart „cooking“"),
    ({"title": "  "}, "title", "Der Titel fehlt."),
    ({"title": "x" * 201}, "title", "höchstens 200"),
    ({"provider": ""}, "provider", "Träger bzw. Arbeitgeber"),
    ({"municipality_id": None}, "municipality_id", "Bitte den Ort"),
    ({"municipality_id": 999999}, "municipality_id", "Die Gemeinde Nr. 999999 gibt es nicht."),
    ({"starts_on": None}, "starts_on", "Der Beginn fehlt."),
    ({"ends_on": soon(1)}, "ends_on", "liegt vor dem Beginn"),
    ({"seats": 0}, "seats", "mindestens einen Platz"),
    ({"seats": None}, "seats", "mindestens einen Platz"),
    ({"seats": services.MAX_SEATS + 1}, "seats", "Höchstens"),
    ({"target_level": ""}, "target_level", "bitte das Zielniveau"),
    ({"target_level": "B3"}, "target_level", "Unbekanntes Sprachniveau „B3“"),
    ({"target_level": "MT"}, "target_level", "„MT“ (Muttersprache) ist kein Sprachniveau"),
    ({"min_german_level": "MT"}, "min_german_level", "„MT“"),
    ({"min_german_level": "X1"}, "min_german_level", "Unbekanntes Sprachniveau"),
    ({"min_german_level": "B1", "target_level": "A2"}, "target_level", "über dem Mindestniveau"),
    ({"module": "m" * 121}, "module", "höchstens 120"),
    ({"measure_type": "yoga"}, "measure_type", "Unbekanntes Programm"),
    ({"provider_agency_id": 999999}, "provider_agency_id", "Kursträger"),
])
def test_validation_per_field(jc, municipality, changes, field, text):
    errors = errors_of(act(jc), offer_in(municipality, **changes))
    assert field in errors, errors
    assert any(text in m for m in errors[field]), errors[field]


def test_provider_agency_must_be_a_kurstraeger(jc, municipality, district):
    errors = errors_of(act(jc), offer_in(municipality, provider_agency_id=district["AA"].pk))
    assert "provider_agency_id" in errors


def test_deufoev_needs_target_level(jc, municipality):
    errors = errors_of(act(jc), offer_in(municipality, kind="deufoev", target_level=""))
    assert errors["target_level"] == ["Für Integrationskurse und Berufssprachkurse (DeuFöV) bitte das Zielniveau "
                                      "angeben."]


def test_measure_needs_measure_type(jc, municipality):
    errors = errors_of(act(jc), offer_in(municipality, kind="measure", target_level=""))
    assert "measure_type" in errors
    offer = services.create_offer(actor=act(jc), data=offer_in(municipality, kind="measure", target_level="",
                                                                 measure_type="perf", title="PerF Kfz"))
    assert offer.measure_type == "perf"


@pytest.mark.parametrize("kind", ["training", "vacancy"])
def test_work_offers_need_an_occupation_of_the_loaded_kldb(jc, municipality, kldb, kind):
    base = {"kind": kind, "target_level": "", "title": "Koch/Köchin", "provider": "Hotel Krone"}
    assert "occupation_code" in errors_of(act(jc), offer_in(municipality, **base))
    unknown = errors_of(act(jc), offer_in(municipality, occupation_code="99999", **base))
    assert "99999" in unknown["occupation_code"][0] and "gibt es in der geladenen Fassung" in unknown["occupation_code"][0]
    coarse = errors_of(act(jc), offer_in(municipality, occupation_code="293", **base))
    assert "keine Berufsgattung" in coarse["occupation_code"][0]
    offer = services.create_offer(actor=act(jc), data=offer_in(municipality, occupation_code="29302", **base))
    assert offer.occupation.code == "29302"


def test_every_problem_at_once(jc, municipality):
    errors = errors_of(act(jc), offer_in(municipality, title="", seats=0, target_level="Z9", municipality_id=None))
    assert {"title", "seats", "target_level", "municipality_id"} <= set(errors)


@given(level=st.text(max_size=3))
def test_only_real_cefr_levels_below_mt_are_accepted(jc, municipality, level):
    data = offer_in(municipality, min_german_level=level, target_level="C2")
    norm = level.strip().upper()
    if norm in ("", *query.LEVELS[:-1]):
        services.create_offer(actor=act(jc), data=data)
    else:
        assert "min_german_level" in errors_of(act(jc), data)


@pytest.mark.parametrize(("kind", "roles"), [("ABH", ("caseworker",)), ("KT", ("caseworker",)),
                                             ("JC", ("benefits",)), ("JC", ("registration",))])
def test_who_may_not_create_offers(make_user, municipality, kind, roles):
    user = make_user(kind, *roles)
    with pytest.raises(AccessDenied):
        services.create_offer(actor=act(user), data=offer_in(municipality))
    assert not Offer.objects.exists()
    assert AuditEvent.objects.filter(object_type="offer", outcome="denied", username=user.username).exists()


@pytest.mark.parametrize("kind", ["AA", "JC", "LRA", "STADT"])
def test_team_leads_and_caseworkers_of_placing_agencies_create(make_user, municipality, kind):
    for role in ("caseworker", "team_lead"):
        offer = services.create_offer(actor=act(make_user(kind, role)), data=offer_in(municipality))
        assert offer.owner.kind == kind


def test_only_the_owner_edits(course, aa, jc2, municipality):
    data = offer_in(municipality, title="Neuer Titel")
    with pytest.raises(AccessDenied, match="Nur die Behörde, die das Angebot verwaltet"):
        services.update_offer(actor=act(aa), offer_id=course.pk, version=1, data=data)
    assert AuditEvent.objects.filter(object_type="offer", outcome="denied", username="aa-nina").exists()
    updated = services.update_offer(actor=act(jc2), offer_id=course.pk, version=1, data=data)  # same agency
    assert updated.title == "Neuer Titel" and updated.version == 2


def test_stale_version_conflicts(course, jc, municipality, district):
    services.update_offer(actor=act(jc), offer_id=course.pk, version=1, data=offer_in(
        municipality, seats=5, provider_agency_id=district["KT"].pk))
    with pytest.raises(Conflict) as exc:
        services.update_offer(actor=act(jc), offer_id=course.pk, version=1, data=offer_in(municipality, seats=9))
    assert exc.value.current_version == 2
    assert exc.value.changes[0]["fields"] == ["seats"] and exc.value.changes[0]["by"] == "jc-anna"
    assert Offer.objects.get(pk=course.pk).seats == 5


def test_update_validates_and_keeps_seats_above_enrolled(course, jc, person, person2, municipality):
    for p in (person, person2):
        services.enrol(actor=act(jc), person_id=p.pk, offer_id=course.pk)
    with pytest.raises(InvalidInput) as exc:
        services.update_offer(actor=act(jc), offer_id=course.pk, version=1, data=offer_in(municipality, seats=1))
    assert "bereits 2 Plätze belegt" in exc.value.field_errors["seats"][0]
    with pytest.raises(InvalidInput) as exc:
        services.update_offer(actor=act(jc), offer_id=course.pk, version=1,
                              data=offer_in(municipality, kind="deufoev"))
    assert "kind" in exc.value.field_errors
    assert Offer.objects.get(pk=course.pk).version == 1


def test_update_unknown_offer(jc, municipality):
    with pytest.raises(NotFound):
        services.update_offer(actor=act(jc), offer_id=424242, version=1, data=offer_in(municipality))


def test_close_keeps_seats_and_stops_admissions(course, jc, person, person2):
    services.enrol(actor=act(jc), person_id=person.pk, offer_id=course.pk)
    waiting = services.request_enrolment(actor=act(jc), person_id=person2.pk, offer_id=course.pk)
    closed = services.close_offer(actor=act(jc), offer_id=course.pk)
    assert closed.state == OfferState.CLOSED and closed.version == 2
    with pytest.raises(InvalidInput, match="geschlossen"):
        services.admit(actor=act(jc), enrolment_id=waiting.pk)
    assert Enrolment.objects.filter(offer=course, state=EnrolmentState.ENROLLED).count() == 1
    with pytest.raises(InvalidInput, match="bereits geschlossen"):
        services.close_offer(actor=act(jc), offer_id=course.pk)


def test_cancel_withdraws_everyone_and_tells_the_enrolling_agency(course, jc, jc2, aa, person, person2):
    services.enrol(actor=act(jc), person_id=person.pk, offer_id=course.pk)
    services.request_enrolment(actor=act(jc2), person_id=person2.pk, offer_id=course.pk)
    with pytest.raises(InvalidInput, match="warum"):
        services.cancel_offer(actor=act(jc), offer_id=course.pk, reason=" ")
    with pytest.raises(AccessDenied):
        services.cancel_offer(actor=act(aa), offer_id=course.pk, reason="Kein Raum")
    cancelled = services.cancel_offer(actor=act(jc), offer_id=course.pk, reason="Lehrkraft fehlt")
    assert cancelled.state == OfferState.CANCELLED
    rows = Enrolment.objects.filter(offer=course)
    assert {r.state for r in rows} == {EnrolmentState.WITHDRAWN}
    assert all(r.reason == "Angebot abgesagt: Lehrkraft fehlt" for r in rows)
    assert AuditEvent.objects.filter(object_type="enrolment", person_id=person2.pk, action="update").exists()
    assert Notification.objects.filter(user=jc2, kind="enrolment").exists()
    assert not Notification.objects.filter(user=jc, kind="enrolment").exists()  # the actor knows


def test_listing_needs_a_case_role(make_user, course):
    with pytest.raises(AccessDenied):
        services.list_offers(actor=act(make_user("JC", "analyst")))
    assert services.list_offers(actor=act(make_user("ABH", "caseworker"))).count() == 1
    assert services.list_offers(actor=act(make_user("KT", "caseworker"))).count() == 1


def test_free_seats_annotation(course, jc, person, person2, person3):
    services.enrol(actor=act(jc), person_id=person.pk, offer_id=course.pk)
    services.request_enrolment(actor=act(jc), person_id=person2.pk, offer_id=course.pk)
    services.request_enrolment(actor=act(jc), person_id=person3.pk, offer_id=course.pk)
    offer = services.get_offer(actor=act(jc), offer_id=course.pk)
    assert (offer.enrolled, offer.waiting, offer.free_seats) == (1, 2, 1)


def test_search_filters(jc, district, municipality, kldb):
    other_place = make_municipality(district, "Kornwestheim")
    a = act(jc)
    course = services.create_offer(actor=a, data=offer_in(municipality, childcare=True, min_german_level="A1"))
    women = services.create_offer(actor=a, data=offer_in(other_place, women_only=True, part_time=True,
                                                          title="Frauenkurs", starts_on=soon(90), ends_on=None,
                                                          target_level="B2", min_german_level="B1"))
    job = services.create_offer(actor=a, data=offer_in(municipality, kind="vacancy", target_level="",
                                                        title="Koch/Köchin", provider="Hotel Krone",
                                                        occupation_code="29302", seats=1))
    closed = services.create_offer(actor=a, data=offer_in(municipality, title="Alt"))
    services.close_offer(actor=a, offer_id=closed.pk)

    def ids(**f):
        return {o.pk for o in services.list_offers(actor=a, filters=query.OfferFilter(**f))}

    assert ids() == {course.pk, women.pk, job.pk}
    assert ids(state="") == {course.pk, women.pk, job.pk, closed.pk}
    assert ids(kind="vacancy") == {job.pk}
    assert ids(municipality_id=other_place.pk) == {women.pk}
    assert ids(district_id=municipality.landkreis_id) == {course.pk, women.pk, job.pk}
    assert ids(starts_after=soon(60)) == {women.pk}
    assert ids(level="A2") == {course.pk, job.pk}  # the women's course needs B1
    assert ids(level="MT") == {job.pk}  # not a CEFR level: only offers without a minimum
    assert ids(target_level="B2") == {women.pk}
    assert ids(childcare=True) == {course.pk}
    assert ids(women_only=True) == ids(part_time=True) == {women.pk}
    assert ids(text="koch") == ids(text="Krone") == {job.pk}
    assert ids(text="Köche") == {job.pk}  # KldB title of 29302
    assert ids(text="kornwestheim") == {women.pk}
    assert ids(agency_id=jc.agency_id) == {course.pk, women.pk, job.pk}
    services.enrol(actor=a, person_id=_person(jc).pk, offer_id=job.pk)
    assert ids(free_seats=True) == {course.pk, women.pk}


def _person(user):
    from stella.tests.factories import register

    return register(user, family="Noori", given="Ali", birth=None)


def test_get_offer_unknown(jc):
    with pytest.raises(NotFound):
        services.get_offer(actor=act(jc), offer_id=999)

