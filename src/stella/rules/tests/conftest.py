"""Builders for rule inputs with sensible defaults, so each test states only what it is about."""

from __future__ import annotations

from datetime import date
from typing import Any

from stella.rules import BenefitInput, RegimeInputs, WorkPermissionInput


def day(text: str) -> date:
    """German date literal, as in law-facts.md: day("06.11.2014")."""
    d, m, y = (int(part) for part in text.split("."))
    return date(y, m, d)


def wp(ref: str, status: str = "gestattung", activity: str = "employment", nationality: str = "SYR",
       **kw: Any) -> WorkPermissionInput:
    for key, value in list(kw.items()):
        if isinstance(value, str) and key not in ("rejected_as",):
            kw[key] = day(value)
    kw["duldung_grounds"] = tuple(kw.get("duldung_grounds", ()))
    return WorkPermissionInput(reference_date=day(ref), status=status, activity=activity,  # type: ignore[arg-type]
                               nationality=nationality, **kw)


def bi(ref: str, status: str = "gestattung", age: int = 30, household: str = "single", entry: str | None = None,
       analogue_since: str | None = None, **kw: Any) -> BenefitInput:
    regime = RegimeInputs(status=status, entry_date=day(entry) if entry else None,  # type: ignore[arg-type]
                          analogue_since=day(analogue_since) if analogue_since else None, **kw)
    return BenefitInput(reference_date=day(ref), regime_inputs=regime, age=age, household=household)  # type: ignore[arg-type]
