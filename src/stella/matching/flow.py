"""Optimal allocation of persons to offer seats as a min-cost flow (OR-Tools), over plain arrays, no Django.

The network (docs/allocation.md has a picture):

    person p ──(cap 1, cost −score(p,o))──► offer o ──(cap capacity(o), cost 0)──► sink
    person p ──(cap 1, cost unassigned_cost(p))──────────────────────────────────► sink   (bypass)

Every person node supplies one unit and the sink absorbs them all, so each person either takes exactly
one offer or the bypass. A minimum-cost flow therefore maximises

    objective = Σ score of the assigned pairs − Σ unassigned_cost of the persons left without an offer

subject to: each person at most one offer, no offer above its capacity (and no quota above its limit).
The constraint matrix is a network matrix, so the integral flow OR-Tools returns with status OPTIMAL is a
proven optimum of the integer problem (and equals the optimum of its LP relaxation; the tests and the
benchmark check it against SciPy's HiGHS LP).

Quotas: a `Quota(offer, members, max_seats)` caps how many of an offer's seats go to the given persons
(e.g. "at most half the seats for persons from outside the course's municipality"). It becomes one node
between those persons and the offer, with capacity `max_seats`. A *reservation* ("keep 5 seats for
group G") is the same thing for the complement: at most `capacity − 5` seats for everybody else
(`reservation()` builds it); reserved seats not taken by G stay free. The quotas of one offer must have
disjoint member sets (each person reaches an offer through at most one quota node), which keeps the
network a network: still a proven optimum.

Determinism: pairs are brought into one canonical order (by person, then offer; ids by `id_sort_key`)
before the graph is built, and OR-Tools is deterministic on the same graph, so the same input gives the
same assignment whatever the order of the input rows – also when several assignments are equally good.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

#: Scores (and unassigned costs) beyond this would let sums overflow the solver's 64-bit cost range
#: at the sizes we support (OR-Tools scales costs by the node count internally).
MAX_ABS_SCORE = 1_000_000_000

IntArray = npt.NDArray[np.int64]


class AllocationError(ValueError):
    """The problem is malformed, or the solver did not prove an optimum. The message is German."""


@dataclass(frozen=True)
class Quota:
    """At most `max_seats` seats of `offer` for the persons in `members` (ids, or indices in `solve`)."""

    offer: Any
    members: frozenset[Any]
    max_seats: int
    label: str = ""


def reservation(offer: Any, group: Iterable[Any], seats: int, capacity: int, candidates: Iterable[Any],
                label: str = "") -> Quota:
    """Keep `seats` of the offer's `capacity` for `group`: everybody else (of `candidates`) gets at most
    `capacity − seats`. Seats the group does not take stay free – that is what a reservation means."""
    if seats < 0:
        raise AllocationError("Reservierte Plätze dürfen nicht negativ sein.")
    members = frozenset(candidates) - frozenset(group)
    return Quota(offer, members, max(capacity - seats, 0), label or f"reserviert: {seats}")


def id_sort_key(value: Hashable) -> tuple[int, int, str]:
    """Canonical order of ids: integers (and digit strings) numerically, other strings after them."""
    if isinstance(value, bool):
        raise AllocationError(f"Ungültige Kennung: {value!r}")
    if isinstance(value, int | np.integer):
        return (0, int(value), str(value))
    text = str(value)
    if text.isascii() and text.isdigit():
        return (0, int(text), text)
    return (1, 0, text)


def _plain_numbers(ids: Sequence[Hashable]) -> IntArray | None:
    """The ids as numbers if each is a non-negative integer (or its digits without a leading zero), so that
    numeric order is `id_sort_key` order; None otherwise."""
    if all(type(x) is int for x in ids):
        values = np.fromiter(ids, dtype=object, count=len(ids))
    elif all(isinstance(x, str) and x.isascii() and x.isdigit() and (x == "0" or x[0] != "0") and len(x) < 19
             for x in ids):
        values = np.fromiter(map(int, ids), dtype=object, count=len(ids))  # type: ignore[arg-type]
    else:
        return None
    try:
        numbers = values.astype(np.int64)
    except OverflowError:
        return None
    return numbers if not len(numbers) or numbers.min() >= 0 else None


def canonical(ids: Sequence[Hashable]) -> tuple[list[Hashable], IntArray]:
    """Sorted ids and, for each given id (by position), its rank in that order. Ids must be distinct."""
    numbers = _plain_numbers(ids)
    if numbers is not None:  # the common case, a hundred times faster than sorting with a key function
        order = np.argsort(numbers, kind="stable")
    else:
        order = np.asarray(sorted(range(len(ids)), key=lambda i: id_sort_key(ids[i])), dtype=np.int64)
    rank = np.empty(len(ids), dtype=np.int64)
    rank[order] = np.arange(len(ids), dtype=np.int64)
    return [ids[i] for i in order.tolist()], rank


@dataclass
class Solution:
    """The result over indices: `offer_of[p]` is the offer index of person p, or −1 (unassigned)."""

    offer_of: npt.NDArray[np.int64]
    total_score: int  # Σ score of the assigned pairs
    unassigned_cost: int  # Σ cost of the persons left without an offer
    seats_used: npt.NDArray[np.int64]

    @property
    def objective(self) -> int:
        """What was maximised: total score minus the cost of leaving persons unassigned."""
        return self.total_score - self.unassigned_cost

    @property
    def assigned(self) -> int:
        return int((self.offer_of >= 0).sum())


def _as_int_array(values: Any, name: str) -> IntArray:
    arr = np.asarray(values)
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
        raise AllocationError(f"{name}: ganze Zahlen erwartet.")
    return arr.astype(np.int64, copy=False)


def solve(n_persons: int, capacity: Any, pair_person: Any, pair_offer: Any, pair_score: Any, *,
          unassigned_cost: Any = None, quotas: Sequence[Quota] = ()) -> Solution:
    """Maximise Σ score − Σ unassigned cost over dense indices (persons 0…n−1, offers 0…len(capacity)−1).

    `pair_*` are parallel arrays, one entry per feasible pair (no duplicates); `unassigned_cost` is one
    non-negative integer per person (default 0: staying unassigned costs nothing); quotas use indices.
    Raises AllocationError for malformed input or when the solver reports anything but OPTIMAL.
    """
    cap = _as_int_array(capacity, "Kapazitäten")
    person = _as_int_array(pair_person, "Personen der Paare")
    offer = _as_int_array(pair_offer, "Angebote der Paare")
    score = _as_int_array(pair_score, "Punktzahlen")
    n_offers = len(cap)
    if not (len(person) == len(offer) == len(score)):
        raise AllocationError("Die Paar-Spalten sind unterschiedlich lang.")
    if n_persons < 0:
        raise AllocationError("Die Zahl der Personen darf nicht negativ sein.")
    if (cap < 0).any():
        raise AllocationError("Kapazitäten dürfen nicht negativ sein.")
    if len(person) and (person.min() < 0 or person.max() >= n_persons):
        raise AllocationError("Ein Paar verweist auf eine unbekannte Person.")
    if len(offer) and (offer.min() < 0 or offer.max() >= n_offers):
        raise AllocationError("Ein Paar verweist auf ein unbekanntes Angebot.")
    if len(score) and np.abs(score).max() > MAX_ABS_SCORE:
        raise AllocationError(f"Punktzahlen müssen zwischen −{MAX_ABS_SCORE} und {MAX_ABS_SCORE} liegen.")
    penalty = np.zeros(n_persons, dtype=np.int64) if unassigned_cost is None else _as_int_array(
        unassigned_cost, "Kosten der Nichtzuteilung")
    if len(penalty) != n_persons:
        raise AllocationError("Für jede Person genau eine Kostenangabe der Nichtzuteilung erwartet.")
    if n_persons and (penalty.min() < 0 or penalty.max() > MAX_ABS_SCORE):
        raise AllocationError(f"Kosten der Nichtzuteilung müssen zwischen 0 und {MAX_ABS_SCORE} liegen.")

    # Canonical order: the graph (and so the solver's result) does not depend on the input's row order.
    # One int64 key per pair sorts 5× faster than lexsort; keys are distinct once duplicates are refused,
    # so the (unstable) sort is still one well-defined order.
    order = np.argsort(pair_key(person, offer, n_offers))
    person, offer, score = person[order], offer[order], score[order]
    if len(person) > 1:
        dup = np.nonzero((person[1:] == person[:-1]) & (offer[1:] == offer[:-1]))[0]
        if len(dup):
            raise AllocationError(f"Das Paar (Person {int(person[dup[0]])}, Angebot {int(offer[dup[0]])}) "
                                  "kommt doppelt vor.")

    # Nodes: persons [0, P), offers [P, P+O), quota nodes [P+O, P+O+Q), sink.
    head = offer + n_persons
    quota_offer, quota_cap = _route_quotas(quotas, person, offer, head, n_persons, n_offers)
    n_quota = len(quota_cap)
    sink = n_persons + n_offers + n_quota
    persons_idx = np.arange(n_persons, dtype=np.int64)
    offers_idx = np.arange(n_offers, dtype=np.int64)
    tails = np.concatenate([person, persons_idx, n_persons + n_offers + np.arange(n_quota, dtype=np.int64),
                            offers_idx + n_persons])
    heads = np.concatenate([head, np.full(n_persons, sink, dtype=np.int64), quota_offer + n_persons,
                            np.full(n_offers, sink, dtype=np.int64)])
    caps = np.concatenate([np.ones(len(person) + n_persons, dtype=np.int64), quota_cap, cap])
    costs = np.concatenate([-score, penalty, np.zeros(n_quota + n_offers, dtype=np.int64)])

    smcf = min_cost_flow.SimpleMinCostFlow()
    if len(tails):
        smcf.add_arcs_with_capacity_and_unit_cost(tails.astype(np.int32), heads.astype(np.int32), caps, costs)
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[:n_persons] = 1
    supplies[sink] = -n_persons
    smcf.set_nodes_supplies(np.arange(sink + 1, dtype=np.int32), supplies)
    status = smcf.solve()
    if status != smcf.OPTIMAL:
        raise AllocationError(f"Der Löser hat kein bewiesenes Optimum gefunden (Status {status.name}).")

    flows = np.asarray(smcf.flows(np.arange(len(person), dtype=np.int32)), dtype=np.int64) if len(person) \
        else np.zeros(0, dtype=np.int64)
    chosen = np.nonzero(flows > 0)[0]
    offer_of = np.full(n_persons, -1, dtype=np.int64)
    offer_of[person[chosen]] = offer[chosen]
    seats_used = np.bincount(offer[chosen], minlength=n_offers).astype(np.int64)
    # Cheap proof that the flow is what the network promises (it always is; a violation is a solver bug).
    if len(np.unique(person[chosen])) != len(chosen) or (seats_used > cap).any():
        raise AllocationError("Der Löser hat ein ungültiges Ergebnis geliefert.")
    total = int(score[chosen].sum())
    left = int(penalty[offer_of < 0].sum())
    if total - left != -int(smcf.optimal_cost()):
        raise AllocationError("Der Löser hat ein widersprüchliches Ergebnis geliefert.")
    return Solution(offer_of=offer_of, total_score=total, unassigned_cost=left, seats_used=seats_used)


def pair_key(person: IntArray, offer: IntArray, n_offers: int) -> IntArray:
    """person × offers + offer: one sortable int64 per pair, ordered by person, then offer."""
    return person * max(n_offers, 1) + offer


def has_duplicates(person: IntArray, offer: IntArray, n_offers: int) -> bool:
    keys = np.sort(pair_key(person, offer, n_offers))
    return bool(len(keys) > 1 and (keys[1:] == keys[:-1]).any())


def _route_quotas(quotas: Sequence[Quota], person: IntArray, offer: IntArray, head: IntArray, n_persons: int,
                  n_offers: int) -> tuple[IntArray, IntArray]:
    """Redirect the pair arcs of each quota's members to the quota's node (in place, on `head`)."""
    quota_offer: list[int] = []
    quota_cap: list[int] = []
    routed = np.zeros(len(person), dtype=bool)
    for q, quota in enumerate(quotas):
        o = int(quota.offer)
        if not 0 <= o < n_offers:
            raise AllocationError("Eine Quote verweist auf ein unbekanntes Angebot.")
        if quota.max_seats < 0:
            raise AllocationError("Die Plätze einer Quote dürfen nicht negativ sein.")
        members = np.fromiter((int(m) for m in quota.members), dtype=np.int64, count=len(quota.members))
        if len(members) and (members.min() < 0 or members.max() >= n_persons):
            raise AllocationError("Eine Quote verweist auf eine unbekannte Person.")
        mask = (offer == o) & np.isin(person, members)
        if (mask & routed).any():
            raise AllocationError("Die Quoten eines Angebots müssen sich auf verschiedene Personen beziehen.")
        routed |= mask
        head[mask] = n_persons + n_offers + q
        quota_offer.append(o)
        quota_cap.append(int(quota.max_seats))
    return np.asarray(quota_offer, dtype=np.int64), np.asarray(quota_cap, dtype=np.int64)


@dataclass
class Allocation:
    """The result over ids: `assignment` maps each assigned person to its offer (persons in canonical order)."""

    assignment: dict[Any, Any]
    total_score: int
    unassigned_cost: int
    persons: int
    seats: int
    seats_used: dict[Any, int] = field(default_factory=dict)

    @property
    def objective(self) -> int:
        return self.total_score - self.unassigned_cost

    @property
    def assigned(self) -> int:
        return len(self.assignment)


def allocate(pairs: Iterable[tuple[Any, Any, int]], capacities: Mapping[Any, int], *,
             persons: Iterable[Any] = (), unassigned_cost: Mapping[Any, int] | None = None,
             quotas: Iterable[Quota] = ()) -> Allocation:
    """`solve` over ids: pairs (person id, offer id, integer score), capacity per offer id. `persons` adds
    candidates without any pair (they stay unassigned); `unassigned_cost` defaults to 0 per person."""
    rows = list(pairs)
    person_ids = list(dict.fromkeys([*persons, *(r[0] for r in rows), *(unassigned_cost or {})]))
    offer_ids = list(capacities)
    unknown = {r[1] for r in rows} - set(offer_ids)
    if unknown:
        raise AllocationError(f"Paare verweisen auf Angebote ohne Kapazität: {sorted(map(str, unknown))[:5]}")
    sorted_persons, person_rank = canonical(person_ids)
    sorted_offers, offer_rank = canonical(offer_ids)
    p_index = dict(zip(person_ids, person_rank.tolist(), strict=True))
    o_index = dict(zip(offer_ids, offer_rank.tolist(), strict=True))
    seen: set[tuple[Any, Any]] = set()
    for r in rows:
        if isinstance(r[2], bool) or not isinstance(r[2], int | np.integer):
            raise AllocationError(f"Punktzahl {r[2]!r} ist keine ganze Zahl.")
        if (r[0], r[1]) in seen:
            raise AllocationError(f"Das Paar (Person {r[0]}, Angebot {r[1]}) kommt doppelt vor.")
        seen.add((r[0], r[1]))
    cap = np.array([capacities[o] for o in sorted_offers], dtype=np.int64)
    costs = None
    if unassigned_cost:
        costs = np.array([unassigned_cost.get(p, 0) for p in sorted_persons], dtype=np.int64)
    index_quotas = [Quota(o_index.get(q.offer, -1),
                          frozenset(p_index[m] for m in q.members if m in p_index), q.max_seats, q.label)
                    for q in quotas]
    solution = solve(len(sorted_persons), cap,
                     np.array([p_index[r[0]] for r in rows], dtype=np.int64),
                     np.array([o_index[r[1]] for r in rows], dtype=np.int64),
                     np.array([int(r[2]) for r in rows], dtype=np.int64),
                     unassigned_cost=costs, quotas=index_quotas)
    assignment = {sorted_persons[p]: sorted_offers[o] for p, o in enumerate(solution.offer_of.tolist()) if o >= 0}
    return Allocation(assignment=assignment, total_score=solution.total_score,
                      unassigned_cost=solution.unassigned_cost, persons=len(sorted_persons), seats=int(cap.sum()),
                      seats_used={o: int(n) for o, n in zip(sorted_offers, solution.seats_used.tolist(), strict=True)})
