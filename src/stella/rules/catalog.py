"""The list of unverified, contested and interpreted rules, as shown to caseworkers and in docs/rules.md.

`python -m stella.rules.catalog` prints it as Markdown (paste into docs/rules.md; a test keeps them in step).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from stella.rules.model import Dated, Provenance
from stella.rules.tables import benefits, countries, courses, work
from stella.rules.tables.common import BEFORE_COVERAGE
from stella.rules.tables.countries import SafeCountry


@dataclass(frozen=True)
class Caveat:
    """One doubtful rule: where it lives, when it applies, what kind of doubt and why (German)."""

    table: str
    valid_from: date | None
    valid_to: date | None
    kind: str  # "ungeprüft", "umstritten", "Auslegung"
    note: str


def caveats() -> list[Caveat]:
    """Every flagged provenance in the tables, one entry per note (periods and tables merged), in table order."""
    found: dict[str, Caveat] = {}
    for module in (work, countries, courses, benefits):
        for name, value in vars(module).items():
            if name.isupper() and not name.startswith("_"):
                table = f"{module.__name__.rsplit('.', 1)[-1]}.{name}"
                for row_from, row_to, prov in _provenances(value):
                    if _flagged(prov):
                        found[prov.note] = _merge(found.get(prov.note), Caveat(table, row_from, row_to, _kind(prov),
                                                                                 prov.note))
    return list(found.values())


def _merge(old: Caveat | None, new: Caveat) -> Caveat:
    if old is None:
        return new
    tables = old.table if new.table in old.table.split(", ") else f"{old.table}, {new.table}"
    start = min((d for d in (old.valid_from, new.valid_from) if d is not None), default=None)
    end = None if old.valid_to is None or new.valid_to is None else max(old.valid_to, new.valid_to)
    return Caveat(tables, start, end, old.kind, old.note)


def _provenances(value: Any) -> list[tuple[date | None, date | None, Provenance]]:
    if isinstance(value, Provenance):
        return [(None, None, value)]
    if isinstance(value, Dated):
        return [(value.valid_from, value.valid_to, value.prov)]
    if isinstance(value, SafeCountry):
        return [(value.added, value.removed, value.prov)]
    if isinstance(value, dict):
        return [item for sub in value.values() for item in _provenances(sub)]
    if isinstance(value, tuple):
        return [item for sub in value for item in _provenances(sub)]
    return []


def _flagged(prov: Provenance) -> bool:
    return prov.unverified or prov.contested or prov.interpretation


def _kind(prov: Provenance) -> str:
    kinds = [label for flag, label in ((prov.unverified, "ungeprüft"), (prov.contested, "umstritten"),
                                        (prov.interpretation, "Auslegung")) if flag]
    return ", ".join(kinds)


def _period(caveat: Caveat) -> str:
    if caveat.valid_from is None:
        return "—"
    if caveat.valid_from <= BEFORE_COVERAGE:
        return "immer" if caveat.valid_to is None else f"bis {caveat.valid_to.strftime('%d.%m.%Y')}"
    start = caveat.valid_from.strftime("%d.%m.%Y")
    return f"ab {start}" if caveat.valid_to is None else f"{start}–{caveat.valid_to.strftime('%d.%m.%Y')}"


def markdown() -> str:
    lines = ["| Tabelle | Zeitraum | Art | Hinweis für die Fachkraft |", "|---|---|---|---|"]
    lines += [f"| `{c.table}` | {_period(c)} | {c.kind} | {c.note} |" for c in caveats()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
