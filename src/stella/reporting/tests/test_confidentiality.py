"""Statistical confidentiality: hand examples, and the proof the issue asks for – an independent attacker who
knows every published number of a table, the partition (rows add up to the total, values and denominators) and
the rules, enumerates all consistent non-negative integer tables and still cannot pin down any hidden number."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stella.reporting import confidentiality as conf
from stella.reporting.confidentiality import Counts, Decision, drillable, protect

P, S, D, PUB = conf.PRIMARY, conf.SECONDARY, conf.DENOMINATOR, conf.PUBLISH


def kinds(ds: list[Decision]) -> list[str]:
    return [d.suppressed for d in ds]


def people(n: int) -> Counts:
    """A count of n persons in n households."""
    return Counts(n, n, n)


def rate(num: int, den: int, persons: int | None = None) -> Counts:
    p = num if persons is None else persons
    return Counts(num, p, p, Decimal(den), den, den)


def total_of(rows: list[Counts], *, is_rate: bool = False) -> Counts:
    return Counts(sum(r.value for r in rows), sum(r.persons for r in rows), sum(r.households for r in rows),
                  sum((r.den_value or Decimal(0) for r in rows), Decimal(0)) if is_rate else None,
                  sum(r.den_persons or 0 for r in rows) if is_rate else None,
                  sum(r.den_households or 0 for r in rows) if is_rate else None)


# --- hand examples -----------------------------------------------------------------------------------------

def test_one_small_cell_beside_a_total_hides_two_cells() -> None:
    rows = [people(2), people(10), people(20)]
    ds = protect(rows, total_of(rows), rate=False)
    assert kinds(ds) == [P, S, PUB, PUB]  # the smallest other row protects the 2
    assert ds[0].reason == "weniger als 3 Personen"
    assert ds[1].reason == "verdeckt, damit kein anderer Wert errechenbar ist"


def test_secondary_prefers_the_smallest_row_that_protects() -> None:
    rows = [people(30), people(1), people(0), people(7), people(12)]
    ds = protect(rows, total_of(rows), rate=False)
    # the zero row would not do (1 + 0 leaves the 1 determined); 7 is the smallest non-zero row
    assert kinds(ds) == [PUB, P, PUB, S, PUB, PUB]


def test_all_small_rows_leave_only_the_total() -> None:
    rows = [people(1), people(2), people(2), people(1)]
    ds = protect(rows, total_of(rows), rate=False)
    assert kinds(ds) == [P, P, P, P, PUB]  # total 6: each hidden row may be 1 or 2


def test_all_small_rows_whose_sum_pins_them_hide_the_total_too() -> None:
    rows = [people(1), people(1), people(1)]  # total 3 of three primaries: each must be 1
    assert kinds(protect(rows, total_of(rows), rate=False)) == [P, P, P, S]
    rows = [people(2), people(2)]  # 4 persons in two cells of 1–2 persons: both must be 2
    assert kinds(protect(rows, total_of(rows), rate=False)) == [P, P, S]


def test_one_woman_and_one_man_are_not_told_by_the_pattern() -> None:
    # "*" for both sexes and "*" for the total would mean 1 + 1 (zeros are shown as 0)
    ds = protect([people(1), people(1), people(0)], people(2), rate=False)
    assert kinds(ds) == [S, S, S, P]


def test_a_single_row_is_the_total() -> None:
    assert kinds(protect([people(2)], people(2), rate=False)) == [S, P]
    assert kinds(protect([people(5)], people(5), rate=False)) == [PUB, PUB]


def test_zero_rows_are_shown_and_protect_nothing() -> None:
    rows = [people(0), people(0), people(0)]
    assert kinds(protect(rows, total_of(rows), rate=False)) == [PUB, PUB, PUB, PUB]
    rows = [people(2), people(0), people(0)]  # a total of 2 is not broken down, zeros included
    ds = protect(rows, people(2), rate=False)
    assert kinds(ds) == [S, S, S, P]
    assert {d.reason for d in ds[:-1]} == {"Gesamtwert zu klein für eine Aufgliederung"}
    assert kinds(protect([], people(0), rate=False)) == [PUB]
    assert protect([], None, rate=False) == []


def test_households_rule_three_persons_of_one_household() -> None:
    rows = [Counts(3, 3, 1), people(10), people(12)]
    ds = protect(rows, total_of(rows), rate=False)
    assert kinds(ds) == [P, S, PUB, PUB]
    assert ds[0].reason == "weniger als 3 Haushalte"


def test_without_total_only_primary() -> None:
    assert kinds(protect([people(1), people(40)], None, rate=False)) == [P, PUB]


def test_events_of_few_persons_are_primary() -> None:
    # 7 integrations of 2 persons: the value is large, the persons are few
    rows = [Counts(7, 2, 2), people(20), people(25)]
    assert kinds(protect(rows, total_of(rows), rate=False))[:2] == [P, S]


def test_rate_with_small_denominator_hides_rate_and_numerator() -> None:
    rows = [rate(5, 50), rate(4, 8), rate(6, 40)]
    ds = protect(rows, total_of(rows, is_rate=True), rate=True)
    assert kinds(ds) == [S, D, PUB, PUB]
    assert ds[1].reason == "Bezugsgröße unter 10"


def test_rate_whose_denominator_rests_on_two_persons_is_primary() -> None:
    c = Counts(0, 0, 0, Decimal(24), 2, 2)  # 24 person-months of 2 persons
    assert protect([c], None, rate=True)[0] == Decision(P, "Bezugsgröße: weniger als 3 Personen")


def test_an_empty_group_rate_is_published_as_not_computable() -> None:
    assert kinds(protect([Counts(0, 0, 0, Decimal(0), 0, 0)], None, rate=True)) == [PUB]


def test_rate_without_denominator_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        protect([people(3)], None, rate=True)


@pytest.mark.parametrize("args", [(-1, 0, 0), (2, 3, 3), (5, 3, 4)])
def test_inconsistent_counts_are_refused(args: tuple[int, int, int]) -> None:
    with pytest.raises(ValueError):
        Counts(*args)


def test_duration_median_needs_ten_cases() -> None:
    rows = [Counts.duration(9, 9, 7), Counts.duration(40, 40, 30), Counts.duration(2, 2, 2)]
    ds = protect(rows, None, rate=True)
    assert kinds(ds) == [D, PUB, P]


def test_average_caseload_denominator_may_be_fractional() -> None:
    rows = [Counts(3, 3, 3, Decimal("9.5"), 5, 5), Counts(4, 4, 4, Decimal("30.25"), 9, 9),
            Counts(6, 6, 6, Decimal("41"), 9, 9)]
    ds = protect(rows, total_of(rows, is_rate=True), rate=True)
    assert kinds(ds) == [D, S, PUB, PUB]
    # as the cube passes them: person-months ÷ 12, rounded by Decimal
    rows = [Counts(3, 3, 3, Decimal(119) / 12, 5, 5), Counts(4, 4, 4, Decimal(363) / 12, 9, 9),
            Counts(6, 6, 6, Decimal(492) / 12, 9, 9)]
    total = Counts(13, 13, 13, Decimal(974) / 12, 20, 20)
    assert kinds(protect(rows, total, rate=True)) == [D, S, PUB, PUB]


def test_drillable() -> None:
    assert drillable([people(10), people(20), people(30)])
    assert not drillable([people(1), people(2), people(1)])  # everything hidden
    assert not drillable([people(1), people(40)])  # one small child hides the other one too
    assert not drillable([people(50)])  # one child is the parent again
    assert drillable([people(1), people(40), people(8), people(9)])  # 1 and 8 hidden, two shown
    assert not drillable([rate(1, 5), rate(2, 4)], rate=True)


# --- the attacker ------------------------------------------------------------------------------------------

@dataclass
class Table:
    rows: list[Counts]
    total: Counts | None
    rate: bool


def _counts(value: int, persons: int, households: int, den: int | None, den_p: int, den_h: int) -> Counts:
    if den is None:
        return Counts(value, persons, households)
    return Counts(value, persons, households, Decimal(den), den_p, den_h)


@st.composite
def counts(draw: st.DrawFn, *, is_rate: bool, share: bool, persons_only: bool) -> Counts:
    value = draw(st.integers(0, 30))
    persons = value if persons_only else draw(st.integers(0, value))
    if value and not persons:
        persons = 1
    households = draw(st.integers(1 if persons else 0, persons)) if persons else 0
    if not is_rate:
        return _counts(value, persons, households, None, 0, 0)
    den = draw(st.integers(value if share else 0, 60))
    den_p = draw(st.integers(min(den, 1), min(den, 40)))
    den_h = draw(st.integers(min(den_p, 1), den_p)) if den_p else 0
    return _counts(value, persons, households, den, den_p, den_h)


@st.composite
def tables(draw: st.DrawFn) -> Table:
    is_rate = draw(st.booleans())
    share = is_rate and draw(st.booleans())
    persons_only = not is_rate and draw(st.booleans())
    # small values are where suppression happens: bias towards them
    rows = draw(st.lists(counts(is_rate=is_rate, share=share, persons_only=persons_only), min_size=1, max_size=8))
    if draw(st.integers(0, 4)) == 0:  # mostly with a total: that is where differencing attacks live
        return Table(rows, None, is_rate)
    # the total's persons and households are distinct counts: at most the sum, at least the largest row
    value = sum(r.value for r in rows)
    persons = draw(st.integers(max(r.persons for r in rows), sum(r.persons for r in rows)))
    households = draw(st.integers(max(r.households for r in rows),
                                  min(persons, sum(r.households for r in rows))))
    if is_rate:
        den = sum(int(r.den_value or 0) for r in rows)
        den_p = draw(st.integers(max(r.den_persons or 0 for r in rows), sum(r.den_persons or 0 for r in rows)))
        den_h = draw(st.integers(max(r.den_households or 0 for r in rows),
                                 min(den_p, sum(r.den_households or 0 for r in rows))))
        total = _counts(value, persons, households, den, den_p, den_h)
    else:
        total = _counts(value, persons, households, None, 0, 0)
    return Table(rows, total, is_rate)


def bits(values: range | list[int]) -> int:
    m = 0
    for v in values:
        m |= 1 << v
    return m


def attacker_domains(t: Table, ds: list[Decision], dim: str, cap: int) -> list[int]:
    """The attacker's knowledge of each cell as a bitset of possible values (written independently of the
    module: from the published numbers, the published reasons and the documented rules)."""
    cells = [*t.rows, *([t.total] if t.total else [])]
    persons_only = all(c.value == c.persons for c in cells)
    share = t.rate and all(c.value <= (c.den_value or 0) for c in cells)
    out = []
    for c, d in zip(cells, ds, strict=True):
        exact = c.value if dim == "value" else int(c.den_value or 0)
        if d.published:
            out.append(1 << exact)
        elif d.reason == conf.REASON_TABLE:  # a row of a withheld breakdown: anything
            out.append(bits(range(0, cap + 1)))
        elif dim == "value":
            if d.reason == "weniger als 3 Personen":
                out.append(bits([1, 2]) if persons_only else bits(range(1, cap + 1)))
            elif d.reason == "weniger als 3 Haushalte":
                out.append(bits(range(3, cap + 1)))
            else:  # not small on persons: nothing or at least 3 persons' worth
                top = 9 if share and d.suppressed == D else cap
                out.append(bits([0, *range(3, top + 1)]))
        elif d.suppressed == D:
            out.append(bits(range(0, 10)))
        elif d.reason.startswith("Bezugsgröße: weniger als 3"):
            out.append(bits(range(1, cap + 1)))
        else:
            out.append(bits(range(0, cap + 1)))
    return out


def attack(t: Table, ds: list[Decision], dim: str) -> dict[int, list[int]]:
    """For every hidden cell, every value it can have in a table consistent with everything published:
    subset sums as bitsets, exact over the integers 0 … cap."""
    cells = [*t.rows, *([t.total] if t.total else [])]
    cap = 3 * sum(c.value if dim == "value" else int(c.den_value or 0) for c in cells) + 40
    dom = attacker_domains(t, ds, dim, cap)
    hidden = [i for i, d in enumerate(ds) if not d.published]
    if t.total is None:
        return {i: [v for v in range(cap + 1) if dom[i] >> v & 1] for i in hidden}
    n = len(t.rows)
    out: dict[int, list[int]] = {}
    for i in hidden:
        # reachable sums of the other rows (bitset), then the total's constraint Σ rows = total
        others = 1
        for j in range(n):
            if j == i:
                continue
            acc = 0
            for v in range(cap + 1):
                if dom[j] >> v & 1:
                    acc |= others << v
            others = acc
        possible = []
        for v in range(cap + 1):
            if not dom[i] >> v & 1:
                continue
            # the total: some row sum equals it; a row: some total minus v is a reachable sum of the other rows
            if others >> v & 1 if i == n else (others << v) & dom[n]:
                possible.append(v)
        out[i] = possible
    return out


def check(t: Table) -> list[Decision]:
    ds = protect(t.rows, t.total, rate=t.rate)
    cells = [*t.rows, *([t.total] if t.total else [])]
    assert len(ds) == len(cells)
    for c, d in zip(cells, ds, strict=True):
        if d.published:  # no published cell below the limits
            assert c.value == 0 or (c.persons >= 3 and c.households >= 3)
            if t.rate:
                assert c.den_value is not None
                assert c.den_value == 0 or ((c.den_persons or 0) >= 3 and (c.den_households or 0) >= 3)
                assert c.den_value >= 10 or (c.den_value == 0 and c.value == 0)
        elif d.suppressed in (P, D):  # primary decisions are right, not just safe
            assert conf.primary(c, rate=t.rate) == d
    for dim in ("value", "den") if t.rate else ("value",):
        for i, possible in attack(t, ds, dim).items():
            truth = cells[i].value if dim == "value" else int(cells[i].den_value or 0)
            assert truth in possible, (dim, i, possible)  # the attacker's knowledge is true knowledge
            assert len(possible) >= 2, f"{dim} of cell {i} is disclosed: {possible} ({ds})"
    return ds


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_no_hidden_number_can_be_pinned_down(t: Table) -> None:
    check(t)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=1, max_size=8))
def test_person_counts_with_many_small_cells(values: list[int]) -> None:
    rows = [people(v) for v in values]
    ds = check(Table(rows, total_of(rows), False))
    hidden_rows = [d for d in ds[:-1] if not d.published]
    assert len(hidden_rows) != 1 or not ds[-1].published  # never a lone "*" beside a published total


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=2, max_size=8))
def test_drillable_means_two_published_children(values: list[int]) -> None:
    rows = [people(v) for v in values]
    published = sum(d.published for d in protect(rows, total_of(rows), rate=False)[:-1])
    assert drillable(rows) == (published >= 2)


def test_the_attacker_finds_what_a_naive_suppression_leaves_open() -> None:
    """The attacker is not toothless: a lone primary "*" beside its total, and a pattern that pins a share."""
    rows = [people(2), people(10), people(20)]
    t = Table(rows, total_of(rows), False)
    assert attack(t, [Decision(P, conf.REASON_PERSONS), *[conf.PUBLISHED] * 3], "value") == {0: [2]}
    # two hidden persons-counts of 1–2 that must add up to 4
    rows = [people(2), people(2), people(10)]
    t = Table(rows, total_of(rows), False)
    found = attack(t, [Decision(P, conf.REASON_PERSONS)] * 2 + [conf.PUBLISHED] * 2, "value")
    assert found == {0: [2], 1: [2]}
    # a share: numerator 3 of a hidden denominator: the total pins the numerator even though the rate is hidden
    rows = [rate(3, 5), rate(7, 40), rate(0, 0)]
    t = Table(rows, total_of(rows, is_rate=True), True)
    ds = [Decision(D, conf.REASON_DENOMINATOR), conf.PUBLISHED, conf.PUBLISHED, conf.PUBLISHED]
    assert attack(t, ds, "value") == {0: [3]}
    assert joint_attack(t, ds) == {0: {(3, 5)}}


def joint_attack(t: Table, ds: list[Decision]) -> dict[int, set[tuple[int, int]]]:
    """A share (numerator ⊆ denominator): the attacker also knows numerator ≤ denominator in every cell, which
    couples the two sums. Exhaustive over (numerator, denominator) pairs with 2-D subset sums (counted by
    FFT convolution; counts are whole numbers, so > 0.5 means reachable)."""
    import numpy as np
    from scipy.signal import fftconvolve

    cells = [*t.rows, *([t.total] if t.total else [])]
    cap_v = sum(c.value for c in cells) + 3
    cap_d = sum(int(c.den_value or 0) for c in cells) + 3
    dv = attacker_domains(t, ds, "value", cap_v)
    dd = attacker_domains(t, ds, "den", cap_d)
    upper = np.triu(np.ones((cap_v + 1, cap_d + 1), dtype=np.int64))  # numerator ≤ denominator
    masks = []
    for i in range(len(cells)):
        vs = np.array([dv[i] >> v & 1 for v in range(cap_v + 1)], dtype=np.int64)
        dens = np.array([dd[i] >> d & 1 for d in range(cap_d + 1)], dtype=np.int64)
        masks.append(np.outer(vs, dens) * upper)
    hidden = [i for i, d in enumerate(ds) if not d.published]
    n = len(t.rows)
    out: dict[int, set[tuple[int, int]]] = {}
    for i in hidden:
        others = np.ones((1, 1), dtype=np.int64)
        for j in range(n):
            if j != i:
                others = (fftconvolve(others, masks[j]) > 0.5).astype(np.int64)
        if i == n:
            ok = others[: cap_v + 1, : cap_d + 1]
            pad = np.zeros((cap_v + 1, cap_d + 1), dtype=np.int64)
            pad[: ok.shape[0], : ok.shape[1]] = ok
            out[i] = {(int(v), int(d)) for v, d in zip(*np.nonzero(pad * masks[i]), strict=True)}
        else:  # v = total − Σ other rows: the set of differences, offset by the shape of `others`
            h, w = others.shape
            diff = fftconvolve(masks[n], others[::-1, ::-1]) > 0.5
            possible = set()
            for v, d in zip(*np.nonzero(masks[i]), strict=True):
                if v + h - 1 < diff.shape[0] and d + w - 1 < diff.shape[1] and diff[v + h - 1, d + w - 1]:
                    possible.add((int(v), int(d)))
            out[i] = possible
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 12)), min_size=1, max_size=4), st.data())
def test_shares_coupled_numerator_and_denominator(pairs: list[tuple[int, int]], data: st.DataObject) -> None:
    rows = []
    for v, d in pairs:
        d = max(d, v)
        p = data.draw(st.integers(min(v, 1), v))
        dp = data.draw(st.integers(min(d, 1), d))
        rows.append(Counts(v, p, p, Decimal(d), dp, dp))
    t = Table(rows, total_of(rows, is_rate=True), True)
    ds = check(t)
    for i, possible in joint_attack(t, ds).items():
        assert len({v for v, _ in possible}) >= 2 and len({d for _, d in possible}) >= 2, (i, possible, ds)


# --- cross-tables (a filter and a breakdown: org units × demographic values, both margins) -------------------

def test_cross_table_hides_consistently_across_its_slices() -> None:
    # districts × sex; LB has 2 women: the LB row and the women column both need a second "*", and the cell
    # chosen for one line is hidden in the other too
    cells = [[people(2), people(10)], [people(8), people(12)], [people(9), people(15)]]
    rows = [total_of(r) for r in cells]
    cols = [total_of([r[c] for r in cells]) for c in range(2)]
    td = conf.protect_table(cells, rows, cols, total_of(rows), rate=False)
    assert kinds(td.cells[0]) == [P, S]
    assert [td.cells[r][0].suppressed for r in range(3)] == [P, S, PUB]
    assert td.cells[1][1].suppressed == S  # the rectangle closes: LB/f, LB/m, RT/f, RT/m
    assert td.total.published and all(d.published for d in td.row_totals + td.col_totals)


def test_cross_table_rejects_a_ragged_table() -> None:
    with pytest.raises(ValueError):
        conf.protect_table([[people(3)], [people(3), people(4)]], [people(3), people(7)], [people(6)], people(10),
                           rate=False)


def lines_of(n_r: int, n_c: int) -> list[tuple[list[int], int]]:
    r0, c0, g = n_r * n_c, n_r * n_c + n_r, n_r * n_c + n_r + n_c
    lines = [([r * n_c + c for c in range(n_c)], r0 + r) for r in range(n_r)]
    lines += [([r * n_c + c for r in range(n_r)], c0 + c) for c in range(n_c)]
    return lines + [(list(range(r0, r0 + n_r)), g), (list(range(c0, c0 + n_c)), g)]


def cp_attack(flat: list[Counts], ds: list[Decision], lines: list[tuple[list[int], int]], *, is_rate: bool,
              dim: str) -> dict[int, list[int]]:
    """The cross-table attacker: every line's sum at once (not line by line), solved exactly with CP-SAT over
    the integers; for each hidden cell, is a second value possible?"""
    from ortools.sat.python import cp_model

    num = [c.value if dim == "value" else int(c.den_value or 0) for c in flat]
    cap = 3 * sum(num) + 40
    dom = attacker_domains(Table(flat, None, is_rate), ds, dim, cap)
    model = cp_model.CpModel()
    xs = []
    for i in range(len(flat)):
        values = [v for v in range(cap + 1) if dom[i] >> v & 1]
        assert num[i] in values  # the attacker's knowledge is true
        xs.append(model.new_int_var_from_domain(cp_model.Domain.from_values(values), f"x{i}"))
    for idx, tot in lines:
        model.add(sum(xs[i] for i in idx) == xs[tot])
    out = {}
    for i, d in enumerate(ds):
        if d.published:
            continue
        trial = model.clone()
        trial.add(trial.get_int_var_from_proto_index(xs[i].index) != num[i])
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        status = solver.solve(trial)
        assert status in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.INFEASIBLE)
        out[i] = [num[i]] + ([solver.value(trial.get_int_var_from_proto_index(xs[i].index))]
                             if status != cp_model.INFEASIBLE else [])
    return out


def test_the_cross_table_attacker_combines_lines() -> None:
    # 2 women in LB hidden with the LB men: safe in the LB row, but the women column gives the 2 away
    cells = [[people(2), people(10)], [people(8), people(12)]]
    rows = [total_of(r) for r in cells]
    cols = [total_of([r[c] for r in cells]) for c in range(2)]
    flat = [c for r in cells for c in r] + rows + cols + [total_of(rows)]
    ds = [Decision(P, conf.REASON_PERSONS), conf.SECONDARY_DECISION] + [conf.PUBLISHED] * 7
    found = cp_attack(flat, ds, lines_of(2, 2), is_rate=False, dim="value")
    assert found == {0: [2], 1: [10]}


@st.composite
def cross_tables(draw: st.DrawFn) -> tuple[list[list[Counts]], list[Counts], list[Counts], Counts, bool]:
    n_r, n_c = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    is_rate = draw(st.booleans())
    persons_only = not is_rate and draw(st.booleans())
    cells = [[draw(counts(is_rate=is_rate, share=False, persons_only=persons_only)) for _ in range(n_c)]
             for _ in range(n_r)]

    def margin(line: list[Counts], also: list[Counts] | None = None) -> Counts:
        """The sum of a line; its distinct persons at least those of any part (also of the other margin's
        parts, for the grand total), at most their sum. A line of one cell is that cell."""
        if len(line) == 1:
            return line[0]
        parts = line + (also or [])
        p = draw(st.integers(max(c.persons for c in parts), max(max(c.persons for c in parts),
                                                                  sum(c.persons for c in line))))
        h = draw(st.integers(max(c.households for c in parts),
                             max(max(c.households for c in parts), min(p, sum(c.households for c in line)))))
        if not is_rate:
            return Counts(sum(c.value for c in line), p, h)
        dps = [c.den_persons or 0 for c in parts]
        dhs = [c.den_households or 0 for c in parts]
        dp = draw(st.integers(max(dps), max(max(dps), sum(c.den_persons or 0 for c in line))))
        dh = draw(st.integers(max(dhs), max(max(dhs), min(dp, sum(c.den_households or 0 for c in line)))))
        return Counts(sum(c.value for c in line), p, h, sum((c.den_value or Decimal(0) for c in line), Decimal(0)),
                      dp, dh)

    rows = [margin(r) for r in cells]
    cols = [margin([r[c] for r in cells]) for c in range(n_c)]
    # the grand total: distinct persons at least those of any margin, at most what both margins allow
    grand = rows[0] if n_r == 1 else cols[0] if n_c == 1 else margin(rows, cols)
    return cells, rows, cols, grand, is_rate


def assert_cross_table_safe(cells: list[list[Counts]], rows: list[Counts], cols: list[Counts], grand: Counts,
                            is_rate: bool, td: conf.TableDecisions) -> None:
    """Every published cell meets the primary rule, and combining all lines of the cross-table tells no hidden
    cell below a limit – it may tell that a hidden cell is empty (0 rests on no person) or pin a cell that is
    above every limit itself."""
    flat = [c for r in cells for c in r] + rows + cols + [grand]
    ds = [d for r in td.cells for d in r] + td.row_totals + td.col_totals + [td.total]
    for c, d in zip(flat, ds, strict=True):
        if d.published:
            assert c.value == 0 or (c.persons >= 3 and c.households >= 3)
            if is_rate:
                assert c.den_value is not None
                assert c.den_value >= 10 or (c.den_value == 0 and c.value == 0)
    lines = lines_of(len(rows), len(cols))
    for dim in ("value", "den") if is_rate else ("value",):
        for i, possible in cp_attack(flat, ds, lines, is_rate=is_rate, dim=dim).items():
            sensitive = not conf.primary(flat[i], rate=is_rate).published
            assert len(possible) >= 2 or possible == [0] or not sensitive, f"{dim} of cell {i} is disclosed ({ds})"


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cross_tables())
def test_cross_table_no_hidden_number_can_be_pinned_down(
        table: tuple[list[list[Counts]], list[Counts], list[Counts], Counts, bool]) -> None:
    cells, rows, cols, grand, is_rate = table
    td = conf.protect_table(cells, rows, cols, grand, rate=is_rate)
    assert_cross_table_safe(cells, rows, cols, grand, is_rate, td)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cross_tables())
def test_cross_table_top_down_with_fixed_margins(
        table: tuple[list[list[Counts]], list[Counts], list[Counts], Counts, bool]) -> None:
    """How linked reports are protected: the grand total first, then its two breakdowns (`protect` with the
    total's decision fixed), then the inner cells with both margins fixed."""
    cells, rows, cols, grand, is_rate = table
    top = conf.primary(grand, rate=is_rate)
    by_row = protect(rows, grand, rate=is_rate, total_decision=top)
    by_col = protect(cols, grand, rate=is_rate, total_decision=top)
    assert by_row[-1] == top and by_col[-1] == top
    td = conf.protect_table(cells, rows, cols, grand, rate=is_rate, row_decisions=by_row[:-1],
                            col_decisions=by_col[:-1], total_decision=top)
    assert td.row_totals == by_row[:-1] and td.col_totals == by_col[:-1] and td.total == top
    assert_cross_table_safe(cells, rows, cols, grand, is_rate, td)
