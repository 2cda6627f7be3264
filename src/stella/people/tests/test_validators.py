"""Identifier, country, language and CEFR validators: examples and generated inputs."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from stella.people.validators import (
    IDENTIFIER_FORMATS,
    validate_cefr,
    validate_country,
    validate_identifier,
    validate_language,
)

VALID = {"azr": "123456789012", "bamf": "7654321-475", "ba_kundennummer": "955d123456", "bg_nummer": "12345BG0012345"}
INVALID = {"azr": ["12345678901", "1234567890123", "12345678901A"], "bamf": ["7654321475", "765432-475", "7654321-47"],
           "ba_kundennummer": ["9551123456", "955DD23456", "955D12345"], "bg_nummer": ["12345XG0012345", "1234BG0012345"]}


@pytest.mark.parametrize("kind", VALID)
def test_valid_identifiers_are_normalised(kind):
    assert validate_identifier(kind, f" {VALID[kind]} ") == VALID[kind].upper()


@pytest.mark.parametrize("kind,value", [(k, v) for k, vs in INVALID.items() for v in vs])
def test_malformed_identifiers_say_the_expected_format(kind, value):
    with pytest.raises(ValidationError) as exc:
        validate_identifier(kind, value)
    assert IDENTIFIER_FORMATS[kind].example in exc.value.messages[0]


def test_unknown_identifier_kind():
    with pytest.raises(ValidationError, match="Unbekannte Kennungsart"):
        validate_identifier("steuer_id", "123")


@pytest.mark.parametrize("kind", list(IDENTIFIER_FORMATS))
@given(data=st.data())
def test_generated_values_matching_the_pattern_are_accepted(kind, data):
    value = data.draw(st.from_regex(IDENTIFIER_FORMATS[kind].pattern, fullmatch=True))
    assert validate_identifier(kind, value) == value


@pytest.mark.parametrize("kind", list(IDENTIFIER_FORMATS))
@given(value=st.text(max_size=20))
def test_anything_else_is_rejected(kind, value):
    norm = "".join(value.split()).upper()
    if IDENTIFIER_FORMATS[kind].pattern.fullmatch(norm):
        return
    with pytest.raises(ValidationError):
        validate_identifier(kind, value)


@pytest.mark.parametrize("code", ["SYR", "afg", "XXA", "XXX", "UKR"])
def test_countries(code):
    assert validate_country(code) == code.upper()


@pytest.mark.parametrize("code", ["", "SY", "ZZZ", "Syria", "123"])
def test_unknown_countries(code):
    with pytest.raises(ValidationError, match="Ländercode"):
        validate_country(code)


@pytest.mark.parametrize("code", ["ar", "prs", "ti", "de", "uk", "ps"])
def test_languages(code):
    assert validate_language(code) == code


@pytest.mark.parametrize("code", ["", "xx", "arabic", "zzz"])
def test_unknown_languages(code):
    with pytest.raises(ValidationError, match="Sprachcode"):
        validate_language(code)


@given(st.text(max_size=4))
def test_cefr_accepts_exactly_the_six_levels_and_mother_tongue(level):
    valid = level.strip().upper() in {"A1", "A2", "B1", "B2", "C1", "C2", "MT"}
    if valid:
        assert validate_cefr(level) == level.strip().upper()
    else:
        with pytest.raises(ValidationError, match="Sprachniveau"):
            validate_cefr(level)


def test_arabic_indic_digits_are_not_identifier_digits():
    with pytest.raises(ValidationError):
        validate_identifier("azr", "١٢٣٤٥٦٧٨٩٠١٢")
