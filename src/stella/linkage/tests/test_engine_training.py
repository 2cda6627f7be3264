"""Training: the command writes a usable model; EM without truth gives a model that still ranks duplicates."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from stella.linkage import engine, model
from stella.linkage.records import LinkRecord
from stella.linkage.synthetic import generate

A = LinkRecord("a", (("Mohammed", "Al-Hassan"),), date(1990, 3, 12), sex="m", nationality="SYR",
               birth_place="Aleppo")
B = LinkRecord("b", (("Muhammad", "Alhassan"),), date(1990, 3, 12), sex="m", nationality="SYR",
               birth_place="Aleppo")
C = LinkRecord("c", (("Fatima", "Rahimi"),), date(1971, 5, 5), sex="f", nationality="AFG", birth_place="Kabul")


def test_linkage_train_command_writes_a_model(tmp_path):
    out = tmp_path / "model.json"
    call_command("linkage_train", "--synthetic", "400", "--seed", "3", "--out", str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["meta"]["m_from"] == "labels" and data["meta"]["synthetic_seed"] == 3
    same_names = [lv for c in data["splink"]["comparisons"] for lv in c["comparison_levels"]
                  if lv.get("label_for_charts", "").endswith(model.SAME_NAMES_SUFFIX)]
    assert same_names and all(lv["fix_u_probability"] for lv in same_names)
    namesake = [lv for c in data["splink"]["comparisons"] for lv in c["comparison_levels"]
                if lv.get("label_for_charts", "").endswith(model.NAMESAKE_SUFFIX)]
    assert len(namesake) == 7 and all(lv["fix_u_probability"] for lv in namesake)
    pairs = engine.score_pairs(A, [B, C], model_data=data)
    assert pairs[0].right_id == "b" and pairs[0].probability > pairs[1].probability


def test_linkage_train_refuses_bad_arguments(tmp_path):
    with pytest.raises(CommandError, match="--synthetic"):
        call_command("linkage_train", "--synthetic", "5", "--out", str(tmp_path / "m.json"))
    with pytest.raises(CommandError, match="Ausgabeverzeichnis"):
        call_command("linkage_train", "--synthetic", "400", "--out", str(tmp_path / "x" / "m.json"))


def test_em_training_without_truth_and_retraining_on_the_data():
    records = generate(1500, seed=9).records
    data = engine.train_model(records, max_pairs=2e5)
    assert data["meta"]["m_from"] == "em"
    for comp in data["splink"]["comparisons"]:
        real = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        assert abs(sum(lv["m_probability"] for lv in real) - 1) < 1e-6
        assert min(lv["m_probability"] for lv in real) >= engine.M_FLOOR / 2
    pairs = engine.score_pairs(A, [B, C], model_data=data)
    assert pairs[0].right_id == "b"
    clusters = engine.link_records([A, B, C], train=True)
    assert set(clusters) == {"a", "b", "c"}
