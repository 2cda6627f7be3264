"""Shorthands for writing the dated tables readably."""

from __future__ import annotations

from datetime import date

from stella.rules.model import Provenance

#: Rows starting on this day were already in force before; their real start lies before the covered years.
BEFORE_COVERAGE = date(2013, 1, 1)


def d(text: str) -> date:
    """German date literal as written in law-facts.md: d("06.11.2014")."""
    day, month, year = (int(part) for part in text.split("."))
    return date(year, month, day)


def p(*basis: str, src: tuple[str, ...], unverified: bool = False, interpretation: bool = False,
      contested: bool = False, note: str = "") -> Provenance:
    return Provenance(basis=basis, sources=src, unverified=unverified, interpretation=interpretation,
                      contested=contested, note=note)
