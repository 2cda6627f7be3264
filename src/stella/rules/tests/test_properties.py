"""Hypothesis properties of the evaluators over the whole covered period."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import assume, given
from hypothesis import strategies as st

from stella.rules import (
    BenefitInput,
    RegimeInputs,
    WorkPermissionInput,
    benefit,
    regime_switch_date,
    work_permission,
)

WORK_DATES = st.dates(min_value=date(2013, 1, 1), max_value=date(2026, 12, 31))
NOT_SAFE = st.sampled_from(["SYR", "AFG", "IRQ", "ERI", "NGA", "TUR", "IRN", "SOM"])
EMPLOYED = st.sampled_from(["employment", "vocational_training", "internship"])


def _wait_ends(result) -> date | None:
    value = result.details.get("wait_ends")
    return date.fromisoformat(value) if value else None


@given(WORK_DATES, WORK_DATES, st.dates(min_value=date(2010, 1, 1), max_value=date(2026, 12, 31)), NOT_SAFE, EMPLOYED,
       st.booleans())
def test_a_later_date_never_shortens_a_served_wait_gestattung(d1, d2, request, nationality, activity, in_ea):
    d1, d2 = sorted((d1, d2))
    assume(request <= d1)

    def ask(ref: date):
        return work_permission(WorkPermissionInput(ref, "gestattung", activity, nationality, asylum_request_date=request,
                                                   lives_in_reception_centre=in_ea))
    first, later = ask(d1), ask(d2)
    if first.outcome != "BAN":
        assert later.outcome != "BAN"
    first_end, later_end = _wait_ends(first), _wait_ends(later)
    if first_end is not None and later_end is not None:
        assert later_end <= first_end


@given(WORK_DATES, WORK_DATES, st.dates(min_value=date(2010, 1, 1), max_value=date(2026, 12, 31)), NOT_SAFE, EMPLOYED,
       st.booleans())
def test_a_later_date_never_shortens_a_served_wait_duldung(d1, d2, since, nationality, activity, in_ea):
    d1, d2 = sorted((d1, d2))
    assume(since <= d1)

    def ask(ref: date):
        return work_permission(WorkPermissionInput(ref, "duldung", activity, nationality, duldung_since=since,
                                                   lives_in_reception_centre=in_ea))
    first, later = ask(d1), ask(d2)
    if first.outcome != "BAN":
        assert later.outcome != "BAN"
    first_end, later_end = _wait_ends(first), _wait_ends(later)
    if first_end is not None and later_end is not None:
        assert later_end <= first_end


@given(WORK_DATES, WORK_DATES, st.sampled_from(["ae_25_1", "ae_25_2", "ae_25_3"]),
       st.sampled_from(["employment", "vocational_training", "internship", "self_employment"]), NOT_SAFE)
def test_recognised_status_never_goes_from_free_to_ban(d1, d2, status, activity, nationality):
    d1, d2 = sorted((d1, d2))
    first = work_permission(WorkPermissionInput(d1, status, activity, nationality))  # type: ignore[arg-type]
    later = work_permission(WorkPermissionInput(d2, status, activity, nationality))  # type: ignore[arg-type]
    assert "BAN" not in (first.outcome, later.outcome)
    if first.outcome == "FREE":
        assert later.outcome == "FREE"


STATUS_FROM = {"gestattung": date(2015, 3, 1), "duldung": date(2015, 3, 1), "duldung_60b": date(2019, 8, 21),
               "ae_25_1": date(2015, 1, 1), "ae_25_2": date(2015, 1, 1), "ae_25_3": date(2015, 1, 1),
               "ae_24": date(2022, 3, 1), "fiktion": date(2022, 3, 1)}


@st.composite
def benefit_questions(draw) -> BenefitInput:
    status = draw(st.sampled_from(sorted(STATUS_FROM)))
    ref = draw(st.dates(min_value=STATUS_FROM[status], max_value=date(2026, 12, 31)))
    entry = ref - timedelta(days=draw(st.integers(min_value=0, max_value=4000)))
    age = draw(st.integers(min_value=0, max_value=100))
    household = draw(st.sampled_from(["single", "couple", "child_in_household", "collective_housing"]))
    return BenefitInput(ref, RegimeInputs(status, entry, abuse_of_law=draw(st.booleans())), age,  # type: ignore[arg-type]
                        household)  # type: ignore[arg-type]


@given(benefit_questions())
def test_amounts_are_positive_integers_or_flagged_as_not_established(question):
    result = benefit(question)
    amount = result.details["amount_eur"]
    assert result.outcome in {"asylblg_3", "asylblg_2", "sgb2"} and 1 <= result.details["stage"] <= 6
    if amount is None:
        assert result.unverified and result.details["amount_cents"] is None
    else:
        assert type(amount) is int and amount > 0 and result.details["amount_cents"] == amount * 100
    assert result.basis and result.sources and result.explanation


@given(st.dates(min_value=date(2015, 3, 1), max_value=date(2026, 12, 31)),
       st.dates(min_value=date(2015, 3, 1), max_value=date(2026, 12, 31)),
       st.integers(min_value=0, max_value=3000))
def test_analogue_benefits_once_reached_are_kept(d1, d2, days_before):
    d1, d2 = sorted((d1, d2))
    entry = d1 - timedelta(days=days_before)

    def ask(ref: date):
        return benefit(BenefitInput(ref, RegimeInputs("gestattung", entry), 30, "single")).outcome
    if ask(d1) == "asylblg_2":
        assert ask(d2) == "asylblg_2"


@given(st.dates(min_value=date(2015, 1, 1), max_value=date(2026, 12, 31)))
def test_switch_is_the_first_of_the_month_after_the_decision(decided):
    switch = regime_switch_date(decided)
    first, last = switch.first_sgb2_day, switch.last_asylblg_day
    assert first.day == 1 and first == last + timedelta(days=1)
    assert (last.year, last.month) == (decided.year, decided.month) and last >= decided
    assert (first.year * 12 + first.month) == (decided.year * 12 + decided.month) + 1
