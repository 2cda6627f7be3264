"""Bad input: a specific RuleInputError naming the field, never a guess."""

from __future__ import annotations

from datetime import date

import pytest

from stella.core.errors import InvalidInput
from stella.rules import RuleInputError, benefit, regime_switch_date, work_permission
from stella.rules.tests.conftest import bi, wp


@pytest.mark.parametrize(("question", "field", "fragment"), [
    (wp("01.03.2016", "gestattet", asylum_request_date="03.09.2015"), "status", "Unbekannter Aufenthaltsstatus"),
    (wp("01.03.2016", nationality="XYZ", asylum_request_date="03.09.2015"), "nationality", "Ländercode"),
    (wp("01.03.2016", nationality="SY", asylum_request_date="03.09.2015"), "nationality", "Ländercode"),
    (wp("01.03.2016", activity="freelance", asylum_request_date="03.09.2015"), "activity", "freelance"),
    (wp("01.01.2028", asylum_request_date="03.09.2015"), "reference_date", "2013–2027"),
    (wp("31.12.2012", asylum_request_date="03.09.2012"), "reference_date", "2013–2027"),
    (wp("01.03.2016", entry_date="05.09.2015", asylum_request_date="03.09.2015"), "asylum_request_date",
     "vor der Einreise"),
    (wp("01.03.2016", asylum_request_date="03.09.2016"), "asylum_request_date", "nach dem Stichtag"),
    (wp("01.03.2016"), "asylum_request_date", "fehlt"),
    (wp("01.03.2016", "duldung", nationality="AFG", duldung_since="01.01.2016", duldung_grounds=["whatever"]),
     "duldung_grounds", "whatever"),
    (wp("01.03.2016", asylum_request_date="03.09.2015", duldung_grounds=["own_fault"]), "duldung_grounds",
     "Aufenthaltsgestattung"),
    (wp("01.06.2020", "ae_24", nationality="UKR"), "status", "01.03.2022"),
    (wp("01.03.2016", rejected_as="abgelehnt", asylum_request_date="03.09.2015"), "rejected_as", "abgelehnt"),
])
def test_work_permission_rejects(question, field, fragment):
    with pytest.raises(RuleInputError) as err:
        work_permission(question)
    assert field in err.value.field_errors
    assert fragment in " ".join(err.value.field_errors[field])


@pytest.mark.parametrize(("question", "field", "fragment"), [
    (bi("01.06.2014", "ae_25_1"), "reference_date", "2015–2026"),
    (bi("01.02.2015", "gestattung", entry="01.01.2015"), "reference_date", "01.03.2015"),
    (bi("01.06.2020", "gestattung"), "entry_date", "fehlt"),
    (bi("01.06.2020", "gestattung", entry="01.07.2020"), "entry_date", "nach dem Stichtag"),
    (bi("01.06.2020", "gestattung", age=-1, entry="01.01.2020"), "age", "ganze Zahl"),
    (bi("01.06.2020", "gestattung", household="flat_share", entry="01.01.2020"), "household", "flat_share"),
    (bi("01.06.2020", "gestattung", entry="01.01.2020", analogue_since="01.12.2019"), "analogue_since", "vor"),
    (bi("01.06.2020", "gestattung", entry="01.01.2020", decision_final_date=date(2020, 3, 1)), "decision_final_date",
     "§25"),
])
def test_benefit_rejects(question, field, fragment):
    with pytest.raises(RuleInputError) as err:
        benefit(question)
    assert field in err.value.field_errors
    assert fragment in " ".join(err.value.field_errors[field])


def test_rule_input_error_is_an_invalid_input_with_status_422():
    with pytest.raises(InvalidInput) as err:
        regime_switch_date(date(2027, 1, 5))
    assert err.value.status == 422 and err.value.code == "rule_input"
    assert "2015–2026" in err.value.message


def test_dates_after_the_law_facts_are_answered_unverified_with_a_note():
    from stella.rules import work_permission

    answer = work_permission(wp("15.03.2027", asylum_request_date="03.09.2015"))
    assert answer.unverified and any("31.12.2026" in n for n in answer.notes)
    before = work_permission(wp("15.03.2026", asylum_request_date="03.09.2015"))
    assert not any("31.12.2026" in n for n in before.notes)
    assert (answer.outcome, answer.basis) == (before.outcome, before.basis)
