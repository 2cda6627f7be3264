"""Read model of the competence profile: what a person can do, for the file's page, the API and matching.

`profile()` is the audited read for people (current rows, or with `history=True` also the ended ones);
`german_level()` / `german_levels()` compute the German level that matching uses, without an actor (callers
that show it to a person check access themselves); `suggestions()` proposes KldB codes for a job title.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from stella.audit import service as audit
from stella.authz.policy import Action, Category
from stella.cases.access import access_person, check
from stella.competences import titles
from stella.competences.models import (
    Circumstances,
    LanguageAssessment,
    LevelSource,
    ProfileRow,
    Qualification,
    SchoolEducation,
    Skill,
    SkillKind,
    WorkExperience,
)
from stella.core.actor import Actor
from stella.core.errors import InvalidInput, NotFound
from stella.people.models import LanguageSkill
from stella.people.validators import CEFR_LEVELS

#: How German is coded in language fields (ISO 639-1, 639-3 and 639-2/B).
GERMAN = ("de", "deu", "ger")
#: Rank of a level; "MT" (mother tongue) is last in CEFR_LEVELS and so ranks above C2.
LEVEL_RANK = {level: rank for rank, level in enumerate(CEFR_LEVELS, start=1)}
#: When two assessments carry the same date, the stronger evidence wins.
SOURCE_RANK: dict[str, int] = {LevelSource.CERTIFICATE: 3, LevelSource.COURSE: 2, LevelSource.SELF: 1}
SKILL_FIELDS = ("speaking", "understanding", "reading", "writing")


@dataclass
class Profile:
    """The rows of one person's profile, oldest first; with `history` also ended rows (`ended_at` set)."""

    person_id: int
    history: bool
    school: list[SchoolEducation] = field(default_factory=list)
    qualifications: list[Qualification] = field(default_factory=list)
    experience: list[WorkExperience] = field(default_factory=list)
    skills: list[Skill] = field(default_factory=list)
    languages: list[LanguageAssessment] = field(default_factory=list)
    circumstances: list[Circumstances] = field(default_factory=list)
    declared_languages: list[LanguageSkill] = field(default_factory=list)  # from registration (people)
    german_level: str = ""

    @property
    def free_skills(self) -> list[Skill]:
        return [s for s in self.skills if s.kind == SkillKind.SKILL]

    @property
    def driving_licences(self) -> list[Skill]:
        return [s for s in self.skills if s.kind == SkillKind.DRIVING_LICENCE]

    @property
    def current_circumstances(self) -> Circumstances | None:
        """The newest current row: it is what offers must fit."""
        current = [c for c in self.circumstances if c.ended_at is None]
        return max(current, key=lambda c: (c.created_at, c.pk)) if current else None

    @property
    def unconfirmed(self) -> list[WorkExperience]:
        """Current experience rows whose title still waits for a confirmed KldB code."""
        return [e for e in self.experience if e.ended_at is None and e.occupation_id is None]

    def parts(self) -> dict[str, list[Any]]:
        """Rows per kind, keyed like `services.KINDS`."""
        return {"school": self.school, "qualifications": self.qualifications, "experience": self.experience,
                "skills": self.skills, "languages": self.languages, "circumstances": self.circumstances}


def _rows(model: type[ProfileRow], person_id: int, history: bool) -> list[Any]:
    qs = model._default_manager.filter(person_id=person_id)
    if not history:
        qs = qs.filter(ended_at__isnull=True)
    related = [f.name for f in model._meta.concrete_fields if f.is_relation and f.name != "person"]
    return list(qs.select_related(*related).order_by("created_at", "id"))


def read_access(actor: Actor, person_id: int) -> None:
    """Raise NotFound/AccessDenied (audited) unless the actor may read the person's competences."""
    _, ctx = access_person(actor, person_id)
    check(actor, person_id, ctx, Action.READ, Category.COMPETENCES)


def profile(*, actor: Actor, person_id: int, history: bool = False) -> Profile:
    """The competence profile (audited read of the category „Kompetenzen“)."""
    read_access(actor, person_id)
    result = Profile(
        person_id=person_id, history=history,
        school=_rows(SchoolEducation, person_id, history), qualifications=_rows(Qualification, person_id, history),
        experience=_rows(WorkExperience, person_id, history), skills=_rows(Skill, person_id, history),
        languages=_rows(LanguageAssessment, person_id, history),
        circumstances=_rows(Circumstances, person_id, history),
        declared_languages=list(LanguageSkill.objects.filter(person_id=person_id).order_by("id")),
        german_level=german_level(person_id),
    )
    audit.record_read(actor, person_id=person_id, categories=[Category.COMPETENCES],
                      object_type="competence_profile", object_id=person_id, detail={"history": history})
    return result


# ---------------------------------------------------------------------------------------------------------------
# German level


def assessment_level(assessment: LanguageAssessment) -> str:
    """The weakest of the assessed skills ("" if none): an entry requirement must hold for every skill."""
    levels = [getattr(assessment, s) for s in SKILL_FIELDS if getattr(assessment, s)]
    return min(levels, key=lambda lvl: LEVEL_RANK.get(lvl, 0)) if levels else ""


def german_levels(person_ids: Iterable[int]) -> dict[int, str]:
    """`german_level` for many persons in two queries; persons without any German level are left out."""
    ids = list(set(person_ids))
    chosen: dict[int, tuple[Any, ...]] = {}
    for a in LanguageAssessment.objects.filter(person_id__in=ids, language__in=GERMAN, ended_at__isnull=True):
        level = assessment_level(a)
        if not level:
            continue
        proven = a.source != LevelSource.SELF
        key = (proven, a.assessed_on, SOURCE_RANK.get(a.source, 0), a.created_at, a.pk, level)
        if a.person_id not in chosen or key > chosen[a.person_id]:
            chosen[a.person_id] = key
    result = {pid: key[-1] for pid, key in chosen.items()}
    missing = [pid for pid in ids if pid not in result]
    if missing:
        for pid, level in (LanguageSkill.objects.filter(person_id__in=missing, language__in=GERMAN)
                           .order_by("created_at", "id").values_list("person_id", "level")):
            result[pid] = level  # the newest declared level wins
    return result


def german_level(person_id: int) -> str:
    """The person's current German level as a CEFR level ("" if unknown; "MT" ranks above C2).

    The rule, in this order:

    1. Every current (not ended) German assessment has one level: the *minimum* of its assessed skills
       (speaking, understanding, reading, writing), because a course or job that needs B1 needs it in every
       skill that was assessed.
    2. Proven levels (test certificate, course result) outrank self-assessments whatever their dates: entry
       requirements of courses and jobs are hard rules, and a self-assessment must not lift a person over them.
       A self-assessment counts only while nothing is proven.
    3. Among assessments of the same kind (proven or self) the newest wins (by `assessed_on`), so a level can
       also be recorded as lower than before; on the same date certificate > course result, then the one
       recorded later.
    4. Without any assessment, the newest German level of the master data (`people.LanguageSkill`, recorded at
       registration) counts.
    """
    return german_levels([person_id]).get(person_id, "")


# ---------------------------------------------------------------------------------------------------------------
# KldB suggestions for job titles


def _candidates(row: WorkExperience, limit: int) -> list[titles.Candidate]:
    """Candidates for a row's title; a language the model does not know is left out rather than refused."""
    language = row.title_language if row.title_language in titles.LANGUAGES else None
    try:
        return titles.suggest(row.title_as_given, language, limit)
    except InvalidInput:  # a title without letters: nothing to suggest
        return []


def suggestions(*, actor: Actor, person_id: int, row_id: int,
                limit: int = 5) -> tuple[WorkExperience, list[titles.Candidate]]:
    """KldB 2010 candidates for the job title of an experience row (audited read of the profile category)."""
    read_access(actor, person_id)
    row = WorkExperience.objects.filter(pk=row_id, person_id=person_id).select_related("occupation").first()
    if row is None:
        raise NotFound("Die Berufserfahrung wurde nicht gefunden.")
    candidates = _candidates(row, limit)
    audit.record_read(actor, person_id=person_id, categories=[Category.COMPETENCES], object_type="work_experience",
                      object_id=row_id, detail={"suggestions": len(candidates)})
    return row, candidates


def suggestions_for(rows: Sequence[WorkExperience], limit: int = 3) -> dict[int, list[titles.Candidate]]:
    """Candidates for several rows the caller has already read with `profile()` (no second audit event)."""
    return {r.pk: _candidates(r, limit) for r in rows}
