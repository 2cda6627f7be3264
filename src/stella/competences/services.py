"""Use cases on the competence profile: add and end school education, qualifications, work experience,
skills, language assessments and circumstances; confirm an occupation for a job title; record a course result.

Rows are history: nothing is deleted or overwritten. Ending sets `ended_at`; a change to a row that matters
later (the confirmed KldB code of an experience, a new state of recognition) ends the row and adds its
successor with `replaces` pointing back. Every function takes a keyword-only `actor`, checks the policy
for the category „Kompetenzen“, validates all input first (InvalidInput with German messages per field,
nothing written) and writes its audit event in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from stella.audit import service as audit
from stella.audit.models import AuditAction
from stella.authz.policy import Action, Category
from stella.cases.access import access_person, check, today
from stella.competences import kldb
from stella.competences.models import (
    Certificate,
    Circumstances,
    LanguageAssessment,
    LevelSource,
    Mobility,
    Occupation,
    ProfileRow,
    Qualification,
    QualificationKind,
    Recognition,
    SchoolEducation,
    Skill,
    SkillKind,
    WorkExperience,
)
from stella.core.actor import Actor
from stella.core.errors import InvalidInput, NotFound
from stella.people import validators as v
from stella.people.models import Person

#: Driving-licence classes (Fahrerlaubnisklassen, §6 FeV) that can be recorded.
DRIVING_LICENCE_CLASSES = ("B", "BE", "C1", "C", "CE", "D", "T", "L", "AM", "A1", "A2", "A")
#: The four skills of a CEFR assessment, with their German labels.
CEFR_SKILLS: dict[str, str] = {"speaking": "Sprechen", "understanding": "Hören/Verstehen", "reading": "Lesen",
                               "writing": "Schreiben"}
#: Plausible bounds; anything outside is a typing error, not a biography.
MAX_SCHOOL_YEARS = 25
MAX_EXPERIENCE_YEARS = Decimal(60)
EARLIEST_YEAR = 1940
EARLIEST_ASSESSMENT = date(1990, 1, 1)
#: "Muttersprache" is a self-description, never the result of a test or course.
MOTHER_TONGUE = "MT"

R = TypeVar("R", bound=ProfileRow)


@dataclass(frozen=True)
class RowKind:
    """One kind of profile row: its model, the name used in URLs and the audit trail, its German label."""

    key: str
    model: type[ProfileRow]
    object_type: str
    label: str


KINDS: dict[str, RowKind] = {k.key: k for k in (
    RowKind("school", SchoolEducation, "school_education", "Schulbildung"),
    RowKind("qualifications", Qualification, "qualification", "Qualifikation"),
    RowKind("experience", WorkExperience, "work_experience", "Berufserfahrung"),
    RowKind("skills", Skill, "skill", "Fähigkeit"),
    RowKind("languages", LanguageAssessment, "language_assessment", "Sprachstand"),
    RowKind("circumstances", Circumstances, "circumstances", "Rahmenbedingungen"),
)}


# ---------------------------------------------------------------------------------------------------------------
# Validation helpers: collect every problem, then raise once


class _Problems:
    """Field → German messages; `raise_if_any()` turns them into one InvalidInput."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)

    def validated(self, key: str, fn: Callable[[str], str], value: str) -> str:
        """Run a people.validators function; its ValidationError becomes a field message."""
        try:
            return fn(value)
        except ValidationError as exc:
            for message in exc.messages:
                self.add(key, message)
            return ""

    def text(self, key: str, value: str, label: str, max_length: int, *, required: bool = True) -> str:
        value = (value or "").strip()
        if required and not value:
            self.add(key, f"{label} fehlt.")
        elif len(value) > max_length:
            self.add(key, f"{label} ist zu lang (höchstens {max_length} Zeichen).")
        return value

    def choice(self, key: str, value: str, choices: Any, label: str) -> None:
        if value not in choices.values:
            self.add(key, f"Unbekannter Wert „{value}“ für {label} (erlaubt: {', '.join(choices.values)}).")

    def country(self, key: str, value: str) -> str:
        return self.validated(key, v.validate_country, value) if (value or "").strip() else ""

    def not_future(self, key: str, value: date | None, label: str) -> None:
        if value is not None and value > today():
            self.add(key, f"{label} ({value:%d.%m.%Y}) liegt in der Zukunft.")

    def year(self, key: str, value: int | None, label: str) -> None:
        if value is not None and not EARLIEST_YEAR <= value <= today().year:
            self.add(key, f"{label} muss zwischen {EARLIEST_YEAR} und {today().year} liegen.")

    def occupation(self, key: str, code: str | None) -> Occupation | None:
        """The Berufsgattung (level 5) of the active KldB version, or a message under `key` (the loader's own
        key is replaced: the caller's field is what the user filled in). Matching compares Berufsgattungen; a
        coarser position would lose the Anforderungsniveau."""
        code = (code or "").strip()
        if not code:
            return None
        try:
            occupation = kldb.occupation_by_code(code)
        except InvalidInput as exc:
            for messages in exc.field_errors.values():
                for message in messages:
                    self.add(key, message)
            return None
        return occupation

    def raise_if_any(self) -> None:
        if self.errors:
            raise InvalidInput(self.errors)


# ---------------------------------------------------------------------------------------------------------------
# Writing


def _write_access(actor: Actor, person_id: int) -> Person:
    person, ctx = access_person(actor, person_id, audit_action=AuditAction.UPDATE)
    check(actor, person_id, ctx, Action.WRITE, Category.COMPETENCES)
    return person


def _create(actor: Actor, person: Person, kind: RowKind, fields: Mapping[str, Any], *,
            replaces: ProfileRow | None = None, detail: dict[str, Any] | None = None) -> Any:
    """Add one row and its audit event; call inside a transaction."""
    row = kind.model._default_manager.create(person=person, recorded_by_id=actor.agency_id,
                                             **{**fields, "replaces": replaces})
    audit.record(actor, AuditAction.CREATE, person_id=person.pk, categories=[Category.COMPETENCES],
                 object_type=kind.object_type, object_id=row.pk,
                 detail={**(detail or {}), **({"replaces": replaces.pk} if replaces else {})})
    return row


def _add(actor: Actor, person_id: int, kind_key: str, problems: _Problems, fields: Mapping[str, Any],
         detail: dict[str, Any] | None = None) -> Any:
    """Validate (already done into `problems`), check access, then create in one transaction."""
    problems.raise_if_any()
    person = _write_access(actor, person_id)
    with transaction.atomic():
        return _create(actor, person, KINDS[kind_key], fields, detail=detail)


def _current_row(kind: RowKind, person_id: int, row_id: int, *, lock: bool = False) -> ProfileRow:
    qs = kind.model._default_manager.filter(pk=row_id, person_id=person_id)
    if lock:
        qs = qs.select_for_update()
    row = qs.first()
    if row is None:
        raise NotFound(f"Die Angabe ({kind.label}) wurde nicht gefunden.")
    if row.ended_at is not None:
        raise InvalidInput({"row": f"Diese Angabe ({kind.label}) ist bereits beendet."})
    return row


def _end(row: ProfileRow) -> None:
    # Conditional update: of two concurrent ends or replacements only one succeeds.
    ended = type(row)._default_manager.filter(pk=row.pk, ended_at__isnull=True).update(ended_at=timezone.now())
    if not ended:
        raise InvalidInput({"row": "Diese Angabe wurde inzwischen von jemand anderem beendet."})


def end_row(*, actor: Actor, person_id: int, kind: str, row_id: int) -> ProfileRow:
    """End a profile row of any kind (it stays in the history, marked as ended)."""
    row_kind = KINDS.get(kind)
    if row_kind is None:
        raise NotFound(f"Die Art „{kind}“ gibt es im Kompetenzprofil nicht.")
    _write_access(actor, person_id)
    with transaction.atomic():
        row = _current_row(row_kind, person_id, row_id, lock=True)
        _end(row)
        audit.record(actor, AuditAction.UPDATE, person_id=person_id, categories=[Category.COMPETENCES],
                     object_type=row_kind.object_type, object_id=row.pk, detail={"ended": True})
    row.refresh_from_db()
    return row


def _replace(actor: Actor, person_id: int, kind_key: str, row_id: int, changes: Mapping[str, Any],
             detail: dict[str, Any]) -> Any:
    """End a row and add its successor with `changes` applied (a tracked update that keeps the history)."""
    kind = KINDS[kind_key]
    person = _write_access(actor, person_id)
    with transaction.atomic():
        old = _current_row(kind, person_id, row_id, lock=True)
        _end(old)
        copied = {f.name: getattr(old, f.name) for f in kind.model._meta.concrete_fields
                  if f.name not in {"id", "person", "recorded_by", "created_at", "ended_at", "replaces"}}
        return _create(actor, person, kind, {**copied, **changes}, replaces=old, detail=detail)


def add_school_education(*, actor: Actor, person_id: int, years: int, certificate: str = Certificate.NONE,
                         country: str = "") -> SchoolEducation:
    """School attended: years, highest certificate and the country of the school."""
    p = _Problems()
    if not 0 <= years <= MAX_SCHOOL_YEARS:
        p.add("years", f"Die Schuljahre müssen zwischen 0 und {MAX_SCHOOL_YEARS} liegen.")
    p.choice("certificate", certificate, Certificate, "den Abschluss")
    code = p.country("country", country)
    return _add(actor, person_id, "school", p,  # type: ignore[no-any-return]
                {"years": years, "certificate": certificate, "country": code})


def _check_recognition(p: _Problems, recognition: str, body: str, on: date | None, year: int | None) -> str:
    p.choice("recognition", recognition, Recognition, "die Anerkennung")
    body = p.text("recognition_body", body, "Die anerkennende Stelle", 200, required=False)
    p.not_future("recognition_date", on, "Das Datum der Anerkennung")
    if recognition == Recognition.NOT_STARTED:
        if body or on:
            p.add("recognition_body" if body else "recognition_date",
                  "Ohne Antrag auf Anerkennung gibt es keine Stelle und kein Datum.")
    else:
        if not body:
            p.add("recognition_body", "Bitte die Stelle angeben, bei der die Anerkennung beantragt ist oder die "
                                      "entschieden hat (z. B. IHK FOSA).")
        if recognition in (Recognition.PARTIAL, Recognition.FULL) and on is None:
            p.add("recognition_date", "Bitte das Datum der Entscheidung angeben.")
    if on is not None and year is not None and on.year < year:
        p.add("recognition_date", "Die Anerkennung liegt vor dem Abschlussjahr.")
    return body


def add_qualification(*, actor: Actor, person_id: int, kind: str, title: str, country: str = "",
                      year: int | None = None, occupation_code: str = "", recognition: str = Recognition.NOT_STARTED,
                      recognition_body: str = "", recognition_date: date | None = None) -> Qualification:
    """A vocational or academic qualification, optionally coded in KldB 2010, and its recognition in Germany."""
    p = _Problems()
    p.choice("kind", kind, QualificationKind, "die Art der Qualifikation")
    title = p.text("title", title, "Die Bezeichnung", 200)
    code = p.country("country", country)
    p.year("year", year, "Das Abschlussjahr")
    occupation = p.occupation("occupation_code", occupation_code)
    body = _check_recognition(p, recognition, recognition_body, recognition_date, year)
    return _add(actor, person_id, "qualifications", p,  # type: ignore[no-any-return]
                {"kind": kind, "title": title, "country": code, "year": year, "occupation": occupation,
                 "recognition": recognition, "recognition_body": body, "recognition_date": recognition_date},
                detail={"recognition": recognition, "occupation": occupation.code if occupation else ""})


def update_recognition(*, actor: Actor, person_id: int, row_id: int, recognition: str, recognition_body: str = "",
                       recognition_date: date | None = None) -> Qualification:
    """A new state of the recognition (e.g. applied → full): the old row ends, its successor carries the state."""
    current = Qualification.objects.filter(pk=row_id, person_id=person_id).first()
    p = _Problems()
    body = _check_recognition(p, recognition, recognition_body, recognition_date, current.year if current else None)
    p.raise_if_any()
    return _replace(actor, person_id, "qualifications", row_id,  # type: ignore[no-any-return]
                    {"recognition": recognition, "recognition_body": body, "recognition_date": recognition_date},
                    {"recognition": recognition})


def _years(p: _Problems, value: Decimal | float | int | str) -> Decimal:
    try:
        years = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        p.add("years", f"„{value}“ ist keine Zahl von Jahren.")
        return Decimal(0)
    if not 0 <= years <= MAX_EXPERIENCE_YEARS:
        p.add("years", f"Die Jahre Erfahrung müssen zwischen 0 und {MAX_EXPERIENCE_YEARS} liegen.")
    return years


def add_work_experience(*, actor: Actor, person_id: int, title: str, years: Decimal | float | int | str,
                        language: str = "", country: str = "", occupation_code: str = "") -> WorkExperience:
    """Work experience with the job title as the person gave it (any language and script). The KldB code may be
    given when known; otherwise it stays empty until a caseworker confirms one (`confirm_occupation`)."""
    p = _Problems()
    title = p.text("title", title, "Die Berufsbezeichnung", 200)
    lang = p.validated("language", v.validate_language, language) if (language or "").strip() else ""
    code = p.country("country", country)
    amount = _years(p, years)
    occupation = p.occupation("occupation_code", occupation_code)
    return _add(actor, person_id, "experience", p,  # type: ignore[no-any-return]
                {"title_as_given": title, "title_language": lang, "years": amount, "country": code,
                 "occupation": occupation},
                detail={"occupation": occupation.code if occupation else ""})


def confirm_occupation(*, actor: Actor, person_id: int, row_id: int, code: str) -> WorkExperience:
    """The caseworker confirms (or corrects) the KldB 2010 code of a job title. The unconfirmed row ends and a
    new row with the code replaces it, so the history shows the title as given and who coded it when."""
    p = _Problems()
    occupation = p.occupation("code", code)
    if occupation is None and not p.errors:
        p.add("code", "Bitte einen Beruf (KldB-Schlüssel) angeben.")
    p.raise_if_any()
    return _replace(actor, person_id, "experience", row_id, {"occupation": occupation},  # type: ignore[no-any-return]
                    {"occupation": occupation.code if occupation else ""})


def add_skill(*, actor: Actor, person_id: int, kind: str, value: str) -> Skill:
    """A skill (free text) or a driving-licence class from DRIVING_LICENCE_CLASSES."""
    p = _Problems()
    p.choice("kind", kind, SkillKind, "die Art")
    if kind == SkillKind.DRIVING_LICENCE:
        value = (value or "").strip().upper()
        if value not in DRIVING_LICENCE_CLASSES:
            p.add("value", f"Unbekannte Führerscheinklasse „{value}“ (erlaubt: {', '.join(DRIVING_LICENCE_CLASSES)}).")
    else:
        value = p.text("value", value, "Die Fähigkeit", 120)
    p.raise_if_any()
    person = _write_access(actor, person_id)
    # Checked only after access: the answer would tell an outsider what the file holds.
    if Skill.objects.filter(person_id=person_id, kind=kind, value=value, ended_at__isnull=True).exists():
        raise InvalidInput({"value": f"„{value}“ ist bereits erfasst."})
    with transaction.atomic():
        return _create(actor, person, KINDS["skills"], {"kind": kind, "value": value})  # type: ignore[no-any-return]


def _check_levels(p: _Problems, levels: Mapping[str, str | None], source: str) -> dict[str, str]:
    """Each given level must exist; at least one skill must be assessed; MT only in a self-assessment."""
    clean: dict[str, str] = {}
    for skill in CEFR_SKILLS:
        raw = (levels.get(skill) or "").strip()
        if not raw:
            clean[skill] = ""
            continue
        level = p.validated(skill, v.validate_cefr, raw)
        if level == MOTHER_TONGUE and source != LevelSource.SELF:
            p.add(skill, "„MT“ (Muttersprache) gibt es nur als Selbsteinschätzung, nicht als Prüfungs- oder "
                         "Kursergebnis.")
        clean[skill] = level
    unknown = set(levels) - set(CEFR_SKILLS)
    for key in sorted(unknown):
        p.add(key, "Unbekannte Fertigkeit (erlaubt: speaking, understanding, reading, writing).")
    if not any(clean.values()) and not any(k in p.errors for k in CEFR_SKILLS):
        p.add("levels", "Bitte mindestens für eine Fertigkeit (Sprechen, Hören/Verstehen, Lesen, Schreiben) ein "
                        "Niveau angeben.")
    return clean


def _language_fields(p: _Problems, language: str, source: str, source_detail: str,
                     assessed_on: date | None) -> dict[str, Any]:
    """Everything of a language assessment except the levels."""
    lang = p.validated("language", v.validate_language, language)
    p.choice("source", source, LevelSource, "die Quelle")
    detail = p.text("source_detail", source_detail, "Der Nachweis", 200, required=False)
    if assessed_on is None:
        p.add("assessed_on", "Bitte angeben, wann das Niveau festgestellt wurde.")
    elif assessed_on < EARLIEST_ASSESSMENT:
        p.add("assessed_on", f"Das Datum liegt vor {EARLIEST_ASSESSMENT:%d.%m.%Y}.")
    p.not_future("assessed_on", assessed_on, "Das Datum der Feststellung")
    return {"language": lang, "source": source, "source_detail": detail, "assessed_on": assessed_on}


def add_language_assessment(*, actor: Actor, person_id: int, language: str, source: str, assessed_on: date | None,
                            speaking: str = "", understanding: str = "", reading: str = "", writing: str = "",
                            source_detail: str = "") -> LanguageAssessment:
    """A dated CEFR assessment of one language per skill, with its source (certificate, course, self)."""
    p = _Problems()
    levels = {"speaking": speaking, "understanding": understanding, "reading": reading, "writing": writing}
    fields = {**_language_fields(p, language, source, source_detail, assessed_on), **_check_levels(p, levels, source)}
    return _add(actor, person_id, "languages", p, fields,  # type: ignore[no-any-return]
                detail={"language": fields["language"], "source": source})


def record_course_result(*, actor: Actor, person_id: int, level: str, on: date, language: str = "de",
                         source_detail: str = "", skills: Iterable[str] | None = None) -> LanguageAssessment:
    """A course ended with a result (e.g. DTZ B1): a language assessment with source „Kursergebnis“ for all
    four skills, or only for `skills` when the result covers some of them. Used by offers when a course is
    completed; joins the caller's transaction."""
    wanted = list(CEFR_SKILLS) if skills is None else list(skills)
    p = _Problems()
    result = p.validated("level", v.validate_cefr, level)
    if result == MOTHER_TONGUE:
        p.add("level", "„MT“ (Muttersprache) ist kein Kursergebnis.")
    if not wanted or set(wanted) - set(CEFR_SKILLS):
        p.add("skills", "Bitte eine oder mehrere der Fertigkeiten speaking, understanding, reading, writing angeben.")
    fields = {**_language_fields(p, language, LevelSource.COURSE, source_detail, on),
              **{s: result if s in wanted else "" for s in CEFR_SKILLS}}
    return _add(actor, person_id, "languages", p, fields,  # type: ignore[no-any-return]
                detail={"language": fields["language"], "source": LevelSource.COURSE, "level": level})


def set_circumstances(*, actor: Actor, person_id: int, needs_childcare: bool = False, women_only: bool = False,
                      part_time_only: bool = False, mobility: str = Mobility.DISTRICT,
                      residence_obligation: bool = False) -> Circumstances:
    """Record what offers must fit. The newest row counts, so the current one (if any) ends and is replaced."""
    p = _Problems()
    p.choice("mobility", mobility, Mobility, "die Erreichbarkeit")
    p.raise_if_any()
    fields = {"needs_childcare": needs_childcare, "women_only": women_only, "part_time_only": part_time_only,
              "mobility": mobility, "residence_obligation": residence_obligation}
    person = _write_access(actor, person_id)
    with transaction.atomic():
        current = Circumstances.objects.filter(person_id=person_id, ended_at__isnull=True)
        previous = current.order_by("-created_at", "-id").first()
        current.update(ended_at=timezone.now())
        return _create(actor, person, KINDS["circumstances"], fields, replaces=previous,  # type: ignore[no-any-return]
                       detail=dict(fields))
