"""The synthetic registrations: deterministic, the promised shape and shares, and duplicates that vary."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stella.linkage.synthetic import VARIATIONS, generate, rule_variant, typo


@pytest.fixture(scope="module")
def big():  # type: ignore[no-untyped-def]
    return generate(6000, seed=7)


def test_deterministic_for_a_seed() -> None:
    a, b = generate(500, seed=3), generate(500, seed=3)
    assert a.records == b.records
    assert a.entity == b.entity and a.variations == b.variations and a.kind == b.kind
    assert generate(500, seed=4).records != a.records


def test_shape(big) -> None:  # type: ignore[no-untyped-def]
    ids = [r.record_id for r in big.records]
    assert len(ids) == len(set(ids)) == len(big.entity) == len(big.variations)
    assert set(big.entity) == set(ids)
    assert len(set(big.entity.values())) == 6000 == len(big.kind)
    sizes = Counter(len(v) for v in big.clusters().values())
    assert set(sizes) <= {1, 2, 3}
    for r in big.records:
        assert r.names and all(g or f for g, f in r.names)
        assert r.sex in {"", "f", "m"}
        assert r.birth_precision in {"exact", "year", "month", "unknown"}
        assert r.source.split("-")[0] in {"LRA", "AA", "JC", "ABH", "STADT"}


def test_record_ids_do_not_leak_the_truth(big) -> None:  # type: ignore[no-untyped-def]
    first_pid = [big.entity[r.record_id] for r in big.records[:50]]
    assert first_pid != sorted(first_pid, key=lambda p: int(p[1:]))


def test_shares_within_tolerance(big) -> None:  # type: ignore[no-untyped-def]
    clusters = big.clusters()
    dup = sum(1 for v in clusters.values() if len(v) > 1) / len(clusters)
    assert 0.27 <= dup <= 0.33
    three = sum(1 for v in clusters.values() if len(v) == 3) / sum(1 for v in clusters.values() if len(v) > 1)
    assert 0.2 <= three <= 0.3
    kinds = Counter(big.kind.values())
    assert 0.03 <= kinds["namesake"] / 6000 <= 0.05
    assert kinds["sibling"] / 6000 > 0.4
    jan1 = sum(1 for r in big.records if r.birth_date and (r.birth_date.month, r.birth_date.day) == (1, 1))
    assert 0.08 <= jan1 / len(big.records) <= 0.25
    assert generate(2000, seed=1, duplicate_share=0.0).records.__len__() == 2000


def test_common_names_are_shared_by_many_people(big) -> None:  # type: ignore[no-untyped-def]
    people_by_name: dict[tuple[str, str], set[str]] = {}
    for r in big.records:
        people_by_name.setdefault(r.names[0], set()).add(big.entity[r.record_id])
    top = max(len(v) for v in people_by_name.values())
    assert top >= 20  # e.g. many different "Mohammed Al-Hassan"
    places = Counter(r.birth_place for r in big.records if r.birth_place)
    assert places.most_common(1)[0][1] > 500


def test_duplicates_really_vary(big) -> None:  # type: ignore[no-untyped-def]
    by_id = {r.record_id: r for r in big.records}
    first: dict[str, str] = {big.entity[rid]: rid for rid, labels in big.variations.items() if not labels}
    repeats = [rid for rid, labels in big.variations.items() if labels]
    assert repeats
    copies = 0
    for rid in repeats:
        base = by_id[first[big.entity[rid]]]
        rec = by_id[rid]
        same = (rec.names[0], rec.birth_date, rec.sex, rec.nationality, rec.birth_place) == \
            (base.names[0], base.birth_date, base.sex, base.nationality, base.birth_place)
        copies += same
        assert rec.source != base.source
    assert copies / len(repeats) < 0.02  # a variation can undo itself only by rare chance
    labels = Counter(label for v in big.variations.values() for label in v)
    assert set(labels) == set(VARIATIONS)


def test_variation_labels_describe_the_change(big) -> None:  # type: ignore[no-untyped-def]
    by_id = {r.record_id: r for r in big.records}
    first = {big.entity[rid]: by_id[rid] for rid, labels in big.variations.items() if not labels}
    for rid, labels in big.variations.items():
        if labels == ("swap",):
            base, rec = first[big.entity[rid]], by_id[rid]
            assert rec.names[0] == (base.names[0][1], base.names[0][0])
        if labels == ("daymonth_swap",):
            base, rec = first[big.entity[rid]], by_id[rid]
            assert rec.birth_date and base.birth_date
            assert (rec.birth_date.day, rec.birth_date.month) == (base.birth_date.month, base.birth_date.day)
        if labels == ("script",):
            assert not any(ch.isascii() and ch.isalpha() for ch in "".join(by_id[rid].names[0]))
        if labels == ("missing_sex",):
            assert by_id[rid].sex == ""


def test_siblings_are_hard_negatives(big) -> None:  # type: ignore[no-untyped-def]
    """Siblings: different people (never one entity) with the same family name and birthplace and close births."""
    by_id = {r.record_id: r for r in big.records}
    first = {big.entity[rid]: by_id[rid] for rid, labels in big.variations.items() if not labels}
    groups: dict[str, list[str]] = {}
    for pid, group in big.family.items():
        groups.setdefault(group, []).append(pid)
    families = [pids for pids in groups.values() if len(pids) > 1]
    assert len(families) > 500
    for pids in families[:300]:
        assert all(big.kind[p] in {"sibling", "namesake"} for p in pids)
        recs = [first[p] for p in pids if big.kind[p] == "sibling"]
        years = [r.birth_date.year for r in recs if r.birth_date]
        assert max(years) - min(years) <= 12
        assert len({r.names[0][0] for r in recs}) > 1 or len(recs) < 2  # given names differ


def test_namesakes_share_a_name_and_a_placeholder_birthday(big) -> None:  # type: ignore[no-untyped-def]
    by_id = {r.record_id: r for r in big.records}
    first = {big.entity[rid]: by_id[rid] for rid, labels in big.variations.items() if not labels}
    namesakes = [p for p, kind in big.kind.items() if kind == "namesake"]
    assert namesakes
    assert all(first[p].birth_date is None or (first[p].birth_date.month, first[p].birth_date.day) == (1, 1)
               for p in namesakes)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        generate(-1)
    with pytest.raises(ValueError):
        generate(10, duplicate_share=1.5)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzAEKMOS", min_size=1, max_size=12), st.integers(0, 10**6))
def test_rule_variant_changes_the_token_or_says_none(token: str, seed: int) -> None:
    out = rule_variant(random.Random(seed), token)
    assert out is None or out.lower() != token.lower()


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=12), st.integers(0, 10**6))
def test_typo_is_one_small_edit(text: str, seed: int) -> None:
    out = typo(random.Random(seed), text)
    assert abs(len(out) - len(text)) <= 1
    assert out[0] == text[0]
