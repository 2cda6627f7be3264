"""Legal access of one person on any date, answered exactly as the "Rechtliche Einschätzung" answers it.

The inputs come from `journey.assessment.derive_inputs` (the recorded status history, or the residence
documents where none is recorded) and the answers from its `_course`/`_work` askers: nothing is re-derived
here. What this module adds is caching for matching, where one person meets offers with hundreds of
different start dates: the derived inputs only change on dates where the file changes (a status event, an
address, a document, a household membership, a child coming of age), so they are derived once per such
segment, and each rule is asked once per (question, topic, date).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from stella.journey import assessment
from stella.journey.assessment import Answer
from stella.people.models import Person

COURSE = "course_access"
WORK = "work_permission"

#: Outcomes that open the door (the others are a refusal). ABH/ABH_BA: a permission is needed but possible.
COURSE_OK = frozenset({"ENTITLED", "ADMISSIBLE"})
WORK_OK = frozenset({"FREE", "ABH", "ABH_BA"})


@dataclass
class LegalAccess:
    """Rule answers for one person; `change_points` are the dates on which the file's inputs may change."""

    person: Person
    change_points: tuple[date, ...] = ()
    _inputs: dict[int, dict[str, Any]] = field(default_factory=dict, repr=False)
    _answers: dict[tuple[str, str, date], Answer] = field(default_factory=dict, repr=False)

    def values_on(self, on: date) -> dict[str, Any]:
        """The rule inputs on `on` (derived once per segment between change points)."""
        segment = bisect_right(self.change_points, on)
        values = self._inputs.get(segment)
        if values is None:
            values = {key: item.value for key, item in assessment.derive_inputs(self.person, on).items()}
            self._inputs[segment] = values
        return {**values, "reference_date": on}

    def answer(self, question: str, topic: str, on: date) -> Answer:
        """The answer to `course_access` or `work_permission` (topic = activity) on `on`, cached."""
        key = (question, topic, on)
        found = self._answers.get(key)
        if found is None:
            values = self.values_on(on)
            found = assessment._course(values) if question == COURSE else assessment._work(values, topic)
            self._answers[key] = found
        return found


def change_points(dates: Iterable[date | None]) -> tuple[date, ...]:
    """Sorted distinct dates; None (an open end) is dropped."""
    return tuple(sorted({d for d in dates if d is not None}))


def day_after(d: date | None) -> date | None:
    """The first day on which a period ending on `d` no longer holds."""
    return d + timedelta(days=1) if d is not None and d < date.max else None


def coming_of_age(birth: date | None, years: int = assessment.ADULT_AGE) -> date | None:
    """The birthday on which a household member stops being a minor (29 Feb → 1 Mar)."""
    if birth is None:
        return None
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:
        return date(birth.year + years, 3, 1)
