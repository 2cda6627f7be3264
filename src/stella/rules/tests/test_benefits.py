"""Benefit regime, stage and amount: one case per amount-table period and year, the regime rules and the
days before and on which they changed. Expected amounts are copied from law-facts.md §3, not from the tables."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from stella.rules import HouseholdMember, RegimeInputs, RuleInputError, benefit, household_benefits
from stella.rules.dates import add_months
from stella.rules.tests.conftest import bi, day

#: Stage → (age, household) that yields it for an adult-by-default regime.
STAGE_PERSON = {1: (30, "single"), 2: (30, "couple"), 3: (20, "child_in_household"), 4: (15, "child_in_household"),
                5: (10, "child_in_household"), 6: (3, "child_in_household")}

# law-facts.md §3a: first day of the period → amounts RBS1..6 (None = not established)
ASYLBLG: dict[str, tuple[int | None, ...]] = {
    "01.03.2015": (359, 323, 287, 283, 249, 217),
    "24.10.2015": (359, 323, 287, 283, 249, 217),
    "01.01.2016": (364, 327, 290, 286, 252, 220),
    "17.03.2016": (354, 318, 284, 276, 242, 214),
    "01.07.2018": (354, 318, 284, 276, 242, 214),  # 2017–08/2019: no update in force (unverified)
    "01.09.2019": (None,) * 6,
    "01.01.2020": (351, 316, 280, 280, 273, 218),
    "01.01.2021": (364, 328, 292, 323, 282, 247),
    "01.01.2022": (367, 330, 294, 326, 283, 249),
    "01.01.2023": (410, 369, 328, 364, 304, 278),
    "01.01.2024": (460, 413, 368, 408, 341, 312),
    "01.01.2025": (441, 397, 353, None, None, None),
    "01.01.2026": (455, 409, 365, 405, 337, 309),
}
PERIODS: list[str] = sorted(ASYLBLG, key=lambda text: day(text))
UNVERIFIED_PERIODS = {"01.07.2018", "01.09.2019"}

# law-facts.md §3c
SGB2 = {
    2015: (399, 360, 320, 302, 267, 234), 2016: (404, 364, 324, 306, 270, 237), 2017: (409, 368, 327, 311, 291, 236),
    2018: (416, 374, 332, 316, 296, 240), 2019: (424, 382, 339, 322, 302, 245), 2020: (432, 389, 345, 328, 308, 250),
    2021: (446, 401, 357, 373, 309, 283), 2022: (449, 404, 360, 376, 311, 285), 2023: (502, 451, 402, 420, 348, 318),
    2024: (563, 506, 451, 471, 390, 357), 2025: (563, 506, 451, 471, 390, 357), 2026: (563, 506, 451, 471, 390, 357),
}


def _recent_entry(ref: Any) -> str:
    return add_months(day(ref), -2).strftime("%d.%m.%Y")


@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("stage", range(1, 7))
def test_asylblg_amount_per_period_and_stage(period, stage):
    age, household = STAGE_PERSON[stage]
    result = benefit(bi(period, "gestattung", age, household, entry=_recent_entry(period)))
    expected = ASYLBLG[period][stage - 1]
    assert (result.outcome, result.details["stage"], result.details["amount_eur"]) == ("asylblg_3", stage, expected)
    if expected is None:
        assert result.unverified and result.details["amount_cents"] is None
    else:
        assert result.details["amount_cents"] == expected * 100
    assert result.unverified == (expected is None or period in UNVERIFIED_PERIODS)


@pytest.mark.parametrize("year", sorted(SGB2))
@pytest.mark.parametrize("stage", range(1, 7))
def test_sgb2_regelbedarf_per_year_and_stage(year, stage):
    age, household = STAGE_PERSON[stage]
    result = benefit(bi(f"01.07.{year}", "ae_25_2", age, household))
    assert (result.outcome, result.details["stage"]) == ("sgb2", stage)
    assert result.details["amount_eur"] == SGB2[year][stage - 1]
    assert isinstance(result.details["amount_eur"], int) and not result.unverified
    assert "§20 SGB II" in result.basis


def test_issue_example_benefit():
    result = benefit(bi("01.06.2024", "gestattung", 34, "single", entry="01.10.2022"))
    answer = result.to_dict()
    assert (answer["regime"], answer["stage"], answer["amount_eur"], answer["unverified"]) == ("asylblg_3", 1, 460,
                                                                                              False)
    assert answer["basis"] and "02.10.2025" in answer["explanation"]


def test_analogue_benefits_use_sgb_xii_amounts():
    result = benefit(bi("01.06.2018", "duldung", 30, "single", entry="01.01.2016"))
    assert (result.outcome, result.details["amount_eur"]) == ("asylblg_2", 416)
    assert "§2 Abs. 1 AsylbLG" in result.basis


def test_contested_reduction_2025_shows_both_amounts():
    result = benefit(bi("01.03.2025", "gestattung", 30, "single", entry="01.01.2025"))
    assert (result.details["amount_eur"], result.details["amount_besitzschutz_eur"]) == (441, 460)
    assert result.contested and not result.unverified and "Besitzschutz" in result.explanation
    child = benefit(bi("01.03.2025", "gestattung", 10, "child_in_household", entry="01.01.2025"))
    assert (child.details["amount_eur"], child.details["amount_besitzschutz_eur"], child.unverified) == (None, 341, True)


def test_child_supplement_in_sgb2_from_07_2022():
    assert benefit(bi("30.06.2022", "ae_25_2", 10, "child_in_household")).details["child_supplement_eur"] == 0
    assert benefit(bi("01.07.2022", "ae_25_2", 10, "child_in_household")).details["child_supplement_eur"] == 20
    assert benefit(bi("01.01.2025", "ae_25_2", 20, "child_in_household")).details["child_supplement_eur"] == 25
    assert "child_supplement_eur" not in benefit(bi("01.01.2025", "ae_25_2", 30, "single")).details


# --- stages ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("age", "household", "stage"), [
    (0, "single", 6), (5, "couple", 6), (6, "child_in_household", 5), (13, "single", 5), (14, "single", 4),
    (17, "couple", 4), (18, "child_in_household", 3), (24, "child_in_household", 3), (25, "child_in_household", 1),
    (18, "single", 1), (40, "couple", 2), (40, "collective_housing", 1),
])
def test_sgb2_stage_from_age_and_household(age, household, stage):
    assert benefit(bi("01.06.2021", "ae_25_1", age, household)).details["stage"] == stage


def test_collective_housing_is_stage_2_in_asylblg_from_01_09_2019():
    before = benefit(bi("31.08.2019", "gestattung", 30, "collective_housing", entry="01.07.2019"))
    on = benefit(bi("01.09.2019", "gestattung", 30, "collective_housing", entry="01.07.2019"))
    assert (before.details["stage"], on.details["stage"]) == (1, 2)


def test_collective_housing_with_analogue_benefits_after_bverfg_2022():
    in_2021 = benefit(bi("01.06.2021", "duldung", 30, "collective_housing", entry="01.01.2018"))
    in_2023 = benefit(bi("01.06.2023", "duldung", 30, "collective_housing", entry="01.01.2018"))
    assert (in_2021.details["stage"], in_2021.unverified) == (2, False)
    assert (in_2023.details["stage"], in_2023.unverified) == (1, True)


def test_adult_child_over_25_before_2019_in_asylblg_is_flagged():
    result = benefit(bi("01.06.2018", "gestattung", 30, "child_in_household", entry="01.05.2018"))
    assert (result.details["stage"], result.unverified) == (1, True)


# --- regime ----------------------------------------------------------------------------------------------

def test_analogue_wait_is_counted_to_the_day():
    entry = "15.01.2016"  # 15 months end with 15.04.2017
    assert benefit(bi("15.04.2017", entry=entry)).outcome == "asylblg_3"
    assert benefit(bi("16.04.2017", entry=entry)).outcome == "asylblg_2"


def test_waiting_time_36_months_from_27_02_2024_and_transitional_rule():
    on_by_26_02: dict[str, Any] = {"entry": "01.08.2022"}  # 18 months served on 02.02.2024
    not_yet: dict[str, Any] = {"entry": "20.09.2022"}  # 18 months only on 21.03.2024
    assert benefit(bi("26.02.2024", **on_by_26_02)).outcome == "asylblg_2"
    kept = benefit(bi("27.02.2024", **on_by_26_02))
    assert kept.outcome == "asylblg_2" and "§20 AsylbLG" in kept.basis
    assert benefit(bi("26.02.2024", **not_yet)).outcome == "asylblg_3"
    assert benefit(bi("27.02.2024", **not_yet)).outcome == "asylblg_3"
    assert benefit(bi("01.06.2024", **not_yet)).outcome == "asylblg_3"
    assert benefit(bi("21.09.2025", **not_yet)).outcome == "asylblg_2"


def test_recorded_analogue_start_decides_the_transitional_rule():
    with pytest.raises(RuleInputError) as err:  # after 27.02.2024 only after 36 months: contradictory record
        benefit(bi("01.06.2024", entry="01.08.2022", analogue_since="01.03.2024"))
    assert "analogue_since" in err.value.field_errors
    assert benefit(bi("01.06.2024", entry="01.08.2022", analogue_since="05.02.2024")).outcome == "asylblg_2"


def test_2019_change_from_15_to_18_months_keeps_earlier_grants_flagged():
    entry = "01.04.2018"  # 15 months served 02.07.2019, 18 months only 02.10.2019
    assert benefit(bi("20.08.2019", entry=entry)).outcome == "asylblg_2"
    kept = benefit(bi("01.09.2019", entry=entry))
    assert (kept.outcome, kept.unverified) == ("asylblg_2", True)


def test_abuse_of_law_keeps_basic_benefits():
    assert benefit(bi("01.06.2020", entry="01.01.2016", abuse_of_law=True)).outcome == "asylblg_3"


def test_recognition_month_is_still_asylblg():
    base: dict[str, Any] = {"status": "ae_25_2", "entry": "01.01.2016", "decision_final_date": date(2016, 8, 10)}
    assert benefit(bi("31.08.2016", **base)).outcome == "asylblg_3"
    assert benefit(bi("01.09.2016", **base)).outcome == "sgb2"


def test_ukraine_moved_to_sgb2_on_01_06_2022():
    assert benefit(bi("31.05.2022", "ae_24", entry="10.03.2022")).outcome == "asylblg_3"
    assert benefit(bi("01.06.2022", "ae_24", entry="10.03.2022")).outcome == "sgb2"
    late = benefit(bi("01.07.2026", "ae_24", entry="01.06.2025"))
    assert (late.outcome, late.unverified) == ("asylblg_3", True)
    assert benefit(bi("01.07.2026", "fiktion", entry="01.03.2025")).outcome == "sgb2"


def test_amounts_switch_at_year_end_2019():
    assert benefit(bi("31.12.2019", entry="01.11.2019")).details["amount_eur"] is None
    assert benefit(bi("01.01.2020", entry="01.11.2019")).details["amount_eur"] == 351


def test_household_benefits_sum_and_unknown_total():
    members = [HouseholdMember(RegimeInputs("ae_25_2"), 35, "couple"), HouseholdMember(RegimeInputs("ae_25_2"), 33,
                                                                                        "couple"),
               HouseholdMember(RegimeInputs("ae_25_2"), 4, "child_in_household")]
    result = household_benefits(date(2024, 6, 1), members)
    assert [r.details["stage"] for r in result.members] == [2, 2, 6]
    assert (result.total_eur, result.unverified) == (506 + 506 + 357, False)
    asylum = [HouseholdMember(RegimeInputs("gestattung", date(2025, 1, 10)), 30, "single"),
              HouseholdMember(RegimeInputs("gestattung", date(2025, 1, 10)), 8, "child_in_household")]
    partial = household_benefits(date(2025, 6, 1), asylum)
    assert (partial.total_eur, partial.unverified) == (None, True)
    with pytest.raises(RuleInputError):
        household_benefits(date(2025, 6, 1), [])
