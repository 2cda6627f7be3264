"""Pre-aggregation of the outcome reports: `build` turns the per-person fact tables (FactSpan, FactEvent) and
the offers into `Cell` rows – per reference month, measure, organisational unit and at most one demographic
breakdown – so that a report reads a handful of cells instead of millions of facts (docs/reporting.md).

How a month is built (one transaction per month: delete its cells, insert the new ones):
1. for each measure, the *base rows* (one per person and attribute combination, or one per event) are written
   to a temporary table `_cube_base` with the columns pid, hh, v, the organisational units, every demographic
   attribute, bucket and days;
2. for each demographic dim ('' = none) one INSERT … SELECT aggregates the base rows over the six
   organisational grouping sets – GROUPING SETS on PostgreSQL, a UNION ALL of GROUP BYs on SQLite. Distinct
   persons and households are counted in SQL per grouping set (they cannot be rolled up);
3. duration measures also get the histogram {days: count}; the seats come from `offers.Offer` directly.

A person without household counts as their own household: COALESCE(household, -person_id).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from stella.reporting.indicators import Measure
from stella.reporting.models import Cell, EventKind, FactEvent, FactSpan, PersonFact, RefreshState
from stella.rules import dates

log = logging.getLogger(__name__)

#: The organisational grouping sets (Cell.district / agency / team; a level not in the set is '' = all).
ORG_SETS: tuple[tuple[str, ...], ...] = (
    (), ("district",), ("district", "agency"), ("district", "agency", "team"), ("agency",), ("agency", "team"))
#: Demographic dims of measures taken from client spans.
SPAN_DIMS = ("sex", "age_band", "origin", "status_group", "regime", "phase", "accommodation")
#: Demographic dims of measures taken from events (events carry no phase or accommodation).
EVENT_DIMS = ("sex", "age_band", "origin", "status_group", "regime")
#: Offer kinds whose seats are counted (SEATS / SEATS_TAKEN).
SEAT_KINDS = ("integration_course", "deufoev", "measure")
#: Enrolment states that hold a seat between enrolled_on and ended_on.
SEAT_STATES = ("enrolled", "completed", "dropped")
#: Integration kinds that are employment subject to social insurance (K2E3 counts only these).
SV_KINDS = ("employment", "training")
#: Upper bounds of the age bands of indicators.age_band (age < bound), the last band is open.
AGE_BANDS = ((25, "u25"), (35, "25-34"), (45, "35-44"), (55, "45-54"))

BASE_COLUMNS = ("pid", "hh", "district", "agency", "team", "sex", "age_band", "origin", "status_group",
                "regime", "phase", "accommodation", "level", "bucket", "days")


# --- months ----------------------------------------------------------------------------------------------------

def month_start(d: date) -> date:
    return d.replace(day=1)


def add_months(d: date, n: int) -> date:
    """The first day of the month n months after d's month."""
    return dates.add_months(month_start(d), n)


def stichtag(month: date) -> date:
    """The last day of the month (the reference day of point measures)."""
    return dates.end_of_month(month)


def last_complete_month(today: date | None = None) -> date:
    return add_months(month_start(today or timezone.localdate()), -1)


def months_between(first: date, last: date) -> list[date]:
    out = []
    m = month_start(first)
    while m <= last:
        out.append(m)
        m = add_months(m, 1)
    return out


def data_start() -> date | None:
    """The first month with any fact (span start or event), None without facts."""
    span = FactSpan.objects.aggregate(m=Min("starts_on"))["m"]
    event = FactEvent.objects.aggregate(m=Min("on"))["m"]
    found = [d for d in (span, event) if d is not None]
    return month_start(min(found)) if found else None


# --- measure specifications ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Spec:
    """How one measure's base rows are selected for reference month M."""

    measure: Measure
    source: str  # 'span' | 'event' | 'seats'
    #: span: month offsets (relative to M) whose Stichtage are counted; a callable of M for the YTD window
    offsets: tuple[int, ...] = (0,)
    ytd: bool = False
    #: event: the kind and the window of months [first, last] relative to M; None first = since ever
    kind: str = ""
    window: tuple[int | None, int] = (-11, 0)
    ytd_window: bool = False
    where: str = ""  # extra condition on the alias s (span) or e (event)
    params: tuple[Any, ...] = ()
    dims: tuple[str, ...] = SPAN_DIMS
    hist: bool = False  # duration: value = persons, hist {days: count}
    level: bool = False  # dim 'level' from FactEvent.detail
    buckets: bool = False  # Cell.bucket from FactEvent.bucket (and a total row with bucket NULL)
    #: measures of one group share their base rows and are aggregated in one pass (weights w0, w1, …)
    group: str = ""

    def stichtage(self, month: date) -> list[date]:
        offsets = tuple(range(-(month.month), 0)) if self.ytd else self.offsets
        return [stichtag(add_months(month, o)) for o in offsets]

    def event_window(self, month: date) -> tuple[date | None, date]:
        first_off, last_off = self.window
        if self.ytd_window:
            return month.replace(month=1), stichtag(add_months(month, last_off))
        first = add_months(month, first_off) if first_off is not None else None
        return first, stichtag(add_months(month, last_off))


def _ev(measure: Measure, kind: str, window: tuple[int | None, int] = (-11, 0), where: str = "",
        params: tuple[Any, ...] = (), **kw: Any) -> Spec:
    return Spec(measure, "event", kind=kind, window=window, where=where, params=params, dims=EVENT_DIMS, **kw)


SPECS: tuple[Spec, ...] = (
    Spec(Measure.STOCK, "span", group="span"),
    Spec(Measure.STOCK_ACTIVATED, "span", where="s.activated = %s", params=(True,), group="span"),
    Spec(Measure.STOCK_SINGLE_PARENT, "span", where="s.single_parent = %s", params=(True,), group="span"),
    Spec(Measure.STOCK_AVG12, "span", offsets=tuple(range(-12, 0)), group="span"),
    Spec(Measure.STOCK_AVG12_SINGLE_PARENT, "span", offsets=tuple(range(-12, 0)),
         where="s.single_parent = %s", params=(True,), group="span"),
    Spec(Measure.STOCK_AVG_YTD, "span", ytd=True, group="span"),
    _ev(Measure.INT12, EventKind.INTEGRATION, group="integration"),
    _ev(Measure.INT12_SINGLE_PARENT, EventKind.INTEGRATION, where="e.single_parent = %s", params=(True,),
        group="integration"),
    _ev(Measure.INT12_BD_BASE, EventKind.INTEGRATION, (-14, -3), "e.flag2 IS NOT NULL", group="integration"),
    _ev(Measure.INT12_BD, EventKind.INTEGRATION, (-14, -3), "e.flag2 = %s", (True,), group="integration"),
    _ev(Measure.INT12_CONT_BASE, EventKind.INTEGRATION, (-23, -12),
        "e.flag IS NOT NULL AND e.detail IN (%s, %s)", SV_KINDS, group="integration"),
    _ev(Measure.INT12_CONT, EventKind.INTEGRATION, (-23, -12), "e.flag = %s AND e.detail IN (%s, %s)",
        (True, *SV_KINDS), group="integration"),
    _ev(Measure.INT_YTD, EventKind.INTEGRATION, ytd_window=True, group="integration"),
    _ev(Measure.MINIJOB12, EventKind.MINIJOB),
    _ev(Measure.DUR_COUNSELLING, EventKind.COUNSELLING, hist=True),
    _ev(Measure.DUR_COURSE_START, EventKind.COURSE_START, hist=True),
    _ev(Measure.DUR_COURSE_END, EventKind.COURSE_END, hist=True, level=True),
    _ev(Measure.DUR_FIRST_INTEGRATION, EventKind.FIRST_INTEGRATION, hist=True),
    _ev(Measure.DUR_RECOGNITION_JC, EventKind.RECOGNITION, hist=True),
    _ev(Measure.HANDOVER12, EventKind.HANDOVER, group="handover"),
    _ev(Measure.HANDOVER12_30, EventKind.HANDOVER, where="e.flag = %s", params=(True,), group="handover"),
    _ev(Measure.COURSE_WAIT, EventKind.COURSE_WAIT, hist=True),
    _ev(Measure.ARRIVAL_K, EventKind.ARRIVAL_YEAR, (None, 0), buckets=True, group="arrival"),
    _ev(Measure.ARRIVAL_K_EMPLOYED, EventKind.ARRIVAL_YEAR, (None, 0), "e.flag = %s", (True,), buckets=True,
        group="arrival"),
    Spec(Measure.SEATS, "seats"),
    Spec(Measure.SEATS_TAKEN, "seats"),
)
SPEC_BY_MEASURE = {s.measure: s for s in SPECS}
assert set(SPEC_BY_MEASURE) == set(Measure), "every measure needs a Spec"
#: at most this many measures share one pass (weight columns w0 … of the base table)
MAX_GROUP = 8


def passes(measures: Iterable[Measure] | None = None) -> list[tuple[Spec, ...]]:
    """The SQL passes of a month in SPECS order: the measures of a group together, every other one alone."""
    wanted = set(measures) if measures is not None else set(Measure)
    chosen = [s for s in SPECS if s.measure in wanted and s.source != "seats"]
    result: list[tuple[Spec, ...]] = []
    seen: set[str] = set()
    for spec in chosen:
        if not spec.group:
            result.append((spec,))
        elif spec.group not in seen:
            seen.add(spec.group)
            result.append(tuple(s for s in chosen if s.group == spec.group))
    assert all(len(p) <= MAX_GROUP for p in result)
    return result


# --- SQL helpers -----------------------------------------------------------------------------------------------

def _pg() -> bool:
    return connection.vendor == "postgresql"


def _date_ph() -> str:
    """Placeholder of a date parameter (passed as an ISO string): PostgreSQL needs the type."""
    return "CAST(%s AS DATE)" if _pg() else "%s"


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _age_sql(col: str, year: int) -> str:
    """indicators.age_band of (year - birth_year) as a CASE expression."""
    parts = [f"WHEN {col} IS NULL THEN '?'"]
    parts += [f"WHEN {int(year)} - {col} < {bound} THEN '{label}'" for bound, label in AGE_BANDS]
    return "CASE " + " ".join(parts) + " ELSE '55+' END"


def _span_base(specs: Sequence[Spec], month: date) -> tuple[str, list[Any]]:
    """Base rows of span measures: one row per person and attribute combination, weight w_i = the number of
    measure i's Stichtage the person had those attributes on (and met its condition)."""
    ph = _date_ph()
    days = sorted({d for spec in specs for d in spec.stichtage(month)})
    weights, w_params = [], []
    for i, spec in enumerate(specs):
        mine = spec.stichtage(month)
        cond = f"c.d >= {ph} AND c.d <= {ph}" + (f" AND {spec.where}" if spec.where else "")
        weights.append(f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END) AS w{i}")
        w_params += [min(mine).isoformat(), max(mine).isoformat(), *spec.params]
    weights += [f"0 AS w{i}" for i in range(len(specs), MAX_GROUP)]
    calendar = " UNION ALL ".join(f"SELECT {ph} AS d" for _ in days)
    year = stichtag(month).year
    table = _q(FactSpan._meta.db_table)
    where = [f"s.starts_on <= {ph}", f"(s.ends_on IS NULL OR s.ends_on >= {ph})"]
    params: list[Any] = [*w_params, *(d.isoformat() for d in days), max(days).isoformat(), min(days).isoformat()]
    if all(spec.where for spec in specs):
        where.append("(" + " OR ".join(spec.where for spec in specs) + ")")
        params += [p for spec in specs for p in spec.params]
    sql = f"""
        SELECT s.person_id AS pid, COALESCE(s.household, -s.person_id) AS hh,
               s.district AS district, s.agency AS agency, s.team AS team, s.sex AS sex,
               {_age_sql('s.birth_year', year)} AS age_band, s.origin AS origin, s.status_group AS status_group,
               s.regime AS regime, s.phase AS phase, s.accommodation AS accommodation, '' AS level,
               CAST(NULL AS INTEGER) AS bucket, CAST(NULL AS INTEGER) AS days, {', '.join(weights)}
        FROM {table} s JOIN ({calendar}) c ON s.starts_on <= c.d AND (s.ends_on IS NULL OR s.ends_on >= c.d)
        WHERE {' AND '.join(where)}
        GROUP BY s.person_id, s.household, s.district, s.agency, s.team, s.sex, s.birth_year, s.origin,
                 s.status_group, s.regime, s.phase, s.accommodation"""  # noqa: S608 - names and ints from code
    return sql, params


def _event_base(specs: Sequence[Spec], month: date) -> tuple[str, list[Any]]:
    """Base rows of event measures of one kind: one row per event, weight w_i = 1 when the event is in
    measure i's window and meets its condition."""
    ph = _date_ph()
    on = f"e.{_q('on')}"
    windows = [spec.event_window(month) for spec in specs]
    weights, w_params = [], []
    for i, (spec, (first, last)) in enumerate(zip(specs, windows, strict=True)):
        cond = [f"{on} <= {ph}", *([f"{on} >= {ph}"] if first else []), *([spec.where] if spec.where else [])]
        weights.append(f"CASE WHEN {' AND '.join(cond)} THEN 1 ELSE 0 END AS w{i}")
        w_params += [last.isoformat(), *([first.isoformat()] if first else []), *spec.params]
    weights += [f"0 AS w{i}" for i in range(len(specs), MAX_GROUP)]
    last_all = max(w[1] for w in windows)
    firsts = [w[0] for w in windows]
    where = ["e.kind = %s", f"{on} <= {ph}"]
    params: list[Any] = [str(specs[0].kind), last_all.isoformat()]
    if all(firsts):
        where.append(f"{on} >= {ph}")
        params.append(min(f for f in firsts if f).isoformat())
    if all(spec.where for spec in specs):
        where.append("(" + " OR ".join(spec.where for spec in specs) + ")")
        params += [p for spec in specs for p in spec.params]
    level = "e.detail" if specs[0].level else "''"
    year = stichtag(month).year
    table = _q(FactEvent._meta.db_table)
    select = f"""
        SELECT e.person_id AS pid, COALESCE(e.household, -e.person_id) AS hh,
               e.district AS district, e.agency AS agency, e.team AS team, e.sex AS sex,
               {_age_sql('e.birth_year', year)} AS age_band, e.origin AS origin, e.status_group AS status_group,
               e.regime AS regime, '' AS phase, '' AS accommodation, {level} AS level, {{bucket}} AS bucket,
               e.days AS days, {', '.join(weights)}
        FROM {table} e WHERE {' AND '.join(where)}"""  # noqa: S608 - names from code
    if not specs[0].buckets:
        return select.format(bucket="CAST(NULL AS INTEGER)"), w_params + params
    # the curve: one row per k and a total over every k (bucket NULL)
    sql = select.format(bucket="e.bucket") + " UNION ALL " + select.format(bucket="CAST(NULL AS INTEGER)")
    return sql, (w_params + params) * 2


def _aggregates(n: int, with_days: bool) -> str:
    if n == 1:  # every base row belongs to the one measure
        out = "SUM(w0) AS v0, COUNT(DISTINCT pid) AS p0, COUNT(DISTINCT hh) AS h0"
    else:
        out = ", ".join(f"SUM(w{i}) AS v{i}, COUNT(DISTINCT CASE WHEN w{i} > 0 THEN pid END) AS p{i}, "
                        f"COUNT(DISTINCT CASE WHEN w{i} > 0 THEN hh END) AS h{i}" for i in range(n))
    return out + (", COUNT(*) AS n" if with_days else "")


def _grouped_one(dim: str, n: int, with_days: bool) -> str:
    dv = dim or "''"
    days = ", days" if with_days else ""
    aggregates = _aggregates(n, with_days)
    weights = ", ".join(f"w{i}" for i in range(n))
    if _pg():
        sets = ", ".join("(" + ", ".join(s) + ")" for s in ORG_SETS)
        return f"""
            SELECT '{dim}' AS dim, COALESCE(district, '') AS district, COALESCE(agency, '') AS agency,
                   COALESCE(team, '') AS team, dv, bucket{days}, {aggregates}
            FROM (SELECT NULLIF(district, '') AS district, NULLIF(agency, '') AS agency, NULLIF(team, '') AS team,
                         {dv} AS dv, bucket, days, {weights}, pid, hh FROM _cube_base) b
            GROUP BY dv, bucket{days}, GROUPING SETS ({sets})
            HAVING (GROUPING(district) = 1 OR district IS NOT NULL)
               AND (GROUPING(agency) = 1 OR agency IS NOT NULL)
               AND (GROUPING(team) = 1 OR team IS NOT NULL)"""  # noqa: S608 - dim names from code
    parts = []
    for org in ORG_SETS:
        cols = [c if c in org else f"'' AS {c}" for c in ("district", "agency", "team")]
        where = " AND ".join(f"{c} <> ''" for c in org) or "1 = 1"
        group = ", ".join([*org, "dv", "bucket", *(["days"] if with_days else [])])
        parts.append(f"""
            SELECT '{dim}' AS dim, {', '.join(cols)}, {dv} AS dv, bucket{days}, {aggregates}
            FROM _cube_base WHERE {where} GROUP BY {group}""")  # noqa: S608 - dim names from code
    return " UNION ALL ".join(parts)


def _grouped_sql(dims: Sequence[str], n: int = 1, *, with_days: bool = False) -> str:
    """SELECT dim, district, agency, team, dim_value, bucket, [days,] then value, persons, households of each of
    the pass's n measures [, events] over `_cube_base`, for each dim ('' = none) and the six organisational
    grouping sets (GROUPING SETS on PostgreSQL, a UNION ALL of GROUP BYs on SQLite); levels with an empty code
    are skipped at their level (they would clash with '' = all). `dims` are names from code."""
    assert all(d in BASE_COLUMNS or d == "" for d in dims)
    return " UNION ALL ".join(_grouped_one(d, n, with_days) for d in dims)


# --- build -----------------------------------------------------------------------------------------------------

def _months_to_build(since: date | None, until: date | None) -> list[date]:
    last = month_start(until) if until else last_complete_month()
    limit = int(getattr(settings, "STELLA_REPORTING_MONTHS", 60))
    earliest = add_months(last_complete_month(), -(limit - 1))
    if since is None:
        start = data_start()
        if start is None:
            return []
        first = max(start, earliest)
    else:
        first = month_start(since)
    return months_between(first, last)


def build(*, since: date | None = None, until: date | None = None) -> int:
    """Rebuild the cells of the reference months since … until (any day of the month; None: from the first
    month with data, at most STELLA_REPORTING_MONTHS back, up to the last complete month). Returns the number
    of cells written."""
    # STELLA_REPORTING_ENGINE: the DuckDB engine for large fact tables (docs/reporting.md "Build engine")
    from stella.reporting import cube_duckdb

    if cube_duckdb.chosen():
        return cube_duckdb.build(since=since, until=until)
    months = _months_to_build(since, until)
    total = 0
    for month in months:
        with transaction.atomic():
            Cell.objects.filter(month=month).delete()
            written = build_month(month)
        log.info("reporting cube %s: %d cells", month.isoformat(), written)
        total += written
    if months:
        _mark_data_until(months[-1])
    return total


def _mark_data_until(last: date) -> None:
    """Record the newest built month in RefreshState.data_until (refresh sets it too) and raise cells_version."""
    with transaction.atomic():
        state = RefreshState.objects.select_for_update().order_by("pk").first()
        if state is None:
            RefreshState.objects.create(data_until=last, cells_version=1)
            return
        if state.data_until is None or state.data_until < last:
            state.data_until = last
        state.cells_version += 1
        state.save(update_fields=["data_until", "cells_version"])


BASE_TEXT_COLUMNS = (("district", 20), ("agency", 30), ("team", 80), ("sex", 1), ("age_band", 8), ("origin", 12),
                     ("status_group", 12), ("regime", 12), ("phase", 20), ("accommodation", 10), ("level", 20))
WEIGHTS = tuple(f"w{i}" for i in range(MAX_GROUP))
GROUPED_KEY = ("dim", "district", "agency", "team", "dv", "bucket")


def _temp_tables_sql() -> list[str]:
    """The temporary tables of base rows and of a pass's grouped rows. On PostgreSQL text columns sort
    bytewise (COLLATE "C"): the grouping sorts them many times, and a linguistic collation is slower."""
    collate = ' COLLATE "C"' if _pg() else ""
    text = ", ".join(f"{name} VARCHAR({size}){collate}" for name, size in BASE_TEXT_COLUMNS)
    weights = ", ".join(f"{w} BIGINT" for w in WEIGHTS)
    numbers = ", ".join(f"v{i} BIGINT, p{i} BIGINT, h{i} BIGINT" for i in range(MAX_GROUP))
    return [f"CREATE TEMP TABLE IF NOT EXISTS _cube_base (pid BIGINT, hh BIGINT, {text}, bucket INTEGER, "
            f"days INTEGER, {weights})",
            "CREATE TEMP TABLE IF NOT EXISTS _cube_grouped (dim VARCHAR(20), district VARCHAR(20), "
            f"agency VARCHAR(30), team VARCHAR(80), dv VARCHAR(20), bucket INTEGER, {numbers})"]


def build_month(month: date, measures: Iterable[Measure] | None = None) -> int:
    """Insert the cells of one month (the caller deletes the old ones and holds the transaction)."""
    written = 0
    wanted = set(measures) if measures is not None else set(Measure)
    with connection.cursor() as cursor:
        if _pg():
            # the grouping sorts the base rows many times; the default 4 MB would spill them to disk
            cursor.execute("SET LOCAL work_mem = %s", [str(getattr(settings, "STELLA_REPORTING_WORK_MEM", "256MB"))])
        for sql in _temp_tables_sql():
            cursor.execute(sql)
        for specs in passes(wanted):
            base_sql, params = (_span_base if specs[0].source == "span" else _event_base)(specs, month)
            _clear(cursor, "_cube_base")
            cursor.execute(f"INSERT INTO _cube_base (pid, hh, {', '.join(BASE_COLUMNS[2:])}, {', '.join(WEIGHTS)}) "
                           f"{base_sql}", params)
            dims = ("", *specs[0].dims, *(("level",) if specs[0].level else ()))
            if specs[0].hist:
                written += _insert_hist(cursor, specs[0], month, dims)
            else:
                written += _insert_plain(cursor, specs, month, dims)
        _clear(cursor, "_cube_base")
        _clear(cursor, "_cube_grouped")
    if wanted & {Measure.SEATS, Measure.SEATS_TAKEN}:
        written += _insert_seats(month)
    return written


def _clear(cursor: Any, table: str) -> None:
    cursor.execute(f"TRUNCATE {table}" if _pg() else f"DELETE FROM {table}")  # noqa: S608 - fixed names


def _insert_plain(cursor: Any, specs: Sequence[Spec], month: date, dims: Sequence[str]) -> int:
    """Aggregate the pass once into `_cube_grouped`, then write each measure's cells (those with rows)."""
    table = _q(Cell._meta.db_table)
    n = len(specs)
    numbers = ", ".join(f"v{i}, p{i}, h{i}" for i in range(n))
    _clear(cursor, "_cube_grouped")
    cursor.execute(f"INSERT INTO _cube_grouped ({', '.join(GROUPED_KEY)}, {numbers}) "
                   f"{_grouped_sql(dims, n)}")
    written = 0
    for i, spec in enumerate(specs):
        cursor.execute(f"""
            INSERT INTO {table} (month, measure, dim, district, agency, team, dim_value, bucket, value, persons,
                                 households)
            SELECT {_date_ph()}, %s, {', '.join(GROUPED_KEY)}, v{i}, p{i}, h{i} FROM _cube_grouped
            WHERE v{i} > 0""",  # noqa: S608 - names from code
                       [month.isoformat(), str(spec.measure)])
        written += max(cursor.rowcount, 0)
    return written


def _insert_hist(cursor: Any, spec: Spec, month: date, dims: Sequence[str]) -> int:
    """A duration measure: value = persons, hist = {days: events} per cell, both aggregated in SQL."""
    table = _q(Cell._meta.db_table)
    if _pg():
        hist = "CAST(json_object_agg(CAST(days AS TEXT), n ORDER BY days) AS JSONB)"
        empty = "CAST('{}' AS JSONB)"
    else:
        hist = "json_group_object(CAST(days AS TEXT), n)"
        empty = "'{}'"
    key = ("dim", "district", "agency", "team", "dv", "bucket")
    cursor.execute(f"""
        INSERT INTO {table} (month, measure, dim, district, agency, team, dim_value, bucket, value, persons,
                             households, hist)
        SELECT {_date_ph()}, %s, {', '.join('c.' + k for k in key)}, c.p0, c.p0, c.h0, COALESCE(h.hist, {empty})
        FROM ({_grouped_sql(dims)}) c
        LEFT JOIN (
            SELECT {', '.join(key)}, {hist} AS hist FROM ({_grouped_sql(dims, with_days=True)}) d
            WHERE days IS NOT NULL GROUP BY {', '.join(key)}
        ) h ON {' AND '.join(f'c.{k} = h.{k}' for k in key[:-1])} AND COALESCE(c.bucket, -1) = COALESCE(h.bucket, -1)
        """,  # noqa: S608 - names from code
                   [month.isoformat(), str(spec.measure)])
    return max(cursor.rowcount, 0)


def _insert_seats(month: date) -> int:
    """SEATS and SEATS_TAKEN on the Stichtag, from the offers (organisational sets without team; no dims)."""
    from stella.offers.models import Enrolment, Offer

    day = stichtag(month)
    offers = {o["id"]: o for o in Offer.objects.filter(kind__in=SEAT_KINDS, starts_on__lte=day)
              .exclude(state="cancelled").exclude(ends_on__lt=day)
              .values("id", "seats", "municipality__landkreis__code", "owner__code")}
    if not offers:
        return 0
    seated = list(Enrolment.objects.filter(offer_id__in=offers, state__in=SEAT_STATES, enrolled_on__lte=day)
                  .exclude(ended_on__lt=day).values_list("offer_id", "person_id"))
    households = dict(PersonFact.objects.filter(person_id__in={p for _, p in seated})
                      .values_list("person_id", "household"))
    seats: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0])
    taken: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for o in offers.values():
        seats[(o["municipality__landkreis__code"], o["owner__code"])][0] += o["seats"]
    for offer_id, person_id in seated:
        o = offers[offer_id]
        hh = households.get(person_id) or -person_id
        taken[(o["municipality__landkreis__code"], o["owner__code"])].append((person_id, hh))
    cells = []
    for org in ((), ("district",), ("district", "agency"), ("agency",)):
        def key(unit: tuple[str, str], org: tuple[str, ...] = org) -> tuple[str, str]:
            return (unit[0] if "district" in org else "", unit[1] if "agency" in org else "")

        seat_sum: dict[tuple[str, str], int] = defaultdict(int)
        people: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
        for unit, (n,) in seats.items():
            seat_sum[key(unit)] += n
        for unit, rows in taken.items():
            people[key(unit)] += rows
        for (district, agency), n in seat_sum.items():
            rows = people.get((district, agency), [])
            persons = len({p for p, _ in rows})
            hhs = len({h for _, h in rows})
            common: dict[str, Any] = {"month": month, "district": district, "agency": agency, "team": "",
                                      "dim": "", "dim_value": "", "persons": persons, "households": hhs}
            cells.append(Cell(measure=Measure.SEATS, value=n, **common))
            cells.append(Cell(measure=Measure.SEATS_TAKEN, value=len(rows), **common))
    Cell.objects.bulk_create(cells)
    return len(cells)


def last_built_month() -> date | None:
    return Cell.objects.aggregate(m=Max("month"))["m"]


def first_built_month() -> date | None:
    return Cell.objects.aggregate(m=Min("month"))["m"]
