"""Rechtskreiswechsel: AsylbLG to the end of the month of the final decision, SGB II from the 1st after."""

from __future__ import annotations

from datetime import date

import pytest

from stella.rules import regime_switch_date


@pytest.mark.parametrize(("decided", "last", "first"), [
    (date(2016, 2, 10), date(2016, 2, 29), date(2016, 3, 1)),
    (date(2019, 2, 28), date(2019, 2, 28), date(2019, 3, 1)),
    (date(2020, 12, 31), date(2020, 12, 31), date(2021, 1, 1)),
    (date(2024, 2, 1), date(2024, 2, 29), date(2024, 3, 1)),
    (date(2026, 12, 15), date(2026, 12, 31), date(2027, 1, 1)),
])
def test_switch_dates(decided, last, first):
    switch = regime_switch_date(decided)
    assert (switch.last_asylblg_day, switch.first_sgb2_day) == (last, first)
    assert switch.interpretation and switch.result.interpretation and not switch.result.unverified
    assert switch.result.details == {"last_asylblg_day": last.isoformat(), "first_sgb2_day": first.isoformat()}
    assert "§1 Abs. 3 AsylbLG" in switch.result.basis and "Fachlichen Weisungen" in switch.result.notes[0]
