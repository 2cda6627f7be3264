"""The cube build with DuckDB as aggregation engine (docs/reporting.md "Build engine", ADR 0016).

Same cells as `cube.build` (same SPECS, same semantics, checked by tests/test_cube_duckdb.py on SQLite and
PostgreSQL), but the distinct counts over 6 organisational grouping sets × 8 dims are computed in an in-process
DuckDB instead of the Django database:

1. the facts needed for the months to build are read once from the Django database into DuckDB – FactSpan rows
   that overlap the Stichtage of the first month's M-12 … the last month's Stichtag, FactEvent rows up to the
   last Stichtag (arrival anniversaries since ever, the other kinds from the earliest window start on).
   PostgreSQL: `COPY (SELECT …) TO STDOUT (FORMAT csv)` streamed into a temporary file that DuckDB reads;
   SQLite: a plain cursor in chunks of 50,000 rows handed to DuckDB as Arrow tables;
2. per month and pass the base rows (as in cube.py) and their GROUPING SETS aggregation run in DuckDB
   (memory_limit `STELLA_REPORTING_DUCKDB_MEMORY`, default 4GB; threads `STELLA_REPORTING_DUCKDB_THREADS`,
   default 2); histograms are built as JSON text there too;
3. the month's cells are written back in one transaction per month (delete the month's cells, insert the new
   ones – PostgreSQL: COPY FROM STDIN, SQLite: executemany – plus the seats from cube._insert_seats), so a
   failure leaves no partial month, exactly as cube.build.
"""

# ruff: noqa: S608 - every SQL text here is built from names, dates and SPECS constants of the code, no input

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from stella.reporting import cube
from stella.reporting.cube import (
    AGE_BANDS,
    MAX_GROUP,
    ORG_SETS,
    Spec,
    passes,
    stichtag,
)
from stella.reporting.indicators import Measure
from stella.reporting.models import Cell, EventKind, FactEvent, FactSpan

log = logging.getLogger(__name__)

#: DuckDB tables of the loaded facts: (name, Django column or SQL expression, DuckDB type)
SPAN_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("pid", "person_id", "BIGINT"), ("household", "household", "BIGINT"), ("starts_on", "starts_on", "DATE"),
    ("ends_on", "ends_on", "DATE"), ("district", "district", "VARCHAR"), ("agency", "agency", "VARCHAR"),
    ("team", "team", "VARCHAR"), ("sex", "sex", "VARCHAR"), ("birth_year", "birth_year", "INTEGER"),
    ("origin", "origin", "VARCHAR"), ("status_group", "status_group", "VARCHAR"), ("regime", "regime", "VARCHAR"),
    ("phase", "phase", "VARCHAR"), ("accommodation", "accommodation", "VARCHAR"),
    ("activated", "activated", "BOOLEAN"), ("single_parent", "single_parent", "BOOLEAN"))
EVENT_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("pid", "person_id", "BIGINT"), ("household", "household", "BIGINT"), ("kind", "kind", "VARCHAR"),
    ("on_day", "on", "DATE"), ("district", "district", "VARCHAR"), ("agency", "agency", "VARCHAR"),
    ("team", "team", "VARCHAR"), ("sex", "sex", "VARCHAR"), ("birth_year", "birth_year", "INTEGER"),
    ("origin", "origin", "VARCHAR"), ("status_group", "status_group", "VARCHAR"), ("regime", "regime", "VARCHAR"),
    ("single_parent", "single_parent", "BOOLEAN"), ("days", "days", "INTEGER"), ("bucket", "bucket", "INTEGER"),
    ("flag", "flag", "BOOLEAN"), ("flag2", "flag2", "BOOLEAN"), ("detail", "detail", "VARCHAR"))
CELL_COLUMNS = ("month", "measure", "dim", "district", "agency", "team", "dim_value", "bucket", "value", "persons",
                "households", "hist")
CHUNK = 50_000


#: "auto" builds with DuckDB from this many client spans on (about 27,000 persons; measured break-even)
AUTO_MIN_SPANS = 100_000


def chosen() -> bool:
    """Whether cube.build uses this engine: STELLA_REPORTING_ENGINE "duckdb", "sql", or "auto" (default):
    DuckDB when FactSpan holds at least AUTO_MIN_SPANS rows – below that the SQL build is as fast and has no
    fixed cost of its own (docs/reporting.md "Build engine")."""
    engine = str(getattr(settings, "STELLA_REPORTING_ENGINE", "auto")).lower()
    if engine not in ("auto", "duckdb", "sql"):
        raise ValueError(f"STELLA_REPORTING_ENGINE must be auto, duckdb or sql, not {engine!r}")
    if engine != "auto":
        return engine == "duckdb"
    return FactSpan.objects.all()[AUTO_MIN_SPANS - 1:AUTO_MIN_SPANS].exists()


# --- DuckDB connection -----------------------------------------------------------------------------------------

def connect() -> Any:
    import duckdb

    con = duckdb.connect(":memory:", config={
        "memory_limit": str(getattr(settings, "STELLA_REPORTING_DUCKDB_MEMORY", "4GB")),
        "threads": int(getattr(settings, "STELLA_REPORTING_DUCKDB_THREADS", 2)),
        "preserve_insertion_order": False,
    })
    tmp = tempfile.gettempdir()
    con.execute(f"SET temp_directory = '{_lit(os.path.join(tmp, 'stella-cube-duckdb'))[1:-1]}'")
    return con


def _lit(value: Any) -> str:
    """A SQL literal of a value from code (SPECS params, dates)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    return "'" + str(value).replace("'", "''") + "'"


def _where(spec: Spec) -> str:
    """The spec's extra condition with its parameters as literals."""
    parts = spec.where.split("%s")
    assert len(parts) == len(spec.params) + 1
    out = parts[0]
    for param, rest in zip(spec.params, parts[1:], strict=True):
        out += _lit(param) + rest
    return out


# --- loading the facts -----------------------------------------------------------------------------------------

def _ranges(months: Sequence[date]) -> tuple[date, date, date]:
    """(first Stichtag any span measure needs, first day any non-arrival event window needs, last Stichtag)."""
    first_day = min(d for m in months for p in passes() if p[0].source == "span" for s in p
                    for d in s.stichtage(m))
    event_first = min(f for m in months for p in passes() if p[0].source == "event" for s in p
                      for f in [s.event_window(m)[0]] if f is not None)
    return first_day, event_first, stichtag(max(months))


def _create_tables(con: Any) -> None:
    for name, cols in (("spans", SPAN_COLUMNS), ("events", EVENT_COLUMNS)):
        con.execute(f"CREATE OR REPLACE TABLE {name} ({', '.join(f'{c} {t}' for c, _, t in cols)})")


def _source_select(cols: Sequence[tuple[str, str, str]], table: str, where: str) -> str:
    """SELECT of the fact columns from the Django database: booleans as 0/1, dates as ISO text."""
    q = connection.ops.quote_name
    exprs = []
    for _, col, typ in cols:
        if typ == "BOOLEAN":
            exprs.append(f"CASE WHEN {q(col)} THEN 1 WHEN NOT {q(col)} THEN 0 END")
        elif typ == "DATE":
            exprs.append(f"CAST({q(col)} AS TEXT)" if connection.vendor == "postgresql" else q(col))
        else:
            exprs.append(q(col))
    return f"SELECT {', '.join(exprs)} FROM {q(table)} WHERE {where}"


def _cast_select(cols: Sequence[tuple[str, str, str]], source: str) -> str:
    return f"SELECT {', '.join(f'CAST(column{i:02d} AS {t})' for i, (_, _, t) in enumerate(cols))} FROM {source}"


def load(con: Any, months: Sequence[date]) -> dict[str, int]:
    """Read the facts the months need into DuckDB tables `spans` and `events`. Returns the row counts."""
    first_day, event_first, last_day = _ranges(months)
    _create_tables(con)
    q = connection.ops.quote_name
    span_where = (f"{q('starts_on')} <= '{last_day.isoformat()}' AND ({q('ends_on')} IS NULL OR "
                  f"{q('ends_on')} >= '{first_day.isoformat()}')")
    event_where = (f"{q('on')} <= '{last_day.isoformat()}' AND ({q('kind')} = '{EventKind.ARRIVAL_YEAR.value}' "
                   f"OR {q('on')} >= '{event_first.isoformat()}')")
    jobs = (("spans", SPAN_COLUMNS, FactSpan._meta.db_table, span_where),
            ("events", EVENT_COLUMNS, FactEvent._meta.db_table, event_where))
    for name, cols, table, where in jobs:
        select = _source_select(cols, table, where)
        if connection.vendor == "postgresql":
            _load_pg(con, name, cols, select)
        else:
            _load_chunks(con, name, cols, select)
    return {name: int(con.execute(f"SELECT COUNT(*) FROM {name}").fetchone()[0]) for name in ("spans", "events")}


def _load_pg(con: Any, name: str, cols: Sequence[tuple[str, str, str]], select: str) -> None:
    """PostgreSQL: COPY … TO STDOUT as CSV into a temporary file, read by DuckDB (NULL = unquoted empty field,
    '' = quoted empty field)."""
    with tempfile.NamedTemporaryFile(suffix=".csv", prefix=f"stella-cube-{name}-") as f:
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f"COPY ({select}) TO STDOUT (FORMAT csv)") as copy:
                for block in copy:
                    f.write(block)
        f.flush()
        types = ", ".join(f"'column{i:02d}': 'VARCHAR'" for i in range(len(cols)))
        path = _lit(f.name)
        con.execute(f"INSERT INTO {name} " + _cast_select(
            cols, f"read_csv({path}, columns = {{{types}}}, header = false, auto_detect = false, delim = ',', "
                  "quote = '\"', escape = '\"', nullstr = '', allow_quoted_nulls = false)"))


def _load_chunks(con: Any, name: str, cols: Sequence[tuple[str, str, str]], select: str) -> None:
    """SQLite (or any other database): a plain cursor in chunks, each handed to DuckDB as an Arrow table."""
    import pyarrow as pa

    names = [f"column{i:02d}" for i in range(len(cols))]
    with connection.cursor() as cursor:
        cursor.execute(select)
        while rows := cursor.fetchmany(CHUNK):
            columns = list(zip(*rows, strict=True))
            chunk = pa.table({n: pa.array([None if v is None else str(v) for v in c], pa.string())
                              for n, c in zip(names, columns, strict=True)})
            con.register("_chunk", chunk)
            con.execute(f"INSERT INTO {name} " + _cast_select(cols, "_chunk"))
            con.unregister("_chunk")


# --- the passes in DuckDB --------------------------------------------------------------------------------------

def _age_sql(col: str, year: int) -> str:
    parts = [f"WHEN {col} IS NULL THEN '?'"]
    parts += [f"WHEN {int(year)} - {col} < {bound} THEN '{label}'" for bound, label in AGE_BANDS]
    return "CASE " + " ".join(parts) + " ELSE '55+' END"


def _span_base(specs: Sequence[Spec], month: date) -> str:
    """cube._span_base in DuckDB: one row per person and attribute combination, w_i = Stichtage counted."""
    days = sorted({d for spec in specs for d in spec.stichtage(month)})
    weights = []
    for i, spec in enumerate(specs):
        mine = spec.stichtage(month)
        cond = f"c.d >= {_lit(min(mine))} AND c.d <= {_lit(max(mine))}" + (
            f" AND {_where(spec)}" if spec.where else "")
        weights.append(f"CAST(SUM(CASE WHEN {cond} THEN 1 ELSE 0 END) AS BIGINT) AS w{i}")
    where = [f"s.starts_on <= {_lit(max(days))}", f"(s.ends_on IS NULL OR s.ends_on >= {_lit(min(days))})"]
    if all(spec.where for spec in specs):
        where.append("(" + " OR ".join(_where(spec) for spec in specs) + ")")
    calendar = ", ".join(f"({_lit(d)})" for d in days)
    year = stichtag(month).year
    return f"""
        SELECT s.pid AS pid, COALESCE(s.household, -s.pid) AS hh, s.district, s.agency, s.team, s.sex,
               {_age_sql('s.birth_year', year)} AS age_band, s.origin, s.status_group, s.regime, s.phase,
               s.accommodation, '' AS level, CAST(NULL AS INTEGER) AS bucket, CAST(NULL AS INTEGER) AS days,
               {', '.join(weights)}
        FROM spans s JOIN (VALUES {calendar}) c(d) ON s.starts_on <= c.d AND (s.ends_on IS NULL OR s.ends_on >= c.d)
        WHERE {' AND '.join(where)}
        GROUP BY s.pid, s.household, s.district, s.agency, s.team, s.sex, s.birth_year, s.origin, s.status_group,
                 s.regime, s.phase, s.accommodation"""


def _event_base(specs: Sequence[Spec], month: date) -> str:
    """cube._event_base in DuckDB: one row per event, w_i = 1 in measure i's window and condition."""
    windows = [spec.event_window(month) for spec in specs]
    weights = []
    for i, (spec, (first, last)) in enumerate(zip(specs, windows, strict=True)):
        cond = [f"e.on_day <= {_lit(last)}", *([f"e.on_day >= {_lit(first)}"] if first else []),
                *([_where(spec)] if spec.where else [])]
        weights.append(f"CAST(CASE WHEN {' AND '.join(cond)} THEN 1 ELSE 0 END AS BIGINT) AS w{i}")
    where = [f"e.kind = {_lit(str(specs[0].kind))}", f"e.on_day <= {_lit(max(w[1] for w in windows))}"]
    firsts = [w[0] for w in windows]
    if all(firsts):
        where.append(f"e.on_day >= {_lit(min(f for f in firsts if f))}")
    if all(spec.where for spec in specs):
        where.append("(" + " OR ".join(_where(spec) for spec in specs) + ")")
    level = "e.detail" if specs[0].level else "''"
    year = stichtag(month).year
    select = f"""
        SELECT e.pid AS pid, COALESCE(e.household, -e.pid) AS hh, e.district, e.agency, e.team, e.sex,
               {_age_sql('e.birth_year', year)} AS age_band, e.origin, e.status_group, e.regime, '' AS phase,
               '' AS accommodation, {level} AS level, {{bucket}} AS bucket, e.days AS days, e.on_day AS on_day,
               {', '.join(weights)}
        FROM events e WHERE {' AND '.join(where)}"""
    if not specs[0].buckets:
        return select.format(bucket="CAST(NULL AS INTEGER)")
    return (select.format(bucket="CAST(e.bucket AS INTEGER)") + " UNION ALL "
            + select.format(bucket="CAST(NULL AS INTEGER)"))


def _sets_sql(dims: Sequence[str], extra: Sequence[str], select: str,
              carry: Sequence[str] = ("days", "pid", "hh", "w"), where: str = "") -> str:
    """For each dim: `SELECT m, dim, district, agency, team, dv, bucket, *extra, {select}` over `base_long` grouped
    by the six organisational grouping sets (each with m, dv, bucket and `extra`); an empty unit code is skipped
    at its level, as in cube.py. UNION ALL over the dims. `carry`: the base_long columns `extra` and `select`
    may use; `where`: a condition on base_long's rows."""
    more = "".join(f", {c}" for c in extra)
    parts = []
    for dim in dims:
        dv = dim or "''"
        sets = ", ".join("(" + ", ".join(["m", *org, "dv", "bucket", *extra]) + ")" for org in ORG_SETS)
        parts.append(f"""
            SELECT m, '{dim}' AS dim, COALESCE(district, '') AS district, COALESCE(agency, '') AS agency,
                   COALESCE(team, '') AS team, dv, bucket{more}, {select}
            FROM (SELECT m, NULLIF(district, '') AS district, NULLIF(agency, '') AS agency,
                         NULLIF(team, '') AS team, {dv} AS dv, bucket, {', '.join(carry)} FROM base_long
                  {'WHERE ' + where if where else ''}) b
            GROUP BY GROUPING SETS ({sets})
            HAVING (GROUPING(district) = 1 OR district IS NOT NULL)
               AND (GROUPING(agency) = 1 OR agency IS NOT NULL)
               AND (GROUPING(team) = 1 OR team IS NOT NULL)""")
    return " UNION ALL ".join(parts)


MKEY = ("m", "dim", "district", "agency", "team", "dv", "bucket")


def _grouped_sql(dims: Sequence[str]) -> str:
    """m, dim, district, agency, team, dv, bucket, v (SUM(w)), p (distinct persons), h (distinct households).

    A person (household) with a single base_long row of its measure and bucket (`ps` = 1, `hs` = 1: most persons
    – their attributes did not change within the window) lies in exactly one cell of every grouping set, so it
    counts as a plain sum with the values in one aggregation over small hash tables. Only the others are counted
    two-level: group by cell and pid (hh), then count the rows per cell – grouping by pid over every row was
    most of a month's build (hash tables of a million entries per set and dim). DuckDB's COUNT(DISTINCT) under
    GROUPING SETS is no faster (measured at 400,000 persons) and costs ~0.1 s per query even on tiny data."""
    key = ", ".join(MKEY)
    on = " AND ".join(f"a.{k} IS NOT DISTINCT FROM {{t}}.{k}" for k in MKEY)
    return f"""
        SELECT {', '.join('a.' + k for k in MKEY)}, a.v, a.p1 + COALESCE(b.n, 0) AS p, a.h1 + COALESCE(c.n, 0) AS h
        FROM ({_sets_sql(dims, (), 'SUM(w) AS v, SUM(ps) AS p1, SUM(hs) AS h1', ('w', 'ps', 'hs'))}) a
        LEFT JOIN (SELECT {key}, COUNT(*) AS n
                   FROM ({_sets_sql(dims, ('pid',), 'COUNT(*) AS k', ('pid',), 'ps = 0')}) x GROUP BY {key}) b
               ON {on.format(t='b')}
        LEFT JOIN (SELECT {key}, COUNT(*) AS n
                   FROM ({_sets_sql(dims, ('hh',), 'COUNT(*) AS k', ('hh',), 'hs = 0')}) y GROUP BY {key}) c
               ON {on.format(t='c')}"""


def _long_sql(n: int, extra: str = "") -> str:
    """base_long from base: one row per measure i (m = i) whose weight w_i > 0, with `ps` (`hs`) = 1 when it is
    the only row of its person (household) for that measure and bucket (see _grouped_sql)."""
    cols = ", ".join(LONG_COLUMNS)
    rows = " UNION ALL ".join(f"SELECT {i} AS m, {cols}{extra}, w{i} AS w FROM base WHERE w{i} > 0" for i in range(n))
    return f"""
        SELECT *, CASE WHEN COUNT(*) OVER (PARTITION BY m, bucket, pid) = 1 THEN 1 ELSE 0 END AS ps,
                  CASE WHEN COUNT(*) OVER (PARTITION BY m, bucket, hh) = 1 THEN 1 ELSE 0 END AS hs
        FROM ({rows}) r"""


KEY = ("dim", "district", "agency", "team", "dv", "bucket")
LONG_COLUMNS = ("pid", "hh", "district", "agency", "team", "sex", "age_band", "origin", "status_group", "regime",
                "phase", "accommodation", "level", "bucket", "days")


def month_cells(con: Any, month: date, measures: Iterable[Measure] | None = None) -> list[tuple[Any, ...]]:
    """The cells of one month (without seats) as rows in CELL_COLUMNS order (hist as JSON text or None)."""
    wanted = set(measures) if measures is not None else set(Measure)
    rows: list[tuple[Any, ...]] = []
    for specs in passes(wanted):
        assert len(specs) <= MAX_GROUP
        base = (_span_base if specs[0].source == "span" else _event_base)(specs, month)
        con.execute(f"CREATE OR REPLACE TEMP TABLE base AS {base}")
        con.execute(f"CREATE OR REPLACE TEMP TABLE base_long AS {_long_sql(len(specs))}")
        dims = ("", *specs[0].dims, *(("level",) if specs[0].level else ()))
        key = ", ".join(KEY)
        measure = "CASE m " + " ".join(f"WHEN {i} THEN {_lit(str(s.measure))}" for i, s in enumerate(specs)) + " END"
        if specs[0].hist:
            sql = f"""
                WITH c AS ({_grouped_sql(dims)}),
                     d AS ({_sets_sql(dims, ('days',), 'COUNT(*) AS n')}),
                     h AS (SELECT m, {key}, '{{' || string_agg('"' || CAST(days AS VARCHAR) || '":'
                                  || CAST(n AS VARCHAR), ',' ORDER BY days) || '}}' AS hist
                           FROM d WHERE days IS NOT NULL GROUP BY m, {key})
                SELECT {_lit(month)}, {measure.replace("CASE m", "CASE c.m")}, {', '.join('c.' + k for k in KEY)},
                       c.p, c.p, c.h, COALESCE(h.hist, '{{}}')
                FROM c LEFT JOIN h ON {' AND '.join(f'c.{k} IS NOT DISTINCT FROM h.{k}' for k in MKEY)}"""
        else:
            sql = (f"SELECT {_lit(month)}, {measure}, {key}, v, p, h, CAST(NULL AS VARCHAR) "
                   f"FROM ({_grouped_sql(dims)}) g WHERE v > 0")
        rows += con.execute(sql).fetchall()
    for table in ("base", "base_long"):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    return rows


# --- passes that count since ever: all months in one aggregation ------------------------------------------------

def cumulative(specs: Sequence[Spec]) -> bool:
    """A pass whose every measure counts the events up to the Stichtag since ever (the arrival curve)."""
    return specs[0].source == "event" and all(
        s.window == (None, 0) and not s.ytd_window and not s.hist and not s.level for s in specs)


def cumulative_cells(con: Any, specs: Sequence[Spec], months: Sequence[date]) -> int:
    """The cells of a `cumulative` pass for every month of `months` (consecutive), into the DuckDB table
    `cum_cells` (CELL_COLUMNS, hist NULL; created if missing, appended to); returns the rows added.

    An event on day d counts in every month M whose Stichtag is on or after d, i.e. from month_start(d) on (an
    earlier event from the first month on). So a cell's value in M is the running sum of its monthly
    increments, and its distinct persons (households) in M are those whose *first* month in that cell is M or
    earlier (a person or household with a single row – ps/hs, see _grouped_sql – at that row's month): one
    aggregation of first months and a running sum per cell give the same cells as month_cells
    month by month (tests/test_cube_duckdb.py), instead of one distinct count over every event ever per month.
    The age band is taken at the Stichtag's year, so the age_band cells are aggregated once per year."""
    types = ("DATE", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "INTEGER", "BIGINT",
             "BIGINT", "BIGINT", "VARCHAR")
    columns = ", ".join(f"{c} {t}" for c, t in zip(CELL_COLUMNS, types, strict=True))
    con.execute(f"CREATE TEMP TABLE IF NOT EXISTS cum_cells ({columns})")
    before = int(con.execute("SELECT COUNT(*) FROM cum_cells").fetchone()[0])
    dims = ("", *specs[0].dims)
    last_of_year: dict[int, date] = {}
    for m in months:
        last_of_year[stichtag(m).year] = m
    jobs = [(tuple(d for d in dims if d != "age_band"), months[-1], months)]
    if "age_band" in dims:
        jobs += [(("age_band",), last, [m for m in months if m.year == year]) for year, last in last_of_year.items()]
    for job_dims, last, wanted in jobs:
        _cumulative_job(con, specs, months[0], last, job_dims, wanted)
    for table in ("base", "base_long"):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    return int(con.execute("SELECT COUNT(*) FROM cum_cells").fetchone()[0]) - before


def _cumulative_job(con: Any, specs: Sequence[Spec], first: date, last: date, dims: Sequence[str],
                    wanted: Sequence[date]) -> None:
    """cum_cells += the cells of `dims` for the months `wanted`, from the events up to Stichtag(last) (with the
    age band of last's year)."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE base AS {_event_base(specs, last)}")
    mon = f"GREATEST(CAST(date_trunc('month', on_day) AS DATE), {_lit(first)})"
    con.execute(f"CREATE OR REPLACE TEMP TABLE base_long AS {_long_sql(len(specs), f', {mon} AS mon')}")
    carry = ("pid", "hh", "w", "mon", "ps", "hs")
    key = ", ".join(MKEY)
    on = " AND ".join(f"g.{k} IS NOT DISTINCT FROM s.{k}" for k in MKEY)
    grid = ", ".join(f"({_lit(m)})" for m in cube.months_between(first, last))
    measure = "CASE g.m " + " ".join(f"WHEN {i} THEN {_lit(str(s.measure))}" for i, s in enumerate(specs)) + " END"
    con.execute(f"""
        INSERT INTO cum_cells
        WITH inc AS (
            SELECT {key}, mon, SUM(sw) AS dv_, SUM(p1) AS dp, SUM(h1) AS dh
            FROM ({_sets_sql(dims, ('mon',), 'SUM(w) AS sw, SUM(ps) AS p1, SUM(hs) AS h1', carry)}) a
            GROUP BY {key}, mon
            UNION ALL
            SELECT {key}, first_mon AS mon, 0, COUNT(*), 0
            FROM ({_sets_sql(dims, ('pid',), 'MIN(mon) AS first_mon', carry, 'ps = 0')}) b GROUP BY {key}, first_mon
            UNION ALL
            SELECT {key}, first_mon AS mon, 0, 0, COUNT(*)
            FROM ({_sets_sql(dims, ('hh',), 'MIN(mon) AS first_mon', carry, 'hs = 0')}) c GROUP BY {key}, first_mon),
        steps AS (SELECT {key}, mon, SUM(dv_) AS dv_, SUM(dp) AS dp, SUM(dh) AS dh FROM inc GROUP BY {key}, mon),
        grid AS (SELECT k.*, c.mon FROM (SELECT DISTINCT {key} FROM steps) k CROSS JOIN (VALUES {grid}) c(mon)),
        run AS (
            SELECT g.*, SUM(COALESCE(s.dv_, 0)) OVER w AS v, SUM(COALESCE(s.dp, 0)) OVER w AS p,
                   SUM(COALESCE(s.dh, 0)) OVER w AS h
            FROM grid g LEFT JOIN steps s ON {on} AND g.mon = s.mon
            WINDOW w AS (PARTITION BY {', '.join('g.' + k for k in MKEY)} ORDER BY g.mon
                         ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW))
        SELECT g.mon, {measure}, {', '.join('g.' + k for k in KEY)}, g.v, g.p, g.h, CAST(NULL AS VARCHAR)
        FROM run g WHERE g.v > 0 AND g.mon IN ({', '.join(_lit(m) for m in wanted)})""")


# --- writing the cells -----------------------------------------------------------------------------------------

def write_cells(rows: Sequence[tuple[Any, ...]]) -> int:
    """Insert the rows into reporting_cell (the caller holds the transaction)."""
    if not rows:
        return 0
    q = connection.ops.quote_name
    table = q(Cell._meta.db_table)
    columns = ", ".join(q(c) for c in CELL_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(CELL_COLUMNS))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",
                               [(r[0].isoformat(), *r[1:]) for r in rows])
    return len(rows)


# --- build -----------------------------------------------------------------------------------------------------

def build(*, since: date | None = None, until: date | None = None) -> int:
    """cube.build with DuckDB: same months, same cells, one transaction per month. Returns the cells written."""
    months = cube._months_to_build(since, until)
    if not months:
        return 0
    total = 0
    con = connect()
    try:
        started = time.monotonic()
        counts = load(con, months)
        log.info("reporting cube (duckdb): %d spans, %d events loaded in %.1f s", counts["spans"], counts["events"],
                 time.monotonic() - started)
        # all months of the cumulative passes at once – for two months and more: one month alone is cheaper month
        # by month (1 M persons: 46 s against 65 s; 60 months at once 148 s)
        at_once = [p for p in passes() if cumulative(p)] if len(months) > 1 else []
        regular = [s.measure for p in passes() if p not in at_once for s in p]
        con.execute("DROP TABLE IF EXISTS cum_cells")
        for specs in at_once:
            started = time.monotonic()
            n = cumulative_cells(con, specs, months)
            log.info("reporting cube (duckdb): %s for %d months, %d cells in %.1f s", specs[0].group or
                     specs[0].measure, len(months), n, time.monotonic() - started)
        has_cum = bool(at_once)
        for month in months:
            rows = month_cells(con, month, regular)
            if has_cum:
                rows += con.execute("SELECT * FROM cum_cells WHERE month = ?", [month]).fetchall()
            with transaction.atomic():
                Cell.objects.filter(month=month).delete()
                written = write_cells(rows) + cube._insert_seats(month)
            log.info("reporting cube (duckdb) %s: %d cells", month.isoformat(), written)
            total += written
    finally:
        con.close()
    cube._mark_data_until(months[-1])
    return total

