"""Rechtliche Einschätzung: the rule answers for one person on a date (work permission, benefit, course access).

The inputs are derived from the file (the recorded legal-status history, or where none is recorded yet the
residence documents; address, nationality, birth date, household), each
with a German note on where it came from; the caseworker may override any of them. The pure evaluators of
`stella.rules` then answer. Access is decided per answer: an answer the actor may not see is replaced by the
refusal reason (audited by `cases.access.check`) and never computed.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, cast

import pycountry
from django.core.exceptions import ValidationError
from django.db.models import Q

from stella.audit import service as audit
from stella.authz.policy import Action, Category, decide
from stella.cases.access import access_person, check, today
from stella.core.actor import Actor
from stella.core.errors import AccessDenied
from stella.journey.services import situation_on
from stella.journey.status import Situation
from stella.people.models import (
    AccommodationType,
    Address,
    DatePrecision,
    DocumentKind,
    HouseholdMember,
    IdentityDocument,
    Person,
    Relationship,
)
from stella.people.validators import SPECIAL_COUNTRIES, country_name, validate_country
from stella.rules.benefits import benefit, regime_switch_date
from stella.rules.courses import course_access
from stella.rules.dates import de
from stella.rules.errors import RuleInputError
from stella.rules.model import (
    ACTIVITIES,
    ASYLBLG_STATUSES,
    DULDUNG_GROUNDS,
    DULDUNG_STATUSES,
    HOUSEHOLDS,
    RECOGNISED_STATUSES,
    STATUSES,
    Activity,
    BenefitInput,
    CourseAccessInput,
    RegimeInputs,
    RuleResult,
    WorkPermissionInput,
)
from stella.rules.tables import RULE_VERSION, covered_years
from stella.rules.validate import check_covered
from stella.rules.work import work_permission

# --- German labels (the web UI translates them through its catalogue) ------------------------------------

STATUS_LABELS: dict[str, str] = {
    "gestattung": "Aufenthaltsgestattung",
    "duldung": "Duldung (§60a AufenthG)",
    "duldung_60b": "Duldung für Personen mit ungeklärter Identität (§60b AufenthG)",
    "ae_25_1": "Aufenthaltserlaubnis §25 Abs. 1 AufenthG (Asylberechtigung)",
    "ae_25_2": "Aufenthaltserlaubnis §25 Abs. 2 AufenthG (Flüchtlingsschutz, subsidiärer Schutz)",
    "ae_25_3": "Aufenthaltserlaubnis §25 Abs. 3 AufenthG (Abschiebungsverbot)",
    "ae_24": "Aufenthaltserlaubnis §24 AufenthG (vorübergehender Schutz)",
    "fiktion": "Fiktionsbescheinigung (Ukraine)",
}
HOUSEHOLD_LABELS: dict[str, str] = {
    "single": "alleinstehend im eigenen Haushalt",
    "couple": "in Partnerschaft",
    "child_in_household": "im Haushalt der Eltern",
    "collective_housing": "alleinstehend in einer Sammelunterkunft",
}
GROUND_LABELS: dict[str, str] = {
    "asylblg_purpose": "Einreise, um AsylbLG-Leistungen zu erhalten (§60a Abs. 6 S. 1 Nr. 1 AufenthG)",
    "own_fault": "Abschiebung aus selbst zu vertretenden Gründen unmöglich (§60a Abs. 6 S. 1 Nr. 2 AufenthG)",
    "safe_country": "sicherer Herkunftsstaat (§60a Abs. 6 S. 1 Nr. 3 AufenthG)",
    "return_imminent": "konkrete Maßnahmen zur Aufenthaltsbeendigung stehen bevor (§60a Abs. 5b AufenthG)",
}
ACTIVITY_LABELS: dict[str, str] = {
    "employment": "Beschäftigung",
    "vocational_training": "Berufsausbildung",
    "internship": "Praktikum",
    "self_employment": "Selbständigkeit",
}
OUTCOME_LABELS: dict[str, str] = {
    "FREE": "Erwerbstätigkeit erlaubt, keine Erlaubnis nötig",
    "ABH": "Erlaubnis der Ausländerbehörde nötig",
    "ABH_BA": "Erlaubnis der Ausländerbehörde und Zustimmung der BA nötig",
    "BAN": "Nicht erlaubt",
    "asylblg_3": "AsylbLG §3 (Grundleistungen)",
    "asylblg_2": "AsylbLG §2 (Analogleistungen)",
    "sgb2": "SGB II (Bürgergeld)",
    "ENTITLED": "Anspruch auf Teilnahme",
    "ADMISSIBLE": "Zulassung möglich, soweit Plätze frei sind",
    "NOT_ADMISSIBLE": "Keine Zulassung",
}
QUESTION_LABELS: dict[str, str] = {
    "work_permission": "Arbeitsmarktzugang",
    "benefit": "Leistungen",
    "regime_switch": "Rechtskreiswechsel",
    "course_access": "Integrationskurs",
}
INPUT_LABELS: dict[str, str] = {
    "reference_date": "Stichtag",
    "status": "Aufenthaltsstatus",
    "nationality": "Staatsangehörigkeit",
    "entry_date": "Einreisedatum",
    "asylum_request_date": "Datum des Asylgesuchs",
    "duldung_since": "Beginn der Duldung",
    "lives_in_reception_centre": "Wohnpflicht in der Aufnahmeeinrichtung",
    "reception_centre_since": "Beginn der Wohnpflicht in der Aufnahmeeinrichtung",
    "with_minor_children": "Mit minderjährigen Kindern im Haushalt",
    "age": "Alter",
    "household": "Haushaltssituation",
    "duldung_grounds": "Gründe für ein Arbeitsverbot mit Duldung",
    "identity_clarified": "Identität geklärt",
    "labour_market_close": "Arbeitsmarktnähe",
    "analogue_since": "Beginn der Analogleistungen",
    "decision_final_date": "Datum der Bestandskraft der Anerkennung",
}
#: Shown instead of a derived value or source.
OVERRIDE_SOURCE = "Angabe der Fachkraft"
NOT_RECORDED = "in Stella nicht erfasst; bei Bedarf unter „Angaben anpassen“ angeben"
UNKNOWN = "nicht bekannt"

FAMILY = frozenset({Relationship.HEAD, Relationship.PARTNER, Relationship.CHILD, Relationship.PARENT,
                    Relationship.SIBLING})
#: Adults under 25 in their parents' household have Regelbedarfsstufe 3 (benefits.py); from 25 they do not.
CHILD_IN_HOUSEHOLD_BELOW = 25
ADULT_AGE = 18

_AE_25 = re.compile(r"§\s*25\s*(?:Abs\.?\s*|\()([1-3])(?!\d)", re.IGNORECASE)
_AE_24 = re.compile(r"§\s*24(?![\da-z])", re.IGNORECASE)
_60B = re.compile(r"60\s*b", re.IGNORECASE)
_REQUIRE = re.compile(r"Angabe „[^“]+“ fehlt; sie wird benötigt, (?P<why>.+?)\.?")


# --- inputs --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Overrides:
    """What the caseworker knows better than the file (all optional; None = take it from the file).

    Nothing here is stored: it changes only this assessment, and each value is shown as "Angabe der Fachkraft".
    `labour_market_close` and `duldung_since` go beyond the file's data because evaluators ask for them.
    """

    reference_date: date | None = None
    status: str | None = None
    nationality: str | None = None
    entry_date: date | None = None
    asylum_request_date: date | None = None
    lives_in_reception_centre: bool | None = None
    household: str | None = None
    duldung_grounds: tuple[str, ...] | None = None
    identity_clarified: bool | None = None
    analogue_since: date | None = None
    decision_final_date: date | None = None
    labour_market_close: bool | None = None
    duldung_since: date | None = None

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Overrides:
        """From form or query data: empty values (None, "", empty list) mean "from the file"."""
        known = {f.name for f in fields(cls)}
        given = {k: v for k, v in values.items() if k in known and v not in (None, "", [], ())}
        if "duldung_grounds" in given:
            given["duldung_grounds"] = tuple(given["duldung_grounds"])
        return cls(**given)

    def given(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}


@dataclass(frozen=True)
class AssessmentInput:
    """One rule input: value, German display, where it came from; `file_value` is what an override replaced."""

    key: str
    value: Any
    display: str
    source: str
    overridden: bool = False
    caveat: str = ""
    file_value: str = ""

    @property
    def label(self) -> str:
        return INPUT_LABELS[self.key]

    def to_dict(self) -> dict[str, Any]:
        value = self.value
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        return {"key": self.key, "label": self.label, "value": value, "display": self.display,
                "source": self.source, "overridden": self.overridden, "caveat": self.caveat,
                "file_value": self.file_value}


Inputs = dict[str, AssessmentInput]


@dataclass(frozen=True)
class StatusHistoryDates:
    """Dates a legal-status history would give, with their provenance (German)."""

    first_asylum_document: date | None
    asylum_source: str
    duldung_since: date | None
    duldung_source: str


def status_history_dates(documents: Sequence[IdentityDocument], on: date) -> StatusHistoryDates:
    """Entry, asylum request and start of the current Duldung, approximated from document issue dates.

    The earliest Ankunftsnachweis or Aufenthaltsgestattung stands for both the entry and the asylum request, and
    the earliest Duldung of the uninterrupted run of Duldungen up to `on` for the start of the Duldung. Used only
    for files without recorded status events; otherwise `_recorded_situation` answers from the history.
    """
    asylum_docs = sorted((d for d in documents if d.kind in (DocumentKind.ANKUNFTSNACHWEIS, DocumentKind.GESTATTUNG)
                          and d.issued_on is not None), key=lambda d: (d.issued_on, d.pk))
    first = asylum_docs[0] if asylum_docs else None
    asylum_source = (f"Näherung: Ausstellungsdatum des ersten Ankunftsnachweises bzw. der ersten "
                     f"Aufenthaltsgestattung (Dokument {_kind_label(first)} vom {de(first.issued_on)}); "
                     "das tatsächliche Datum kann früher liegen") if first and first.issued_on else \
        "kein Ankunftsnachweis und keine Aufenthaltsgestattung mit Ausstellungsdatum erfasst"
    issued = sorted((d for d in documents if d.issued_on is not None and d.issued_on <= on
                     and d.kind != DocumentKind.PASSPORT), key=lambda d: (d.issued_on, d.pk), reverse=True)
    run: list[IdentityDocument] = []
    for doc in issued:
        if doc.kind != DocumentKind.DULDUNG:
            break
        run.append(doc)
    since = run[-1].issued_on if run else None
    duldung_source = (f"Näherung: Ausstellungsdatum der ersten Duldung in ununterbrochener Folge (Dokument vom "
                      f"{de(since)})") if since else "keine Duldung mit Ausstellungsdatum erfasst"
    return StatusHistoryDates(first.issued_on if first else None, asylum_source, since, duldung_source)


def derive_inputs(person: Person, on: date, *, residence: bool = True, household: bool = True,
                  residence_refusal: str = "") -> Inputs:
    """The rule inputs the file gives for `on`, each with its provenance.

    `residence=False` (the actor may not read the residence category) leaves documents and addresses unread;
    `household=False` (may not read the identity section) leaves households unread. Inputs that then cannot be
    derived stay empty and say why: they are never guessed.
    """
    inputs: Inputs = {}
    refusal = f"nicht einsehbar: {residence_refusal or 'kein Zugriff auf den Bereich Aufenthalt'}"
    documents = list(person.documents.all()) if residence else []
    address = _address_on(person, on) if residence else None

    situation = _recorded_situation(person, on) if residence else None
    if situation is not None:
        _add_history_inputs(inputs, situation, on)
    elif residence:
        _add(inputs, _status_input(documents, on))
        history = status_history_dates(documents, on)
        for key in ("entry_date", "asylum_request_date"):
            _add(inputs, _date_input(key, history.first_asylum_document, history.asylum_source))
        _add(inputs, _date_input("duldung_since", history.duldung_since, history.duldung_source))
    else:
        for key in ("status", "entry_date", "asylum_request_date", "duldung_since"):
            _add(inputs, AssessmentInput(key, None, UNKNOWN, refusal))

    _add(inputs, _nationality_input(person))
    age = _age_input(person, on)

    if not residence:
        _add(inputs, AssessmentInput("lives_in_reception_centre", None, UNKNOWN, refusal))
        _add(inputs, AssessmentInput("reception_centre_since", None, UNKNOWN, refusal))
    elif address is None:
        _add(inputs, AssessmentInput("lives_in_reception_centre", None, UNKNOWN,
                                     f"keine am {de(on)} gültige Anschrift erfasst"))
        _add(inputs, AssessmentInput("reception_centre_since", None, UNKNOWN, "keine Anschrift erfasst"))
    else:
        in_ea = address.accommodation == AccommodationType.ERSTAUFNAHME
        _add(inputs, AssessmentInput("lives_in_reception_centre", in_ea, _yes_no(in_ea),
                                     f"aus der Anschrift in {address.municipality} seit {de(address.valid_from)}: "
                                     f"{address.get_accommodation_display()}"))
        since = _reception_centre_since(person, address) if in_ea else None
        _add(inputs, AssessmentInput("reception_centre_since", since, de(since) if since else "–",
                                     "aus den Anschriften in der Erstaufnahme" if since else "nur bei Wohnpflicht"))

    members = _memberships(person, on) if household else None
    _add(inputs, _minor_children_input(members, on))
    _add(inputs, age)
    _add(inputs, _household_input(members, age.value, address, residence))
    _add(inputs, AssessmentInput("duldung_grounds", (), "keine", NOT_RECORDED))
    for key in ("identity_clarified", "labour_market_close"):
        _add(inputs, AssessmentInput(key, None, UNKNOWN, NOT_RECORDED))
    # Without a recorded start the evaluator derives analogue benefits from the waiting time: say so.
    _add(inputs, AssessmentInput("analogue_since", None, UNKNOWN, f"{NOT_RECORDED}; ohne Angabe wird der Bezug "
                                                                  "aus der Wartezeit abgeleitet"))
    if situation is not None and situation.decision_final_date is not None:
        _add(inputs, _date_input("decision_final_date", situation.decision_final_date, HISTORY_SOURCE))
    else:
        _add(inputs, AssessmentInput("decision_final_date", None, UNKNOWN, NOT_RECORDED))
    return inputs


HISTORY_SOURCE = "aus dem Statusverlauf (Reiter „Verlauf“)"


def _recorded_situation(person: Person, on: date) -> Situation | None:
    """The legal situation from the recorded status events, or None when none are recorded yet (then the
    documents give an approximation). A history that the transition table refuses is never stored."""
    if not person.status_events.exists():
        return None
    return situation_on(person.pk, on)


def _add_history_inputs(inputs: Inputs, situation: Situation, on: date) -> None:
    status = situation.rules_status
    since = f" seit {de(situation.since)}" if situation.since else ""
    if status is None:
        _add(inputs, AssessmentInput("status", None, UNKNOWN,
                                     f"{HISTORY_SOURCE}: am {de(on)} „{situation.state.label}“{since} – dafür gibt es "
                                     "keine Regel"))
    else:
        _add(inputs, AssessmentInput("status", status, STATUS_LABELS.get(status, status),
                                     f"{HISTORY_SOURCE}: „{situation.state.label}“{since}"))
    _add(inputs, _date_input("entry_date", situation.entry_date or situation.asylum_request_date, HISTORY_SOURCE))
    _add(inputs, _date_input("asylum_request_date", situation.asylum_request_date, HISTORY_SOURCE))
    _add(inputs, _date_input("duldung_since", situation.duldung_since, HISTORY_SOURCE))


def apply_overrides(inputs: Inputs, overrides: Overrides) -> Inputs:
    """The inputs with each given override in place of the derived value (marked as the caseworker's)."""
    result = dict(inputs)
    for key, value in overrides.given().items():
        if key == "reference_date":
            continue
        old = inputs.get(key)
        file_value = f"{old.display} ({old.source})" if old is not None else ""
        result[key] = AssessmentInput(key, value, _display(key, value), OVERRIDE_SOURCE, overridden=True,
                                      file_value=file_value)
    return result


def check_overrides(overrides: Overrides) -> Overrides:
    """Codes must be known (a wrong code is an error, never a guess); the nationality is normalised."""
    errors: dict[str, str] = {}
    if overrides.status is not None and overrides.status not in STATUSES:
        errors["status"] = f"Unbekannter Aufenthaltsstatus „{overrides.status}“ (erlaubt: {', '.join(STATUSES)})."
    if overrides.household is not None and overrides.household not in HOUSEHOLDS:
        errors["household"] = (f"Unbekannte Haushaltssituation „{overrides.household}“ "
                               f"(erlaubt: {', '.join(HOUSEHOLDS)}).")
    unknown = [g for g in overrides.duldung_grounds or () if g not in DULDUNG_GROUNDS]
    if unknown:
        errors["duldung_grounds"] = (f"Unbekannte Duldungsgründe: {', '.join(unknown)} "
                                     f"(erlaubt: {', '.join(DULDUNG_GROUNDS)}).")
    nationality = overrides.nationality
    if nationality is not None:
        try:
            nationality = validate_country(nationality)
        except ValidationError as exc:
            errors["nationality"] = exc.messages[0]
    if errors:
        raise RuleInputError(errors)
    return replace(overrides, nationality=nationality)


# --- the assessment ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Answer:
    """One answer of the assessment: a RuleResult, or why there is none (`error`) or may be none (`refused`)."""

    question: str
    topic: str
    result: RuleResult | None = None
    error: str = ""
    error_fields: tuple[str, ...] = ()
    refused: str = ""

    @property
    def label(self) -> str:
        return ACTIVITY_LABELS.get(self.topic) or QUESTION_LABELS[self.question]

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS.get(self.result.outcome, self.result.outcome) if self.result else ""

    def to_dict(self) -> dict[str, Any]:
        return {"question": self.question, "topic": self.topic, "label": self.label,
                "outcome_label": self.outcome_label or None,
                "result": self.result.to_dict() if self.result else None,
                "error": self.error or None, "error_fields": list(self.error_fields),
                "refused": self.refused or None}


@dataclass(frozen=True)
class LegalAssessment:
    """The Rechtliche Einschätzung of one person on `reference_date`, with the inputs it used."""

    person_id: int
    reference_date: date
    rule_version: str
    coverage: dict[str, tuple[int, int]]
    inputs: tuple[AssessmentInput, ...]
    work: tuple[Answer, ...]
    benefit: Answer
    regime_switch: Answer | None
    course: Answer

    @property
    def answers(self) -> list[Answer]:
        return [*self.work, self.benefit, *([self.regime_switch] if self.regime_switch else []), self.course]

    @property
    def coverage_text(self) -> str:
        return coverage_text(self.coverage)

    def to_dict(self) -> dict[str, Any]:
        return {
            "person_id": self.person_id,
            "reference_date": self.reference_date.isoformat(),
            "rule_version": self.rule_version,
            "coverage": {q: list(years) for q, years in self.coverage.items()},
            "inputs": [i.to_dict() for i in self.inputs],
            "work_permission": [a.to_dict() for a in self.work],
            "benefit": self.benefit.to_dict(),
            "regime_switch": self.regime_switch.to_dict() if self.regime_switch else None,
            "course_access": self.course.to_dict(),
        }


def coverage_text(coverage: Mapping[str, tuple[int, int]] | None = None) -> str:
    """Which years the rule set covers, in German: "Arbeitsmarktzugang 2013–2026, …"."""
    years = coverage or covered_years()
    return ", ".join(f"{QUESTION_LABELS.get(q, q)} {first}–{last}" for q, (first, last) in years.items())


def legal_assessment(*, actor: Actor, person_id: int, on: date | None = None,
                     overrides: Overrides | None = None) -> LegalAssessment:
    """Work permission (four activities), benefit (and regime switch) and course access for one person.

    Work permission and course access need READ on residence, the benefit answers READ on benefits; a refused
    answer carries the reason instead (the refusal is audited) and is not computed. Bad overrides raise
    RuleInputError; an input an answer lacks becomes that answer's `error`, naming the input. Audited as one read.
    """
    person, ctx = access_person(actor, person_id)
    overrides = check_overrides(overrides or Overrides())
    day = overrides.reference_date or on or today()
    refusals: dict[Category, str] = {}
    for category in (Category.RESIDENCE, Category.BENEFITS):
        try:
            check(actor, person_id, ctx, Action.READ, category)
        except AccessDenied as exc:
            refusals[category] = exc.reason
    identity_section = decide(actor, Action.READ, Category.IDENTITY, ctx).allowed
    residence = Category.RESIDENCE not in refusals
    derived = derive_inputs(person, day, residence=residence, household=identity_section,
                            residence_refusal=refusals.get(Category.RESIDENCE, ""))
    day_source = OVERRIDE_SOURCE if overrides.reference_date else "gewählter Stichtag" if on else "heute"
    inputs = {"reference_date": AssessmentInput("reference_date", day, de(day), day_source,
                                                overridden=overrides.reference_date is not None),
              **apply_overrides(derived, overrides)}
    values = {key: item.value for key, item in inputs.items()}

    work_refusal = refusals.get(Category.RESIDENCE, "")
    benefit_refusal = refusals.get(Category.BENEFITS, "")
    work = tuple(_refused("work_permission", a, work_refusal) if work_refusal else _work(values, a)
                 for a in ACTIVITIES)
    course = _refused("course_access", "course_access", work_refusal) if work_refusal else _course(values)
    if benefit_refusal:
        benefit_answer = _refused("benefit", "benefit", benefit_refusal)
    else:
        benefit_answer = _benefit(values)
    switch = None
    if values["status"] in RECOGNISED_STATUSES and values["decision_final_date"] is not None:
        switch = _refused("regime_switch", "regime_switch", benefit_refusal) if benefit_refusal else _switch(values)

    used = [Category.IDENTITY, *([Category.RESIDENCE] if residence else []),
            *([Category.BENEFITS] if not benefit_refusal else [])]
    audit.record_read(actor, person_id=person_id, categories=used, object_type="legal_assessment",
                      object_id=person_id, detail={"reference_date": day.isoformat(),
                                                   "overrides": sorted(overrides.given())})
    return LegalAssessment(person_id=person.pk, reference_date=day, rule_version=RULE_VERSION,
                           coverage=covered_years(), inputs=tuple(inputs.values()), work=work,
                           benefit=benefit_answer, regime_switch=switch, course=course)


# --- asking the evaluators -----------------------------------------------------------------------------

def _work(values: Mapping[str, Any], activity: str) -> Answer:
    required = ["status", "nationality"]
    if values["status"] in ASYLBLG_STATUSES - {"duldung_60b"}:
        required.append("lives_in_reception_centre")  # only the Gestattung/Duldung rows depend on it

    def ask() -> RuleResult:
        return work_permission(WorkPermissionInput(
            reference_date=values["reference_date"], status=values["status"], activity=cast(Activity, activity),
            nationality=values["nationality"], entry_date=values["entry_date"],
            asylum_request_date=values["asylum_request_date"],
            lives_in_reception_centre=bool(values["lives_in_reception_centre"]),
            reception_centre_since=values["reception_centre_since"],
            with_minor_children=bool(values["with_minor_children"]),
            duldung_grounds=tuple(values["duldung_grounds"] or ()),
            identity_clarified=values["identity_clarified"],
            duldung_since=values["duldung_since"] if values["status"] in DULDUNG_STATUSES else None))

    return _ask("work_permission", activity, values, required, ask)


def _benefit(values: Mapping[str, Any]) -> Answer:
    def ask() -> RuleResult:
        return benefit(BenefitInput(values["reference_date"], _regime_inputs(values), values["age"],
                                    values["household"]))

    return _ask("benefit", "benefit", values, ["status", "age", "household"], ask)


def _switch(values: Mapping[str, Any]) -> Answer:
    def ask() -> RuleResult:
        _regime_inputs(values)
        return regime_switch_date(values["decision_final_date"]).result

    return _ask("regime_switch", "regime_switch", values, [], ask)


def _course(values: Mapping[str, Any]) -> Answer:
    def ask() -> RuleResult:
        return course_access(CourseAccessInput(
            reference_date=values["reference_date"], status=values["status"],
            nationality=values["nationality"], entry_date=values["entry_date"],
            asylum_request_date=values["asylum_request_date"], labour_market_close=values["labour_market_close"]))

    return _ask("course_access", "course_access", values, ["status", "nationality"], ask)


def _regime_inputs(values: Mapping[str, Any]) -> RegimeInputs:
    return RegimeInputs(status=values["status"], entry_date=values["entry_date"],
                        analogue_since=values["analogue_since"], decision_final_date=values["decision_final_date"])


def _ask(question: str, topic: str, values: Mapping[str, Any], required: Iterable[str],
         ask: Callable[[], RuleResult]) -> Answer:
    try:
        # A date outside the rule set is the more basic problem: no supplied input could help there.
        check_covered(question, values["reference_date"])
        missing = [key for key in required if values.get(key) is None]
        if missing:
            labels = ", ".join(INPUT_LABELS[key] for key in missing)
            return Answer(question, topic, error=f"Für diese Einschätzung fehlt: {labels}.",
                          error_fields=tuple(missing))
        return Answer(question, topic, result=ask())
    except RuleInputError as exc:
        return Answer(question, topic, error=_error_message(exc, values), error_fields=tuple(exc.field_errors))


def _error_message(exc: RuleInputError, values: Mapping[str, Any]) -> str:
    """A missing input is named as such; contradictions and dates outside the covered years keep the
    evaluator's own message, which already names the input and (for dates) the covered years."""
    parts: list[str] = []
    for key, messages in exc.field_errors.items():
        for message in messages:
            match = _REQUIRE.fullmatch(message)
            if match or (key in values and values[key] is None):
                label = INPUT_LABELS.get(key, key)
                why = f" (benötigt, {match['why']})" if match else ""
                parts.append(f"Für diese Einschätzung fehlt: {label}{why}.")
            else:
                parts.append(message)
    return " ".join(parts)


def _refused(question: str, topic: str, reason: str) -> Answer:
    return Answer(question, topic, refused=reason)


# --- derivation helpers --------------------------------------------------------------------------------

def _add(inputs: Inputs, item: AssessmentInput) -> None:
    inputs[item.key] = item


def _kind_label(doc: IdentityDocument | None) -> str:
    return doc.get_kind_display() if doc is not None else ""


def _yes_no(value: bool) -> str:
    return "ja" if value else "nein"


def _display(key: str, value: Any) -> str:
    if value is None:
        return UNKNOWN
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, date):
        return de(value)
    if key == "status":
        return STATUS_LABELS.get(value, value)
    if key == "nationality":
        return f"{_country_de(value)} ({value})"
    if key == "household":
        return HOUSEHOLD_LABELS.get(value, value)
    if key == "duldung_grounds":
        return "; ".join(GROUND_LABELS.get(g, g) for g in value) or "keine"
    if key == "age":
        return f"{value} Jahre"
    return str(value)


def _country_de(code: str) -> str:
    """The country's German name: explanations and provenance are German whatever the UI language."""
    country = pycountry.countries.get(alpha_3=code)
    if code in SPECIAL_COUNTRIES or country is None:
        return country_name(code)
    return _german_countries().gettext(getattr(country, "common_name", None) or country.name)


@lru_cache(maxsize=1)
def _german_countries() -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["de"], fallback=True)


def _date_input(key: str, value: date | None, source: str) -> AssessmentInput:
    return AssessmentInput(key, value, de(value) if value else UNKNOWN, source,
                           caveat="Näherung" if value and source.startswith("Näherung") else "")


def document_status(doc: IdentityDocument) -> str | None:
    """The rule status a residence document stands for, or None if the rule set does not cover it."""
    kind, basis = doc.kind, doc.legal_basis or ""
    if kind in (DocumentKind.ANKUNFTSNACHWEIS, DocumentKind.GESTATTUNG):
        return "gestattung"
    if kind == DocumentKind.DULDUNG:
        return "duldung_60b" if _60B.search(basis) else "duldung"
    if kind == DocumentKind.FIKTION:
        return "fiktion"
    if kind == DocumentKind.AUFENTHALTSERLAUBNIS:
        if match := _AE_25.search(basis):
            return f"ae_25_{match.group(1)}"
        if _AE_24.search(basis):
            return "ae_24"
    return None


def _valid_on(doc: IdentityDocument, on: date) -> bool:
    return (doc.issued_on is None or doc.issued_on <= on) and (doc.valid_until is None or doc.valid_until >= on)


def _status_input(documents: Sequence[IdentityDocument], on: date) -> AssessmentInput:
    valid = sorted((d for d in documents if d.kind != DocumentKind.PASSPORT and _valid_on(d, on)),
                   key=lambda d: (d.issued_on or date.min, d.pk), reverse=True)
    if not valid:
        return AssessmentInput("status", None, UNKNOWN, f"kein am {de(on)} gültiges Aufenthaltsdokument erfasst")
    doc = valid[0]
    issued = f"vom {de(doc.issued_on)}" if doc.issued_on else "ohne Ausstellungsdatum"
    basis = f" ({doc.legal_basis})" if doc.legal_basis else ""
    until = f", gültig bis {de(doc.valid_until)}" if doc.valid_until else ""
    source = f"aus Dokument {doc.get_kind_display()}{basis} {issued}{until}"
    status = document_status(doc)
    if status is None:
        what = f"{doc.get_kind_display()} {doc.legal_basis or 'ohne Rechtsgrundlage'}".strip()
        return AssessmentInput("status", None, UNKNOWN, f"{source}: „{what}“ deckt der Regelsatz nicht ab "
                                                        "(abgedeckt: §25 Abs. 1–3, §24 AufenthG)")
    caveat = ""
    if status == "fiktion":
        caveat = ("Als Fiktionsbescheinigung des Ukraine-Verfahrens gewertet; setzt sie einen anderen Titel fort, "
                  "bitte den Status anpassen.")
    return AssessmentInput("status", status, STATUS_LABELS[status], source, caveat=caveat)


def _nationality_input(person: Person) -> AssessmentInput:
    current = list(person.nationalities.filter(valid_until__isnull=True).order_by("id").values_list("country",
                                                                                                       flat=True))
    if not current:
        return AssessmentInput("nationality", None, UNKNOWN, "keine Staatsangehörigkeit erfasst")
    others = f"; weitere: {', '.join(current[1:])}" if len(current) > 1 else ""
    return AssessmentInput("nationality", current[0], _display("nationality", current[0]),
                           f"aus den Stammdaten (erste aktuelle Staatsangehörigkeit{others})")


def _age_input(person: Person, on: date) -> AssessmentInput:
    age = person.age_on(on)
    if age is None:
        return AssessmentInput("age", None, UNKNOWN, "kein Geburtsdatum erfasst")
    if age < 0:
        return AssessmentInput("age", None, UNKNOWN, f"der Stichtag liegt vor dem Geburtsdatum "
                                                     f"({person.birth_date_display})")
    shown = person.birth_date_display
    if person.birth_date_precision == DatePrecision.UNKNOWN and person.birth_date is not None:
        shown = f"{de(person.birth_date)}, Genauigkeit unbekannt"
    caveat = ""
    if person.birth_date_precision in (DatePrecision.YEAR, DatePrecision.MONTH, DatePrecision.UNKNOWN):
        caveat = f"Geburtsdatum nur ungenau erfasst ({shown}): das Alter kann um ein Jahr abweichen."
    return AssessmentInput("age", age, _display("age", age), f"aus dem Geburtsdatum {shown}", caveat=caveat)


def _address_on(person: Person, on: date) -> Address | None:
    return (person.addresses.filter(valid_from__lte=on).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
            .order_by("-valid_from", "-id").first())


def _reception_centre_since(person: Person, current: Address) -> date:
    """Start of the uninterrupted stay in Erstaufnahme addresses that ends with `current`."""
    since = current.valid_from
    for address in person.addresses.filter(valid_from__lt=since).order_by("-valid_from", "-id"):
        if address.accommodation != AccommodationType.ERSTAUFNAHME or address.valid_until is None or \
                address.valid_until < since - timedelta(days=1):
            break
        since = address.valid_from
    return since


@dataclass(frozen=True)
class _Membership:
    own: HouseholdMember
    others: list[HouseholdMember] = field(default_factory=list)


def _current(qs: Any, on: date) -> Any:
    return qs.filter(since__lte=on).filter(Q(until__isnull=True) | Q(until__gte=on))


def _memberships(person: Person, on: date) -> list[_Membership]:
    own = list(_current(HouseholdMember.objects.filter(person=person), on).select_related("household"))
    others = list(_current(HouseholdMember.objects.filter(household_id__in=[m.household_id for m in own]), on)
                  .exclude(person=person).select_related("person"))
    return [_Membership(m, [o for o in others if o.household_id == m.household_id]) for m in own]


def _household_name(m: _Membership) -> str:
    return f"„{m.own.household.label}“" if m.own.household.label else f"Nr. {m.own.household_id}"


def _minor_children_input(members: list[_Membership] | None, on: date) -> AssessmentInput:
    if members is None:
        return AssessmentInput("with_minor_children", False, "nein", "Haushalte nicht einsehbar")
    for m in members:
        if m.own.relationship in (Relationship.HEAD, Relationship.PARTNER):
            minors = [o for o in m.others if o.relationship == Relationship.CHILD
                      and (age := o.person.age_on(on)) is not None and age < ADULT_AGE]
            if minors:
                return AssessmentInput("with_minor_children", True, "ja",
                                       f"aus Haushalt {_household_name(m)}: {len(minors)} minderjährige(s) Kind(er)")
    return AssessmentInput("with_minor_children", False, "nein", "keine minderjährigen Kinder im Haushalt erfasst")


def _household_input(members: list[_Membership] | None, age: int | None, address: Address | None,
                     residence: bool) -> AssessmentInput:
    """Household situation for the Regelbedarfsstufe, in the order the stages are decided."""
    def made(value: str, source: str) -> AssessmentInput:
        return AssessmentInput("household", value, HOUSEHOLD_LABELS[value], source)

    for m in members or []:
        name = _household_name(m)
        if m.own.relationship == Relationship.CHILD and age is not None and age < CHILD_IN_HOUSEHOLD_BELOW:
            return made("child_in_household", f"aus Haushalt {name}: Kind im Haushalt, unter 25 Jahre")
    for m in members or []:
        rel, others = m.own.relationship, {o.relationship for o in m.others}
        if (rel == Relationship.HEAD and Relationship.PARTNER in others) or \
                (rel == Relationship.PARTNER and Relationship.HEAD in others):
            return made("couple", f"aus Haushalt {_household_name(m)}: Partner/in im Haushalt")
    family = any(o.relationship in FAMILY for m in members or [] for o in m.others)
    if not family and members is not None:
        collective = (AccommodationType.ERSTAUFNAHME, AccommodationType.VORLAEUFIG)
        if address is not None and address.accommodation in collective:
            return made("collective_housing", f"aus der Anschrift: {address.get_accommodation_display()}; "
                                              "keine Familienangehörigen im Haushalt erfasst")
        if not residence:
            return AssessmentInput("household", None, UNKNOWN, "ohne Zugriff auf den Bereich Aufenthalt nicht "
                                                               "ermittelbar (Sammelunterkunft?)")
    if members is None:
        return AssessmentInput("household", None, UNKNOWN, "Haushalte nicht einsehbar")
    return made("single", "kein Haushalt mit Partner/in oder Eltern und keine Sammelunterkunft erfasst")
