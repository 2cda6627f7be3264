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
    tf = {"keyset": {engine.features.features(left_common)["keyset"] or "": 0.02,
                     engine.features.features(left_rare)["keyset"] or "": 0.00001}}
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


def test_within_the_namesake_pattern_place_nationality_and_sex_weigh_less():
    """Same name, 1 January of the same year: the namesake pattern. Birthplace, nationality and sex are weighed
    within it (they agree among namesakes too, so they count less than among random pairs)."""
    kw = {"sex": "f", "nationality": "GMB", "birth_place": "Farafenni"}
    left = rec("a", "Ndey", "Sowe", date(2003, 1, 1), precision="year", **kw)
    namesake = engine.score_pairs(left, [rec("b", "Ndey", "Sowe", date(2003, 1, 1), precision="year", **kw)])[0]
    same_day = engine.score_pairs(rec("a", "Ndey", "Sowe", date(2003, 4, 17), **kw),
                                  [rec("b", "Ndey", "Sowe", date(2003, 4, 17), **kw)])[0]
    assert namesake.probability < same_day.probability
    inside = {e["field"]: e for e in namesake.evidence}
    outside = {e["field"]: e for e in same_day.evidence}
    for field in ("birth_place", "nationality", "sex"):
        assert inside[field]["label"].endswith(engine.model.NAMESAKE_SUFFIX)
        assert not outside[field]["label"].endswith(engine.model.NAMESAKE_SUFFIX)
        assert inside[field]["weight"] < outside[field]["weight"]


def test_an_extra_first_name_weighs_less_than_an_extra_father_name():
    kw = {"sex": "m", "nationality": "SYR", "birth_place": "Aleppo"}
    base = rec("a", "Ahmad", "Al-Hassan", date(1988, 9, 9), **kw)
    father, other = engine.score_pairs(base, [rec("f", "Ahmad Mustafa", "Al-Hassan", date(1988, 9, 9), **kw),
                                              rec("o", "Tarek Ahmad", "Al-Hassan", date(1988, 9, 9), **kw)])
    assert (father.right_id, other.right_id) == ("f", "o") and father.match_weight > other.match_weight
    assert {e["field"]: e["label"] for e in other.evidence}["name"].endswith("ein Vorname fehlt im anderen (Verwandte?)")


def test_link_records_uses_only_the_pairs_that_can_matter(small):
    """The database keeps only pairs among records with a strong pair: the clusters are those of all pairs."""
    records = small.records
    everything = engine.predict(records, threshold=engine.PREDICT_FLOOR)
    expected = engine.cluster([r.record_id for r in records], everything, threshold=engine.DEFAULT_THRESHOLD,
                              records={r.record_id: r for r in records})
    assert engine.link_records(records) == expected
    kept = engine._cluster_pairs(records, floor=engine.PREDICT_FLOOR, strong=engine.DEFAULT_THRESHOLD,
                                 train=False, model_data=engine.load_model())
    assert 0 < len(kept) < len(everything)


def test_feature_building_pauses_and_restores_the_garbage_collector():
    import gc

    from stella.linkage.features import without_gc

    assert gc.isenabled()
    with without_gc():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with without_gc():
            pass
        assert not gc.isenabled()  # left as it was
    finally:
        gc.enable()


def test_threshold_grows_with_the_data_size():
    data = engine.load_model()
    trained = data["meta"]["records"]
    assert engine.size_adjusted_threshold(0.99, trained, data) == 0.99
    assert engine.size_adjusted_threshold(0.99, 100, data) == 0.99  # never lowered
    ten = engine.size_adjusted_threshold(0.99, 10 * trained, data)
    assert 0.998 < ten < engine.size_adjusted_threshold(0.99, 100 * trained, data) < 1.0
    assert engine.size_adjusted_threshold(1.0, 10 * trained, data) == 1.0


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


def test_prepared_scoring_gives_exactly_what_splinks_compare_records_gives(small):
    """score_pairs runs Splink's real-time SQL as a prepared statement (engine._prepared_statement): for
    generated registrations – every name, date and place variation the synthetic set has, missing values
    included – probabilities, weights and levels equal those of Splink's own compare_records, for batches of
    one and of many records, called repeatedly on the same connection."""
    from splink.internals.realtime import compare_records

    data = engine.load_model()
    settings = {**data["splink"], "retain_intermediate_calculation_columns": True,
                "retain_matching_columns": True}
    shipped = data.get("tf", {})
    records = small.records[:241]
    levels = engine._levels(data)
    for start in (1, 2, 50, 121):
        left, rights = records[start - 1], records[start:start + (1 if start == 1 else 60)]
        ours = {p.right_id: p for p in engine.score_pairs(left, rights)}
        lrow = engine._with_tf(engine.features.features(left), None, shipped)
        rrows = [engine._with_tf(engine.features.features(r), None, shipped) for r in rights]
        frame = compare_records(engine._as_table([lrow]), engine._as_table(rrows), settings, engine._db_api())
        theirs = [engine._scored(row, levels) for row in frame.as_record_list()]
        assert len(ours) == len(theirs) == len(rights)
        for p in theirs:
            mine = ours[p.right_id if p.left_id == left.record_id else p.left_id]
            assert mine.probability == pytest.approx(p.probability, abs=1e-12)
            assert mine.match_weight == pytest.approx(p.match_weight, abs=1e-9)
            assert mine.evidence == p.evidence
