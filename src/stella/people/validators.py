"""Format checks for identifiers, country and language codes and CEFR levels (German messages)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pycountry
from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class IdentifierFormat:
    label: str
    pattern: re.Pattern[str]
    example: str
    help: str


#: Identifier formats. Values are normalised (upper case, no blanks) before they are checked.
IDENTIFIER_FORMATS: dict[str, IdentifierFormat] = {
    "azr": IdentifierFormat("AZR-Nummer", re.compile(r"[0-9]{12}"), "123456789012",
                            "12 Ziffern (Ausländerzentralregister)"),
    "bamf": IdentifierFormat("BAMF-Aktenzeichen", re.compile(r"[0-9]{7}-[0-9]{3}"), "7654321-475",
                             "7 Ziffern, Bindestrich, 3-stelliger Herkunftslandschlüssel"),
    "ba_kundennummer": IdentifierFormat("BA-Kundennummer", re.compile(r"[0-9]{3}[A-Z][0-9]{6}"), "955D123456",
                                        "3 Ziffern, 1 Buchstabe, 6 Ziffern"),
    "bg_nummer": IdentifierFormat("BG-Nummer (Jobcenter)", re.compile(r"[0-9]{5}BG[0-9]{7}"), "12345BG0012345",
                                  "5 Ziffern, „BG“, 7 Ziffern"),
}


def normalise_identifier(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def validate_identifier(kind: str, value: str) -> str:
    """Return the normalised value or raise a ValidationError saying which format is expected."""
    fmt = IDENTIFIER_FORMATS.get(kind)
    if fmt is None:
        raise ValidationError(f"Unbekannte Kennungsart „{kind}“.", code="unknown_kind")
    norm = normalise_identifier(value)
    if not fmt.pattern.fullmatch(norm):
        raise ValidationError(
            f"Ungültige {fmt.label}: erwartet {fmt.help}, z. B. {fmt.example}.", code="format"
        )
    return norm


#: ISO 3166 alpha-3 codes plus the ICAO codes for stateless (XXA) and unknown (XXX), and XKX for Kosovo
#: (not in ISO 3166; the user-assigned code the EU uses), a main origin country of 2015.
SPECIAL_COUNTRIES = {"XXA": "staatenlos", "XXB": "Flüchtling (Genfer Konvention)", "XXX": "ungeklärt",
                     "XKX": "Kosovo"}


def validate_country(code: str) -> str:
    norm = (code or "").strip().upper()
    if norm in SPECIAL_COUNTRIES or (len(norm) == 3 and pycountry.countries.get(alpha_3=norm)):
        return norm
    raise ValidationError(f"Unbekannter Ländercode „{code}“ (ISO 3166 Alpha-3 erwartet, z. B. SYR).",
                          code="country")


def country_name(code: str) -> str:
    if code in SPECIAL_COUNTRIES:
        return SPECIAL_COUNTRIES[code]
    country = pycountry.countries.get(alpha_3=code)
    return country.name if country else code


def validate_language(code: str) -> str:
    """ISO 639-1 (ar) or 639-3 (prs, tir) code."""
    norm = (code or "").strip().lower()
    lang = None
    if len(norm) == 2:
        lang = pycountry.languages.get(alpha_2=norm)
    elif len(norm) == 3:
        lang = pycountry.languages.get(alpha_3=norm)
    if lang is None:
        raise ValidationError(f"Unbekannter Sprachcode „{code}“ (ISO 639, z. B. ar, prs, ti).", code="language")
    return norm


def language_name(code: str) -> str:
    lang = pycountry.languages.get(alpha_2=code) if len(code) == 2 else pycountry.languages.get(alpha_3=code)
    return lang.name if lang else code


CEFR_LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2", "MT")


def validate_cefr(level: str) -> str:
    norm = (level or "").strip().upper()
    if norm not in CEFR_LEVELS:
        raise ValidationError(
            f"Unbekanntes Sprachniveau „{level}“ (erlaubt: A1, A2, B1, B2, C1, C2 oder MT für Muttersprache).",
            code="cefr",
        )
    return norm
