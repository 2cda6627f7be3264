"""The dated legal tables (law as data) and the rule-set version every answer carries.

Change a table → bump RULE_VERSION and the pinned fingerprint in tests/test_tables.py (the test says so).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from datetime import date
from typing import Any

from stella.rules.model import Dated
from stella.rules.tables import benefits, countries, courses, work

#: Version of the rule set: year of the law-facts compilation and a running number.
RULE_VERSION = "2026.2"

#: The law-facts compilation is checked up to this day. Work permission and course access are also answered
#: for the following year (courses and jobs are planned ahead) with the rules last in force, flagged unverified.
LAW_FACTS_UNTIL = date(2026, 12, 31)

#: Reference dates each question can be answered for (inclusive). Outside: RuleInputError.
COVERAGE: dict[str, tuple[date, date]] = {
    "work_permission": (date(2013, 1, 1), date(2027, 12, 31)),
    "course_access": (date(2013, 1, 1), date(2027, 12, 31)),
    "benefit": (date(2015, 1, 1), date(2026, 12, 31)),
    "regime_switch": (date(2015, 1, 1), date(2026, 12, 31)),
}

#: Every dated table by name, with the question whose coverage it must span without gaps.
TABLES: dict[str, tuple[str, Sequence[Dated[Any]]]] = {
    "work.GESTATTUNG_WAIT_OUTSIDE_EA": ("work_permission", work.GESTATTUNG_WAIT_OUTSIDE_EA),
    "work.GESTATTUNG_WAIT_IN_EA": ("work_permission", work.GESTATTUNG_WAIT_IN_EA),
    "work.GESTATTUNG_CLAIM_AFTER": ("work_permission", work.GESTATTUNG_CLAIM_AFTER),
    "work.DULDUNG_WAIT": ("work_permission", work.DULDUNG_WAIT),
    "work.DULDUNG_WAIT_IN_EA": ("work_permission", work.DULDUNG_WAIT_IN_EA),
    "work.DULDUNG_PERMIT_MODE": ("work_permission", work.DULDUNG_PERMIT_MODE),
    "work.EA_DUTY_MAX": ("work_permission", work.EA_DUTY_MAX),
    "work.VORRANGPRUEFUNG": ("work_permission", work.VORRANGPRUEFUNG),
    "work.FOUR_YEAR_RULE": ("work_permission", work.FOUR_YEAR_RULE),
    "work.INTERNSHIP_WITHOUT_BA": ("work_permission", work.INTERNSHIP_WITHOUT_BA),
    "work.TRAINING_WITHOUT_BA": ("work_permission", work.TRAINING_WITHOUT_BA),
    "work.TITLE_ACCESS.ae_25_1": ("work_permission", work.TITLE_ACCESS["ae_25_1"]),
    "work.TITLE_ACCESS.ae_25_2": ("work_permission", work.TITLE_ACCESS["ae_25_2"]),
    "work.TITLE_ACCESS.ae_25_3": ("work_permission", work.TITLE_ACCESS["ae_25_3"]),
    "work.TITLE_ACCESS.ae_24": ("", work.TITLE_ACCESS["ae_24"]),
    "work.TITLE_ACCESS.fiktion": ("", work.TITLE_ACCESS["fiktion"]),
    "work.SAFE_COUNTRY_BAN": ("work_permission", work.SAFE_COUNTRY_BAN),
    "work.DULDUNG_BAN_GROUNDS.asylblg_purpose": ("work_permission", work.DULDUNG_BAN_GROUNDS["asylblg_purpose"]),
    "work.DULDUNG_BAN_GROUNDS.own_fault": ("work_permission", work.DULDUNG_BAN_GROUNDS["own_fault"]),
    "work.DULDUNG_BAN_GROUNDS.safe_country": ("work_permission", work.DULDUNG_BAN_GROUNDS["safe_country"]),
    "work.DULDUNG_60B": ("", work.DULDUNG_60B),
    "work.AUSBILDUNGSDULDUNG": ("work_permission", work.AUSBILDUNGSDULDUNG),
    "work.SELF_EMPLOYMENT_BAN": ("work_permission", work.SELF_EMPLOYMENT_BAN),
    "work.DULDUNG_IN_EA_TRAINING": ("", work.DULDUNG_IN_EA_TRAINING),
    "countries.GOOD_PROSPECTS": ("", countries.GOOD_PROSPECTS),
    "courses.COURSE_RULES": ("course_access", courses.COURSE_RULES),
    "courses.RECOGNISED_CLAIM": ("course_access", courses.RECOGNISED_CLAIM),
    "benefits.ASYLBLG_AMOUNTS": ("", benefits.ASYLBLG_AMOUNTS),
    "benefits.SGB2_AMOUNTS": ("benefit", benefits.SGB2_AMOUNTS),
    "benefits.CHILD_SUPPLEMENT": ("benefit", benefits.CHILD_SUPPLEMENT),
    "benefits.ANALOGUE_WAIT": ("benefit", benefits.ANALOGUE_WAIT),
    "benefits.COLLECTIVE_HOUSING_STAGE_2": ("benefit", benefits.COLLECTIVE_HOUSING_STAGE_2),
    "benefits.ANALOGUE_COLLECTIVE_STAGE_2": ("benefit", benefits.ANALOGUE_COLLECTIVE_STAGE_2),
}


def _canonical(value: Any) -> Any:
    """A hash-seed independent form of table content (sets sorted, dataclasses as field tuples)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, *(_canonical(getattr(value, f.name)) for f in dataclasses.fields(value)))
    if isinstance(value, set | frozenset):
        return sorted(_canonical(item) for item in value)
    if isinstance(value, dict):
        return sorted((str(key), _canonical(item)) for key, item in value.items())
    if isinstance(value, tuple | list):
        return [_canonical(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def fingerprint() -> str:
    """SHA-256 over every table constant, so that a changed table without a new RULE_VERSION is caught."""
    content = [
        (module.__name__, name, _canonical(value))
        for module in (work, countries, courses, benefits)
        for name, value in sorted(vars(module).items())
        if name.isupper() and not name.startswith("_")
    ]
    return hashlib.sha256(repr(content).encode()).hexdigest()


def covered_years(question: str | None = None) -> dict[str, tuple[int, int]]:
    """Which calendar years each question covers, e.g. {"benefit": (2015, 2026), …}."""
    names = [question] if question else list(COVERAGE)
    return {name: (COVERAGE[name][0].year, COVERAGE[name][1].year) for name in names}
