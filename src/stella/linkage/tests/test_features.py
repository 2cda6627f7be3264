"""The feature columns: name keys order-independent and spelling-tolerant, dates with placeholder flag."""

from __future__ import annotations

from datetime import date

from stella.linkage.features import feature_rows, feature_table, features, is_placeholder
from stella.linkage.records import LinkRecord


def rec(given: str, family: str, birth: date | None = None, precision: str = "exact", **kw) -> LinkRecord:
    return LinkRecord(record_id=kw.pop("rid", "1"), names=((given, family),), birth_date=birth,
                      birth_precision=precision, **kw)


def test_names_are_key_sets_independent_of_order_and_spelling():
    a = features(rec("Mohammed", "Al-Hassan"))
    b = features(rec("Alhassan", "Muhammad"))
    assert a["keyset"] == b["keyset"]
    assert a["name_keys"] == sorted(a["name_keys"] or [])
    assert a["given_keys"] != b["given_keys"]  # the parts are kept apart for the sibling levels


def test_father_name_adds_a_key_and_every_spelling_counts():
    plain = features(rec("Ahmad", "Rahimi"))
    father = features(rec("Ahmad Karim", "Rahimi"))
    assert set(plain["name_keys"] or []) < set(father["name_keys"] or [])
    two = features(LinkRecord("2", (("Ahmad", "Rahimi"), ("احمد", "رحیمی"))))
    assert set(plain["name_keys"] or []) <= set(two["name_keys"] or [])


def test_first_given_name_key_of_every_spelling():
    f = features(LinkRecord("1", (("Tarek Ahmad", "Al-Hassan"), ("طارق أحمد", "الحسن"))))
    assert f["first_keys"] == [features(rec("Tarek", "X"))["given_keys"][0]]  # type: ignore[index]
    assert features(rec("", "Rahimi"))["first_keys"] is None
    swapped = features(rec("Rahimi", "Ahmad"))
    assert swapped["first_keys"] == features(rec("Rahimi", ""))["given_keys"]


def test_key_pairs_for_blocking():
    f = features(rec("Ahmad Karim", "Rahimi"))
    keys = f["name_keys"] or []
    assert len(f["key_pairs"] or []) == len(keys) * (len(keys) - 1) // 2


def test_empty_names_and_fields_are_null():
    f = features(rec("", ""))
    assert f["name_keys"] is None and f["keyset"] is None and f["name_folded"] is None
    assert f["dob"] is None and f["dob_year"] is None and f["dob_ph"]
    assert f["birth_place_key"] is None and f["nationality"] is None and f["sex"] is None


def test_dates_exact_and_placeholders():
    exact = features(rec("A", "B", date(1990, 3, 12)))
    assert (exact["dob"], exact["dob_exact"], exact["dob_md"]) == ("1990-03-12", "1990-03-12", "03-12")
    assert (exact["dob_year"], exact["dob_month"], exact["dob_day"], exact["dob_ph"]) == (1990, 3, 12, False)
    assert (exact["dob_y2a"], exact["dob_y2b"]) == (995, 995)
    for d, p in [(date(1990, 1, 1), "exact"), (date(1990, 6, 30), "exact"), (date(1990, 12, 31), "exact"),
                 (date(1990, 5, 5), "year"), (date(1990, 5, 5), "month")]:
        f = features(rec("A", "B", d, p))
        assert f["dob_ph"] and f["dob_exact"] is None and f["dob_md"] is None and f["dob_day"] is None
        assert f["dob_year"] == 1990
    assert features(rec("A", "B", date(1990, 5, 5), "month"))["dob_month"] == 5
    assert features(rec("A", "B", date(1990, 5, 5), "year"))["dob_month"] is None


def test_is_placeholder():
    assert is_placeholder(None, "exact")
    assert is_placeholder(date(2000, 1, 1), "exact")
    assert not is_placeholder(date(2000, 1, 2), "exact")


def test_birthplace_variants_share_a_key():
    a = features(rec("A", "B", birth_place="Dschalalabad"))
    b = features(rec("A", "B", birth_place="Jalalabad"))
    assert a["birth_place_key"] == b["birth_place_key"] is not None


def test_feature_table_has_every_column_even_when_empty():
    assert feature_table([]).num_rows == 0
    t = feature_table(feature_rows([rec("Ali", "Hasan", date(2001, 2, 3), rid="x")]))
    assert t.num_rows == 1 and t.column("unique_id").to_pylist() == ["x"]


def test_birthplace_aliases_share_a_key():
    keys = {features(rec("A", "B", birth_place=p))["birth_place_key"] for p in ("Aleppo", "Halab", "Haleb")}
    assert len(keys) == 1
    assert features(rec("A", "B", birth_place="Kiew"))["birth_place_key"] == \
        features(rec("A", "B", birth_place="Kyiv"))["birth_place_key"]
