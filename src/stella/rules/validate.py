"""Input checks shared by the evaluators: codes, covered years, contradictory or missing dates."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError

from stella.people.validators import validate_country
from stella.rules.dates import de
from stella.rules.errors import RuleInputError
from stella.rules.model import STATUSES
from stella.rules.tables import COVERAGE, RULE_VERSION

#: Statuses that only exist from a certain day; asking about them earlier is a contradiction.
STATUS_EXISTS_FROM: dict[str, tuple[date, str]] = {
    "duldung_60b": (date(2019, 8, 21), "Die Duldung nach §60b AufenthG gibt es erst seit dem 21.08.2019."),
    "ae_24": (date(2022, 3, 1), "Für die Aufenthaltserlaubnis nach §24 AufenthG (Ukraine) enthält der Regelsatz "
                                "Regeln erst ab 01.03.2022."),
    "fiktion": (date(2022, 3, 1), "Für die Fiktionsbescheinigung (Ukraine) enthält der Regelsatz Regeln erst ab "
                                  "01.03.2022."),
}


def check_covered(question: str, day: date) -> None:
    first, last = COVERAGE[question]
    if not first <= day <= last:
        raise RuleInputError(
            "reference_date",
            f"Der Stichtag {de(day)} liegt außerhalb der abgedeckten Jahre {first.year}–{last.year} "
            f"(Regelsatz {RULE_VERSION}, {de(first)} bis {de(last)}).",
        )


def check_status(status: str, day: date) -> None:
    if status not in STATUSES:
        raise RuleInputError("status", f"Unbekannter Aufenthaltsstatus „{status}“ (erlaubt: {', '.join(STATUSES)}).")
    if status in STATUS_EXISTS_FROM and day < STATUS_EXISTS_FROM[status][0]:
        raise RuleInputError("status", STATUS_EXISTS_FROM[status][1])


def check_country(code: str, field: str = "nationality") -> str:
    try:
        return validate_country(code)
    except ValidationError as exc:
        raise RuleInputError(field, exc.messages[0]) from exc


def check_choice(field: str, value: object, allowed: Iterable[str], label: str) -> None:
    allowed = tuple(allowed)
    if value not in allowed:
        raise RuleInputError(field, f"Unbekannte Angabe „{value}“ für {label} (erlaubt: {', '.join(allowed)}).")


def check_not_after(field: str, value: date | None, limit: date, limit_label: str) -> None:
    """A past event cannot lie after the reference date or after a later event."""
    if value is not None and value > limit:
        raise RuleInputError(field, f"{_label(field)} ({de(value)}) liegt nach {limit_label} ({de(limit)}).")


def check_not_before(field: str, value: date | None, limit: date | None, limit_label: str) -> None:
    if value is not None and limit is not None and value < limit:
        raise RuleInputError(field, f"{_label(field)} ({de(value)}) liegt vor {limit_label} ({de(limit)}): "
                                    "widersprüchliche Angaben.")


def require(field: str, value: date | bool | None, why: str) -> None:
    if value is None:
        raise RuleInputError(field, f"Angabe „{_label(field)}“ fehlt; sie wird benötigt, {why}.")


FIELD_LABELS = {
    "reference_date": "Stichtag",
    "entry_date": "Einreisedatum",
    "asylum_request_date": "Datum des Asylgesuchs",
    "asylum_application_date": "Datum des Asylantrags",
    "reception_centre_since": "Beginn der Wohnpflicht in der Aufnahmeeinrichtung",
    "duldung_since": "Beginn der Duldung",
    "prior_stay_since": "Beginn des ununterbrochenen Aufenthalts",
    "identity_clarified": "Identität geklärt",
    "identity_clarified_on": "Datum der Identitätsklärung",
    "analogue_since": "Beginn der Analogleistungen",
    "decision_final_date": "Datum der Bestandskraft der Entscheidung",
    "gestattung_since": "Beginn der Aufenthaltsgestattung",
    "labour_market_close": "Arbeitsmarktnähe",
    "final_decision_date": "Datum der Bestandskraft der Entscheidung",
}


def _label(field: str) -> str:
    return FIELD_LABELS.get(field, field)
