"""The min-cost-flow allocation against two independent solvers: brute force on tiny instances, SciPy's
HiGHS LP on larger ones (the transportation LP is totally unimodular, so its optimum is the integer one)."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from stella.matching import flow
from stella.matching.flow import AllocationError, Quota


def make_instance(seed: int, persons: int, offers: int, density: float, *, penalties: bool = False,
                  quotas: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    cap = rng.integers(0, max(2, persons // max(offers, 1)) + 2, offers)
    mask = rng.random((persons, offers)) < density
    pp, po = np.nonzero(mask)
    score = rng.integers(-5, 30, len(pp))
    penalty = rng.integers(0, 15, persons) if penalties else None
    qs = []
    for o in rng.choice(offers, size=min(quotas, offers), replace=False) if quotas else []:
        members = frozenset(int(p) for p in np.nonzero(rng.random(persons) < 0.5)[0])
        qs.append(Quota(int(o), members, int(rng.integers(0, 3))))
    return {"n_persons": persons, "capacity": cap, "pair_person": pp, "pair_offer": po, "pair_score": score,
            "unassigned_cost": penalty, "quotas": qs}


def brute_force(inst: dict) -> int:
    n, cap = inst["n_persons"], inst["capacity"]
    penalty = inst["unassigned_cost"] if inst["unassigned_cost"] is not None else np.zeros(n, dtype=int)
    options: list[list[tuple[int, int] | None]] = [[None] for _ in range(n)]
    for p, o, s in zip(inst["pair_person"], inst["pair_offer"], inst["pair_score"], strict=True):
        options[int(p)].append((int(o), int(s)))
    best = None
    for choice in itertools.product(*options):
        used = np.zeros(len(cap), dtype=int)
        value = 0
        for p, c in enumerate(choice):
            if c is None:
                value -= int(penalty[p])
            else:
                used[c[0]] += 1
                value += c[1]
        if (used > cap).any():
            continue
        if any(sum(1 for p in q.members if choice[p] is not None and choice[p][0] == q.offer) > q.max_seats
               for q in inst["quotas"]):
            continue
        best = value if best is None else max(best, value)
    assert best is not None
    return best


def lp_optimum(inst: dict) -> float:
    """max Σ (s + c_p) x − Σ c_p  s.t. each person ≤ 1, each offer ≤ capacity, each quota ≤ its seats."""
    n, cap = inst["n_persons"], inst["capacity"]
    pp, po, ps = (np.asarray(inst[k]) for k in ("pair_person", "pair_offer", "pair_score"))
    penalty = np.asarray(inst["unassigned_cost"]) if inst["unassigned_cost"] is not None else np.zeros(n)
    k = len(pp)
    if k == 0:
        return -float(penalty.sum())
    rows = [pp, n + po]
    cols = [np.arange(k), np.arange(k)]
    bounds = [np.ones(n), cap.astype(float)]
    for j, q in enumerate(inst["quotas"]):
        sel = np.nonzero((po == q.offer) & np.isin(pp, list(q.members)))[0]
        rows.append(np.full(len(sel), n + len(cap) + j))
        cols.append(sel)
        bounds.append(np.array([q.max_seats], dtype=float))
    a = sp.csr_matrix((np.ones(sum(len(r) for r in rows)), (np.concatenate(rows), np.concatenate(cols))),
                      shape=(n + len(cap) + len(inst["quotas"]), k))
    res = linprog(-(ps + penalty[pp]).astype(float), A_ub=a, b_ub=np.concatenate(bounds), bounds=(0, 1),
                  method="highs")
    assert res.status == 0, res.message
    return -res.fun - float(penalty.sum())


def check_feasible(inst: dict, sol: flow.Solution) -> None:
    feasible = {(int(p), int(o)): int(s) for p, o, s in
                zip(inst["pair_person"], inst["pair_offer"], inst["pair_score"], strict=True)}
    total = 0
    for p, o in enumerate(sol.offer_of.tolist()):
        if o >= 0:
            assert (p, o) in feasible, "only feasible pairs are assigned"
            total += feasible[(p, o)]
    assert total == sol.total_score
    used = np.bincount(sol.offer_of[sol.offer_of >= 0], minlength=len(inst["capacity"]))
    assert (used <= inst["capacity"]).all(), "capacity never exceeded"
    assert (used == sol.seats_used).all()
    for q in inst["quotas"]:
        assert sum(1 for p in q.members if sol.offer_of[p] == q.offer) <= q.max_seats


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), persons=st.integers(0, 6), offers=st.integers(1, 3),
       density=st.floats(0.2, 1.0), penalties=st.booleans(), quotas=st.integers(0, 2))
def test_tiny_instances_match_brute_force(seed, persons, offers, density, penalties, quotas):
    inst = make_instance(seed, persons, offers, density, penalties=penalties, quotas=quotas)
    sol = flow.solve(**inst)
    check_feasible(inst, sol)
    assert sol.objective == brute_force(inst)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), persons=st.integers(5, 300), offers=st.integers(1, 25),
       density=st.floats(0.02, 0.5), penalties=st.booleans(), quotas=st.integers(0, 4))
def test_medium_instances_match_highs_lp(seed, persons, offers, density, penalties, quotas):
    inst = make_instance(seed, persons, offers, density, penalties=penalties, quotas=quotas)
    sol = flow.solve(**inst)
    check_feasible(inst, sol)
    assert sol.objective == pytest.approx(lp_optimum(inst), abs=1e-6)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), shuffle_seed=st.integers(0, 2**32 - 1), ties=st.booleans())
def test_same_input_in_any_order_gives_the_same_assignment(seed, shuffle_seed, ties):
    rng = np.random.default_rng(seed)
    persons, offers = 40, 6
    pairs = [(f"P{p}", 100 + o, 7 if ties else int(rng.integers(0, 10)))
             for p in range(persons) for o in range(offers) if rng.random() < 0.5]
    caps = {100 + o: int(rng.integers(0, 6)) for o in range(offers)}
    first = flow.allocate(pairs, caps)
    shuffled = pairs[:]
    random.Random(shuffle_seed).shuffle(shuffled)
    caps_shuffled = dict(random.Random(shuffle_seed).sample(sorted(caps.items()), len(caps)))
    again = flow.allocate(shuffled, caps_shuffled)
    assert again.assignment == first.assignment
    assert list(again.assignment) == list(first.assignment)  # canonical person order as well
    assert again.total_score == first.total_score


def test_example_by_hand():
    # Person 1 would like a (5) but 2 fits b much better than a: optimum 1→a, 2→b, 3 left out (9 > 5+1+3).
    result = flow.allocate([(1, "a", 5), (2, "a", 3), (2, "b", 4), (3, "b", 1)], {"a": 1, "b": 1})
    assert result.assignment == {1: "a", 2: "b"}
    assert (result.total_score, result.assigned, result.persons, result.seats) == (9, 2, 3, 2)
    assert result.seats_used == {"a": 1, "b": 1}


def test_unassigned_cost_makes_the_solver_seat_someone():
    pairs = [(1, "a", 5), (2, "a", 3), (2, "b", 4), (3, "b", 1)]
    free = flow.allocate(pairs, {"a": 1, "b": 1})
    assert 3 not in free.assignment
    costly = flow.allocate(pairs, {"a": 1, "b": 1}, unassigned_cost={3: 10})
    assert costly.assignment == {1: "a", 3: "b"}
    assert (costly.total_score, costly.unassigned_cost, costly.objective) == (6, 0, 6)


def test_negative_scores_stay_unassigned_unless_leaving_out_costs_more():
    assert flow.allocate([(1, "a", -3)], {"a": 1}).assignment == {}
    assert flow.allocate([(1, "a", -3)], {"a": 1}, unassigned_cost={1: 4}).assignment == {1: "a"}


def test_persons_without_pairs_are_counted_but_unassigned():
    result = flow.allocate([(1, "a", 2)], {"a": 3}, persons=[1, 2, 3])
    assert result.assignment == {1: "a"}
    assert result.persons == 3


def test_quota_caps_a_group_and_reservation_keeps_seats():
    pairs = [(p, "a", 10 - p) for p in range(1, 6)]
    # At most 1 seat for persons 1 and 2 (the best two).
    capped = flow.allocate(pairs, {"a": 3}, quotas=[Quota("a", frozenset({1, 2}), 1)])
    assert capped.assignment == {1: "a", 3: "a", 4: "a"}
    # Reserve 2 of 3 seats for persons 4 and 5: everybody else gets at most 1.
    reserved = flow.allocate(pairs, {"a": 3}, quotas=[flow.reservation("a", {4, 5}, 2, 3, range(1, 6))])
    assert reserved.assignment == {1: "a", 4: "a", 5: "a"}
    # Reserved seats the group does not take stay free.
    alone = flow.allocate(pairs[:3], {"a": 3}, quotas=[flow.reservation("a", {9}, 2, 3, range(1, 4))])
    assert alone.assignment == {1: "a"}


def test_ids_sort_numerically_then_as_text():
    result = flow.allocate([("10", "x", 1), ("9", "x", 1), ("b", "x", 1), ("a", "x", 1)], {"x": 4})
    assert list(result.assignment) == ["9", "10", "a", "b"]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"capacity": [-1]}, "negativ"),
    ({"pair_person": [0, 0], "pair_offer": [0, 0], "pair_score": [1, 2]}, "doppelt"),
    ({"pair_offer": [3]}, "unbekanntes Angebot"),
    ({"pair_person": [7]}, "unbekannte Person"),
    ({"pair_score": [flow.MAX_ABS_SCORE + 1]}, "Punktzahlen"),
    ({"pair_score": [1.5]}, "ganze Zahlen"),
    ({"pair_score": [1, 2]}, "unterschiedlich lang"),
    ({"unassigned_cost": [-1]}, "Nichtzuteilung"),
    ({"unassigned_cost": [1, 2]}, "Kostenangabe"),
    ({"quotas": [Quota(0, frozenset({0}), 1), Quota(0, frozenset({0}), 1)]}, "verschiedene Personen"),
    ({"quotas": [Quota(5, frozenset({0}), 1)]}, "unbekanntes Angebot"),
    ({"quotas": [Quota(0, frozenset({4}), 1)]}, "unbekannte Person"),
    ({"quotas": [Quota(0, frozenset({0}), -1)]}, "negativ"),
])
def test_malformed_problems_are_refused(kwargs, message):
    base = {"n_persons": 1, "capacity": [1], "pair_person": [0], "pair_offer": [0], "pair_score": [1]}
    with pytest.raises(AllocationError, match=message):
        flow.solve(**{**base, **kwargs})


def test_allocate_refuses_unknown_offers_duplicates_and_non_integer_scores():
    with pytest.raises(AllocationError, match="ohne Kapazität"):
        flow.allocate([(1, "z", 1)], {"a": 1})
    with pytest.raises(AllocationError, match="doppelt"):
        flow.allocate([(1, "a", 1), (1, "a", 2)], {"a": 1})
    with pytest.raises(AllocationError, match="keine ganze Zahl"):
        flow.allocate([(1, "a", 1.0)], {"a": 1})  # type: ignore[list-item]
    with pytest.raises(AllocationError, match="keine ganze Zahl"):
        flow.allocate([(1, "a", True)], {"a": 1})


def test_solver_failure_is_reported(monkeypatch):
    bad = flow.min_cost_flow.SimpleMinCostFlow.Status.BAD_COST_RANGE

    class Broken:
        OPTIMAL = object()

        def add_arcs_with_capacity_and_unit_cost(self, *args):
            pass

        def set_nodes_supplies(self, *args):
            pass

        def solve(self):
            return bad

    monkeypatch.setattr(flow.min_cost_flow, "SimpleMinCostFlow", Broken)
    with pytest.raises(AllocationError, match="BAD_COST_RANGE"):
        flow.solve(1, [1], [0], [0], [1])


def test_empty_problem():
    sol = flow.solve(0, [], [], [], [])
    assert (sol.assigned, sol.total_score, sol.objective) == (0, 0, 0)
