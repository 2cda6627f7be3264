"""Integration-course admission of asylum seekers (law-facts.md §5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from stella.rules.model import Dated
from stella.rules.tables.common import BEFORE_COVERAGE as B
from stella.rules.tables.common import d, p


@dataclass(frozen=True)
class CourseRule:
    """Which Gestattung holders may be admitted (places permitting)."""

    good_prospects: bool  # §44 Abs. 4 S. 2 Nr. 1: "rechtmäßiger und dauerhafter Aufenthalt zu erwarten"
    extension_entry_before: date | None  # 2019 extension: entry before this day …
    extension_months: int | None  # … and this many months with a Gestattung, plus Arbeitsmarktnähe


_LATER = "Spätere Änderungen der Zulassung zum Integrationskurs (2022–2026) sind nicht geprüft."

COURSE_RULES: tuple[Dated[CourseRule], ...] = (
    Dated(B, d("23.10.2015"), CourseRule(False, None, None), p("§44 Abs. 4 AufenthG", src=("S44",))),
    Dated(d("24.10.2015"), d("31.07.2019"), CourseRule(True, None, None),
          p("§44 Abs. 4 S. 2 Nr. 1 AufenthG", src=("S44", "S45"))),
    Dated(d("01.08.2019"), d("31.12.2021"), CourseRule(True, d("01.08.2019"), 3),
          p("§44 Abs. 4 S. 2 AufenthG", src=("S45",))),
    Dated(d("01.01.2022"), None, CourseRule(True, d("01.08.2019"), 3),
          p("§44 Abs. 4 S. 2 AufenthG", src=("S45",), unverified=True, note=_LATER)),
)

#: Recognised persons (§25 Abs. 1/2) have a claim; not part of law-facts.md, therefore flagged.
RECOGNISED_CLAIM: tuple[Dated[bool], ...] = (
    Dated(B, None, True,
          p("§44 Abs. 1 S. 1 Nr. 1 AufenthG", src=("S3",), unverified=True,
            note="Anspruch auf den Integrationskurs mit Aufenthaltserlaubnis nach §25 Abs. 1/2: nicht Teil der "
                 "Rechtsfakten, aus dem Gesetz übernommen.")),
)
