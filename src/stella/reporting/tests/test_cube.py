"""The cube on hand-built fact rows with known answers: window boundaries, Stichtag, average caseload, people who
move between districts, households, teams, demographic dims, histograms, seats, the arrival curve, rebuilds."""

from __future__ import annotations

from datetime import date

import pytest

from stella.reporting import cube
from stella.reporting.indicators import Measure, age_band
from stella.reporting.models import Cell, EventKind, RefreshState

from .cubehelpers import client, event, new_household, person, span

pytestmark = pytest.mark.django_db

M = date(2025, 6, 1)  # reference month; Stichtag 30.06.2025


def cell(measure: Measure, month: date = M, **key) -> Cell | None:
    key = {"district": "", "agency": "", "team": "", "dim": "", "dim_value": "", "bucket": None, **key}
    return Cell.objects.filter(month=month, measure=measure, **key).first()


def value(measure: Measure, month: date = M, **key) -> int:
    c = cell(measure, month, **key)
    return c.value if c else 0


def test_month_helpers():
    assert cube.add_months(date(2025, 1, 1), -1) == date(2024, 12, 1)
    assert cube.add_months(date(2025, 11, 15), 2) == date(2026, 1, 1)
    assert cube.stichtag(date(2024, 2, 1)) == date(2024, 2, 29)
    assert cube.last_complete_month(date(2026, 11, 30)) == date(2026, 10, 1)
    assert cube.months_between(date(2025, 11, 3), date(2026, 1, 1)) == [
        date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1)]


def test_integrations_counted_in_the_12_month_window_only():
    p = client(date(2020, 1, 1))
    event(p, EventKind.INTEGRATION, date(2024, 6, 30))  # last day of M-12: outside
    event(p, EventKind.INTEGRATION, date(2024, 7, 1))  # first day of M-11: inside
    event(p, EventKind.INTEGRATION, date(2025, 6, 30))  # Stichtag: inside
    event(p, EventKind.INTEGRATION, date(2025, 7, 1))  # next month: outside
    written = cube.build(since=M, until=M)
    assert written == Cell.objects.count() > 0
    c = cell(Measure.INT12)
    assert (c.value, c.persons, c.households) == (2, 1, 1)
    assert value(Measure.INT12, district="LK-LB", agency="JC-LB", team="Team 1") == 2
    # YTD counts January … June only
    assert value(Measure.INT_YTD) == 1


def test_stock_on_the_stichtag():
    client(date(2025, 1, 1), date(2025, 6, 30))  # ends on the Stichtag: counted
    client(date(2025, 6, 30))  # starts on the Stichtag: counted
    client(date(2025, 1, 1), date(2025, 6, 29))  # ended the day before: not counted
    client(date(2025, 7, 1))  # starts after: not counted
    client(date(2025, 6, 1), activated=True)
    cube.build(since=M, until=M)
    c = cell(Measure.STOCK)
    assert (c.value, c.persons) == (3, 3)
    assert value(Measure.STOCK_ACTIVATED) == 1
    assert value(Measure.STOCK_SINGLE_PARENT) == 0


def test_average_caseload_of_the_12_preceding_months():
    client(date(2024, 6, 1), date(2025, 5, 31))  # Stichtage 30.06.2024 … 31.05.2025: 12 person-months
    client(date(2025, 1, 1), single_parent=True)  # January … May: 5 (June is not in M-12 … M-1)
    client(date(2024, 5, 1), date(2024, 6, 29))  # ends before the first Stichtag 30.06.2024: none
    cube.build(since=M, until=M)
    c = cell(Measure.STOCK_AVG12)
    assert (c.value, c.persons) == (17, 2)
    assert value(Measure.STOCK_AVG12_SINGLE_PARENT) == 5
    # YTD denominator: the Stichtage of December … May (6 months) → 6 + 5
    assert value(Measure.STOCK_AVG_YTD) == 11


def test_person_moving_between_districts_counts_in_each_for_their_months():
    p = person()
    span(p, date(2025, 1, 1), date(2025, 3, 15), district="LK-LB", agency="JC-LB")
    span(p, date(2025, 3, 16), None, district="LK-TÜ", agency="JC-TÜ")
    event(p, EventKind.INTEGRATION, date(2025, 2, 10), district="LK-LB", agency="JC-LB")
    event(p, EventKind.INTEGRATION, date(2025, 5, 10), district="LK-TÜ", agency="JC-TÜ")
    cube.build(since=M, until=M)
    assert value(Measure.STOCK, district="LK-LB") == 0
    assert value(Measure.STOCK, district="LK-TÜ") == 1
    assert value(Measure.STOCK_AVG12, district="LK-LB") == 2  # 31.01., 28.02.
    assert value(Measure.STOCK_AVG12, district="LK-TÜ") == 3  # 31.03., 30.04., 31.05.
    assert value(Measure.STOCK_AVG12, district="LK-TÜ", agency="JC-TÜ") == 3
    assert value(Measure.STOCK_AVG12, agency="JC-LB") == 2
    total = cell(Measure.STOCK_AVG12)
    assert (total.value, total.persons) == (5, 1)
    assert value(Measure.INT12, district="LK-LB") == 1 and value(Measure.INT12, district="LK-TÜ") == 1
    assert cell(Measure.INT12).persons == 1


def test_households_and_teams():
    hh = new_household()
    client(date(2025, 1, 1), household=hh)
    client(date(2025, 1, 1), household=hh)
    client(date(2025, 1, 1))  # no household: its own
    client(date(2025, 1, 1), team="")  # no team: in the agency's total, not in a team cell
    cube.build(since=M, until=M)
    c = cell(Measure.STOCK)
    assert (c.value, c.persons, c.households) == (4, 4, 3)
    assert value(Measure.STOCK, district="LK-LB", agency="JC-LB") == 4
    assert value(Measure.STOCK, district="LK-LB", agency="JC-LB", team="Team 1") == 3
    assert value(Measure.STOCK, agency="JC-LB", team="Team 1") == 3
    assert not Cell.objects.filter(measure=Measure.STOCK, agency="JC-LB", team="").exclude(district="").filter(
        dim="", value=1).exists()


def test_demographic_dims_and_age_band_at_the_stichtag_year():
    client(date(2025, 1, 1), sex="m", birth_year=2000)  # 25 in 2025
    client(date(2025, 1, 1), sex="f", birth_year=2001)  # 24
    client(date(2025, 1, 1), sex="f", birth_year=None, accommodation="")
    cube.build(since=M, until=M)
    assert value(Measure.STOCK, dim="sex", dim_value="f") == 2
    assert value(Measure.STOCK, dim="sex", dim_value="m") == 1
    assert value(Measure.STOCK, dim="age_band", dim_value="25-34") == 1
    assert value(Measure.STOCK, dim="age_band", dim_value="u25") == 1
    assert value(Measure.STOCK, dim="age_band", dim_value="?") == 1
    assert value(Measure.STOCK, dim="accommodation", dim_value="") == 1
    assert value(Measure.STOCK, district="LK-LB", dim="sex", dim_value="f") == 2
    # events carry no phase: the event measures have no phase cells
    assert not Cell.objects.filter(measure=Measure.INT12, dim="phase").exists()


@pytest.mark.parametrize("age", [-1, 0, 24, 25, 34, 35, 44, 45, 54, 55, 90])
def test_age_band_sql_matches_python(age):
    client(date(2025, 1, 1), birth_year=2025 - age)
    cube.build(since=M, until=M)
    assert value(Measure.STOCK, dim="age_band", dim_value=age_band(age)) == 1


def test_durations_have_histograms():
    for days in (10, 20, 20, 40):
        p = client(date(2024, 1, 1))
        event(p, EventKind.COUNSELLING, date(2025, 3, 1), days=days)
    p = client(date(2024, 1, 1))
    event(p, EventKind.COURSE_END, date(2025, 3, 1), days=200, detail="B1")
    cube.build(since=M, until=M)
    c = cell(Measure.DUR_COUNSELLING)
    assert (c.value, c.persons) == (4, 4)
    assert c.hist == {"10": 1, "20": 2, "40": 1}
    level = cell(Measure.DUR_COURSE_END, dim="level", dim_value="B1")
    assert level.hist == {"200": 1}


def test_bedarfsdeckend_and_continuity_windows():
    p = client(date(2020, 1, 1))
    event(p, EventKind.INTEGRATION, date(2025, 3, 31), flag2=True)  # M-3: in
    event(p, EventKind.INTEGRATION, date(2025, 4, 1), flag2=True)  # M-2: still open
    event(p, EventKind.INTEGRATION, date(2024, 4, 1), flag2=False, flag=True, detail="employment")  # M-14
    event(p, EventKind.INTEGRATION, date(2023, 7, 1), flag=True, detail="employment")  # M-23
    event(p, EventKind.INTEGRATION, date(2023, 8, 1), flag=False, detail="training")
    event(p, EventKind.INTEGRATION, date(2023, 9, 1), flag=True, detail="self_employed")  # not SV
    cube.build(since=M, until=M)
    assert value(Measure.INT12_BD_BASE) == 2
    assert value(Measure.INT12_BD) == 1
    # M-23 … M-12 = July 2023 … June 2024: the employment of April 2024 too; self-employment is not SV
    assert value(Measure.INT12_CONT_BASE) == 3
    assert value(Measure.INT12_CONT) == 2


def test_handovers_minijobs_and_arrival_curve():
    p = client(date(2020, 1, 1))
    event(p, EventKind.HANDOVER, date(2025, 1, 5), days=12, flag=True)
    event(p, EventKind.HANDOVER, date(2025, 2, 5), days=45, flag=False)
    event(p, EventKind.MINIJOB, date(2025, 2, 5))
    event(p, EventKind.ARRIVAL_YEAR, date(2021, 3, 1), bucket=1, flag=False)
    event(p, EventKind.ARRIVAL_YEAR, date(2022, 3, 1), bucket=2, flag=True)
    event(p, EventKind.ARRIVAL_YEAR, date(2026, 3, 1), bucket=6, flag=True)  # after the Stichtag
    cube.build(since=M, until=M)
    assert (value(Measure.HANDOVER12), value(Measure.HANDOVER12_30), value(Measure.MINIJOB12)) == (2, 1, 1)
    assert value(Measure.ARRIVAL_K, bucket=1) == 1 and value(Measure.ARRIVAL_K, bucket=2) == 1
    assert value(Measure.ARRIVAL_K_EMPLOYED, bucket=2) == 1 and value(Measure.ARRIVAL_K_EMPLOYED, bucket=1) == 0
    assert value(Measure.ARRIVAL_K) == 2  # all buckets
    assert value(Measure.ARRIVAL_K, bucket=6) == 0


def test_seats_from_offers(district):
    from stella.offers.models import Enrolment, Offer
    from stella.tests.factories import make_municipality

    town = make_municipality(district)
    jc = district["JC"]
    running = Offer.objects.create(kind="integration_course", title="IK", provider="VHS", owner=jc,
                                   municipality=town, starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31),
                                   seats=10)
    Offer.objects.create(kind="measure", title="abgesagt", provider="X", owner=jc, municipality=town,
                         starts_on=date(2025, 1, 1), seats=50, state="cancelled")
    Offer.objects.create(kind="vacancy", title="Stelle", provider="X", owner=jc, municipality=town,
                         starts_on=date(2025, 1, 1), seats=5)
    hh = new_household()
    for state, ended in (("enrolled", None), ("completed", date(2025, 6, 30)), ("dropped", date(2025, 5, 1)),
                         ("waiting", None)):
        p = person(household=hh)
        Enrolment.objects.create(offer=running, person=p, state=state, agency=jc, enrolled_on=date(2025, 1, 1),
                                 ended_on=ended)
    cube.build(since=M, until=M)
    seats = cell(Measure.SEATS, district=jc.landkreis.code, agency=jc.code)
    assert seats.value == 10
    taken = cell(Measure.SEATS_TAKEN)
    assert (taken.value, taken.persons, taken.households) == (2, 2, 1)
    assert value(Measure.SEATS, agency=jc.code) == 10


def test_rebuild_replaces_the_months_cells_and_marks_data_until():
    client(date(2025, 1, 1))
    first = cube.build(since=date(2025, 5, 1), until=M)
    assert first == Cell.objects.count()
    assert cube.build(since=M, until=M) == Cell.objects.filter(month=M).count()
    assert Cell.objects.count() == first
    assert value(Measure.STOCK) == 1 and value(Measure.STOCK, month=date(2025, 5, 1)) == 1
    assert RefreshState.objects.get().data_until == M


def test_default_months_limited(settings):
    settings.STELLA_REPORTING_MONTHS = 3
    client(date(2015, 1, 1))
    today_last = cube.last_complete_month()
    cube.build()
    months = sorted(set(Cell.objects.values_list("month", flat=True)))
    assert months == [cube.add_months(today_last, -2), cube.add_months(today_last, -1), today_last]


def test_no_facts_builds_nothing():
    assert cube.build() == 0
    assert not Cell.objects.exists()
