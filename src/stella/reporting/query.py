"""Answering a report request from the pre-aggregated cells only (never from facts): validation of the request
against the indicators and the data range, the figures (rates, quartiles, counts, the arrival curve) and
their German display, and the confidentiality decisions of `reporting.confidentiality` applied to every
table a report publishes (rows with their total, previous year, year-to-date, each trend month).

Figures (docs/reporting.md):
- RATE = numerator.value ÷ (denominator.value ÷ divisor) × 100, rounded half up to one decimal;
- DURATION = quartiles of the histogram {days: count} by the nearest-rank definition: the p-th percentile is
  the smallest number of days d such that at least p % of the observations are ≤ d (rank ⌈p·N/100⌉);
- COUNT = the cell's value; CURVE = a rate per bucket (years since arrival).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from django.db.models import Max, Min, Q
from django.utils import timezone

from stella.core.errors import InvalidInput
from stella.reporting import cube
from stella.reporting.confidentiality import (
    DENOMINATOR,
    PRIMARY,
    PUBLISHED,
    REASON_TABLE,
    SECONDARY,
    Decision,
    primary,
    protect,
    protect_table,
)
from stella.reporting.indicators import (
    BREAKDOWNS,
    DEMOGRAPHIC_DIMS,
    DIM_LABELS,
    ORG_DIMS,
    VALUE_LABELS,
    Indicator,
    Kind,
    Measure,
)
from stella.reporting.indicators import get as get_indicator
from stella.reporting.models import Cell, RefreshState, Target
from stella.reporting.numbers import de_number
from stella.reporting.report import Figure, Report, ReportRequest, Row

MONTH_NAMES = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
               "November", "Dezember")
MAX_TREND = 60
#: a demographic filter with an org breakdown: the cell (X, f) would be decided in two tables ("X by sex" and
#: "Land by district, filtered f") – refused (docs/reporting-confidentiality.md, "Verknüpfte Tabellen")
FILTER_WITH_ORG = ("Eine Aufgliederung nach Landkreis, Behörde oder Team ist mit einem Filter nach {dim} nicht "
                   "möglich (statistische Geheimhaltung: sonst ließen sich verdeckte Werte anderer Tabellen "
                   "errechnen). Bitte die Einheit wählen und nach {dim} aufgliedern.")
NO_DATA = Figure(display="–", suppressed="no_data", reason="keine Daten")


# --- formatting ------------------------------------------------------------------------------------------------

def month_label(month: date) -> str:
    return f"{MONTH_NAMES[month.month - 1]} {month.year}"


def round1(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def rate(numerator: int, denominator: Decimal) -> Decimal | None:
    if denominator <= 0:
        return None
    return round1(Decimal(numerator) * 100 / denominator)


def quartiles(hist: dict[str, int] | dict[int, int] | None) -> tuple[Decimal, Decimal, Decimal] | None:
    """Q1, median, Q3 in days by nearest rank (see the module docstring); None for an empty histogram."""
    if not hist:
        return None
    pairs = sorted((int(k), int(v)) for k, v in hist.items())
    n = sum(v for _, v in pairs if v > 0)
    if n == 0:
        return None
    ranks = [max(1, math.ceil(p * n / 100)) for p in (25, 50, 75)]
    out: list[Decimal] = []
    seen = 0
    for days, count in pairs:  # one pass for the three ranks (a histogram at 1 M persons has thousands of days)
        if count <= 0:
            continue
        seen += count
        while len(out) < 3 and seen >= ranks[len(out)]:
            out.append(Decimal(days))
        if len(out) == 3:
            break
    return out[0], out[1], out[2]


def value_label(dim: str, value: str) -> str:
    if dim == "bucket":
        return f"{value} Jahr" if value == "1" else f"{value} Jahre"
    return VALUE_LABELS.get(dim, {}).get(value, value or "unbekannt")


# --- the request, resolved -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Unit:
    district: str = ""
    agency: str = ""
    team: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"district": self.district, "agency": self.agency, "team": self.team}


@dataclass(frozen=True)
class Resolved:
    indicator: Indicator
    month: date
    unit: Unit
    filter_dim: str
    filter_value: str
    breakdown: str
    trend_months: int
    first_month: date
    data_until: date


def measures_of(ind: Indicator) -> tuple[Measure, ...]:
    found = [m for m in (ind.numerator, ind.denominator, ind.measure) if m is not None]
    return tuple(found)


def dims_of(ind: Indicator) -> tuple[str, ...]:
    """The demographic dims every measure of the indicator has cells for."""
    dims: set[str] | None = None
    for m in measures_of(ind):
        spec = cube.SPEC_BY_MEASURE[m]
        have = set() if spec.source == "seats" else {*spec.dims, *(("level",) if spec.level else ())}
        dims = have if dims is None else dims & have
    return tuple(d for d in DEMOGRAPHIC_DIMS if d in (dims or set()))


def has_teams(ind: Indicator) -> bool:
    return all(cube.SPEC_BY_MEASURE[m].source != "seats" for m in measures_of(ind))


def data_range() -> tuple[date, date] | None:
    """First month with cells and the newest month with complete data (RefreshState.data_until, at most the
    newest month with cells); None when nothing was built yet."""
    agg = Cell.objects.filter(measure=Measure.STOCK).aggregate(first=Min("month"), last=Max("month"))  # indexed
    if agg["first"] is None:
        return None
    last = agg["last"]
    state = RefreshState.objects.order_by("pk").first()
    if state is not None and state.data_until is not None:
        last = min(last, cube.month_start(state.data_until))
    return agg["first"], last


def resolve(request: ReportRequest, *, today: date | None = None) -> Resolved:
    """Check the request; InvalidInput with German field errors when something is unknown or not allowed."""
    from stella.agencies.models import Agency, Region, RegionKind

    errors: dict[str, str] = {}
    try:
        ind = get_indicator(request.indicator)
    except KeyError:
        raise InvalidInput({"indicator": f"Unbekannte Kennzahl „{request.indicator}“."}) from None

    if request.district and not Region.objects.filter(code=request.district, kind=RegionKind.LANDKREIS).exists():
        errors["district"] = f"Unbekannter Landkreis „{request.district}“."
    if request.agency and not Agency.objects.filter(code=request.agency).exists():
        errors["agency"] = f"Unbekannte Behörde „{request.agency}“."
    if request.team:
        if not request.agency:
            errors["team"] = "Ein Team kann nur zusammen mit seiner Behörde gewählt werden."
        elif "agency" not in errors and not team_known(request.agency, request.team, request.month):
            errors["team"] = f"Das Team „{request.team}“ ist für die Behörde {request.agency} nicht bekannt."
        elif not has_teams(ind):
            errors["team"] = "Diese Kennzahl wird nicht nach Teams ausgewertet."

    dims = dims_of(ind)
    filter_dim, filter_value = request.filter_dim, request.filter_value
    if filter_dim in dims and not _value_known(ind, filter_dim, filter_value):
        errors["filter_value"] = f"„{filter_value}“ ist kein Wert des Merkmals {DIM_LABELS[filter_dim]}."
    if filter_dim:
        if filter_dim not in DEMOGRAPHIC_DIMS:
            errors["filter_dim"] = f"Unbekanntes Merkmal „{filter_dim}“."
        elif filter_dim not in dims:
            errors["filter_dim"] = (f"Die Kennzahl „{ind.title}“ kann nicht nach "
                                    f"{DIM_LABELS[filter_dim]} gefiltert werden.")
        elif filter_value == "" and filter_dim not in ("accommodation",):
            errors["filter_value"] = "Bitte einen Wert für den Filter angeben."
    elif filter_value:
        errors["filter_dim"] = "Bitte das Merkmal angeben, nach dem gefiltert wird."

    unit = Unit(request.district, request.agency, request.team)
    breakdown = request.breakdown or _default_breakdown(ind, unit, filter_dim)
    if breakdown not in BREAKDOWNS:
        errors["breakdown"] = f"Unbekannte Aufgliederung „{breakdown}“."
    elif breakdown == filter_dim and filter_dim:
        errors["breakdown"] = "Aufgliederung und Filter dürfen nicht dasselbe Merkmal sein."
    elif breakdown in DEMOGRAPHIC_DIMS:
        if breakdown not in dims:
            errors["breakdown"] = (f"Die Kennzahl „{ind.title}“ kann nicht nach {DIM_LABELS[breakdown]} "
                                   "aufgegliedert werden.")
        elif filter_dim:
            errors["breakdown"] = ("Eine Aufgliederung nach einem Merkmal ist zusammen mit einem Filter nicht "
                                   "möglich; bitte nach Monat oder Organisationseinheit aufgliedern.")
    elif breakdown == "bucket" and ind.kind != Kind.CURVE:
        errors["breakdown"] = "Die Aufgliederung nach Jahren seit Einreise gibt es nur für die Beschäftigungskurve."
    elif breakdown in ORG_DIMS:
        problem = _org_breakdown_problem(ind, unit, breakdown)
        if filter_dim in dims:
            errors["breakdown"] = FILTER_WITH_ORG.format(dim=DIM_LABELS[filter_dim])
        elif problem:
            errors["breakdown"] = problem
    if not 1 <= request.trend_months <= MAX_TREND:
        errors["trend_months"] = f"Der Verlauf umfasst 1 bis {MAX_TREND} Monate."

    span = data_range()
    month = None
    today = today or timezone.localdate()
    if span is None:
        errors["month"] = ("Es liegen noch keine Auswertungsdaten vor; die Auswertungen werden gerade aufgebaut "
                           "(stella reporting refresh).")
    else:
        first, last = span
        month = cube.month_start(request.month) if request.month else last
        if month > cube.month_start(today):
            errors["month"] = f"{month_label(month)} liegt in der Zukunft."
        elif month < first or month > last:
            errors["month"] = (f"Für {month_label(month)} liegen keine Daten vor (Daten von {month_label(first)} "
                               f"bis {month_label(last)}).")
    if errors:
        raise InvalidInput(errors)
    assert month is not None and span is not None
    return Resolved(ind, month, unit, filter_dim, filter_value, breakdown, request.trend_months, span[0], span[1])


def team_known(agency: str, team: str, month: date | None = None) -> bool:
    """Whether the team appears in the agency's cells (in the month asked for, else in any month)."""
    cells = Cell.objects.filter(measure=Measure.STOCK, dim="", district="", agency=agency, team=team)
    if month is not None and cells.filter(month=cube.month_start(month)).exists():
        return True
    return cells.exists()


def _value_known(ind: Indicator, dim: str, value: str) -> bool:
    if value in VALUE_LABELS.get(dim, {}):
        return True
    measure = ind.measure or ind.denominator
    return Cell.objects.filter(measure=measure, dim=dim, dim_value=value, district="", agency="", team="").exists()


def _default_breakdown(ind: Indicator, unit: Unit, filter_dim: str) -> str:
    """The indicator's default breakdown; with a filter only the trend (no org level, no second dim)."""
    default = ind.default_breakdown
    if filter_dim and default in (*ORG_DIMS, *DEMOGRAPHIC_DIMS):
        return "month"
    if default in ORG_DIMS or default == filter_dim:
        return _next_org_level(ind, unit) or "month"
    return default


def _next_org_level(ind: Indicator, unit: Unit) -> str:
    if unit.team:
        return ""
    if unit.agency:
        return "team" if has_teams(ind) else ""
    if unit.district:
        return "agency"
    return "district"


def _org_breakdown_problem(ind: Indicator, unit: Unit, breakdown: str) -> str:
    if getattr(unit, breakdown):
        return f"Die Auswahl ist bereits auf eine/n {DIM_LABELS[breakdown]} beschränkt."
    if breakdown == "team":
        if not has_teams(ind):
            return "Diese Kennzahl wird nicht nach Teams ausgewertet."
        if not unit.agency:
            return "Teams lassen sich nur innerhalb einer Behörde aufgliedern; bitte zuerst eine Behörde wählen."
    if breakdown in ("district", "agency") and unit.team:
        return "Innerhalb eines Teams gibt es keine weitere Aufgliederung."
    return ""


# --- cells -----------------------------------------------------------------------------------------------------

#: measure, month, district, agency, team, dim, dim_value, bucket
CellKey = tuple[str, date, str, str, str, str, str, int | None]


class CellRow(NamedTuple):
    """A `Cell` as the reports read it: a plain row (a page reads thousands; model instances cost 3× the
    query)."""

    measure: str
    month: date
    district: str
    agency: str
    team: str
    dim: str
    dim_value: str
    bucket: int | None
    value: int
    persons: int
    households: int
    hist: dict[str, int] | None


def _load(measures: Iterable[Measure], months: Iterable[date], *, dim: str, dim_value: str | None,
          org: dict[str, str | None], bucket_any: bool = False) -> dict[CellKey, CellRow]:
    """Cells of these measures and months; `org` maps a level to its code, '' (all) or None (any non-empty
    code); dim_value None = any value of `dim`."""
    q = Q(measure__in=[str(m) for m in measures], month__in=list(months), dim=dim)
    if dim_value is not None:
        q &= Q(dim_value=dim_value)
    for level, code in org.items():
        q &= ~Q(**{level: ""}) if code is None else Q(**{level: code})
    if not bucket_any:
        q &= Q(bucket__isnull=True)
    rows = (CellRow(*r) for r in Cell.objects.filter(q).values_list(*CellRow._fields))
    return {_key(c): c for c in rows}


def _key(c: CellRow) -> CellKey:
    return (c.measure, c.month, c.district, c.agency, c.team, c.dim, c.dim_value, c.bucket)


# --- figures ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Raw:
    """The cells behind one figure."""

    kind: Kind
    num: CellRow | None = None
    den: CellRow | None = None
    divisor: int = 1

    @property
    def present(self) -> bool:
        if self.kind in (Kind.RATE, Kind.CURVE):
            return self.den is not None
        return self.num is not None

    def counts(self) -> Any:
        """The counts for `confidentiality.protect`. A person who changed household within a window counts in
        both, so a cell may show more households than persons; the households are capped at the persons (and the
        persons at the value) – fewer carriers, so the check errs on the side of suppression."""
        from stella.reporting.confidentiality import Counts

        def carriers(c: CellRow | None, value: int) -> tuple[int, int]:
            persons = min(c.persons, value) if c else 0
            return persons, min(c.households, persons) if c else 0

        if self.kind in (Kind.RATE, Kind.CURVE):
            n, d = self.num, self.den
            value = n.value if n else 0
            persons, households = carriers(n, value)
            den_persons = d.persons if d else 0
            return Counts(value=value, persons=persons, households=households,
                          den_value=Decimal(d.value) / self.divisor if d else Decimal(0),
                          den_persons=den_persons, den_households=min(d.households, den_persons) if d else 0)
        c = self.num
        if self.kind == Kind.DURATION:
            cases = sum(int(v) for v in (c.hist or {}).values()) if c else 0
            persons, households = carriers(c, cases)
            return Counts.duration(cases, persons, households)
        value = c.value if c else 0
        persons, households = carriers(c, value)
        return Counts(value=value, persons=persons, households=households)

    def figure(self, unit: str) -> Figure:
        if not self.present:
            return NO_DATA
        if self.kind in (Kind.RATE, Kind.CURVE):
            assert self.den is not None
            numerator = self.num.value if self.num else 0
            denominator = Decimal(self.den.value) / self.divisor
            value = rate(numerator, denominator)
            if value is None:
                return replace(NO_DATA, reason="Bezugsgröße 0")
            return Figure(display=f"{de_number(value, 1)} %", value=value, numerator=numerator,
                          denominator=denominator.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
        assert self.num is not None
        if self.kind == Kind.DURATION:
            q = quartiles(self.num.hist)
            if q is None:
                return replace(NO_DATA, reason="keine Fälle")
            return Figure(display=f"{de_number(q[1])} {unit}", value=q[1],
                          numerator=sum(int(v) for v in (self.num.hist or {}).values()), quartiles=q)
        return Figure(display=de_number(self.num.value), value=Decimal(self.num.value), numerator=self.num.value)


def _raw(ind: Indicator, cells: dict[CellKey, CellRow], month: date, district: str, agency: str, team: str,
         dim: str, dim_value: str, bucket: int | None = None) -> Raw:
    def get(m: Measure | None) -> CellRow | None:
        return cells.get((str(m), month, district, agency, team, dim, dim_value, bucket)) if m else None

    if ind.kind in (Kind.RATE, Kind.CURVE):
        return Raw(ind.kind, get(ind.numerator), get(ind.denominator), ind.denominator_divisor)
    return Raw(ind.kind, get(ind.measure))


def _protect(raws: Sequence[Raw], total: Raw | None, *, rate_: bool) -> list[Any]:
    from stella.reporting.confidentiality import protect

    return list(protect([r.counts() for r in raws], total.counts() if total else None, rate=rate_))


def _published(raw: Raw, decision: Any, unit: str) -> Figure:
    if decision.suppressed:  # also an empty cell: "–" beside the "*" of its table would tell that it is 0
        return Figure(display="*", suppressed=decision.suppressed, reason=decision.reason)
    if not raw.present:
        return NO_DATA
    return raw.figure(unit)


def _table(raws: Sequence[Raw], total: Raw | None, ind: Indicator) -> tuple[list[Figure], Figure | None]:
    """Figures of rows that partition a total, protected together."""
    decisions = _protect(raws, total, rate_=ind.kind != Kind.COUNT)
    figures = [_published(r, d, ind.unit) for r, d in zip(raws, decisions, strict=False)]
    total_fig = _published(total, decisions[-1], ind.unit) if total is not None else None
    return figures, total_fig


def _single(raw: Raw, ind: Indicator) -> Figure:
    return _table([raw], None, ind)[0][0]


# --- linked tables: one decision per published number across all reports ---------------------------------------

LINKED_REASON = "in der übergeordneten Aufgliederung verdeckt"
LINKED = Decision(SECONDARY, LINKED_REASON)


def _parent(unit: Unit) -> tuple[Unit, str, str] | None:
    """Where a unit's total is published first in the district tree (Land → district → (district, agency) →
    (district, agency, team)): the parent unit, the level and the unit's code there; None for the Land."""
    if unit.team:
        return Unit(unit.district, unit.agency), "team", unit.team
    if unit.agency and unit.district:
        return Unit(unit.district), "agency", unit.agency
    if unit.district:
        return Unit(), "district", unit.district
    return None


def _agency_only(unit: Unit) -> bool:
    return bool(unit.agency) and not unit.district


def _hidden_by_parent(d: Decision) -> bool:
    """A total hidden in a table above for secondary reasons: its own breakdowns are hidden as a whole."""
    return not d.published and d.suppressed not in (PRIMARY, DENOMINATOR) and d.reason != REASON_TABLE


class Linked:
    """The confidentiality decisions of one indicator for every table the reports can show, taken top-down so
    that two reports never decide differently about the same number (docs/reporting-confidentiality.md,
    "Verknüpfte Tabellen"):

    - the district tree: Land by district → row X; X by agency → row A; (X, A) by team → row T. A table's total
      is fixed as it was decided one level up (the Land total by the primary rule only), and
      `confidentiality.protect(total_decision=…)` then hides rows (or withholds the breakdown) instead of the
      total. A unit hidden above is hidden in every table below it (`LINKED`).
    - a demographic filter d=v on a unit: the row v of the table "unit by d", the unit's total fixed.
    - an agency without district (an agency may serve several districts), its teams, and their demographic
      rows are sums of cells of the district tree: published only when every district part is published there
      – so they never tell more than the district tree already does.

    Cells are read once per table shape for all months asked for (trend, previous year)."""

    def __init__(self, ind: Indicator, months: Iterable[date]) -> None:
        self.ind = ind
        self.months = sorted(set(months))
        self.measures = measures_of(ind)
        self.rate = ind.kind != Kind.COUNT
        self.cells: dict[CellKey, CellRow] = {}
        self._shapes: dict[tuple[Any, ...], dict[CellKey, CellRow]] = {}
        self._tables: dict[tuple[Any, ...], dict[str, Decision]] = {}
        self._decided: dict[tuple[Any, ...], Decision] = {}

    # cells
    def load(self, org: dict[str, str | None], dim: str, dim_value: str | None,
             bucket_any: bool = False) -> dict[CellKey, CellRow]:
        shape = (tuple(sorted(org.items())), dim, dim_value, bucket_any)
        found = self._shapes.get(shape)
        if found is None:
            found = _load(self.measures, self.months, dim=dim, dim_value=dim_value, org=org, bucket_any=bucket_any)
            self._shapes[shape] = found
            self.cells.update(found)
        return found

    def raw(self, month: date, unit: Unit, dim: str = "", dim_value: str = "", bucket: int | None = None) -> Raw:
        self.load(unit.as_dict(), dim, dim_value, bucket_any=bucket is not None)  # type: ignore[arg-type]
        return _raw(self.ind, self.cells, month, unit.district, unit.agency, unit.team, dim, dim_value, bucket)

    def keys(self, month: date, parent: Unit, by: str, fdim: str = "", fval: str = "") -> list[str]:
        """The rows of the table "parent by `by`" in the month (org codes, dim values or buckets)."""
        if by in ORG_DIMS:
            org: dict[str, str | None] = dict(parent.as_dict())
            org[by] = None
            found = self.load(org, fdim, fval)
            return sorted({getattr(c, by) for c in found.values() if c.month == month})
        if by == "bucket":
            found = self.load(parent.as_dict(), fdim, fval, bucket_any=True)  # type: ignore[arg-type]
            return [str(b) for b in sorted({c.bucket for c in found.values()
                                            if c.month == month and c.bucket is not None})]
        # every unit has the Land's values as rows (an empty cell is a row like any other: leaving it out would
        # tell that it is 0, and the cross-tables of `cross` need the same columns on every level)
        found = self.load(Unit().as_dict(), by, None)  # type: ignore[arg-type]
        order = list(VALUE_LABELS.get(by, {}))
        return sorted({c.dim_value for c in found.values() if c.month == month},
                      key=lambda v: (order.index(v) if v in order else 99, v))

    def row(self, month: date, parent: Unit, by: str, key: str, fdim: str = "", fval: str = "") -> Raw:
        if by in ORG_DIMS:
            return self.raw(month, replace(parent, **{by: key}), fdim, fval)
        if by == "bucket":
            return self.raw(month, parent, fdim, fval, int(key))
        return self.raw(month, parent, by, key)

    # decisions
    def table(self, month: date, parent: Unit, by: str, fdim: str = "", fval: str = "") -> dict[str, Decision]:
        """Row decisions of the table "parent by `by`" (filtered by fdim=fval only for buckets)."""
        ck = (month, parent, by, fdim, fval)
        if ck in self._tables:
            return self._tables[ck]
        keys = self.keys(month, parent, by, fdim, fval)
        total_dec = self.decide(month, parent, fdim, fval)
        decs: dict[str, Decision]
        if by != "bucket" and (_agency_only(parent) or (by == "agency" and not parent.district)):
            # rows that are sums over districts: each decided by its district parts
            decs = {}
            for k in keys:
                if by in ORG_DIMS:
                    decs[k] = self.decide(month, replace(parent, **{by: k}), fdim, fval)
                else:
                    decs[k] = self.decide(month, parent, by, k)
        elif _hidden_by_parent(total_dec):
            decs = dict.fromkeys(keys, LINKED)
        elif by in DEMOGRAPHIC_DIMS and _parent(parent) is not None:
            # the row of the parent's cross-table "children × dim" (margins fixed as published above), so that
            # the dim tables of siblings and of the parent cannot be played against each other
            above = _parent(parent)
            assert above is not None
            decs = self.cross(month, above[0], above[1], by)[above[2]]
        else:
            raws = [self.row(month, parent, by, k, fdim, fval) for k in keys]
            total = self.raw(month, parent, fdim, fval)
            got = protect([r.counts() for r in raws], total.counts(), rate=self.rate, total_decision=total_dec)
            decs = dict(zip(keys, got[:-1], strict=True))
        self._tables[ck] = decs
        return decs

    def cross(self, month: date, parent: Unit, level: str, dim: str) -> dict[str, dict[str, Decision]]:
        """The cross-table "parent's children at `level` × dim" with the children's totals (the table parent by
        level), the dim's values (parent by dim) and the parent's total fixed as decided before
        (`confidentiality.protect_table`): decisions per child code and dim value. Every value of the parent's
        table is a column of every child (an empty cell is hidden like any other, not left out)."""
        ck = (month, parent, level, dim, "cross")
        if ck in self._tables:
            return self._tables[ck]  # type: ignore[return-value]
        children = self.keys(month, parent, level)
        values = self.keys(month, parent, dim)  # the Land's values
        row_decs = self.table(month, parent, level)
        col_decs = self.table(month, parent, dim)
        org: dict[str, str | None] = dict(parent.as_dict())
        org[level] = None
        self.load(org, dim, None)
        units = [replace(parent, **{level: c}) for c in children]
        cells = [[self.raw(month, u, dim, v).counts() for v in values] for u in units]
        got = protect_table(cells, [self.raw(month, u).counts() for u in units],
                            [self.raw(month, parent, dim, v).counts() for v in values],
                            self.raw(month, parent).counts(), rate=self.rate,
                            row_decisions=[row_decs[c] for c in children], col_decisions=[col_decs[v] for v in values],
                            total_decision=self.decide(month, parent))
        out = {c: dict(zip(values, got.cells[i], strict=True)) for i, c in enumerate(children)}
        self._tables[ck] = out  # type: ignore[assignment]
        return out

    def decide(self, month: date, unit: Unit, fdim: str = "", fval: str = "") -> Decision:
        """The decision about the total of `unit` (filtered fdim=fval) in the month, the same in every report."""
        ck = (month, unit, fdim, fval)
        if ck in self._decided:
            return self._decided[ck]
        result: Decision
        if _agency_only(unit):
            org: dict[str, str | None] = dict(unit.as_dict())
            org["district"] = None
            found = self.load(org, "", "")  # the districts the agency serves (a filtered part may be empty)
            parts = sorted({c.district for c in found.values() if c.month == month})
            hidden = [d for d in (self.decide(month, replace(unit, district=x), fdim, fval) for x in parts)
                      if not d.published]
            result = PUBLISHED if not hidden else hidden[0] if len(parts) == 1 else LINKED
        elif fdim:
            base = self.decide(month, unit)
            if not base.published:
                result = LINKED
            else:
                result = self.table(month, unit, fdim).get(fval, PUBLISHED)
                if not result.published and result.reason == REASON_TABLE:
                    result = LINKED
        else:
            above = _parent(unit)
            if above is None:
                raw = self.raw(month, unit)
                result = primary(raw.counts(), rate=self.rate) if raw.present else PUBLISHED
            else:
                parent, level, code = above
                result = self.table(month, parent, level).get(code, PUBLISHED)
        self._decided[ck] = result
        return result

    def figure(self, month: date, unit: Unit, fdim: str = "", fval: str = "") -> Figure:
        """The unit's total as its own report publishes it (hidden in a table above: `LINKED`)."""
        decision = self.decide(month, unit, fdim, fval)
        if _hidden_by_parent(decision):
            decision = LINKED
        return _published(self.raw(month, unit, fdim, fval), decision, self.ind.unit)

    def drillable(self, month: date, unit: Unit, level: str) -> bool:
        """Whether the unit's breakdown by `level` would publish at least two rows (else it repeats the unit)."""
        decs = self.table(month, unit, level)
        shown = [k for k, d in decs.items() if d.published and self.row(month, unit, level, k).present]
        return len(shown) >= 2


def unit_trend(ind: Indicator, units: Sequence[Unit], months: Sequence[date], *, filter_dim: str = "",
               filter_value: str = "", linked: Linked | None = None) -> dict[Unit, list[Figure]]:
    """The total of each unit in each month as its own report publishes it (e.g. the districts' trends of the
    overview): the same decisions as `answer`, from one read per table – or from the cells and decisions
    `linked` already holds (the report these trends belong to, `linked_for`)."""
    if linked is None:
        linked = Linked(ind, months)
    assert linked.ind == ind and set(months) <= set(linked.months), "linked lacks months"
    return {u: [linked.figure(m, u, filter_dim, filter_value) for m in months] for u in units}



# --- the report ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RowSpec:
    key: str
    label: str
    district: str
    agency: str
    team: str
    dim: str
    dim_value: str
    bucket: int | None = None
    level: str = ""  # the org level of the row (for drill-down), '' for other rows


def _report_months(res: Resolved) -> tuple[list[date], date | None]:
    """The trend months of a report and its previous-year month (None before the data)."""
    prev_month = cube.add_months(res.month, -12)
    trend = [m for m in (cube.add_months(res.month, -i) for i in range(res.trend_months - 1, -1, -1))
             if m >= res.first_month]
    return trend, prev_month if prev_month >= res.first_month else None


def linked_for(res: Resolved) -> Linked:
    """The decisions and cell cache a report of `res` needs (its month, trend months and previous year); pass it
    to `answer` and `unit_trend` to share them (the overview: Land by district, then each district's trend)."""
    trend, prev = _report_months(res)
    return Linked(res.indicator, {*trend, res.month, *([prev] if prev else [])})


def answer(res: Resolved, *, drills: bool = True, linked: Linked | None = None) -> Report:
    """The report of a resolved request. `drills=False` leaves out the drill-down links (they read the next
    level's tables); `linked` from `linked_for(res)` lets the caller reuse the cells read here."""
    ind = res.indicator
    month, unit = res.month, res.unit
    fdim, fval = res.filter_dim, res.filter_value
    by = res.breakdown
    trend_months, prev = _report_months(res)
    prev_month = prev or cube.add_months(month, -12)
    has_prev = prev is not None
    notes: list[str] = []
    if linked is None:
        linked = linked_for(res)
    assert linked.ind == ind and {*trend_months, month} <= set(linked.months), "linked lacks months"

    # rows of the breakdown (org levels and dims: never with a filter, see resolve)
    table_by = by if by in (*ORG_DIMS, *DEMOGRAPHIC_DIMS, "bucket") else ""
    tf, tv = (fdim, fval) if by == "bucket" else ("", "")
    specs: list[RowSpec] = []
    if table_by:
        keys = linked.keys(month, unit, by, tf, tv)
        names = _org_names(by, keys) if by in ORG_DIMS else {k: value_label(by, k) for k in keys}
        for k in keys:
            u = replace(unit, **{by: k}) if by in ORG_DIMS else unit
            dim, value = (by, k) if by in DEMOGRAPHIC_DIMS else (fdim, fval)
            specs.append(RowSpec(k, names.get(k, k), u.district, u.agency, u.team, dim, value,
                                 int(k) if by == "bucket" else None, level=by if by in ORG_DIMS else ""))

    def figures_at(lk: Linked, m: date) -> tuple[list[Figure], Figure]:
        total = lk.figure(m, unit, fdim, fval)
        if not table_by:
            return [], total
        decs = lk.table(m, unit, by, tf, tv)
        figs = [_published(lk.row(m, unit, by, s.key, tf, tv), decs.get(s.key, PUBLISHED), lk.ind.unit)
                for s in specs]
        return figs, total

    row_figs, total_fig = figures_at(linked, month)
    if has_prev:
        prev_figs, prev_total = figures_at(linked, prev_month)
        prev_list: list[Figure | None] = list(prev_figs)
    else:
        prev_list, prev_total = [None] * len(specs), None
        notes.append("Für den Vorjahresmonat liegen keine Daten vor.")

    ytd_figs, ytd_total = _ytd(ind, month, specs, figures_at)
    targets = targets_in_force(ind, month.year)
    links = _drills(ind, res, linked, specs, row_figs) if drills else [None] * len(specs)

    rows = [Row(key=s.key, label=s.label, figure=f, previous_year=p, ytd=y,
                target=target_for(targets, s) if s.level else None, drill=d)
            for s, f, p, y, d in zip(specs, row_figs, prev_list, ytd_figs, links, strict=True)]
    unit_spec = RowSpec("", _unit_label(unit), unit.district, unit.agency, unit.team, fdim, fval)
    total = Row(key="", label=unit_spec.label, figure=total_fig, previous_year=prev_total, ytd=ytd_total,
                target=target_for(targets, unit_spec))

    trend = [Row(key=m.isoformat(), label=month_label(m), figure=linked.figure(m, unit, fdim, fval),
                 target=target_for(targets_in_force(ind, m.year) if m.year != month.year else targets, unit_spec))
             for m in trend_months]
    if by == "month":
        rows = trend
    suppressed = [r for r in [*rows, total] if r.figure.suppressed in ("primary", "secondary", "denominator")]
    if suppressed:
        reasons = sorted({r.figure.reason for r in suppressed if r.figure.reason})
        notes.append("„*“: aus Gründen der statistischen Geheimhaltung nicht ausgewiesen ("
                     + "; ".join(reasons) + ").")
    if any(r.figure.suppressed == "no_data" for r in [*rows, total]):
        notes.append("„–“: keine Daten für diese Auswahl.")
    if ind.kind == Kind.DURATION:
        notes.append("Dauer: Median in Tagen; Quartile nach der Rangmethode (nearest rank).")
    return Report(request=ReportRequest(indicator=ind.code, month=month, district=unit.district,
                                        agency=unit.agency, team=unit.team, filter_dim=fdim, filter_value=fval,
                                        breakdown=by, trend_months=res.trend_months),
                  indicator=ind, month=month, breakdown=by, rows=rows, total=total, trend=trend,
                  notes=notes, data_until=res.data_until)


def suppressed_count(report: Report) -> int:
    figures = [report.total.figure, *(r.figure for r in report.rows), *(r.figure for r in report.trend)]
    for r in [report.total, *report.rows]:
        figures += [f for f in (r.previous_year, r.ytd) if f is not None]
    return sum(1 for f in figures if f.suppressed in ("primary", "secondary", "denominator"))


def _ytd(ind: Indicator, month: date, specs: Sequence[RowSpec],
         figures_at: Callable[[Linked, date], tuple[list[Figure], Figure]]) -> tuple[
        list[Figure | None], Figure | None]:
    """Jahresfortschrittswert for K2-type rates: INT_YTD ÷ (STOCK_AVG_YTD ÷ months) × 100, months = the number
    of months January … M; decided like every other table (linked, top-down)."""
    if ind.numerator != Measure.INT12 or ind.denominator != Measure.STOCK_AVG12:
        return [None] * len(specs), None
    ytd = replace(ind, numerator=Measure.INT_YTD, denominator=Measure.STOCK_AVG_YTD,
                  denominator_divisor=month.month)
    figs, total = figures_at(Linked(ytd, [month]), month)
    return list(figs) if specs else [], total



def _org_names(level: str, codes: Sequence[str]) -> dict[str, str]:
    from stella.agencies.models import Agency, Region

    if level == "district":
        return dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    if level == "agency":
        return dict(Agency.objects.filter(code__in=codes).values_list("code", "name"))
    return {c: c for c in codes}


def _unit_label(unit: Unit) -> str:
    if unit.team:
        return f"Team {unit.team}" if not unit.team.lower().startswith("team") else unit.team
    if unit.agency:
        return _org_names("agency", [unit.agency]).get(unit.agency, unit.agency)
    if unit.district:
        return _org_names("district", [unit.district]).get(unit.district, unit.district)
    return "alle Pilotlandkreise"


def targets_in_force(ind: Indicator, year: int) -> dict[tuple[str, str, str], Decimal]:
    """The target in force per unit (the newest row per key wins)."""
    found: dict[tuple[str, str, str], Decimal] = {}
    for t in Target.objects.filter(indicator=ind.code, year=year).order_by("-set_at", "-id"):
        found.setdefault((t.district, t.agency, t.team), t.value)
    return found


def target_for(targets: dict[tuple[str, str, str], Decimal], s: RowSpec) -> Decimal | None:
    exact = targets.get((s.district, s.agency, s.team))
    if exact is not None or not s.agency:
        return exact
    return targets.get(("", s.agency, s.team))  # an agency's target holds in every district it serves


def _drills(ind: Indicator, res: Resolved, linked: Linked, specs: Sequence[RowSpec],
            figs: Sequence[Figure]) -> list[dict[str, str] | None]:
    """Drill-down parameters for org rows: None when the row is suppressed, at team level, or when the next
    level would publish fewer than two rows (it would only repeat the row)."""
    out: list[dict[str, str] | None] = [None] * len(specs)
    level = res.breakdown
    if level not in ORG_DIMS or not specs or res.filter_dim:
        return out
    for i, (s, fig) in enumerate(zip(specs, figs, strict=True)):
        row_unit = Unit(s.district, s.agency, s.team)
        nxt = _next_org_level(ind, row_unit)
        if fig.suppressed or not nxt or not linked.drillable(res.month, row_unit, nxt):
            continue
        out[i] = {"district": s.district, "agency": s.agency, "team": s.team, "breakdown": nxt,
                  "month": res.month.isoformat(), "indicator": ind.code}
    return out
