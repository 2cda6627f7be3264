"""Collects what an evaluation used (rows, paragraphs, sources, flags) and builds the RuleResult."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, TypeVar

from stella.rules.model import Dated, Provenance, RuleResult
from stella.rules.tables import LAW_FACTS_UNTIL, RULE_VERSION

T = TypeVar("T")

#: The AsylVfG was renamed AsylG by the Asylverfahrensbeschleunigungsgesetz on 24.10.2015.
ASYLG_RENAMED = date(2015, 10, 24)


def row_at(table: Sequence[Dated[T]], day: date) -> Dated[T] | None:
    """The table row in force on `day`, or None if the table has none (a rule not yet or no longer in force)."""
    for row in table:
        if row.covers(day):
            return row
    return None


class Trace:
    """One evaluation: collects provenance of every row used and the sentences of the explanation."""

    def __init__(self, question: str, reference_date: date) -> None:
        self.question = question
        self.day = reference_date
        self.basis: list[str] = []
        self.sources: list[str] = []
        self.notes: list[str] = []
        self.sentences: list[str] = []
        self.unverified = False
        self.interpretation = False
        self.contested = False
        if reference_date > LAW_FACTS_UNTIL:
            self.unverified = True
            self.notes.append(f"Der Stichtag liegt nach dem Stand der Rechtsdaten ({LAW_FACTS_UNTIL:%d.%m.%Y}): "
                              "beantwortet mit den zuletzt geltenden Regeln; spätere Rechtsänderungen sind nicht "
                              "erfasst.")

    def use(self, prov: Provenance, *, basis: bool = True) -> None:
        """Record a rule the answer depends on; `basis=False` keeps its paragraphs out of the basis list."""
        if basis:
            self._add(self.basis, (self._law_name(b) for b in prov.basis))
        self._add(self.sources, prov.sources)
        self.unverified |= prov.unverified
        self.interpretation |= prov.interpretation
        self.contested |= prov.contested
        if prov.note:
            self._add(self.notes, [prov.note])

    def get(self, table: Sequence[Dated[T]], *, basis: bool = True, on: date | None = None) -> T:
        """Value of the row in force (on the reference date unless `on`), recording its provenance."""
        row = row_at(table, on or self.day)
        if row is None:  # the coverage check runs first; a gap is a table bug (tests/test_tables.py)
            raise LookupError(f"no table row for {on or self.day}")
        self.use(row.prov, basis=basis)
        return row.value

    def say(self, sentence: str) -> None:
        self.sentences.append(sentence)

    def result(self, outcome: str, **details: Any) -> RuleResult:
        return RuleResult(
            question=self.question,
            outcome=outcome,
            basis=tuple(self.basis),
            rule_version=RULE_VERSION,
            reference_date=self.day,
            explanation=" ".join(self.sentences),
            unverified=self.unverified,
            sources=tuple(sorted(self.sources, key=_source_order)),
            interpretation=self.interpretation,
            contested=self.contested,
            notes=tuple(self.notes),
            details=details,
        )

    def _law_name(self, paragraph: str) -> str:
        if self.day < ASYLG_RENAMED:
            return paragraph.replace(" AsylG", " AsylVfG")
        return paragraph

    @staticmethod
    def _add(target: list[str], items: Any) -> None:
        for item in items:
            if item not in target:
                target.append(item)


def _source_order(key: str) -> tuple[int, str]:
    digits = "".join(ch for ch in key if ch.isdigit())
    return (int(digits) if digits else 0, key)
