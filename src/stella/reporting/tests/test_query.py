"""Figures answered from cells: K2 with breakdown by sex, year-to-date, previous year, trend, quartiles, the
curve, suppression of small cells, drill-down, and the pure helpers (rounding, quartiles, German display)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from stella.reporting import cube, query
from stella.reporting.models import EventKind
from stella.reporting.report import ReportRequest

from .cubehelpers import client, event

M = date(2025, 6, 1)
TODAY = date(2025, 7, 15)

# integrations of women (4 persons) and men (3 persons); Jan … Jun 2025: 3 + 3 of them
WOMEN = (date(2024, 8, 15), date(2025, 2, 3), date(2025, 3, 3), date(2025, 5, 20))
MEN = (date(2025, 1, 15), date(2025, 4, 10), date(2025, 6, 30))


@pytest.fixture
def world(district):
    """30 clients since 2023 (15 women, 15 men, own households) in two teams of JC-LB, 7 integrations."""
    people = []
    for i in range(30):
        people.append(client(date(2023, 1, 1), sex="f" if i % 2 == 0 else "m",
                             team="Team 1" if i < 15 else "Team 2"))
    women = [p for i, p in enumerate(people) if i % 2 == 0]
    men = [p for i, p in enumerate(people) if i % 2 == 1]
    for p, on in zip(women, WOMEN, strict=False):
        event(p, EventKind.INTEGRATION, on, sex="f")
    for p, on in zip(men, MEN, strict=False):
        event(p, EventKind.INTEGRATION, on, sex="m")
    for i, p in enumerate(people[:12]):
        event(p, EventKind.COUNSELLING, date(2025, 3, 1), days=i + 1)
    cube.build(since=date(2024, 6, 1), until=M)
    return people


def run(**kw) -> query.Report:
    return query.answer(query.resolve(ReportRequest(**kw), today=TODAY))


def test_k2_with_breakdown_by_sex(world):
    report = run(indicator="k2", month=M)
    assert report.breakdown == "sex" and report.month == M
    total = report.total.figure
    # 7 integrations ÷ (360 person-months ÷ 12) × 100 = 23,3 %
    assert (total.value, total.numerator, total.denominator, total.display) == (
        Decimal("23.3"), 7, Decimal("30.00"), "23,3 %")
    rows = {r.key: r for r in report.rows}
    assert rows["f"].label == "Frauen" and rows["f"].figure.display == "26,7 %"
    assert rows["m"].figure.value == Decimal("20.0")
    assert report.label == "Stella-Fallbasis"
    assert report.data_until == M


def test_ytd_previous_year_and_trend(world):
    report = run(indicator="k2", month=M, trend_months=13)
    # YTD: 6 integrations Jan … Jun ÷ (180 person-months Dec … May ÷ 6) = 20,0 %
    assert report.total.ytd.value == Decimal("20.0")
    assert {r.key: r.ytd.display for r in report.rows} == {"f": "20,0 %", "m": "20,0 %"}
    # previous year: window Jul 2023 … Jun 2024 without integrations
    assert report.total.previous_year.display == "0,0 %"
    assert [r.key for r in report.trend][0] == "2024-06-01" and len(report.trend) == 13
    assert report.trend[-1].figure.value == Decimal("23.3")
    # the trend as breakdown
    by_month = run(indicator="k2", month=M, breakdown="month", trend_months=3)
    assert [r.label for r in by_month.rows] == ["April 2025", "Mai 2025", "Juni 2025"]


def test_trend_does_not_go_before_the_first_month(world):
    report = run(indicator="k2", month=date(2024, 7, 1), trend_months=13)
    assert [r.key for r in report.trend] == ["2024-06-01", "2024-07-01"]
    assert report.total.previous_year is None
    assert any("Vorjahresmonat" in n for n in report.notes)


def test_duration_quartiles_from_histogram(world):
    report = run(indicator="dur_counselling", month=M, breakdown="district")
    total = report.total.figure
    assert total.quartiles == (Decimal(3), Decimal(6), Decimal(9))
    assert total.display == "6 Tage" and total.numerator == 12
    assert any("Rangmethode" in n for n in report.notes)


def test_filter_combination_too_small_shows_star_and_why(world):
    # women in Team 1: 8 in the caseload – a rate on fewer than 10 is not shown, whatever its numerator
    report = run(indicator="k2", month=M, agency="JC-LB", team="Team 1", filter_dim="sex", filter_value="f")
    assert report.breakdown == "month"  # the default with a filter: the trend
    figure = report.total.figure
    assert (figure.display, figure.value, figure.numerator, figure.denominator) == ("*", None, None, None)
    assert all(r.figure.display == "*" for r in report.rows)  # every month of the trend
    assert any("statistischen Geheimhaltung" in n for n in report.notes)
    agency = run(indicator="k2", month=M, agency="JC-LB", filter_dim="sex", filter_value="f")
    assert agency.total.figure.display == "26,7 %"  # 4 integrations of 15 women


def test_primary_and_secondary_suppression(district):
    for i in range(20):
        client(date(2023, 1, 1), sex="m" if i < 2 else "f")
    cube.build(since=M, until=M)
    report = run(indicator="count_status", month=M, breakdown="sex")
    rows = {r.key: r.figure for r in report.rows}
    assert rows["m"].display == "*" and rows["m"].suppressed == "primary"
    assert rows["m"].reason == "weniger als 3 Personen"
    assert rows["f"].display == "*" and rows["f"].suppressed == "secondary"  # else total − f = m
    assert report.total.figure.display == "20"
    assert any("statistischen Geheimhaltung" in n for n in report.notes)


def test_count_and_org_breakdown_with_drill(world):
    report = run(indicator="count_district", month=M)
    assert report.breakdown == "district"
    (row,) = report.rows
    assert (row.key, row.label, row.figure.display) == ("LK-LB", "Ludwigsburg", "30")
    # one agency under the district: drilling down would only repeat the district
    assert row.drill is None
    report = run(indicator="count_district", month=M, district="LK-LB")
    assert report.breakdown == "agency"
    (row,) = report.rows
    assert row.drill == {"district": "LK-LB", "agency": "JC-LB", "team": "", "breakdown": "team",
                         "month": "2025-06-01", "indicator": "count_district"}
    teams = run(**{k: v for k, v in row.drill.items() if k != "month"}, month=M)
    assert [(r.key, r.figure.display, r.drill) for r in teams.rows] == [("Team 1", "15", None),
                                                                        ("Team 2", "15", None)]


def test_curve_by_bucket(district):
    for i in range(12):
        p = client(date(2020, 1, 1))
        event(p, EventKind.ARRIVAL_YEAR, date(2021, 1, 1), bucket=1, flag=i < 1)
        event(p, EventKind.ARRIVAL_YEAR, date(2022, 1, 1), bucket=2, flag=i < 6)
        event(p, EventKind.ARRIVAL_YEAR, date(2023, 1, 1), bucket=3, flag=i < 9)
    cube.build(since=M, until=M)
    report = run(indicator="employment_by_arrival", month=M)
    assert report.breakdown == "bucket"
    rows = {r.key: r.figure for r in report.rows}
    assert rows["1"].suppressed == "primary"  # one person employed after one year
    # the buckets add up to the total (16 of 36): one more bucket is hidden so that 1 cannot be derived
    assert sorted(f.suppressed for f in rows.values()) == ["", "primary", "secondary"]
    assert {f.display for f in rows.values() if not f.suppressed} <= {"50,0 %", "75,0 %"}
    assert report.total.figure.display == "44,4 %"
    assert report.indicator.reference[1] == 7.0


def test_helpers():
    assert query.rate(1, Decimal(3)) == Decimal("33.3")
    assert query.rate(1, Decimal(8)) == Decimal("12.5")
    assert query.rate(1, Decimal(16)) == Decimal("6.3")  # 6.25 rounds half up
    assert query.rate(1, Decimal(0)) is None
    assert query.quartiles({"5": 1}) == (Decimal(5), Decimal(5), Decimal(5))
    assert query.quartiles({"1": 1, "2": 1, "3": 1, "4": 1}) == (Decimal(1), Decimal(2), Decimal(3))
    assert query.quartiles({}) is None
    assert query.month_label(date(2013, 6, 1)) == "Juni 2013"


def test_agency_serving_two_districts_broken_down_by_district(db):
    from stella.tests.factories import make_district

    make_district("RT", "Reutlingen")
    make_district("TÜ", "Tübingen")
    for i in range(12):
        client(date(2024, 1, 1), district="LK-RT", agency="AA-RT", team="A" if i < 6 else "B")
    for _ in range(10):
        client(date(2024, 1, 1), district="LK-TÜ", agency="AA-RT", team="A")
    for _ in range(5):
        client(date(2024, 1, 1), district="LK-RT", agency="JC-RT")
    cube.build(since=M, until=M)
    report = run(indicator="count_district", month=M, agency="AA-RT", breakdown="district")
    rows = {r.key: r for r in report.rows}
    assert {k: r.figure.display for k, r in rows.items()} == {"LK-RT": "12", "LK-TÜ": "10"}
    assert report.total.figure.display == "22"
    assert rows["LK-RT"].drill == {"district": "LK-RT", "agency": "AA-RT", "team": "", "breakdown": "team",
                                   "month": "2025-06-01", "indicator": "count_district"}
    assert rows["LK-TÜ"].drill is None  # one team only: the next level would repeat the row
    teams = run(indicator="count_district", month=M, district="LK-RT", agency="AA-RT", breakdown="team")
    assert [(r.key, r.figure.display) for r in teams.rows] == [("A", "6"), ("B", "6")]


def test_person_changing_household_within_the_window(district):
    from .cubehelpers import new_household, person, span

    for _ in range(20):
        client(date(2023, 1, 1), birth_year=1995)
    old, new = new_household(), new_household()
    p = person()
    span(p, date(2023, 1, 1), date(2025, 2, 28), birth_year=1950, household=old)
    span(p, date(2025, 3, 1), None, birth_year=1950, household=new)
    event(p, EventKind.INTEGRATION, date(2025, 1, 10), birth_year=1950, household=old)
    event(p, EventKind.INTEGRATION, date(2025, 4, 10), birth_year=1950, household=new)
    cube.build(since=M, until=M)
    report = run(indicator="k2", month=M, breakdown="age_band")  # one person, two households: no crash
    rows = {r.key: r.figure for r in report.rows}
    assert rows["55+"].display == "*"
    assert report.total.figure.suppressed == "primary"  # two integrations of one person
    from stella.reporting.models import Cell
    cell = Cell.objects.get(month=M, measure="int12", dim="age_band", dim_value="55+", district="", agency="",
                            team="")
    assert (cell.value, cell.persons, cell.households) == (2, 1, 2)
