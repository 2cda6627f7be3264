"""JSON Lines questions → answers for `stella rules check` (pure: no files, no database).

Each line is one question object; the answer is the `RuleResult.to_dict()` of the evaluator, or
`{"error": "…", "line": n}`. Unknown fields, missing required fields, wrong types and impossible dates are
errors of that line only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from stella.rules.benefits import benefit, regime_switch_date
from stella.rules.courses import course_access
from stella.rules.errors import RuleInputError
from stella.rules.model import BenefitInput, CourseAccessInput, RegimeInputs, WorkPermissionInput
from stella.rules.work import work_permission

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class LineError(Exception):
    """A question line that cannot be answered; the message is German and names the field."""


@dataclass(frozen=True)
class Field:
    kind: str  # "date", "bool", "str", "int", "str_list", "object"
    required: bool = False
    nullable: bool = False


_WORK_FIELDS = {
    "reference_date": Field("date", True), "status": Field("str", True), "nationality": Field("str", True),
    "entry_date": Field("date", True, True), "asylum_request_date": Field("date", True, True),
    "lives_in_reception_centre": Field("bool", True), "duldung_grounds": Field("str_list", True),
    "activity": Field("str", True),
    "asylum_application_date": Field("date", nullable=True), "reception_centre_since": Field("date", nullable=True),
    "with_minor_children": Field("bool"), "identity_clarified": Field("bool", nullable=True),
    "identity_clarified_on": Field("date", nullable=True), "rejected_as": Field("str", nullable=True),
    "suspensive_effect_restored": Field("bool"), "duldung_since": Field("date", nullable=True),
    "prior_stay_since": Field("date", nullable=True), "training_begun_as_asylum_seeker": Field("bool"),
}
_BENEFIT_FIELDS = {
    "reference_date": Field("date", True), "regime_inputs": Field("object", True), "age": Field("int", True),
    "household": Field("str", True),
}
_REGIME_FIELDS = {
    "status": Field("str", True), "entry_date": Field("date", True, True), "analogue_since": Field("date", True, True),
    "abuse_of_law": Field("bool"), "decision_final_date": Field("date", nullable=True),
}
_COURSE_FIELDS = {
    "reference_date": Field("date", True), "status": Field("str", True), "nationality": Field("str", True),
    "entry_date": Field("date", nullable=True), "asylum_request_date": Field("date", nullable=True),
    "gestattung_since": Field("date", nullable=True), "labour_market_close": Field("bool", nullable=True),
}
_SWITCH_FIELDS = {"final_decision_date": Field("date", True)}


def answer(question: Any) -> dict[str, Any]:
    """Answer one parsed question object; raises LineError or RuleInputError."""
    if not isinstance(question, dict):
        raise LineError("Jede Zeile muss ein JSON-Objekt sein.")
    kind = question.get("question")
    handler = _HANDLERS.get(kind) if isinstance(kind, str) else None
    if handler is None:
        raise LineError(f"Unbekannte oder fehlende Frageart „{kind}“ (erlaubt: {', '.join(_HANDLERS)}).")
    body = {k: val for k, val in question.items() if k not in ("question", "id")}
    result = handler(body)
    return {"id": question["id"], **result} if "id" in question else result


def run(lines: Iterable[bytes]) -> Iterator[tuple[dict[str, Any], bool]]:
    """Answer each input line in order; yields (answer, ok)."""
    for number, raw in enumerate(lines, start=1):
        try:
            text = raw.decode("utf-8")
            if number == 1:
                text = text.removeprefix("\ufeff")
            if not text.strip():
                raise LineError("Leere Zeile.")
            question = json.loads(text)
        except UnicodeDecodeError:
            yield {"error": "Die Zeile ist nicht UTF-8-kodiert.", "line": number}, False
            continue
        except json.JSONDecodeError as exc:
            yield {"error": f"Kein gültiges JSON: {exc.msg} (Spalte {exc.colno}).", "line": number}, False
            continue
        except LineError as exc:
            yield {"error": str(exc), "line": number}, False
            continue
        yield _answer_or_error(question, number)


def _answer_or_error(question: Any, number: int) -> tuple[dict[str, Any], bool]:
    ident = {"id": question["id"]} if isinstance(question, dict) and "id" in question else {}
    try:
        return answer(question), True
    except LineError as exc:
        return {**ident, "error": str(exc), "line": number}, False
    except RuleInputError as exc:
        message = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.field_errors.items())
        return {**ident, "error": message, "line": number}, False
    except Exception as exc:  # a bug must not cost the other lines their answers; the exit status shows it
        return {**ident, "error": f"Interner Fehler bei dieser Frage ({type(exc).__name__}: {exc}); bitte melden.",
                "line": number}, False


# --- question types ------------------------------------------------------------------------------------

def _work(body: dict[str, Any]) -> dict[str, Any]:
    values = _parse(body, _WORK_FIELDS, "")
    values["duldung_grounds"] = tuple(values.get("duldung_grounds") or ())
    return work_permission(WorkPermissionInput(**values)).to_dict()


def _benefit(body: dict[str, Any]) -> dict[str, Any]:
    values = _parse(body, _BENEFIT_FIELDS, "")
    regime = RegimeInputs(**_parse(values.pop("regime_inputs"), _REGIME_FIELDS, "regime_inputs."))
    return benefit(BenefitInput(regime_inputs=regime, **values)).to_dict()


def _course(body: dict[str, Any]) -> dict[str, Any]:
    return course_access(CourseAccessInput(**_parse(body, _COURSE_FIELDS, ""))).to_dict()


def _switch(body: dict[str, Any]) -> dict[str, Any]:
    return regime_switch_date(**_parse(body, _SWITCH_FIELDS, "")).result.to_dict()


_HANDLERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "work_permission": _work,
    "benefit": _benefit,
    "course_access": _course,
    "regime_switch": _switch,
}


# --- field parsing -------------------------------------------------------------------------------------

def _parse(body: Any, fields: dict[str, Field], prefix: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise LineError(f"{prefix.rstrip('.')}: JSON-Objekt erwartet.")
    unknown = sorted(set(body) - set(fields))
    if unknown:
        raise LineError(f"Unbekannte Felder: {', '.join(prefix + name for name in unknown)}.")
    missing = [name for name, spec in fields.items() if spec.required and name not in body]
    if missing:
        raise LineError(f"Pflichtfelder fehlen: {', '.join(prefix + name for name in missing)}.")
    return {name: _value(prefix + name, body[name], fields[name]) for name in body}


def _value(name: str, value: Any, spec: Field) -> Any:
    if value is None:
        if spec.nullable:
            return None
        raise LineError(f"{name}: Wert fehlt (null ist hier nicht erlaubt).")
    converters: dict[str, Callable[[str, Any], Any]] = {
        "date": _date, "bool": _bool, "str": _str, "int": _int, "str_list": _str_list, "object": _object,
    }
    return converters[spec.kind](name, value)


def _date(name: str, value: Any) -> date:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise LineError(f"{name}: Datum im Format JJJJ-MM-TT erwartet, erhalten {json.dumps(value, ensure_ascii=False)}.")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise LineError(f"{name}: unmögliches Datum „{value}“.") from None


def _bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise LineError(f"{name}: true oder false erwartet.")
    return value


def _str(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise LineError(f"{name}: Text erwartet.")
    return value


def _int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise LineError(f"{name}: ganze Zahl erwartet.")
    return value


def _str_list(name: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise LineError(f"{name}: Liste von Texten erwartet.")
    return value


def _object(name: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise LineError(f"{name}: JSON-Objekt erwartet.")
    return value
