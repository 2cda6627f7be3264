"""Statistical confidentiality of published report figures: pure functions that decide which numbers of a
table must be suppressed ("*") – primary (fewer than 3 persons or 3 households), denominator (a rate on fewer
than 10) and secondary (so that no hidden value can be computed from the total and the other cells).

The rules follow the BA practice under § 16 BStatG (docs/reporting-confidentiality.md, ADR 0014). The attacker
this protects against knows every published number of the table, that the rows are a partition of the total
(values and denominators add up), that counts are non-negative, that a count is at least the number of persons
behind it, and the rules below (so a primary "*" is 1 or 2 persons' worth, a secondary "*" is 0 or ≥ 3). For
every hidden number the set of values consistent with all of that is computed exactly (as a union of
intervals); a table is safe when every hidden number keeps at least two possible values.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

MIN_PERSONS = 3
MIN_HOUSEHOLDS = 3
MIN_DENOMINATOR = 10

PUBLISH = ""
PRIMARY = "primary"
SECONDARY = "secondary"
DENOMINATOR = "denominator"

REASON_PERSONS = "weniger als 3 Personen"
REASON_HOUSEHOLDS = "weniger als 3 Haushalte"
REASON_DEN_PERSONS = "Bezugsgröße: weniger als 3 Personen"
REASON_DEN_HOUSEHOLDS = "Bezugsgröße: weniger als 3 Haushalte"
REASON_DENOMINATOR = "Bezugsgröße unter 10"
REASON_SECONDARY = "verdeckt, damit kein anderer Wert errechenbar ist"
REASON_TABLE = "Gesamtwert zu klein für eine Aufgliederung"


@dataclass(frozen=True)
class Counts:
    """The numbers behind one cell of a table. `value` is what is published (events, persons, person-months …;
    for a rate its numerator), `persons`/`households` the distinct carriers behind it (never published).
    A rate also carries its denominator (published beside the rate) and the carriers behind that.
    A duration (quartiles of a histogram) is passed with `Counts.duration`."""

    value: int
    persons: int
    households: int
    den_value: Decimal | None = None
    den_persons: int | None = None
    den_households: int | None = None

    def __post_init__(self) -> None:
        if self.value < 0 or self.persons < 0 or self.households < 0:
            raise ValueError("Zählwerte dürfen nicht negativ sein")
        if self.persons > self.value or self.households > self.persons:
            # a count is at least one per person and a person is in at most one household: the attacker model
            # (a hidden value is 0 or ≥ 3 unless primary) depends on it
            raise ValueError(f"unstimmige Zählwerte: Wert {self.value}, Personen {self.persons}, "
                             f"Haushalte {self.households}")
        if self.den_value is not None and self.den_value < 0:
            raise ValueError("Bezugsgröße darf nicht negativ sein")

    @classmethod
    def duration(cls, n: int, persons: int, households: int) -> Counts:
        """A duration row (median and quartiles of `n` durations): `n` is published as the number of cases and
        acts as the denominator, so a median of fewer than 10 cases is not shown ('denominator')."""
        return cls(n, persons, households, Decimal(n), persons, households)


@dataclass(frozen=True)
class Decision:
    suppressed: str  # '' (publish) | 'primary' | 'secondary' | 'denominator'
    reason: str  # German, shown beside the "*"

    @property
    def published(self) -> bool:
        return not self.suppressed


PUBLISHED = Decision(PUBLISH, "")


def primary(c: Counts, *, rate: bool) -> Decision:
    """The decision for one cell on its own (no secondary suppression). A value of 0 is shown (as BA shows
    "0"/"–"): it rests on no person, and hiding zeros would make every empty group look like a small one."""
    if c.value > 0 and c.persons < MIN_PERSONS:
        return Decision(PRIMARY, REASON_PERSONS)
    if c.value > 0 and c.households < MIN_HOUSEHOLDS:
        return Decision(PRIMARY, REASON_HOUSEHOLDS)
    if not rate:
        return PUBLISHED
    if c.den_value is None:
        raise ValueError("eine Quote braucht eine Bezugsgröße (den_value)")
    den_persons = c.den_persons if c.den_persons is not None else c.persons
    den_households = c.den_households if c.den_households is not None else c.households
    if c.den_value > 0 and den_persons < MIN_PERSONS:
        return Decision(PRIMARY, REASON_DEN_PERSONS)
    if c.den_value > 0 and den_households < MIN_HOUSEHOLDS:
        return Decision(PRIMARY, REASON_DEN_HOUSEHOLDS)
    if c.den_value == 0 and c.value == 0:
        return PUBLISHED  # an empty group: nothing to protect, the adapter shows "–" (no rate)
    if c.den_value < MIN_DENOMINATOR:
        return Decision(DENOMINATOR, REASON_DENOMINATOR)
    return PUBLISHED


# --- sets of values as unions of closed intervals on a lattice ---------------------------------------------

INF = math.inf
Num = Fraction | float  # float only for ±inf
Intervals = list[tuple[Num, Num]]


def _norm(iv: Iterable[tuple[Num, Num]], unit: Fraction) -> Intervals:
    """Sorted, merged (touching lattice intervals join), empty ones dropped."""
    out: Intervals = []
    for lo, hi in sorted(x for x in iv if x[0] <= x[1]):
        if out and lo <= out[-1][1] + unit:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _add(a: Intervals, b: Intervals, unit: Fraction) -> Intervals:
    return _norm(((x0 + y0, x1 + y1) for x0, x1 in a for y0, y1 in b), unit)


def _neg(a: Intervals) -> Intervals:
    return [(-hi, -lo) for lo, hi in reversed(a)]


def _shift(a: Intervals, k: Fraction) -> Intervals:
    return [(lo + k, hi + k) for lo, hi in a]


def _meet(a: Intervals, b: Intervals, unit: Fraction) -> Intervals:
    return _norm(((max(x0, y0), min(x1, y1)) for x0, x1 in a for y0, y1 in b), unit)


def _determined(s: Intervals, unit: Fraction) -> bool:
    """True when the set holds fewer than two lattice values (the attacker knows the number)."""
    return not s or s[-1][1] - s[0][0] < unit


def _frac(d: Decimal) -> Fraction:
    """A denominator as an exact fraction: averages come as rounded Decimals (e.g. 7 ÷ 12), so snap to the
    nearest fraction with a small denominator (divisors are month counts, ≤ 12)."""
    return Fraction(d).limit_denominator(1000)


# --- the attacker's knowledge ------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Table:
    rows: Sequence[Counts]
    total: Counts | None
    rate: bool
    #: the cells the attacker's general knowledge (lattice, persons count, share) is judged on: the whole
    #: cross-table when this is one line of it
    scope: Sequence[Counts] | None = None

    @property
    def cells(self) -> list[Counts]:
        return [*self.rows, *([self.total] if self.total is not None else [])]

    @property
    def _scope(self) -> Sequence[Counts]:
        return self.scope if self.scope is not None else self.cells

    @property
    def den_unit(self) -> Fraction:
        """The lattice of the denominators: 1 for counts, 1/12 for an average over 12 months (person-months
        ÷ 12) – two denominators one lattice step apart are two different numbers of person-months."""
        unit = 1
        for c in self._scope:
            if c.den_value is not None:
                unit = math.lcm(unit, _frac(c.den_value).denominator)
        return Fraction(1, unit)

    @property
    def persons_count(self) -> bool:
        """The table counts persons (value = persons everywhere): a primary cell is then 1 or 2."""
        return all(c.value == c.persons for c in self._scope)

    @property
    def share(self) -> bool:
        """A share (numerator ⊆ denominator everywhere): a hidden numerator is at most its denominator."""
        return self.rate and all(c.den_value is not None and c.value <= c.den_value for c in self._scope)


def known_values(d: Decision, t: _Table) -> Intervals:
    """What the attacker knows about a hidden cell's value from its decision and the rules."""
    if d.reason == REASON_TABLE:  # any row of a withheld breakdown, zeros included
        return [(Fraction(0), INF)]
    if d.reason == REASON_PERSONS:
        return [(Fraction(1), Fraction(2) if t.persons_count else INF)]
    if d.reason == REASON_HOUSEHOLDS:  # ≥ 3 persons, fewer households
        return [(Fraction(MIN_PERSONS), INF)]
    top: Num = INF
    if d.suppressed == DENOMINATOR and t.share:
        top = Fraction(MIN_DENOMINATOR) - 1  # value ≤ denominator < 10
    # not primary on the numerator: either nothing, or at least 3 persons and so at least 3
    return _norm([(Fraction(0), Fraction(0)), (Fraction(MIN_PERSONS), top)], Fraction(1))


def known_dens(d: Decision, t: _Table) -> Intervals:
    """What the attacker knows about a hidden cell's denominator."""
    u = t.den_unit
    if d.suppressed == DENOMINATOR:
        return [(Fraction(0), Fraction(MIN_DENOMINATOR) - u)]
    if d.reason in (REASON_DEN_PERSONS, REASON_DEN_HOUSEHOLDS):
        return [(u, INF)]
    return [(Fraction(0), INF)]


def feasible(t: _Table, decisions: Sequence[Decision], dim: str) -> dict[int, Intervals]:
    """For every hidden cell (index into t.cells; the total is the last when given) the set of values of `dim`
    ('value' or 'den') consistent with every published number and the attacker's knowledge."""
    cells = t.cells
    unit = Fraction(1) if dim == "value" else t.den_unit

    def num(c: Counts) -> Fraction:
        if dim == "value":
            return Fraction(c.value)
        assert c.den_value is not None
        return _frac(c.den_value)

    know = known_values if dim == "value" else known_dens
    hidden = [i for i, d in enumerate(decisions) if not d.published]
    sets = {i: know(decisions[i], t) for i in hidden}
    if t.total is None:
        return sets
    n_rows = len(t.rows)
    coef = [1] * n_rows + [-1]  # Σ rows − total = 0
    known = sum((coef[i] * num(cells[i]) for i in range(len(cells)) if decisions[i].published), Fraction(0))
    out: dict[int, Intervals] = {}
    for i in hidden:
        rest: Intervals = [(Fraction(0), Fraction(0))]
        for j in hidden:
            if j != i:
                rest = _add(rest, sets[j] if coef[j] > 0 else _neg(sets[j]), unit)
        # coef_i · x_i = −known − rest
        own = _shift(_neg(rest), -known)
        if coef[i] < 0:
            own = _neg(own)
        out[i] = _meet(own, sets[i], unit)
    return out


def disclosed(t: _Table, decisions: Sequence[Decision]) -> list[int]:
    """Indices of hidden cells whose value (or denominator) the attacker can pin down."""
    bad: set[int] = set()
    dims = ("value", "den") if t.rate else ("value",)
    for dim in dims:
        unit = Fraction(1) if dim == "value" else t.den_unit
        for i, s in feasible(t, decisions, dim).items():
            if _determined(s, unit):
                bad.add(i)
    return sorted(bad)


# --- the public decisions ----------------------------------------------------------------------------------

SECONDARY_DECISION = Decision(SECONDARY, REASON_SECONDARY)
TABLE_DECISION = Decision(SECONDARY, REASON_TABLE)


def protect(rows: Sequence[Counts], total: Counts | None, *, rate: bool,
            total_decision: Decision | None = None) -> list[Decision]:
    """Decisions for each row, then (if total is given) for the total, as the last element.

    With a total the rows must be a partition of it (values add up, and so do the denominators of a rate).
    Secondary suppression hides further rows – the smallest non-zero one that makes every hidden number
    ambiguous, else the smallest – and the total only when no row is left. A total that is itself suppressed
    (primary or denominator) is not broken down at all: every row, zeros included, is hidden with
    `REASON_TABLE` – otherwise the pattern of "*" and "0" would tell which rows hold the 1 or 2 persons.

    `total_decision` fixes the total's decision when it was taken in a table above (drill-down, top-down
    protection of linked tables): it is kept as it is, and if the rows alone cannot be protected beside a
    published total, the breakdown is withheld."""
    t = _Table(list(rows), total, rate)
    decisions = [primary(c, rate=rate) for c in t.cells]
    if total is not None and total_decision is not None:
        decisions[-1] = total_decision
    return _protect_line(t, decisions, total_fixed=total_decision is not None)


def _protect_line(t: _Table, decisions: list[Decision], *, total_fixed: bool = False) -> list[Decision]:
    """Secondary suppression of one table (rows + optional total) starting from `decisions` (primary ones,
    and in a cross-table those other lines already made); returns the new decisions."""
    cells = t.cells
    decisions = list(decisions)
    n_rows = len(t.rows)
    if t.total is not None and not decisions[-1].published and (
            decisions[-1].suppressed in (PRIMARY, DENOMINATOR) or decisions[-1].reason == REASON_TABLE):
        return [TABLE_DECISION] * n_rows + [decisions[-1]]

    def size(i: int) -> tuple[bool, int, Decimal]:
        c = cells[i]
        return (c.value == 0 and not c.den_value, c.value, c.den_value or Decimal(0))

    while disclosed(t, decisions):
        candidates = sorted((i for i in range(n_rows) if decisions[i].published), key=size)
        if not candidates:
            if t.total is not None and decisions[-1].published and not total_fixed:
                decisions[-1] = SECONDARY_DECISION
                continue
            # everything hidden and the pattern still tells: withhold the breakdown as a whole (safe: every
            # row may then be anything from 0 to the total, and the total keeps at least two possible values)
            return [TABLE_DECISION] * n_rows + decisions[n_rows:]
        chosen = candidates[0]
        for i in candidates:  # the smallest that alone protects every hidden cell
            trial = list(decisions)
            trial[i] = SECONDARY_DECISION
            if not disclosed(t, trial):
                chosen = i
                break
        decisions[chosen] = SECONDARY_DECISION
    return decisions


@dataclass(frozen=True)
class TableDecisions:
    """The decisions for a cross-table: `cells[r][c]`, the row totals, the column totals and the grand total."""

    cells: list[list[Decision]]
    row_totals: list[Decision]
    col_totals: list[Decision]
    total: Decision


def protect_table(cells: Sequence[Sequence[Counts]], row_totals: Sequence[Counts], col_totals: Sequence[Counts],
                  total: Counts, *, rate: bool, row_decisions: Sequence[Decision] | None = None,
                  col_decisions: Sequence[Decision] | None = None,
                  total_decision: Decision | None = None) -> TableDecisions:
    """Decisions for a cross-table with both margins, e.g. districts × sex: rows are org units, columns the
    values of a demographic breakdown, `row_totals[r]` the unit without breakdown, `col_totals[c]` the value
    over all units, `total` the whole. Every row and every column must be a partition of its total.

    Reports that show different slices of it (the column „Frauen“ by district, the row „LB“ by sex, the
    margins) must all take their decisions from here, so that no slice publishes what another hides. Every
    line (row, column, each margin) is protected like `protect` and the lines are repeated until none
    changes; a cell hidden by one line is hidden in all.

    Margins protected before (top-down: `row_decisions = protect(row_totals, total, …)` and the same for the
    columns, `total_decision` from the level above) are passed in and kept: then only inner cells are hidden,
    and a line that cannot be protected beside its published margin is withheld as a whole."""
    n_r, n_c = len(row_totals), len(col_totals)
    if len(cells) != n_r or any(len(row) != n_c for row in cells):
        raise ValueError("Kreuztabelle: Zeilen und Spalten passen nicht zu den Randsummen")
    flat: list[Counts] = [c for row in cells for c in row] + list(row_totals) + list(col_totals) + [total]
    R0, C0, G = n_r * n_c, n_r * n_c + n_r, n_r * n_c + n_r + n_c  # noqa: N806 – offsets of the margins
    lines: list[tuple[list[int], int]] = [([r * n_c + c for c in range(n_c)], R0 + r) for r in range(n_r)]
    lines += [([r * n_c + c for r in range(n_r)], C0 + c) for c in range(n_c)]
    lines += [(list(range(R0, R0 + n_r)), G), (list(range(C0, C0 + n_c)), G)]
    decisions = [primary(c, rate=rate) for c in flat]
    fixed: set[int] = set()
    for given_, start in ((row_decisions, R0), (col_decisions, C0), ([total_decision], G)):
        if given_ is not None and all(d is not None for d in given_):
            for k, d in enumerate(given_):
                assert d is not None
                decisions[start + k] = d
                fixed.add(start + k)
    def by_lines() -> None:
        changed = True
        while changed:
            changed = False
            for idx, tot in lines:
                if tot == G and all(i in fixed for i in idx):
                    continue  # a margin protected before
                before = [decisions[i] for i in [*idx, tot]]
                if len(idx) == 1:  # the only cell of a line is its total: one number, one decision
                    hidden = sorted((d for d in before if not d.published), key=lambda d: d.reason != REASON_TABLE)
                    one = before[1] if tot in fixed else (hidden[0] if hidden else before[1])
                    after = [one, one]
                else:
                    line = _Table([flat[i] for i in idx], flat[tot], rate, scope=flat)
                    after = _protect_line(line, before, total_fixed=tot in fixed)
                for i, d in zip([*idx, tot], after, strict=True):
                    # only ever hide more (published → hidden → withheld): the lines cannot undo each other
                    if i not in fixed and _rank(d) > _rank(decisions[i]):
                        decisions[i] = d
                        changed = True

    scope = _Table(flat, None, rate)
    while True:
        by_lines()
        # line by line is not enough in two dimensions: check all lines at once, hide a neighbour of a pinned
        # cell (smallest first) and repeat
        pinned = _pinned(flat, decisions, lines, scope)
        if not pinned:
            break
        neighbours = sorted({j for idx, tot in lines if pinned[0] in (*idx, tot) for j in (*idx, tot)
                             if decisions[j].published and j not in fixed},
                            key=lambda j: (flat[j].value == 0, flat[j].value, flat[j].den_value or 0))
        if not neighbours:
            for i in range(len(flat)):
                if i not in fixed and not decisions[i].published:
                    decisions[i] = TABLE_DECISION
            break
        decisions[neighbours[0]] = SECONDARY_DECISION
    return TableDecisions([decisions[r * n_c:(r + 1) * n_c] for r in range(n_r)], decisions[R0:C0],
                          decisions[C0:G], decisions[G])


def _rank(d: Decision) -> int:
    return 0 if d.published else 2 if d.reason == REASON_TABLE else 1


def _pinned(flat: Sequence[Counts], decisions: Sequence[Decision], lines: Sequence[tuple[list[int], int]],
            t: _Table) -> list[int]:
    """Sensitive hidden cells (below a limit themselves) of a cross-table whose value (or denominator) an
    attacker who uses every line at once can pin to a single value other than 0 (exact, CP-SAT over the
    integers)."""
    from ortools.sat.python import cp_model

    out: list[int] = []
    hidden = [i for i, d in enumerate(decisions) if not d.published]
    if not hidden:
        return out
    for dim in ("value", "den") if t.rate else ("value",):
        unit = Fraction(1) if dim == "value" else t.den_unit
        scale = unit.denominator
        nums = [int((Fraction(c.value) if dim == "value" else _frac(c.den_value or Decimal(0))) * scale)
                for c in flat]
        cap = 2 * sum(nums) + 10 * scale
        know = known_values if dim == "value" else known_dens
        model = cp_model.CpModel()
        xs = []
        for i, d in enumerate(decisions):
            if d.published:
                xs.append(model.new_constant(nums[i]))
                continue
            ivs = [[math.ceil(lo * scale), min(cap, math.floor(hi * scale)) if hi != INF else cap]
                   for lo, hi in know(d, t)]
            xs.append(model.new_int_var_from_domain(cp_model.Domain.from_intervals(ivs), f"x{i}"))
        for idx, tot in lines:
            model.add(sum(xs[i] for i in idx) == xs[tot])
        for i in hidden:
            if nums[i] == 0 or i in out or primary(flat[i], rate=t.rate).published:
                continue  # an empty or a publishable cell: pinning it tells nothing about 1 or 2 persons
            trial = model.clone()
            trial.add(trial.get_int_var_from_proto_index(xs[i].index) != nums[i])
            solver = cp_model.CpSolver()
            solver.parameters.num_workers = 1
            solver.parameters.max_time_in_seconds = 5.0
            if solver.solve(trial) == cp_model.INFEASIBLE:
                out.append(i)
    return out


def drillable(children: Sequence[Counts], parent: Counts | None = None, *, rate: bool = False) -> bool:
    """Would the next drill-down level publish something new? False when all children, or all but one, would
    be suppressed (a single child is the parent again). `parent` defaults to the sum of the children (with
    their persons and households summed: an upper bound, so the check errs on the side of suppression)."""
    if len(children) < 2:
        return False
    if parent is None:
        parent = _sum(children, rate=rate)
    decisions = protect(children, parent, rate=rate)[:-1]
    return sum(d.published for d in decisions) >= 2


def _sum(cells: Sequence[Counts], *, rate: bool) -> Counts:
    den = sum((c.den_value or Decimal(0) for c in cells), Decimal(0)) if rate else None
    return Counts(sum(c.value for c in cells), sum(c.persons for c in cells), sum(c.households for c in cells),
                  den, sum(c.persons if c.den_persons is None else c.den_persons for c in cells) if rate else None,
                  sum(c.households if c.den_households is None else c.den_households for c in cells)
                  if rate else None)
