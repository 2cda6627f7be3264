"""The DuckDB build engine (cube_duckdb) against the SQL engine (cube.build): identical cells – value, persons,
households, hist – on generated facts and on every hand-built world of test_cube.py, and the known answers of
test_cube.py with STELLA_REPORTING_ENGINE = "duckdb"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from stella.reporting import cube, cube_duckdb
from stella.reporting.indicators import Measure
from stella.reporting.models import Cell, EventKind, RefreshState

from . import test_cube
from .cubehelpers import client, event, generate_facts

pytestmark = pytest.mark.django_db

M = test_cube.M


def snapshot() -> list[tuple[Any, ...]]:
    return sorted(
        (c.month, c.measure, c.district, c.agency, c.team, c.dim, c.dim_value, -1 if c.bucket is None else c.bucket,
         c.value, c.persons, c.households, sorted((c.hist or {}).items()) if c.hist is not None else None)
        for c in Cell.objects.all())


def both_engines(settings: Any, since: date | None, until: date | None) -> tuple[list[Any], list[Any]]:
    settings.STELLA_REPORTING_ENGINE = "sql"
    n_sql = cube.build(since=since, until=until)
    by_sql = snapshot()
    Cell.objects.all().delete()
    n_duck = cube_duckdb.build(since=since, until=until)
    by_duck = snapshot()
    assert n_sql == n_duck == len(by_sql)
    return by_sql, by_duck


def test_generated_facts_same_cells_as_sql(settings):
    generate_facts(60, seed=11)
    by_sql, by_duck = both_engines(settings, date(2024, 11, 1), date(2025, 2, 1))  # across a year boundary
    assert len(by_sql) > 1000
    assert len({c[1] for c in by_sql}) >= 20  # generate_facts has no recognition events
    assert by_duck == by_sql


def test_january_and_old_windows_same_cells(settings):
    """January (YTD = December only), and a month whose continuity window reaches two years back."""
    generate_facts(30, seed=3, start=date(2021, 1, 1), end=date(2025, 12, 31))
    by_sql, by_duck = both_engines(settings, date(2023, 1, 1), date(2023, 1, 1))
    assert by_duck == by_sql


HAND_BUILT: list[Callable[..., None]] = [
    test_cube.test_integrations_counted_in_the_12_month_window_only,
    test_cube.test_stock_on_the_stichtag,
    test_cube.test_average_caseload_of_the_12_preceding_months,
    test_cube.test_person_moving_between_districts_counts_in_each_for_their_months,
    test_cube.test_households_and_teams,
    test_cube.test_demographic_dims_and_age_band_at_the_stichtag_year,
    test_cube.test_durations_have_histograms,
    test_cube.test_bedarfsdeckend_and_continuity_windows,
    test_cube.test_handovers_minijobs_and_arrival_curve,
]


@pytest.mark.parametrize("world", HAND_BUILT, ids=lambda f: f.__name__.removeprefix("test_"))
def test_hand_built_worlds_same_cells_as_sql(world, settings):
    settings.STELLA_REPORTING_ENGINE = "sql"
    world()  # builds M with the SQL engine and checks the known answers
    by_sql = snapshot()
    assert by_sql
    Cell.objects.all().delete()
    assert cube_duckdb.build(since=M, until=M) == len(by_sql)
    assert snapshot() == by_sql


@pytest.mark.parametrize("world", HAND_BUILT, ids=lambda f: f.__name__.removeprefix("test_"))
def test_known_answers_with_the_duckdb_engine(world, settings):
    settings.STELLA_REPORTING_ENGINE = "duckdb"
    world()


def test_seats_and_rebuild_with_the_duckdb_engine(settings, district):
    settings.STELLA_REPORTING_ENGINE = "duckdb"
    test_cube.test_seats_from_offers(district)
    Cell.objects.all().delete()
    test_cube.test_rebuild_replaces_the_months_cells_and_marks_data_until()


def test_default_months_and_no_facts_with_the_duckdb_engine(settings):
    settings.STELLA_REPORTING_ENGINE = "duckdb"
    test_cube.test_no_facts_builds_nothing()
    test_cube.test_default_months_limited(settings)


def test_texts_with_quotes_commas_and_umlauts_survive_the_transfer(settings):
    """The facts travel as CSV (PostgreSQL) or in chunks (SQLite): odd unit codes, '' and NULL stay apart."""
    p = client(date(2025, 1, 1), district="LK-TÜ", agency='JC "Süd", 2', team="Team, \"A\"\n'x'", household=None,
               birth_year=None, sex="")
    event(p, EventKind.COUNSELLING, date(2025, 3, 1), district="LK-TÜ", agency='JC "Süd", 2', team="", days=None)
    by_sql, by_duck = both_engines(settings, M, M)
    assert by_duck == by_sql
    stock = Cell.objects.get(measure=Measure.STOCK, district="LK-TÜ", agency='JC "Süd", 2', team="Team, \"A\"\n'x'",
                             dim="", dim_value="")
    assert (stock.value, stock.persons, stock.households) == (1, 1, 1)
    counselling = Cell.objects.get(measure=Measure.DUR_COUNSELLING, district="", agency="", team="", dim="",
                                   dim_value="")
    assert counselling.hist == {}  # an event without days: a person, no histogram entry


def test_failure_leaves_no_partial_month(settings, monkeypatch):
    client(date(2024, 1, 1))
    settings.STELLA_REPORTING_ENGINE = "duckdb"
    cube.build(since=date(2025, 5, 1), until=M)
    before = snapshot()

    def broken(rows):
        Cell.objects.create(month=M, measure="x", value=1, persons=1, households=1)  # half written …
        raise RuntimeError("disk full")

    monkeypatch.setattr(cube_duckdb, "write_cells", broken)
    with pytest.raises(RuntimeError):
        cube.build(since=M, until=M)
    assert snapshot() == before  # … and rolled back with the month's delete
    assert RefreshState.objects.get().data_until == M


def test_duckdb_settings(settings):
    settings.STELLA_REPORTING_DUCKDB_MEMORY = "512MB"
    settings.STELLA_REPORTING_DUCKDB_THREADS = 1
    con = cube_duckdb.connect()
    try:
        assert con.execute("SELECT current_setting('threads')").fetchone()[0] == 1
        assert "488" in con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    finally:
        con.close()


def test_engine_choice(settings, monkeypatch):
    settings.STELLA_REPORTING_ENGINE = "duckdb"
    assert cube_duckdb.chosen()
    settings.STELLA_REPORTING_ENGINE = "sql"
    assert not cube_duckdb.chosen()
    settings.STELLA_REPORTING_ENGINE = "auto"
    client(date(2025, 1, 1))
    client(date(2025, 1, 1))
    assert not cube_duckdb.chosen()
    monkeypatch.setattr(cube_duckdb, "AUTO_MIN_SPANS", 2)
    assert cube_duckdb.chosen()
    settings.STELLA_REPORTING_ENGINE = "spark"
    with pytest.raises(ValueError, match="auto, duckdb or sql"):
        cube.build(since=M, until=M)
    assert not Cell.objects.exists()


def test_arrival_curve_of_all_months_at_once_equals_month_by_month(settings):
    """The arrival curve counts events since ever: cumulative_cells builds every month from first months and
    running sums; it must give each month exactly what the month-by-month pass gives – across a year boundary
    (age bands at the Stichtag's year), with anniversaries before the first month built."""
    generate_facts(80, seed=5, start=date(2018, 1, 1), end=date(2025, 6, 30))
    months = cube.months_between(date(2024, 10, 1), date(2025, 3, 1))
    (arrival,) = [p for p in cube.passes() if cube_duckdb.cumulative(p)]
    con = cube_duckdb.connect()
    try:
        cube_duckdb.load(con, months)
        added = cube_duckdb.cumulative_cells(con, arrival, months)
        measures = [s.measure for s in arrival]
        for month in months:
            at_once = sorted(map(repr, con.execute("SELECT * FROM cum_cells WHERE month = ?", [month]).fetchall()))
            one_by_one = sorted(map(repr, cube_duckdb.month_cells(con, month, measures)))
            assert at_once == one_by_one and len(at_once) > 50, month
        assert added == int(con.execute("SELECT COUNT(*) FROM cum_cells").fetchone()[0])
    finally:
        con.close()
