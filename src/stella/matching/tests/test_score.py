"""The score: bounds, criteria with explanations, monotonicity, and no protected characteristic as input."""

from __future__ import annotations

import ast
import inspect
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from stella.matching import score as score_module
from stella.matching.score import CRITERIA, MAX_TOTAL, SCORE_VERSION, Ranker, score, total
from stella.matching.tests.matching_setup import ON, offer_facts, person_facts

LEVELS = ["", "A1", "A2", "B1", "B2", "C1", "C2", "MT"]
CODES = ["26212", "26213", "26301", "52202", "29302", "81302"]

persons = st.builds(
    person_facts,
    sex=st.sampled_from(["f", "m", "d", "u"]),
    municipality_id=st.sampled_from([10, 11]),
    german_level=st.sampled_from(LEVELS),
    occupation_codes=st.frozensets(st.sampled_from(CODES), max_size=3),
    mobility=st.sampled_from(["municipality", "district", "region"]),
    part_time_only=st.booleans(),
    waiting_since=st.dictionaries(st.sampled_from([7, 8]), st.dates(date(2025, 1, 1), ON), max_size=2),
)
offers = st.builds(
    offer_facts,
    offer_id=st.sampled_from([7, 8, 9]),
    kind=st.sampled_from(["integration_course", "deufoev", "measure", "training", "vacancy"]),
    municipality_id=st.sampled_from([10, 11, 12]),
    district_id=st.sampled_from([100, 200]),
    starts_on=st.dates(ON, ON + timedelta(days=400)),
    min_german_level=st.sampled_from(LEVELS[:-1]),
    target_level=st.sampled_from(LEVELS[:-1]),
    occupation_code=st.sampled_from(["", *CODES, "262", "2"]),
    part_time=st.booleans(),
)


def with_experience(person, years: dict[str, float]):
    from dataclasses import replace

    return replace(person, occupation_codes=person.occupation_codes | frozenset(years), experience_years=years)


def test_version_and_weights() -> None:
    assert SCORE_VERSION == "2026.1"
    assert sum(points for _code, _label, points in CRITERIA) == MAX_TOTAL == 1000


@given(persons, offers)
def test_bounds_and_one_explained_part_per_criterion(person, offer) -> None:
    got = score(person, offer)
    assert 0 <= got.total <= MAX_TOTAL and got.total == sum(p.points for p in got.parts)
    assert [p.criterion for p in got.parts] == [code for code, _label, _max in CRITERIA]
    for part, (_code, label, maximum) in zip(got.parts, CRITERIA, strict=True):
        assert 0 <= part.points <= part.max_points == maximum
        assert part.label == label
        assert part.explanation.strip() and part.explanation.endswith((".", ")"))
    data = got.to_dict()
    assert data["version"] == SCORE_VERSION and len(data["parts"]) == len(CRITERIA)  # type: ignore[arg-type]


@given(persons, st.lists(offers, min_size=1, max_size=12))
def test_ranker_and_total_agree_with_the_score(person, offer_list) -> None:
    """The list's fast path (points only, cached per distinct offer field) gives exactly `score().total`."""
    ranker = Ranker(person)
    for offer in offer_list + offer_list:
        assert ranker.total(offer) == total(person, offer) == score(person, offer).total


@given(persons, offers, st.sampled_from(["f", "m", "d", "u"]))
def test_sex_never_changes_the_score(person, offer, sex) -> None:
    from dataclasses import replace

    assert score(replace(person, sex=sex), offer) == score(person, offer)


@given(st.lists(offers, min_size=2, max_size=8, unique_by=lambda o: o.offer_id), persons)
def test_sex_never_changes_the_ranking(offer_list, person) -> None:
    from dataclasses import replace

    def ranking(p):
        return [o.offer_id for o in sorted(offer_list, key=lambda o: (-score(p, o).total, o.offer_id))]

    assert {ranking(replace(person, sex=s)) == ranking(person) for s in ("f", "m", "d", "u")} == {True}


def test_score_source_reads_no_protected_characteristic() -> None:
    """Not even by accident: no attribute, name or string key for sex, nationality, religion, health, age, birth."""
    tree = ast.parse(inspect.getsource(score_module))
    protected = ("sex", "nationalit", "religio", "health", "age", "birth", "disab")
    names = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    names |= {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    names |= {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)
              and node.value.isidentifier()}
    assert not [n for n in names if any(n.lower() == p or n.lower().startswith(p) for p in protected)]
    assert "getattr" not in names and "__dict__" not in names and "asdict" not in names


# --- monotonicity --------------------------------------------------------------------------------------

@given(persons, offers, st.floats(0, 30), st.floats(0, 30))
def test_more_experience_never_lowers_the_score(person, offer, a, b) -> None:
    code = offer.occupation_code or "26212"
    low, high = sorted((a, b))
    assert score(with_experience(person, {code: high}), offer).total >= \
        score(with_experience(person, {code: low}), offer).total


@given(persons, offers, st.integers(0, 800), st.integers(0, 800))
def test_longer_waiting_never_lowers_the_score(person, offer, a, b) -> None:
    from dataclasses import replace

    short, long = sorted((a, b))
    waited = {offer.offer_id: ON - timedelta(days=long)}
    fresh = {offer.offer_id: ON - timedelta(days=short)}
    assert score(replace(person, waiting_since=waited), offer).total >= \
        score(replace(person, waiting_since=fresh), offer).total
    assert score(replace(person, waiting_since=fresh), offer).total >= \
        score(replace(person, waiting_since={}), offer).total


@given(persons, offers, st.integers(0, 500), st.integers(0, 500))
def test_an_earlier_start_never_lowers_the_score(person, offer, a, b) -> None:
    from dataclasses import replace

    soon, late = sorted((a, b))
    assert score(person, replace(offer, starts_on=ON + timedelta(days=soon))).total >= \
        score(person, replace(offer, starts_on=ON + timedelta(days=late))).total


@given(persons, offers)
def test_recognition_and_closeness_never_lower_the_score(person, offer) -> None:
    from dataclasses import replace

    code = offer.occupation_code or "26212"
    none = replace(person, occupation_codes=person.occupation_codes | {code})
    partial = replace(none, recognised_codes=frozenset({code}))
    full = replace(partial, full_recognition=frozenset({code}))
    assert score(full, offer).total >= score(partial, offer).total >= score(none, offer).total
    home = replace(offer, municipality_id=person.municipality_id, district_id=person.district_id)
    district = replace(offer, municipality_id=99, district_id=person.district_id)
    away = replace(offer, municipality_id=99, district_id=999)
    assert score(person, home).total >= score(person, district).total >= score(person, away).total


@given(persons, st.sampled_from(CODES))
def test_occupation_fit_orders_code_area_nothing(person, code) -> None:
    from dataclasses import replace

    vacancy = offer_facts(kind="vacancy", target_level="", occupation_code=code)
    same = replace(person, occupation_codes=frozenset({code}))
    group = replace(person, occupation_codes=frozenset({code[:3] + "99"}))
    area = replace(person, occupation_codes=frozenset({code[0] + "9999"}))
    nothing = replace(person, occupation_codes=frozenset({"99999" if code[0] != "9" else "11111"}))
    points = [score(p, vacancy).parts[0].points for p in (same, group, area, nothing)]
    assert points == sorted(points, reverse=True) and points[0] > points[1] > points[2] > points[3] == 0


@given(persons, st.sampled_from(LEVELS[:-1]))
def test_more_german_never_lowers_the_score_of_a_non_course(person, minimum) -> None:
    from dataclasses import replace

    vacancy = offer_facts(kind="vacancy", target_level="", min_german_level=minimum)
    values = [score(replace(person, german_level=level), vacancy).total for level in LEVELS
              if LEVELS.index(level) >= LEVELS.index(minimum)]
    assert values == sorted(values)


def test_for_a_course_the_next_level_is_the_best_fit() -> None:
    course = offer_facts(target_level="B1")
    by_level = {level: score(person_facts(german_level=level), course).parts[3] for level in ["", "A1", "A2"]}
    assert by_level["A2"].points > by_level["A1"].points > by_level[""].points
    assert "beste Passung" in by_level["A2"].explanation
    assert score(person_facts(german_level="B1"), course).parts[3].points == 0


def test_explanations_in_german() -> None:
    person = with_experience(person_facts(german_level="B2", waiting_since={7: date(2026, 1, 1)}), {"26212": 2.5})
    vacancy = offer_facts(kind="vacancy", target_level="", min_german_level="B1", occupation_code="26212")
    parts = {p.criterion: p for p in score(person, vacancy).parts}
    assert parts["occupation"].explanation == "Gleicher Beruf wie in Erfahrung oder Qualifikation (KldB 26212)."
    assert parts["experience"].explanation.startswith("2,5 Jahre Berufserfahrung in der Berufsgruppe 262")
    assert parts["experience"].points == 50
    assert parts["language"].explanation == "Deutsch B2: Voraussetzung B1 um 1 Stufe übertroffen."
    assert parts["waiting"].explanation.startswith("Seit 01.01.2026 auf der Warteliste (60 Tage")
    assert parts["distance"].explanation == "Das Angebot ist am Wohnort."
    course = score(person, offer_facts()).parts
    assert course[0].points == 125 and "neutral" in course[0].explanation
