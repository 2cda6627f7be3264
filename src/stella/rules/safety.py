"""Safe-country and good-prospects look-ups over the country tables."""

from __future__ import annotations

from datetime import date

from stella.rules.tables.countries import DOUBTFUL_SAFE_STATUS, SAFE_COUNTRY_BY_CODE, SafeCountry
from stella.rules.trace import Trace


def safe_country_on(code: str, day: date) -> SafeCountry | None:
    """The Anlage II entry if `code` is a safe country of origin on `day`."""
    entry = SAFE_COUNTRY_BY_CODE.get(code)
    return entry if entry is not None and entry.safe_on(day) else None


def flag_doubtful(t: Trace, code: str) -> None:
    """Flag the answer where the nationality's safe-country status on the reference date is not established."""
    for doubtful, row in DOUBTFUL_SAFE_STATUS:
        if doubtful == code and row.covers(t.day):
            t.use(row.prov, basis=False)
