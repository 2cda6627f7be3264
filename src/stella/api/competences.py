"""The competence profile of a person over HTTP: read it (current or with history), add rows of each kind,
end rows, confirm the KldB code of a job title and ask for KldB candidates. Same services, policy and audit
as the web UI; bad input is answered as a problem document naming the field."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from stella.api.auth import actor
from stella.api.schemas import IsoDate, Strict
from stella.competences import profile as read
from stella.competences import services
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

router = Router(tags=["Kompetenzprofil"])

Kind = Literal["school", "qualifications", "experience", "skills", "languages", "circumstances"]
LEVEL_HELP = "A1 … C2 oder MT (Muttersprache, nur bei Selbsteinschätzung); leer = nicht festgestellt"
COUNTRY_HELP = "ISO 3166 Alpha-3, z. B. SYR"


# --- output ---------------------------------------------------------------------------------------

class OccupationOut(Schema):
    code: str
    title: str
    short_title: str
    level: int
    skill_level: int | None = Field(description="Anforderungsniveau: 1 Helfer, 2 Fachkraft, 3 Spezialist, "
                                                "4 Experte")


class RowOut(Schema):
    id: int
    created_at: datetime
    ended_at: datetime | None = Field(description="gesetzt: die Angabe gilt nicht mehr (bleibt als Verlauf)")
    recorded_by: str | None = Field(description="Kürzel der erfassenden Behörde")
    replaces: int | None = Field(description="ID der beendeten Angabe, die diese fortschreibt")


class SchoolOut(RowOut):
    years: int
    certificate: str
    certificate_label: str
    country: str


class QualificationOut(RowOut):
    kind: str
    kind_label: str
    title: str
    country: str
    year: int | None
    occupation: OccupationOut | None
    recognition: str
    recognition_label: str
    recognition_body: str
    recognition_date: date | None


class ExperienceOut(RowOut):
    title_as_given: str
    title_language: str
    occupation: OccupationOut | None = Field(description="null, bis eine Fachkraft den Beruf bestätigt")
    years: float
    country: str


class SkillOut(RowOut):
    kind: str
    kind_label: str
    value: str


class LanguageOut(RowOut):
    language: str
    speaking: str
    understanding: str
    reading: str
    writing: str
    level: str = Field(description="schwächste der festgestellten Fertigkeiten")
    source: str
    source_label: str
    source_detail: str
    assessed_on: date


class CircumstancesOut(RowOut):
    needs_childcare: bool
    women_only: bool
    part_time_only: bool
    mobility: str
    mobility_label: str
    residence_obligation: bool


class DeclaredLanguageOut(Schema):
    language: str
    level: str


class ProfileOut(Schema):
    person_id: int
    history: bool
    german_level: str = Field(description="Deutschniveau, mit dem der Abgleich rechnet (Regel: "
                                          "docs/competences.md); leer = unbekannt")
    school: list[SchoolOut]
    qualifications: list[QualificationOut]
    experience: list[ExperienceOut]
    skills: list[SkillOut]
    languages: list[LanguageOut]
    circumstances: CircumstancesOut | None = Field(description="die geltenden Rahmenbedingungen (neueste Angabe)")
    circumstances_history: list[CircumstancesOut]
    declared_languages: list[DeclaredLanguageOut] = Field(description="Sprachkenntnisse aus den Stammdaten")


class SuggestionOut(Schema):
    code: str
    title: str
    short_title: str
    skill_level: str = Field(description="Anforderungsniveau in Worten (Helfer, Fachkraft, Spezialist, Experte)")
    score: float = Field(description="0 bis 1; höher ist wahrscheinlicher")
    source: str = Field(description="synonyms, similar oder search")
    reason: str = Field(description="warum der Beruf vorgeschlagen wird")


class SuggestionsOut(Schema):
    row_id: int
    title_as_given: str
    title_language: str
    confirmed: OccupationOut | None
    candidates: list[SuggestionOut]


def _occupation(o: Occupation | None) -> dict[str, Any] | None:
    if o is None:
        return None
    return {"code": o.code, "title": o.title, "short_title": o.short_title, "level": o.level,
            "skill_level": o.skill_level}


def _common(row: ProfileRow) -> dict[str, Any]:
    return {"id": row.pk, "created_at": row.created_at, "ended_at": row.ended_at,
            "recorded_by": row.recorded_by.code if row.recorded_by else None, "replaces": row.replaces_id}


def row_dict(row: ProfileRow) -> dict[str, Any]:
    """The JSON-ready form of any profile row (its kind-specific fields after the common ones)."""
    out = _common(row)
    if isinstance(row, SchoolEducation):
        out.update(years=row.years, certificate=row.certificate, certificate_label=row.get_certificate_display(),
                   country=row.country)
    elif isinstance(row, Qualification):
        out.update(kind=row.kind, kind_label=row.get_kind_display(), title=row.title, country=row.country,
                   year=row.year, occupation=_occupation(row.occupation), recognition=row.recognition,
                   recognition_label=row.get_recognition_display(), recognition_body=row.recognition_body,
                   recognition_date=row.recognition_date)
    elif isinstance(row, WorkExperience):
        out.update(title_as_given=row.title_as_given, title_language=row.title_language,
                   occupation=_occupation(row.occupation), years=float(row.years), country=row.country)
    elif isinstance(row, Skill):
        out.update(kind=row.kind, kind_label=row.get_kind_display(), value=row.value)
    elif isinstance(row, LanguageAssessment):
        out.update({s: getattr(row, s) for s in read.SKILL_FIELDS}, language=row.language,
                   level=read.assessment_level(row), source=row.source, source_label=row.get_source_display(),
                   source_detail=row.source_detail, assessed_on=row.assessed_on)
    elif isinstance(row, Circumstances):
        out.update(needs_childcare=row.needs_childcare, women_only=row.women_only,
                   part_time_only=row.part_time_only, mobility=row.mobility,
                   mobility_label=row.get_mobility_display(), residence_obligation=row.residence_obligation)
    return out


def profile_dict(p: read.Profile) -> dict[str, Any]:
    current = p.current_circumstances
    return {
        "person_id": p.person_id, "history": p.history, "german_level": p.german_level,
        **{key: [row_dict(r) for r in rows] for key, rows in p.parts().items() if key != "circumstances"},
        "circumstances": row_dict(current) if current else None,
        "circumstances_history": [row_dict(c) for c in p.circumstances],
        "declared_languages": [{"language": x.language, "level": x.level} for x in p.declared_languages],
    }


# --- input ----------------------------------------------------------------------------------------

class ProfileQuery(Schema):
    history: bool = Field(False, description="auch beendete Angaben (Verlauf)")


class SchoolIn(Strict):
    years: int = Field(description="besuchte Schuljahre")
    certificate: Certificate = Certificate.NONE
    country: str = Field("", max_length=3, description=COUNTRY_HELP)


class QualificationIn(Strict):
    kind: QualificationKind
    title: str = Field(max_length=200, description="Bezeichnung wie angegeben, in jeder Schrift")
    country: str = Field("", max_length=3, description=COUNTRY_HELP)
    year: int | None = Field(None, description="Abschlussjahr")
    occupation_code: str = Field("", max_length=5, description="KldB-2010-Berufsgattung (5 Ziffern), optional")
    recognition: Recognition = Recognition.NOT_STARTED
    recognition_body: str = Field("", max_length=200, description="z. B. IHK FOSA, HWK, Regierungspräsidium")
    recognition_date: IsoDate | None = Field(None, description="Datum des Antrags bzw. der Entscheidung")


class RecognitionIn(Strict):
    recognition: Recognition
    recognition_body: str = Field("", max_length=200)
    recognition_date: IsoDate | None = None


class ExperienceIn(Strict):
    title: str = Field(max_length=200, description="Berufsbezeichnung wie angegeben, in jeder Sprache und Schrift")
    language: str = Field("", max_length=3, description="Sprache der Angabe, ISO 639 (z. B. ar, prs, ti)")
    years: Decimal = Field(description="Jahre Erfahrung (eine Nachkommastelle)")
    country: str = Field("", max_length=3, description=COUNTRY_HELP)
    occupation_code: str = Field("", max_length=5, description="nur, wenn der Beruf schon feststeht")


class ConfirmIn(Strict):
    code: str = Field(max_length=5, description="KldB-2010-Berufsgattung (5 Ziffern) der geladenen Fassung")


class SkillIn(Strict):
    kind: SkillKind
    value: str = Field(max_length=120, description="Fähigkeit oder Führerscheinklasse (B, BE, C1, C, CE, D, T, L, "
                                                   "AM, A1, A2, A)")


class LanguageIn(Strict):
    language: str = Field(max_length=3, description="ISO 639, z. B. de")
    speaking: str = Field("", max_length=2, description=LEVEL_HELP)
    understanding: str = Field("", max_length=2, description=LEVEL_HELP)
    reading: str = Field("", max_length=2, description=LEVEL_HELP)
    writing: str = Field("", max_length=2, description=LEVEL_HELP)
    source: LevelSource
    source_detail: str = Field("", max_length=200, description="z. B. DTZ, telc Deutsch B1")
    assessed_on: IsoDate


class CircumstancesIn(Strict):
    needs_childcare: bool = False
    women_only: bool = False
    part_time_only: bool = False
    mobility: Mobility = Mobility.DISTRICT
    residence_obligation: bool = False


# --- handlers -------------------------------------------------------------------------------------

BASE = "/{int:person_id}/competences"


@router.get(BASE, response=ProfileOut, summary="Kompetenzprofil")
def get_profile(request: HttpRequest, person_id: int, query: Query[ProfileQuery]) -> Any:
    """School, qualifications, experience, skills, languages and circumstances. Needs read access to the
    category „Kompetenzen“ (refused: 403, audited)."""
    return profile_dict(read.profile(actor=actor(request), person_id=person_id, history=query.history))


@router.post(f"{BASE}/school", response={201: SchoolOut}, summary="Schulbildung erfassen")
def add_school(request: HttpRequest, person_id: int, payload: SchoolIn) -> Any:
    row = services.add_school_education(actor=actor(request), person_id=person_id, **payload.model_dump())
    return Status(201, row_dict(row))


@router.post(f"{BASE}/qualifications", response={201: QualificationOut}, summary="Qualifikation erfassen")
def add_qualification(request: HttpRequest, person_id: int, payload: QualificationIn) -> Any:
    """A recognition other than `not_started` needs the body; `partial`/`full` also the date of the decision."""
    row = services.add_qualification(actor=actor(request), person_id=person_id, **payload.model_dump())
    return Status(201, row_dict(row))


@router.post(f"{BASE}/qualifications/{{int:row_id}}/recognition", response={201: QualificationOut},
             summary="Neuer Stand der Anerkennung")
def update_recognition(request: HttpRequest, person_id: int, row_id: int, payload: RecognitionIn) -> Any:
    """The qualification row ends; a new row with the new state replaces it (`replaces`)."""
    row = services.update_recognition(actor=actor(request), person_id=person_id, row_id=row_id,
                                      **payload.model_dump())
    return Status(201, row_dict(row))


@router.post(f"{BASE}/experience", response={201: ExperienceOut}, summary="Berufserfahrung erfassen")
def add_experience(request: HttpRequest, person_id: int, payload: ExperienceIn) -> Any:
    """The title is stored as given; without `occupation_code` it waits for confirmation
    (see `…/experience/{row_id}/suggestions`)."""
    row = services.add_work_experience(actor=actor(request), person_id=person_id, **payload.model_dump())
    return Status(201, row_dict(row))


@router.post(f"{BASE}/experience/{{int:row_id}}/confirm", response={201: ExperienceOut},
             summary="Beruf (KldB) bestätigen")
def confirm_occupation(request: HttpRequest, person_id: int, row_id: int, payload: ConfirmIn) -> Any:
    """The unconfirmed row ends; a new row with the code replaces it (`replaces`), so the history stays."""
    row = services.confirm_occupation(actor=actor(request), person_id=person_id, row_id=row_id, code=payload.code)
    return Status(201, row_dict(row))


@router.get(f"{BASE}/experience/{{int:row_id}}/suggestions", response=SuggestionsOut,
            summary="KldB-Vorschläge zur Berufsbezeichnung")
def experience_suggestions(request: HttpRequest, person_id: int, row_id: int) -> Any:
    row, candidates = read.suggestions(actor=actor(request), person_id=person_id, row_id=row_id)
    return {"row_id": row.pk, "title_as_given": row.title_as_given, "title_language": row.title_language,
            "confirmed": _occupation(row.occupation), "candidates": [c.as_dict() for c in candidates]}


@router.post(f"{BASE}/skills", response={201: SkillOut}, summary="Fähigkeit oder Führerschein erfassen")
def add_skill(request: HttpRequest, person_id: int, payload: SkillIn) -> Any:
    row = services.add_skill(actor=actor(request), person_id=person_id, **payload.model_dump())
    return Status(201, row_dict(row))


@router.post(f"{BASE}/languages", response={201: LanguageOut}, summary="Sprachstand erfassen")
def add_language(request: HttpRequest, person_id: int, payload: LanguageIn) -> Any:
    """At least one skill needs a level; a level that does not exist (e.g. B3) is refused naming the skill."""
    row = services.add_language_assessment(actor=actor(request), person_id=person_id, **payload.model_dump())
    return Status(201, row_dict(row))


@router.post(f"{BASE}/circumstances", response={201: CircumstancesOut}, summary="Rahmenbedingungen erfassen")
def set_circumstances(request: HttpRequest, person_id: int, payload: CircumstancesIn) -> Any:
    """The newest row counts: the current one ends and the new one replaces it."""
    row = services.set_circumstances(actor=actor(request), person_id=person_id, **payload.model_dump())
    return Status(201, row_dict(row))


@router.post(f"{BASE}/{{kind}}/{{int:row_id}}/end", response=dict[str, Any], summary="Angabe beenden")
def end_row(request: HttpRequest, person_id: int, kind: Kind, row_id: int) -> Any:
    """The row stays in the history with `ended_at` set; nothing is deleted."""
    return row_dict(services.end_row(actor=actor(request), person_id=person_id, kind=kind, row_id=row_id))
