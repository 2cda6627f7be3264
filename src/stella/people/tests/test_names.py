"""Every name-key rule pinned by an example, plus properties that must hold for any input."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stella.people.names import detect_script, name_key, name_keys, tokens

SAME_KEY = [
    ("Mohammed", "Muhammad", "Mohamad", "محمد"),  # vowels, doubled consonants, Arabic script
    ("Al-Hassan", "Alhassan", "Hasan", "al Hassan", "الحسن"),  # particle al-/al, doubled s
    ("Ahmed", "Achmed", "Ahmad", "أحمد"),  # ch → h (German spelling)
    ("Khaled", "Chaled", "Khalid", "خالد"),  # kh/ch/h
    ("Ibrahim", "Ebrahim", "إبراهيم"),  # initial vowels fold together
    ("Omar", "Umar"),
    ("Fatima", "Fatimah", "فاطمة"),  # final -a/-ah
    ("Yusuf", "Youssef", "Yousef", "يوسف"),  # ou/u, y/j initial
    ("Walid", "Waleed", "Valid", "وليد"),  # w/v, ee/i
    ("Qasim", "Kasim", "Kassim", "قاسم"),  # q/k
    ("Shirin", "Schirin", "Sirin"),  # sh/sch
    ("Jamal", "Djamal", "Dschamal"),  # j/dj/dsch
    ("Othman", "Otman"),  # th/t
    ("Müller", "Muller", "Mueller"),  # diacritics and German ue
]


@pytest.mark.parametrize("variants", SAME_KEY, ids=[v[0] for v in SAME_KEY])
def test_transliteration_variants_share_a_key(variants):
    keys = {tuple(name_keys(v)) for v in variants}
    assert len(keys) == 1, {v: name_keys(v) for v in variants}


@pytest.mark.parametrize("a,b", [("Hassan", "Ahmad"), ("Ali", "Omar"), ("Elena", "Ali"), ("Fatima", "Amina")])
def test_different_names_keep_different_keys(a, b):
    assert name_keys(a) != name_keys(b)


def test_keys_are_deliberately_broad():
    """Skeletons trade precision for recall: Hassan/Hussein meet, ranking and review tell them apart."""
    assert name_keys("Hassan") == name_keys("Hussein")


def test_particles_are_dropped_but_short_names_starting_with_al_stay():
    assert tokens("Abu al-Hassan") == ["abu", "hassan"]
    assert name_key("ali") == "al"
    assert name_key("alina") != name_key("ina")


def test_token_order_does_not_matter():
    assert set(name_keys("Mohammed Al-Hassan")) == set(name_keys("Alhassan, Muhammad"))


@pytest.mark.parametrize("text,script", [("محمد", "arab"), ("ሰላም", "ethi"), ("Олена", "cyrl"), ("Anna", "latn"),
                                          ("123 محمد", "arab")])
def test_detect_script(text, script):
    assert detect_script(text) == script


@given(st.text(alphabet=st.characters(categories=["Lu", "Ll"], max_codepoint=0x24F), min_size=1, max_size=20))
def test_keys_ignore_case(name):
    assert name_keys(name.upper()) == name_keys(name.lower()) or name.upper().lower() != name.lower()


@given(st.text(max_size=60))
def test_keys_never_crash_and_are_short_ascii_or_empty(text):
    for key in name_keys(text):
        assert key and len(key) <= 60
