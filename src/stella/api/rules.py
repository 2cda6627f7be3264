"""Law as data over HTTP: the Rechtliche Einschätzung of a person (audited, per-answer access) and the
person-free rule check in the batch format of `stella rules check` for other tools."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Body, Query, Router, Schema
from pydantic import Field

from stella.api.auth import actor
from stella.api.schemas import IsoDate
from stella.core.errors import InvalidInput
from stella.journey import assessment
from stella.rules.batch import LineError, answer
from stella.rules.model import DuldungGround, Household, Status

persons_router = Router(tags=["Rechtliche Einschätzung"])
rules_router = Router(tags=["Rechtliche Einschätzung"])


class AssessmentQuery(Schema):
    """Stichtag and the caseworker's inputs; each given input replaces what the file says (nothing is stored)."""

    date: IsoDate | None = Field(None, description="Stichtag JJJJ-MM-TT; ohne Angabe: heute")
    status: Status | None = Field(None, description="Aufenthaltsstatus statt des Dokuments der Akte")
    nationality: str | None = Field(None, max_length=3, description="ISO 3166 Alpha-3, z. B. SYR")
    entry_date: IsoDate | None = None
    asylum_request_date: IsoDate | None = None
    duldung_since: IsoDate | None = None
    lives_in_reception_centre: bool | None = None
    household: Household | None = None
    duldung_grounds: list[DuldungGround] | None = Field(None, description="mehrfach angeben: "
                                                                          "?duldung_grounds=own_fault&…")
    identity_clarified: bool | None = None
    labour_market_close: bool | None = None
    analogue_since: IsoDate | None = None
    decision_final_date: IsoDate | None = None


class InputOut(Schema):
    key: str
    label: str
    value: Any = Field(description="Wert, mit dem gerechnet wurde (Datum als JJJJ-MM-TT, null = unbekannt)")
    display: str
    source: str = Field(description="Herkunft, z. B. „aus Dokument Aufenthaltsgestattung vom 03.09.2015“ oder "
                                    "„Angabe der Fachkraft“")
    overridden: bool
    caveat: str
    file_value: str = Field(description="Bei einer Angabe der Fachkraft: was die Akte sagte")


class AnswerOut(Schema):
    question: str = Field(description="work_permission, benefit, regime_switch oder course_access")
    topic: str = Field(description="Tätigkeit (employment, vocational_training, internship, self_employment) "
                                   "oder wie question")
    label: str
    outcome_label: str | None
    result: dict[str, Any] | None = Field(description="RuleResult.to_dict(), wie eine Antwortzeile von "
                                                      "`stella rules check`; null bei error oder refused")
    error: str | None = Field(description="Warum es keine Antwort gibt, z. B. „Für diese Einschätzung fehlt: "
                                          "Datum des Asylgesuchs“")
    error_fields: list[str]
    refused: str | None = Field(description="Grund, wenn Sie diese Antwort nicht sehen dürfen (protokolliert)")


class AssessmentOut(Schema):
    person_id: int
    reference_date: date
    rule_version: str
    coverage: dict[str, list[int]] = Field(description="Abgedeckte Jahre je Frage, z. B. benefit: [2015, 2026]")
    inputs: list[InputOut]
    work_permission: list[AnswerOut]
    benefit: AnswerOut
    regime_switch: AnswerOut | None
    course_access: AnswerOut


@persons_router.get("/{int:person_id}/legal-assessment", response=AssessmentOut, summary="Rechtliche Einschätzung")
def legal_assessment(request: HttpRequest, person_id: int, query: Query[AssessmentQuery]) -> Any:
    """Arbeitsmarktzugang (four activities), Leistungen (regime, stage, amount; regime switch after a final
    recognition) and Integrationskurs on the Stichtag, with every input and where it came from. Work permission
    and course need read access to residence, the benefit answers to benefits; a refused answer carries
    `refused` instead of a result (audited). A person the caller may not find is answered 404."""
    unknown = sorted(set(request.GET) - set(AssessmentQuery.model_fields))
    if unknown:  # a misspelt input must not silently fall back to the file
        raise InvalidInput(dict.fromkeys(unknown, "Unbekannter Parameter."))
    overrides = assessment.Overrides.from_mapping(query.model_dump(exclude={"date"}))
    return assessment.legal_assessment(actor=actor(request), person_id=person_id, on=query.date,
                                       overrides=overrides).to_dict()


_CHECK_EXAMPLE = {
    "question": "work_permission", "reference_date": "2016-03-01", "status": "gestattung", "nationality": "SYR",
    "entry_date": "2015-09-01", "asylum_request_date": "2015-09-03", "lives_in_reception_centre": False,
    "duldung_grounds": [], "activity": "employment",
}


@rules_router.post("/check", response=dict[str, Any], summary="Rechtsfrage beantworten (ohne Personendaten)",
                   openapi_extra={"requestBody": {"content": {"application/json": {
                       "schema": {"type": "object"}, "example": _CHECK_EXAMPLE}}}})
def check(request: HttpRequest, question: Body[dict[str, Any]]) -> Any:
    """One question object in the format of `stella rules check` (`work_permission`, `benefit`,
    `course_access`, `regime_switch`; see docs/rules.md); the answer is that command's answer line. A question
    that cannot be answered is a 422 problem naming the field. Involves no personal data: not audited."""
    try:
        return answer(question)
    except LineError as exc:
        raise InvalidInput(_line_error_fields(str(exc))) from exc


_FIELD_PREFIX = re.compile(r"(?P<field>[a-z_][a-z0-9_.]*): ")
_FIELD_LIST = re.compile(r"(?:Unbekannte Felder|Pflichtfelder fehlen): (?P<fields>[a-z0-9_., ]+)\.")


def _line_error_fields(message: str) -> dict[str, str]:
    """The batch messages name their field(s) in the text; the problem document lists them per field."""
    if match := _FIELD_LIST.fullmatch(message):
        return dict.fromkeys((f.strip() for f in match["fields"].split(",")), message)
    if match := _FIELD_PREFIX.match(message):
        return {match["field"]: message}
    return {"question": message}
