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
               '' AS accommodation, {level} AS level, {{bucket}} AS bucket, e.days AS days, {', '.join(weights)}
        FROM events e WHERE {' AND '.join(where)}"""
    if not specs[0].buckets:
        return select.format(bucket="CAST(NULL AS INTEGER)")
    return (select.format(bucket="CAST(e.bucket AS INTEGER)") + " UNION ALL "
            + select.format(bucket="CAST(NULL AS INTEGER)"))


def _sets_sql(dims: Sequence[str], extra: Sequence[str], select: str) -> str:
    """For each dim: `SELECT m, dim, district, agency, team, dv, bucket, *extra, {select}` over `base_long` grouped
    by the six organisational grouping sets (each with m, dv, bucket and `extra`); an empty unit code is skipped
    at its level, as in cube.py. UNION ALL over the dims."""
    more = "".join(f", {c}" for c in extra)
    parts = []
    for dim in dims:
        dv = dim or "''"
        sets = ", ".join("(" + ", ".join(["m", *org, "dv", "bucket", *extra]) + ")" for org in ORG_SETS)
        parts.append(f"""
            SELECT m, '{dim}' AS dim, COALESCE(district, '') AS district, COALESCE(agency, '') AS agency,
                   COALESCE(team, '') AS team, dv, bucket{more}, {select}
            FROM (SELECT m, NULLIF(district, '') AS district, NULLIF(agency, '') AS agency,
                         NULLIF(team, '') AS team, {dv} AS dv, bucket, days, pid, hh, w FROM base_long) b
            GROUP BY GROUPING SETS ({sets})
            HAVING (GROUPING(district) = 1 OR district IS NOT NULL)
               AND (GROUPING(agency) = 1 OR agency IS NOT NULL)
               AND (GROUPING(team) = 1 OR team IS NOT NULL)""")
    return " UNION ALL ".join(parts)


MKEY = ("m", "dim", "district", "agency", "team", "dv", "bucket")


def _grouped_sql(dims: Sequence[str]) -> str:
    """m, dim, district, agency, team, dv, bucket, v (SUM(w)), p (distinct persons), h (distinct households).

    The distinct counts are two-level: group by cell and pid (hh), then count the rows per cell. DuckDB's
    COUNT(DISTINCT) under GROUPING SETS costs ~0.1 s per query and set list whatever the data (hash tables per
    set and aggregate), i.e. seconds per month on tiny data; the two-level form costs almost nothing."""
    key = ", ".join(MKEY)
    on = " AND ".join(f"a.{k} IS NOT DISTINCT FROM b.{k}" for k in MKEY)
    return f"""
        SELECT {', '.join('a.' + k for k in MKEY)}, a.v, a.p, b.h
        FROM (SELECT {key}, SUM(sw) AS v, COUNT(*) AS p
              FROM ({_sets_sql(dims, ('pid',), 'SUM(w) AS sw')}) x GROUP BY {key}) a
        JOIN (SELECT {key}, COUNT(*) AS h
              FROM ({_sets_sql(dims, ('hh',), 'COUNT(*) AS n')}) y GROUP BY {key}) b ON {on}"""


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
        cols = ", ".join(LONG_COLUMNS)
        con.execute("CREATE OR REPLACE TEMP TABLE base_long AS " + " UNION ALL ".join(
            f"SELECT {i} AS m, {cols}, w{i} AS w FROM base WHERE w{i} > 0" for i in range(len(specs))))
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
        for month in months:
            rows = month_cells(con, month)
            with transaction.atomic():
                Cell.objects.filter(month=month).delete()
                written = write_cells(rows) + cube._insert_seats(month)
            log.info("reporting cube (duckdb) %s: %d cells", month.isoformat(), written)
            total += written
    finally:
        con.close()
    cube._mark_data_until(months[-1])
    return total

