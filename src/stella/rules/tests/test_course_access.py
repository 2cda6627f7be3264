"""Integration-course admission: good prospects list, safe countries excluded, the 2019 extension."""

from __future__ import annotations

from typing import Any

import pytest

from stella.rules import CourseAccessInput, RuleInputError, RuleResult, course_access
from stella.rules.tests.conftest import day


def ca(ref: str, nationality: str = "SYR", status: Any = "gestattung", **kw: Any) -> RuleResult:
    for key in ("entry_date", "asylum_request_date", "gestattung_since"):
        if key in kw:
            kw[key] = day(kw[key])
    return course_access(CourseAccessInput(day(ref), status, nationality, **kw))


@pytest.mark.parametrize(("ref", "nationality", "kw", "outcome", "unverified"), [
    ("23.10.2015", "SYR", {}, "NOT_ADMISSIBLE", False),
    ("24.10.2015", "SYR", {}, "ADMISSIBLE", True),  # 2015 list taken over from the 2016 state
    ("01.03.2016", "ERI", {}, "ADMISSIBLE", False),
    ("01.03.2016", "SOM", {}, "NOT_ADMISSIBLE", False),
    ("15.08.2016", "SOM", {}, "ADMISSIBLE", True),
    ("01.10.2016", "SOM", {}, "ADMISSIBLE", False),
    ("01.03.2016", "AFG", {}, "NOT_ADMISSIBLE", False),
    ("01.03.2016", "ALB", {}, "NOT_ADMISSIBLE", False),
    ("01.03.2018", "IRQ", {}, "ADMISSIBLE", True),  # list after 2016 unverified
    # 2019 extension: entry before 01.08.2019, 3 months Gestattung, close to the labour market. Unverified because
    # Afghanistan's absence from the good-prospects list is confirmed only for 2016.
    ("01.10.2019", "AFG", {"entry_date": "01.06.2019", "asylum_request_date": "05.06.2019",
                           "labour_market_close": True}, "ADMISSIBLE", True),
    ("31.07.2019", "AFG", {"entry_date": "01.01.2019", "asylum_request_date": "05.01.2019",
                           "labour_market_close": True}, "NOT_ADMISSIBLE", True),
    ("01.08.2019", "AFG", {"entry_date": "01.01.2019", "asylum_request_date": "05.01.2019",
                           "labour_market_close": True}, "ADMISSIBLE", True),
    ("01.09.2019", "AFG", {"entry_date": "01.06.2019", "asylum_request_date": "05.06.2019",
                           "labour_market_close": True}, "NOT_ADMISSIBLE", True),
    ("01.10.2019", "AFG", {"entry_date": "01.08.2019", "asylum_request_date": "05.08.2019",
                           "labour_market_close": True}, "NOT_ADMISSIBLE", True),
    ("01.10.2019", "AFG", {"entry_date": "01.06.2019", "asylum_request_date": "05.06.2019",
                           "labour_market_close": False}, "NOT_ADMISSIBLE", True),
    ("01.10.2019", "SRB", {"entry_date": "01.01.2019", "labour_market_close": True}, "NOT_ADMISSIBLE", False),
    ("01.06.2023", "SYR", {}, "ADMISSIBLE", True),  # later changes 2022–2026 unverified
])
def test_course_access(ref, nationality, kw, outcome, unverified):
    result = ca(ref, nationality, **kw)
    assert (result.outcome, result.unverified) == (outcome, unverified), result.explanation
    assert result.basis and result.explanation.startswith("Am ")


def test_recognised_persons_are_entitled_flagged():
    result = ca("01.06.2020", status="ae_25_2")
    assert (result.outcome, result.unverified) == ("ENTITLED", True)


def test_other_statuses_are_not_covered():
    with pytest.raises(RuleInputError) as err:
        ca("01.06.2020", status="duldung")
    assert "status" in err.value.field_errors


def test_extension_needs_labour_market_closeness_when_decisive():
    with pytest.raises(RuleInputError) as err:
        ca("01.10.2019", "AFG", entry_date="01.06.2019", asylum_request_date="05.06.2019")
    assert "labour_market_close" in err.value.field_errors
