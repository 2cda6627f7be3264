"""Localised choices for select fields: countries (ISO 3166 alpha-3) and languages (ISO 639).

Names come from pycountry and its gettext catalogues (German and English ship with it), so no
list is kept here except the handful of frequent origin countries and languages shown first.
"""

from __future__ import annotations

import gettext
from functools import lru_cache

import pycountry
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from stella.people.validators import SPECIAL_COUNTRIES

#: Main countries of origin of refugees in Germany since 2015, shown first in the select.
FREQUENT_COUNTRIES = ("SYR", "AFG", "IRQ", "ERI", "IRN", "TUR", "UKR", "SOM", "ALB", "NGA", "GEO", "RUS", "PAK",
                      "GIN", "ETH", "SRB")
#: Frequent languages (ISO 639-1 where there is one, otherwise 639-3).
FREQUENT_LANGUAGES = ("ar", "prs", "fa", "ps", "ku", "ckb", "kmr", "ti", "so", "tr", "uk", "ru", "sq", "am", "ur",
                      "en", "fr", "de")
EXTRA_LANGUAGES = ("prs", "ckb", "kmr")


def _lang() -> str:
    return (get_language() or "de").split("-")[0]


@lru_cache(maxsize=8)
def _catalogue(domain: str, lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[lang], fallback=True)


def country_name(code: str) -> str:
    """The country's common name in the active language (e.g. SYR → Syrien)."""
    code = (code or "").upper()
    if code in SPECIAL_COUNTRIES:
        return _(SPECIAL_COUNTRIES[code])
    country = pycountry.countries.get(alpha_3=code)
    if country is None:
        return code
    name = getattr(country, "common_name", None) or country.name
    return _catalogue("iso3166-1", _lang()).gettext(name)


def language_name(code: str) -> str:
    code = (code or "").lower()
    lang = pycountry.languages.get(alpha_2=code) if len(code) == 2 else pycountry.languages.get(alpha_3=code)
    if lang is None:
        return code
    return _catalogue("iso639-3", _lang()).gettext(lang.name)


@lru_cache(maxsize=4)
def _country_choices(lang: str) -> tuple:
    names = sorted(((c.alpha_3, country_name(c.alpha_3)) for c in pycountry.countries), key=lambda x: x[1].casefold())
    special = [(code, country_name(code)) for code in SPECIAL_COUNTRIES]
    frequent = [(code, country_name(code)) for code in FREQUENT_COUNTRIES]
    return tuple(frequent), tuple(special), tuple(names)


def country_choices(blank: str | None = None) -> list:
    frequent, special, names = _country_choices(_lang())
    choices: list = [("", blank)] if blank is not None else []
    choices += [(_("Häufige Herkunftsländer"), list(frequent)), (_("Besondere Angaben"), list(special)),
                (_("Alle Staaten"), list(names))]
    return choices


@lru_cache(maxsize=4)
def _language_choices(lang: str) -> tuple:
    codes = {lang_.alpha_2 for lang_ in pycountry.languages if hasattr(lang_, "alpha_2")}
    codes.update(EXTRA_LANGUAGES)
    names = sorted(((c, language_name(c)) for c in codes), key=lambda x: x[1].casefold())
    frequent = [(c, language_name(c)) for c in FREQUENT_LANGUAGES]
    return tuple(frequent), tuple(names)


def language_choices(blank: str | None = None) -> list:
    frequent, names = _language_choices(_lang())
    choices: list = [("", blank)] if blank is not None else []
    choices += [(_("Häufige Sprachen"), list(frequent)), (_("Alle Sprachen"), list(names))]
    return choices
