"""The Rechtliche Einschätzung service: inputs derived from the file with their provenance, overrides,
answers per access right (refusals audited, never computed), missing inputs and dates outside the rules."""

from __future__ import annotations

from datetime import date

import pytest

from stella.audit.models import AuditEvent
from stella.cases import services as cases
from stella.core.actor import Actor
from stella.core.errors import NotFound
from stella.journey import assessment as service
from stella.journey.assessment import Overrides, document_status, legal_assessment
from stella.journey.tests.assessment_fixtures import (
    GESTATTUNG_2015,
    household,
    syrian_asylum_seeker,
)
from stella.people.models import IdentityDocument
from stella.people.services import AddressIn, DocumentIn, add_address
from stella.rules import BenefitInput, RegimeInputs, RuleInputError, benefit
from stella.tests.factories import register

pytestmark = pytest.mark.django_db

DAY = date(2016, 3, 1)


@pytest.fixture
def jc(make_user):
    return make_user("JC", "caseworker")


def assess(user, person, on=DAY, **overrides):
    return legal_assessment(actor=Actor.for_user(user), person_id=person.pk, on=on,
                            overrides=Overrides(**overrides) if overrides else None)


def inputs(result):
    return {i.key: i for i in result.inputs}


# --- status from the residence document -----------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "basis", "status"), [
    ("akn", "", "gestattung"),
    ("gestattung", "§55 AsylG", "gestattung"),
    ("duldung", "§60a Abs. 2 AufenthG", "duldung"),
    ("duldung", "§60b AufenthG", "duldung_60b"),
    ("duldung", "§ 60 b AufenthG", "duldung_60b"),
    ("ae", "§25 Abs. 1 AufenthG", "ae_25_1"),
    ("ae", "§25 Abs. 2 AufenthG", "ae_25_2"),
    ("ae", "§ 25 abs. 2 S. 1 Alt. 2 AufenthG", "ae_25_2"),
    ("ae", "§25 (3) AufenthG", "ae_25_3"),
    ("ae", "§24 AufenthG", "ae_24"),
    ("fiktion", "§81 Abs. 4 AufenthG", "fiktion"),
    ("ae", "§25 Abs. 5 AufenthG", None),
    ("ae", "§25a AufenthG", None),
    ("ae", "§25b Abs. 1 AufenthG", None),
    ("ae", "", None),
])
def test_status_from_each_document_kind(kind, basis, status) -> None:
    assert document_status(IdentityDocument(kind=kind, number="X", legal_basis=basis)) == status


@pytest.mark.parametrize(("kind", "basis", "status", "label"), [
    ("akn", "", "gestattung", "Ankunftsnachweis"),
    ("gestattung", "", "gestattung", "Aufenthaltsgestattung"),
    ("duldung", "§60a AufenthG", "duldung", "Duldung"),
    ("duldung", "§60b AufenthG", "duldung_60b", "Duldung"),
    ("ae", "§25 Abs. 2 AufenthG", "ae_25_2", "Aufenthaltserlaubnis"),
    ("ae", "§24 AufenthG", "ae_24", "Aufenthaltserlaubnis"),
    ("fiktion", "", "fiktion", "Fiktionsbescheinigung"),
])
def test_status_is_derived_from_the_document_valid_on_the_date(jc, kind, basis, status, label) -> None:
    doc = DocumentIn(kind=kind, number="D-1", issued_on=date(2023, 2, 1), legal_basis=basis)
    person = syrian_asylum_seeker(jc, documents=[GESTATTUNG_2015, doc])
    got = inputs(assess(jc, person, on=date(2023, 6, 1)))["status"]
    assert got.value == status
    assert got.source.startswith(f"aus Dokument {label}") and "vom 01.02.2023" in got.source
    # On a day when only the Gestattung of 2015 was valid, that one counts.
    assert inputs(assess(jc, person))["status"].value == "gestattung"


def test_no_document_valid_on_the_date_is_missing_not_guessed(jc) -> None:
    person = syrian_asylum_seeker(jc)
    result = assess(jc, person, on=date(2018, 1, 1))  # the Gestattung expired on 02.09.2017
    status = inputs(result)["status"]
    assert status.value is None and "kein am 01.01.2018 gültiges Aufenthaltsdokument" in status.source
    assert result.work[0].error == "Für diese Einschätzung fehlt: Aufenthaltsstatus."
    assert result.work[0].error_fields == ("status",)
    assert result.benefit.error.startswith("Für diese Einschätzung fehlt: Aufenthaltsstatus")


def test_uncovered_residence_title_says_so(jc) -> None:
    person = syrian_asylum_seeker(jc, documents=[DocumentIn(kind="ae", number="A", issued_on=date(2020, 1, 1),
                                                            legal_basis="§25 Abs. 5 AufenthG")])
    status = inputs(assess(jc, person, on=date(2021, 1, 1)))["status"]
    assert status.value is None and "§25 Abs. 5 AufenthG" in status.source and "deckt der Regelsatz nicht ab" in status.source


# --- the answers -------------------------------------------------------------------------------------------------


def test_asylum_seeker_of_the_issue_example(jc) -> None:
    person = syrian_asylum_seeker(jc)
    result = assess(jc, person)
    got = inputs(result)
    assert got["status"].source == ("aus Dokument Aufenthaltsgestattung vom 03.09.2015, gültig bis 02.09.2017")
    assert got["asylum_request_date"].value == date(2015, 9, 3) == got["entry_date"].value
    assert got["asylum_request_date"].source.startswith("Näherung: Ausstellungsdatum des ersten Ankunftsnachweises")
    assert "Aufenthaltsgestattung vom 03.09.2015" in got["asylum_request_date"].source
    assert got["asylum_request_date"].caveat == "Näherung"
    assert got["nationality"].value == "SYR" and got["nationality"].display == "Syrien (SYR)"
    assert got["lives_in_reception_centre"].value is False
    assert got["lives_in_reception_centre"].source == ("aus der Anschrift in Ludwigsburg seit 01.10.2015: "
                                                       "vorläufige Unterbringung (Landkreis)")
    assert got["age"].value == 25 and got["age"].caveat == ""
    assert got["household"].value == "collective_housing"
    assert got["reference_date"].source == "gewählter Stichtag"

    employment = result.work[0]
    assert (employment.topic, employment.label) == ("employment", "Beschäftigung")
    assert employment.result is not None and employment.result.outcome == "ABH_BA"
    assert employment.result.basis == ("§61 Abs. 2 AsylG", "§32 BeschV")
    assert employment.outcome_label == "Erlaubnis der Ausländerbehörde und Zustimmung der BA nötig"
    assert [a.topic for a in result.work] == ["employment", "vocational_training", "internship", "self_employment"]
    assert result.work[3].result is not None and result.work[3].result.outcome == "BAN"

    expected = benefit(BenefitInput(DAY, RegimeInputs("gestattung", entry_date=date(2015, 9, 3)), 25,
                                    "collective_housing"))
    assert result.benefit.result == expected
    assert result.benefit.outcome_label == "AsylbLG §3 (Grundleistungen)"
    assert result.regime_switch is None
    assert result.course.result is not None and result.course.result.outcome == "ADMISSIBLE"
    assert result.to_dict()["work_permission"][0]["result"] == employment.result.to_dict()


def test_overrides_win_and_are_marked(jc) -> None:
    person = syrian_asylum_seeker(jc)
    result = assess(jc, person, on=date(2017, 3, 1), status="ae_25_2", decision_final_date=date(2017, 2, 10),
                     household="single")
    got = inputs(result)
    assert got["status"].value == "ae_25_2" and got["status"].overridden
    assert got["status"].source == "Angabe der Fachkraft"
    assert got["status"].file_value.startswith("Aufenthaltsgestattung (aus Dokument Aufenthaltsgestattung")
    assert got["household"].source == "Angabe der Fachkraft"
    assert all(a.result is not None and a.result.outcome == "FREE" for a in result.work)
    assert result.benefit.result is not None and result.benefit.result.outcome == "sgb2"
    assert result.regime_switch is not None and result.regime_switch.result is not None
    assert result.regime_switch.result.details["first_sgb2_day"] == "2017-03-01"
    assert result.course.result is not None and result.course.result.outcome == "ENTITLED"


def test_override_of_the_reference_date(jc) -> None:
    result = assess(jc, syrian_asylum_seeker(jc), on=date(2015, 10, 1), reference_date=DAY)
    assert result.reference_date == DAY and inputs(result)["reference_date"].source == "Angabe der Fachkraft"


def test_bad_override_codes_are_errors_never_guesses(jc) -> None:
    person = syrian_asylum_seeker(jc)
    with pytest.raises(RuleInputError) as exc:
        assess(jc, person, status="asyl", household="wg", duldung_grounds=("laziness",), nationality="ZZZ")
    assert set(exc.value.field_errors) == {"status", "household", "duldung_grounds", "nationality"}
    assert "Unbekannter Aufenthaltsstatus „asyl“" in exc.value.field_errors["status"][0]


def test_lower_case_nationality_override_is_normalised(jc) -> None:
    assert inputs(assess(jc, syrian_asylum_seeker(jc), nationality="afg"))["nationality"].value == "AFG"


def test_missing_input_names_what_the_caseworker_can_supply(jc) -> None:
    person = syrian_asylum_seeker(jc, documents=[])
    result = assess(jc, person, status="gestattung")
    employment = result.work[0]
    assert employment.result is None
    assert employment.error.startswith("Für diese Einschätzung fehlt: Datum des Asylgesuchs (benötigt, um die "
                                       "Wartezeit")
    assert employment.error_fields == ("asylum_request_date",)
    assert result.benefit.error.startswith("Für diese Einschätzung fehlt: Einreisedatum")
    # Supplying it gives the answer.
    assert assess(jc, person, status="gestattung", asylum_request_date=date(2015, 9, 3),
                  entry_date=date(2015, 9, 1)).work[0].result is not None


def test_contradictory_inputs_keep_the_specific_message(jc) -> None:
    result = assess(jc, syrian_asylum_seeker(jc), entry_date=date(2015, 9, 10))
    assert "liegt vor der Einreise" in result.work[0].error and "widersprüchlich" in result.work[0].error
    assert result.work[0].error_fields == ("asylum_request_date",)


@pytest.mark.parametrize(("day", "work_years", "benefit_years"), [
    (date(2012, 6, 1), "2013–2027", "2015–2026"),
    (date(2014, 6, 1), None, "2015–2026"),
    (date(2031, 1, 1), "2013–2027", "2015–2026"),
])
def test_dates_outside_the_covered_years_say_which_are_covered(jc, day, work_years, benefit_years) -> None:
    person = syrian_asylum_seeker(jc, documents=[DocumentIn(kind="gestattung", number="G", issued_on=date(2012, 1, 2))],
                                  address=AddressIn(municipality="Tübingen", valid_from=date(2012, 1, 2)))
    result = assess(jc, person, on=day)
    if work_years:
        assert f"außerhalb der abgedeckten Jahre {work_years}" in result.work[0].error
        assert f"außerhalb der abgedeckten Jahre {work_years}" in result.course.error
    else:
        assert result.work[0].result is not None
    assert f"außerhalb der abgedeckten Jahre {benefit_years}" in result.benefit.error
    assert result.coverage == {"work_permission": (2013, 2027), "course_access": (2013, 2027),
                               "benefit": (2015, 2026), "regime_switch": (2015, 2026)}
    assert "Leistungen 2015–2026" in result.coverage_text


# --- access --------------------------------------------------------------------------------------------------------


def test_benefits_refused_for_the_employment_agency_audited_and_not_computed(jc, make_user, monkeypatch) -> None:
    person = syrian_asylum_seeker(jc)
    aa = make_user("AA", "caseworker", username="aa-fall")
    cases.add_participation(actor=Actor.for_user(aa), person_id=person.pk, role="contributing",
                            legal_basis="§39a SGB III")

    def must_not_run(*args, **kwargs):
        raise AssertionError("a refused answer must not be computed")

    monkeypatch.setattr(service, "benefit", must_not_run)
    monkeypatch.setattr(service, "regime_switch_date", must_not_run)
    result = assess(aa, person, status="ae_25_2", decision_final_date=date(2016, 2, 1))
    reason = "Für den Bereich „Leistungen“ fehlt Ihrer Behörde eine Rechtsgrundlage oder eine gültige Einwilligung."
    assert result.benefit.refused == reason and result.benefit.result is None
    assert result.regime_switch is not None and result.regime_switch.refused == reason
    assert result.work[0].result is not None  # residence: legal basis §39a SGB III
    denied = AuditEvent.objects.filter(person_id=person.pk, username="aa-fall", outcome="denied")
    assert list(denied.values_list("categories", "reason")) == [(["benefits"], reason)]
    read = AuditEvent.objects.get(person_id=person.pk, username="aa-fall", object_type="legal_assessment")
    assert read.categories == ["identity", "residence"]


def test_without_residence_access_nothing_residence_is_read(make_user, jc) -> None:
    """The foreigners' authority can find anyone, but reads nothing of a file it does not take part in."""
    person = syrian_asylum_seeker(jc)
    abh = make_user("ABH", "caseworker")
    result = assess(abh, person)
    assert all(a.refused for a in result.answers)
    got = inputs(result)
    assert got["status"].value is None and got["status"].source.startswith("nicht einsehbar: ")
    assert got["household"].value is None
    assert AuditEvent.objects.get(person_id=person.pk, object_type="legal_assessment").categories == ["identity"]


def test_person_the_actor_may_not_find_is_not_found(make_user, jc) -> None:
    person = syrian_asylum_seeker(jc)
    kt = make_user("KT", "caseworker")
    with pytest.raises(NotFound):
        assess(kt, person)
    assert not AuditEvent.objects.filter(object_type="legal_assessment").exists()


def test_the_read_is_audited_with_date_and_overridden_inputs(jc) -> None:
    person = syrian_asylum_seeker(jc)
    assess(jc, person, household="single", status="gestattung")
    event = AuditEvent.objects.get(person_id=person.pk, object_type="legal_assessment")
    assert event.action == "read" and event.outcome == "allowed"
    assert event.categories == ["benefits", "identity", "residence"]
    assert event.object_id == str(person.pk)
    assert event.detail == {"reference_date": "2016-03-01", "overrides": ["household", "status"]}


def test_today_is_the_default_reference_date(jc) -> None:
    from stella.cases.access import today

    result = legal_assessment(actor=Actor.for_user(jc), person_id=syrian_asylum_seeker(jc).pk)
    assert result.reference_date == today() and inputs(result)["reference_date"].source == "heute"


# --- other inputs --------------------------------------------------------------------------------------------------


def test_reception_centre_and_since_when(jc) -> None:
    person = syrian_asylum_seeker(jc, address=AddressIn(municipality="Karlsruhe", valid_from=date(2015, 9, 3),
                                                        accommodation="ea"))
    add_address(actor=Actor.for_user(jc), person_id=person.pk,
                address=AddressIn(municipality="Ellwangen", valid_from=date(2015, 11, 1), accommodation="ea"))
    add_address(actor=Actor.for_user(jc), person_id=person.pk,
                address=AddressIn(municipality="Ludwigsburg", valid_from=date(2016, 5, 1), accommodation="vu"))
    got = inputs(assess(jc, person, on=date(2016, 1, 15)))
    assert got["lives_in_reception_centre"].value is True
    assert got["reception_centre_since"].value == date(2015, 9, 3)
    assert inputs(assess(jc, person, on=date(2016, 6, 1)))["lives_in_reception_centre"].value is False


def test_without_an_address_the_reception_centre_duty_is_asked_for(jc) -> None:
    person = register(jc, documents=[GESTATTUNG_2015], nationalities=["SYR"])
    result = assess(jc, person)
    assert result.work[0].error == "Für diese Einschätzung fehlt: Wohnpflicht in der Aufnahmeeinrichtung."
    assert assess(jc, person, lives_in_reception_centre=False).work[0].result is not None
    assert inputs(result)["household"].value == "single"


def test_age_from_an_imprecise_birth_date_may_be_off_by_one(jc) -> None:
    person = syrian_asylum_seeker(jc, birth=date(1990, 1, 1), birth_date_precision="year")
    age = inputs(assess(jc, person))["age"]
    assert age.value == 26
    assert age.caveat == "Geburtsdatum nur ungenau erfasst (1990 (nur Jahr)): das Alter kann um ein Jahr abweichen."


def test_no_birth_date_means_no_benefit_answer(jc) -> None:
    result = assess(jc, syrian_asylum_seeker(jc, birth=None))
    assert result.benefit.error == "Für diese Einschätzung fehlt: Alter."


def test_household_situations(jc) -> None:
    father = syrian_asylum_seeker(jc, given="Ahmad", birth=date(1965, 1, 10))
    mother = syrian_asylum_seeker(jc, given="Fatima", birth=date(1970, 3, 2))
    son = syrian_asylum_seeker(jc, given="Omar", birth=date(1994, 6, 1))
    daughter = syrian_asylum_seeker(jc, given="Lina", birth=date(2008, 6, 1))
    household(jc, [(father, "head"), (mother, "partner"), (son, "child"), (daughter, "child")])
    on = date(2016, 3, 1)
    assert inputs(assess(jc, father, on))["household"].value == "couple"
    assert inputs(assess(jc, mother, on))["household"].value == "couple"
    son_household = inputs(assess(jc, son, on))["household"]
    assert son_household.value == "child_in_household"
    assert son_household.source == "aus Haushalt „Familie“: Kind im Haushalt, unter 25 Jahre"
    assert inputs(assess(jc, father, on))["with_minor_children"].value is True
    assert inputs(assess(jc, son, on))["with_minor_children"].value is False
    # From 25 the son is no longer "child in the household" – and, with family there, not collective housing.
    assert inputs(assess(jc, son, date(2019, 7, 1)))["household"].value == "single"


def test_duldung_start_is_approximated_from_the_documents(jc) -> None:
    docs = [GESTATTUNG_2015,
            DocumentIn(kind="duldung", number="D1", issued_on=date(2017, 9, 3), valid_until=date(2018, 3, 2),
                       legal_basis="§60a AufenthG"),
            DocumentIn(kind="duldung", number="D2", issued_on=date(2018, 3, 3), legal_basis="§60a AufenthG")]
    got = inputs(assess(jc, syrian_asylum_seeker(jc, documents=docs), on=date(2018, 6, 1)))
    assert got["status"].value == "duldung" and "vom 03.03.2018" in got["status"].source
    assert got["duldung_since"].value == date(2017, 9, 3) and got["duldung_since"].source.startswith("Näherung")


def test_recorded_status_history_wins_over_documents(db, make_user, district):
    """With status events the inputs come from the history, not from the document approximation."""
    from stella.journey.services import record_status_event

    lra = make_user("LRA", "caseworker")
    person = register(lra, nationalities=["SYR"])
    actor = Actor.for_user(lra)
    for kind, day, outcome in [("einreise", date(2015, 8, 20), ""), ("asylgesuch", date(2015, 9, 3), ""),
                               ("gestattung", date(2015, 10, 1), ""),
                               ("bamf_entscheidung", date(2016, 5, 10), "fluechtlingsschutz"),
                               ("rechtskraft", date(2016, 5, 31), "")]:
        record_status_event(actor=actor, person_id=person.pk, kind=kind, effective_date=day, outcome=outcome)
    inputs = service.derive_inputs(person, date(2016, 7, 1))
    assert inputs["status"].value == "ae_25_2" and "Statusverlauf" in inputs["status"].source
    assert inputs["entry_date"].value == date(2015, 8, 20)
    assert inputs["asylum_request_date"].value == date(2015, 9, 3)
    assert inputs["decision_final_date"].value == date(2016, 5, 31)
    assert service.derive_inputs(person, date(2016, 1, 1))["status"].value == "gestattung"
