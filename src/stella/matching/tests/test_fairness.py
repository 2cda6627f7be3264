"""The fairness report: rates and mean fit per group, the four-fifths flag, pooling of small nationality
groups, age bands, and the characteristics read from the file (for the report only)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stella.matching import fairness
from stella.matching.fairness import Line
from stella.people.models import Nationality


def groups_for(spec: dict[int, dict[str, str]]) -> dict[int, dict[str, str]]:
    base = {"sex": "weiblich", "nationality": "SYR", "age": "25–34", "district": "Ludwigsburg",
            "disability": fairness.NOT_RECORDED}
    return {pid: {**base, **g} for pid, g in spec.items()}


def dimension(report: dict, key: str) -> dict:
    return next(d for d in report["dimensions"] if d["key"] == key)


def test_four_fifths_rule_flags_the_group_below_80_percent():
    # 10 women, 8 assigned (80 %); 10 men, 6 assigned (60 % < 0.8 × 80 % = 64 %) → men flagged.
    lines = [Line(i, i < 8, 500 + i) for i in range(10)] + [Line(10 + i, i < 6, 400) for i in range(10)]
    groups = groups_for({i: {"sex": "weiblich" if i < 10 else "männlich"} for i in range(20)})
    report = fairness.report(lines, groups)
    sex = dimension(report, "sex")
    rows = {r["group"]: r for r in sex["groups"]}
    assert rows["weiblich"]["rate"] == 0.8 and rows["männlich"]["rate"] == 0.6
    assert rows["männlich"]["flag"] and not rows["weiblich"]["flag"]
    assert rows["männlich"]["ratio"] == 0.75 and sex["best_rate"] == 0.8 and sex["flagged"] == ["männlich"]
    assert rows["weiblich"]["mean_score"] == 503.5 and rows["männlich"]["mean_score"] == 400.0
    assert report["flags"] == 1 and report["persons"] == 20 and report["assigned"] == 14


def test_exactly_four_fifths_is_not_flagged():
    lines = [Line(i, i < 5, 1) for i in range(5)] + [Line(5 + i, i < 4, 1) for i in range(5)]
    groups = groups_for({i: {"age": "unter 25" if i < 5 else "55 und älter"} for i in range(10)})
    age = dimension(fairness.report(lines, groups), "age")
    assert age["flagged"] == []  # 80 % of 100 % is not below 80 %


def test_small_groups_are_shown_not_flagged_and_nationalities_pooled():
    nats = ["SYR"] * 6 + ["AFG"] * 5 + ["ERI"] * 2 + ["TUR"] * 1
    lines = [Line(i, i < 6, 300) for i in range(14)]  # only the Syrians get seats
    groups = groups_for({i: {"nationality": n, "sex": "divers" if i == 13 else "männlich"}
                         for i, n in enumerate(nats)})
    report = fairness.report(lines, groups)
    nat = {r["group"]: r for r in dimension(report, "nationality")["groups"]}
    assert set(nat) == {"SYR", "AFG", "andere"}
    assert nat["andere"]["persons"] == 3 and nat["andere"]["small"] and not nat["andere"]["flag"]
    assert nat["AFG"]["flag"] and nat["AFG"]["rate"] == 0.0 and nat["AFG"]["mean_score"] is None
    sex = {r["group"]: r for r in dimension(report, "sex")["groups"]}
    assert sex["divers"]["small"] and not sex["divers"]["flag"]
    assert [r["group"] for r in dimension(report, "nationality")["groups"]][-1] == "andere"


def test_disability_is_not_recorded():
    report = fairness.report([Line(1, True, 10)], groups_for({1: {}}))
    dis = dimension(report, "disability")
    assert [r["group"] for r in dis["groups"]] == ["nicht erfasst"] and dis["flagged"] == []
    assert "nicht erfasst" in dis["note"]


def test_empty_run():
    report = fairness.report([], {})
    assert report["persons"] == 0 and report["flags"] == 0
    assert all(d["groups"] == [] and d["best_rate"] is None for d in report["dimensions"])


@pytest.mark.parametrize(("birth", "band"), [
    (date(2002, 3, 3), "unter 25"), (date(2002, 3, 2), "25–34"), (date(1992, 3, 3), "25–34"),
    (date(1991, 3, 2), "35–44"), (date(1981, 3, 2), "45–54"), (date(1971, 3, 2), "55 und älter"),
    (None, "unbekannt"),
])
def test_age_bands(birth, band):
    assert fairness.age_band(birth, date(2027, 3, 2)) == band


@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.booleans(), st.integers(0, 1000)), max_size=60))
def test_report_properties(rows):
    lines = [Line(i, assigned, s if assigned else None) for i, (_, assigned, s) in enumerate(rows)]
    groups = groups_for({i: {"sex": g} for i, (g, _, _) in enumerate(rows)})
    sex = dimension(fairness.report(lines, groups), "sex")
    assert sum(r["persons"] for r in sex["groups"]) == len(rows)
    for r in sex["groups"]:
        assert 0 <= r["rate"] <= 1
        best = sex["best_rate"]
        assert r["flag"] == bool(best and not r["small"] and r["rate"] < 0.8 * best)


def test_characteristics_from_the_file(make_user, district):
    from stella.tests.factories import register

    jc = make_user("JC", "caseworker")
    p = register(jc, birth=date(1990, 5, 17), sex="f", nationalities=["SYR", "TUR"])
    q = register(jc, family="Ohne", birth=None)
    Nationality.objects.filter(person=p, country="SYR").update(valid_until=None)
    lk = district["JC"].landkreis
    got = fairness.characteristics([p.pk, q.pk], date(2026, 3, 2), {p.pk: lk.pk, q.pk: None})
    assert got[p.pk] == {"sex": "weiblich", "nationality": "SYR", "age": "35–44", "district": lk.name,
                         "disability": "nicht erfasst"}
    assert got[q.pk]["nationality"] == "unbekannt" and got[q.pk]["age"] == "unbekannt"
    assert got[q.pk]["district"] == "unbekannt"
