"""Constrained clustering of scored pairs: chains of weak links do not merge unrelated people.

Greedy over the pairs by descending probability with union-find. Two clusters join on a pair at or above
`threshold` only if

* no cannot-link pair lies between them (pairs a caseworker marked "verschiedene Personen", and hard
  conflicts: both sexes known and different while the name key sets differ — with the very same names a
  wrongly recorded sex is likelier than a brother and sister of one name —, or two real birth dates that
  differ by more than a day/month swap or one typing error),
* every scored pair between them is at least `low_threshold` and their mean is at least `min_mean` (an
  unscored pair — not found by blocking — counts as unknown, not as evidence), and
* the joined cluster has at most `max_size` records.

Pure Python with one sort; a million pairs take a few seconds. The result depends only on the set of pairs,
not on their order: ties are broken by the position of the records in `record_ids`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date
from typing import Any, Protocol

from stella.linkage.features import is_placeholder, name_features
from stella.linkage.records import LinkRecord

DEFAULT_MAX_SIZE = 8
DEFAULT_LOW_THRESHOLD = 0.05


class _PairLike(Protocol):
    left_id: str
    right_id: str
    probability: float


def _digits(d: date) -> str:
    return f"{d.year:04d}{d.month:02d}{d.day:02d}"


def dates_conflict(a: date, b: date) -> bool:
    """Two real birth dates that cannot be one person's: not equal, not day/month swapped, and differing in
    in more than one digit (a transposition of neighbouring digits and a year ±1 with the same day and month
    are typing errors, too)."""
    if a == b or (a.year == b.year and a.month == b.day and a.day == b.month):
        return False
    if abs(a.year - b.year) == 1 and (a.month, a.day) == (b.month, b.day):
        return False
    da, db = _digits(a), _digits(b)
    diff = [i for i, (x, y) in enumerate(zip(da, db, strict=True)) if x != y]
    if len(diff) == 2 and diff[1] == diff[0] + 1 and da[diff[0]] == db[diff[1]] and da[diff[1]] == db[diff[0]]:
        return False  # two neighbouring digits transposed
    return len(diff) > 1


def name_key_set(record: LinkRecord) -> frozenset[str]:
    """Every name key of every spelling of the record (`features.name_features`)."""
    keys: set[str] = set()
    for given, family in record.names:
        keys.update(name_features(given or "", family or "")[0])
    return frozenset(keys)


def hard_conflict(a: LinkRecord, b: LinkRecord) -> bool:
    """True when the two records cannot be one person: both sexes known and different while the name key
    sets differ, or two real birth dates that conflict (`dates_conflict`)."""
    if a.sex and b.sex and a.sex != b.sex and name_key_set(a) != name_key_set(b):
        return True
    if (a.birth_date is not None and b.birth_date is not None and not is_placeholder(a.birth_date, a.birth_precision)
            and not is_placeholder(b.birth_date, b.birth_precision)):
        return dates_conflict(a.birth_date, b.birth_date)
    return False


def _edges(pairs: Iterable[_PairLike | tuple[str, str, float]]) -> Iterable[tuple[str, str, float]]:
    for p in pairs:
        if isinstance(p, tuple):
            yield p
        else:
            yield p.left_id, p.right_id, p.probability


def cluster(record_ids: Sequence[str], pairs: Iterable[Any], *, threshold: float,
            cannot_link: Collection[frozenset[str]] = frozenset(), records: Mapping[str, LinkRecord] | None = None,
            low_threshold: float = DEFAULT_LOW_THRESHOLD, min_mean: float | None = None,
            max_size: int | None = DEFAULT_MAX_SIZE) -> dict[str, str]:
    """record_id → cluster_id for every id in `record_ids` (cluster_id: the member that comes first in
    `record_ids`). `pairs` are ScoredPairs or (left_id, right_id, probability) tuples; pairs naming unknown
    ids are ignored. `records` (optional) enables the hard conflicts. `min_mean` defaults to `threshold`."""
    if not 0.0 <= threshold <= 1.0:
        raise ValueError("threshold must be between 0 and 1")
    if max_size is not None and max_size < 1:
        raise ValueError("max_size must be at least 1")
    mean_floor = threshold if min_mean is None else min_mean
    index = {rid: i for i, rid in enumerate(dict.fromkeys(record_ids))}
    n = len(index)
    ids = list(index)
    score: dict[int, float] = {}
    for left, right, prob in _edges(pairs):
        i, j = index.get(left), index.get(right)
        if i is None or j is None or i == j:
            continue
        if i > j:
            i, j = j, i
        key = i * n + j
        if prob > score.get(key, -1.0):
            score[key] = float(prob)
    banned: dict[int, set[int]] = {}
    for pair in cannot_link:
        known = [index[m] for m in pair if m in index]
        if len(known) == 2:
            a, b = known
            banned.setdefault(a, set()).add(b)
            banned.setdefault(b, set()).add(a)

    sexes: list[str] = [""] * n
    keysets: list[frozenset[str]] = [frozenset()] * n
    dates: list[date | None] = [None] * n
    if records is not None:
        for rid, i in index.items():
            rec = records.get(rid)
            if rec is None:
                continue
            sexes[i] = rec.sex
            if rec.sex:
                keysets[i] = name_key_set(rec)
            if rec.birth_date is not None and not is_placeholder(rec.birth_date, rec.birth_precision):
                dates[i] = rec.birth_date

    parent = list(range(n))
    members: dict[int, list[int]] = {i: [i] for i in range(n)}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def allowed(ca: list[int], cb: list[int]) -> bool:
        total, count = 0.0, 0
        for a in ca:
            ban = banned.get(a)
            sa, da = sexes[a], dates[a]
            for b in cb:
                if ban is not None and b in ban:
                    return False
                sb, db = sexes[b], dates[b]
                if sa and sb and sa != sb and keysets[a] != keysets[b]:
                    return False
                if da is not None and db is not None and dates_conflict(da, db):
                    return False
                s = score.get(a * n + b if a < b else b * n + a)
                if s is not None:
                    if s < low_threshold:
                        return False
                    total += s
                    count += 1
        return count == 0 or total / count >= mean_floor

    strong = sorted(((-p, key) for key, p in score.items() if p >= threshold))
    for _neg, key in strong:
        ra, rb = find(key // n), find(key % n)
        if ra == rb:
            continue
        ca, cb = members[ra], members[rb]
        if max_size is not None and len(ca) + len(cb) > max_size:
            continue
        if not allowed(ca, cb):
            continue
        if len(ca) < len(cb):
            ra, rb = rb, ra
        parent[rb] = ra
        members[ra].extend(members.pop(rb))

    out: dict[str, str] = {}
    for group in members.values():
        label = ids[min(group)]
        for m in group:
            out[ids[m]] = label
    return {rid: out[rid] for rid in ids}
