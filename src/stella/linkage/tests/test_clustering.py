"""Constrained clustering: a partition, cannot-link respected, no chaining of weak links, order-independent."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stella.linkage.clustering import cluster, dates_conflict, hard_conflict
from stella.linkage.records import LinkRecord


def test_strong_pairs_join_and_cluster_id_is_the_first_member():
    out = cluster(["c", "a", "b", "d"], [("a", "b", 0.99), ("b", "c", 0.97)], threshold=0.9)
    assert out == {"c": "c", "a": "c", "b": "c", "d": "d"}


def test_weak_cross_pair_stops_a_chain():
    pairs = [("a", "b", 0.99), ("b", "c", 0.98), ("a", "c", 0.01)]
    out = cluster(["a", "b", "c"], pairs, threshold=0.9)
    assert out["a"] == out["b"] and out["c"] == "c"


def test_mean_of_cross_pairs_must_reach_min_mean():
    pairs = [("a", "b", 0.99), ("b", "c", 0.95), ("a", "c", 0.2)]
    assert len(set(cluster(["a", "b", "c"], pairs, threshold=0.9).values())) == 2
    assert len(set(cluster(["a", "b", "c"], pairs, threshold=0.9, min_mean=0.5).values())) == 1


def test_cannot_link_and_max_size():
    pairs = [("a", "b", 0.99), ("b", "c", 0.99), ("a", "c", 0.99)]
    out = cluster(["a", "b", "c"], pairs, threshold=0.9, cannot_link={frozenset({"a", "c"})})
    assert out["a"] != out["c"]
    out = cluster(["a", "b", "c"], pairs, threshold=0.9, max_size=2)
    assert sorted(list(out.values()).count(v) for v in set(out.values())) == [1, 2]


def test_hard_conflicts_from_records():
    recs = {"a": LinkRecord("a", (("Ali", "Hasan"),), date(1990, 3, 12), sex="m"),
            "b": LinkRecord("b", (("Fatima", "Hasan"),), date(1990, 3, 12), sex="f"),
            "c": LinkRecord("c", (("Ali", "Hasan"),), date(1975, 8, 1), sex="m")}
    out = cluster(list(recs), [("a", "b", 0.99), ("a", "c", 0.99)], threshold=0.9, records=recs)
    assert len(set(out.values())) == 3
    assert hard_conflict(recs["a"], recs["b"]) and hard_conflict(recs["a"], recs["c"])


def test_a_wrong_sex_with_the_very_same_names_is_no_hard_conflict():
    a = LinkRecord("a", (("Ali", "Hasan"),), date(1990, 3, 12), sex="m")
    b = LinkRecord("b", (("Hasan", "Aly"),), date(1990, 3, 12), sex="f")  # same key set, other order/spelling
    assert not hard_conflict(a, b)
    assert cluster(["a", "b"], [("a", "b", 0.999)], threshold=0.99, records={"a": a, "b": b}) == {"a": "a", "b": "a"}


@pytest.mark.parametrize(("a", "b", "conflict"), [
    (date(1990, 3, 12), date(1990, 3, 12), False),
    (date(1990, 3, 12), date(1990, 12, 3), False),  # day/month swapped
    (date(1990, 3, 12), date(1991, 3, 12), False),  # year ±1
    (date(1990, 3, 12), date(1990, 3, 13), False),  # one digit
    (date(1990, 3, 12), date(1990, 3, 21), False),  # neighbouring digits transposed
    (date(1990, 3, 12), date(1990, 7, 25), True),
    (date(1990, 3, 12), date(1995, 3, 12), False),  # one digit (0 → 5)
    (date(1990, 3, 12), date(1984, 3, 12), True),
])
def test_dates_conflict(a, b, conflict):
    assert dates_conflict(a, b) is conflict
    assert dates_conflict(b, a) is conflict


def test_placeholder_dates_never_conflict():
    a = LinkRecord("a", (("A", "B"),), date(1990, 1, 1), birth_precision="year")
    b = LinkRecord("b", (("A", "B"),), date(1990, 7, 25))
    assert not hard_conflict(a, b)


def test_bad_parameters():
    with pytest.raises(ValueError):
        cluster(["a"], [], threshold=1.5)
    with pytest.raises(ValueError):
        cluster(["a"], [], threshold=0.5, max_size=0)


def test_unknown_ids_and_self_pairs_are_ignored():
    assert cluster(["a", "b"], [("a", "zz", 0.99), ("a", "a", 1.0)], threshold=0.5) == {"a": "a", "b": "b"}


ids_st = st.lists(st.sampled_from([f"r{i}" for i in range(12)]), min_size=1, max_size=12, unique=True)


@st.composite
def graphs(draw):
    ids = draw(ids_st)
    edges = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids),
                                    st.floats(0, 1, allow_nan=False)), max_size=40))
    cannot = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)), max_size=5))
    return ids, edges, {frozenset(c) for c in cannot if c[0] != c[1]}


@given(graphs(), st.floats(0.05, 1.0), st.randoms(use_true_random=False))
def test_partition_cannot_link_and_order_independence(graph, threshold, rnd):
    ids, edges, cannot = graph
    out = cluster(ids, edges, threshold=threshold, cannot_link=cannot)
    assert set(out) == set(ids)
    for cid in out.values():
        assert out[cid] == cid  # the label is a member of its own cluster
    for pair in cannot:
        a, b = tuple(pair)
        assert out[a] != out[b]
    sizes = [list(out.values()).count(c) for c in set(out.values())]
    assert max(sizes) <= 8
    shuffled = list(edges)
    rnd.shuffle(shuffled)
    assert cluster(ids, shuffled, threshold=threshold, cannot_link=cannot) == out


@given(graphs(), st.floats(0.05, 1.0), st.floats(0.05, 1.0))
def test_higher_threshold_only_splits_without_constraints(graph, t1, t2):
    """Without constraints the clustering is connected components: a higher threshold refines it."""
    ids, edges, _ = graph
    lo, hi = sorted((t1, t2))
    coarse = cluster(ids, edges, threshold=lo, low_threshold=0.0, min_mean=0.0, max_size=None)
    fine = cluster(ids, edges, threshold=hi, low_threshold=0.0, min_mean=0.0, max_size=None)
    for a in ids:
        for b in ids:
            if fine[a] == fine[b]:
                assert coarse[a] == coarse[b]
