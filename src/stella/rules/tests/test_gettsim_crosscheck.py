"""Cross-check of the SGB II Regelbedarfe 2015–2026 against gettsim (test oracle only: AGPL, never imported by
runtime code). Compares gettsim's processed `grundsicherung.regelbedarfsstufen` of each year's policy
environment with the Stella table and with what `benefit()` answers, stage by stage, including the age bands."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

import pytest

from stella.rules import BenefitInput, RegimeInputs, benefit
from stella.rules.tables.benefits import SGB2_AMOUNTS
from stella.rules.trace import row_at

gettsim = pytest.importorskip("gettsim")

YEARS = range(2015, 2027)
#: Stella's stage → (age, household) that yields it in SGB II; stages 4–6 by age band.
STAGE_PERSON = {1: (30, "single"), 2: (30, "couple"), 3: (20, "child_in_household"), 4: (15, "single"),
                5: (10, "child_in_household"), 6: (3, "child_in_household")}
AGE_BANDS = {4: (14, 17), 5: (6, 13), 6: (0, 5)}


@cache
def gettsim_stages(year: int) -> Any:
    """gettsim's Regelbedarfsstufen in force on 1 July of `year` (its own parameter function applied)."""
    env = gettsim.main(policy_date_str=f"{year}-07-01", main_target=gettsim.MainTarget.policy_environment)
    group = env["grundsicherung"]
    return group["regelbedarfsstufen"].function(group["parameter_regelbedarfsstufen"].value)


def _amount(stages: Any, stage: int) -> float:
    value = getattr(stages, f"rbs_{stage}")
    return value.satz if stage >= 4 else value


@pytest.mark.parametrize("year", YEARS)
def test_sgb2_regelbedarf_matches_gettsim(year):
    stages = gettsim_stages(year)
    table = row_at(SGB2_AMOUNTS, date(year, 7, 1))
    assert table is not None
    for stage in range(1, 7):
        age, household = STAGE_PERSON[stage]
        answer = benefit(BenefitInput(date(year, 7, 1), RegimeInputs("ae_25_2"), age, household))  # type: ignore[arg-type]
        expected = _amount(stages, stage)
        assert expected == table.value[stage - 1] == answer.details["amount_eur"], (year, stage)
        assert answer.details["stage"] == stage


@pytest.mark.parametrize("year", [2015, 2021, 2026])
def test_stage_age_bands_match_gettsim(year):
    stages = gettsim_stages(year)
    for stage, (low, high) in AGE_BANDS.items():
        bands = getattr(stages, f"rbs_{stage}").altersgrenzen
        assert (bands.min_alter, bands.max_alter) == (low, high)
        for age in (low, high):
            assert benefit(BenefitInput(date(year, 7, 1), RegimeInputs("ae_25_1"), age,
                                        "child_in_household")).details["stage"] == stage
