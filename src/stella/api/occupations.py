"""The KldB 2010 occupation classification over HTTP: search, one position, the active version, and
suggestions for free-text job titles in other languages. Not personal data: not audited; any role that works
on files may use it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from stella.api.auth import actor
from stella.api.schemas import Strict
from stella.competences import kldb, occupations, titles
from stella.competences.models import Occupation
from stella.core.errors import NotFound

router = Router(tags=["Berufe (KldB 2010)"])


class OccupationOut(Schema):
    code: str = Field(description="KldB-Schlüssel mit führenden Nullen; fünfstellig: Berufsgattung")
    level: int = Field(description="1 Berufsbereich … 5 Berufsgattung")
    title: str
    short_title: str
    skill_level: str = Field(description="Anforderungsniveau (Ebene 5): Helfer, Fachkraft, Spezialist, Experte")
    matched_in: str = Field(description="Wo die Suche traf: code, title, short_title, examples, activities")
    example: str = Field(description="Die passende Berufsbezeichnung aus den Beispielen der BA, z. B. Bäcker/in")


class OccupationDetailOut(Schema):
    code: str
    level: int
    level_name: str
    title: str
    short_title: str
    skill_level: str
    activities: str = Field(description="Einschlüsse: typische Tätigkeiten")
    examples: list[str] = Field(description="Zugeordnete Berufe (Beispiele) der BA")
    also_includes: str
    excludes: str
    version: str


class VersionOut(Schema):
    name: str
    source_file: str
    sha256: str
    loaded_at: datetime
    positions: dict[int, int] = Field(description="Positionen je Ebene")


class SearchQuery(Schema):
    q: str = Field("", max_length=200, description="Suchbegriffe (Titel, Berufsbezeichnung, Tätigkeit) oder "
                                                   "Anfang eines Schlüssels, z. B. 293")
    level: int | None = Field(5, ge=1, le=5, description="Ebene (Standard 5, Berufsgattung)")
    limit: int = Field(20, ge=1, le=occupations.MAX_LIMIT)


class SuggestIn(Strict):
    title: str = Field(max_length=titles.MAX_TITLE, description="Berufsbezeichnung wie angegeben, in jeder Schrift")
    language: Literal["ar", "fa", "prs", "ti", "en", "uk", "de"] | None = Field(
        None, description="Sprache der Angabe (ISO 639); hilft bei gleich geschriebenen Wörtern")
    limit: int = Field(5, ge=1, le=titles.MAX_LIMIT)


class CandidateOut(Schema):
    code: str
    title: str
    short_title: str
    skill_level: str
    score: float = Field(description="0–1; ein Vorschlag, den die Fachkraft bestätigt")
    source: str = Field(description="synonyms (Synonymliste), similar (ähnliche Bezeichnung), search (Berufssuche)")
    reason: str


class SuggestOut(Schema):
    title: str
    language: str | None
    version: str
    candidates: list[CandidateOut]


@router.get("", response=list[OccupationOut], summary="Berufe suchen")
def search(request: HttpRequest, query: Query[SearchQuery]) -> Any:
    """German search by title, short title, the BA's example job titles and activities (Einschlüsse), case- and
    umlaut-insensitive, word prefixes; title hits first. Digits search a code prefix."""
    occupations.require_case_role(actor(request))
    return [h.as_dict() for h in occupations.search(query.q, limit=query.limit, level=query.level)]


@router.get("/version", response=VersionOut, summary="Geladene KldB-Fassung")
def version(request: HttpRequest) -> Any:
    occupations.require_case_role(actor(request))
    active = kldb.active_version()
    if active is None:
        raise NotFound("Es ist keine KldB-Fassung geladen (stella kldb load).")
    return {"name": active.name, "source_file": active.source_file, "sha256": active.sha256,
            "loaded_at": active.loaded_at, "positions": kldb.counts(active)}


@router.post("/suggest", response=SuggestOut, summary="KldB-Vorschläge für eine Berufsbezeichnung")
def suggest(request: HttpRequest, payload: SuggestIn) -> Any:
    """Free-text job title in Arabic, Dari/Farsi, Tigrinya, English, Ukrainian or German → level-5 candidates
    with a score and the reason; the caseworker confirms one (nothing is stored here)."""
    occupations.require_case_role(actor(request))
    candidates = titles.suggest(payload.title, payload.language, payload.limit)
    return {"title": payload.title, "language": payload.language, "version": occupations.version_name(),
            "candidates": [c.as_dict() for c in candidates]}


# After /version and /suggest: a path parameter would otherwise take those paths (405 for POST /suggest).
@router.get("/{code}", response=OccupationDetailOut, summary="Ein Beruf (KldB-Position)")
def get_occupation(request: HttpRequest, code: str) -> Any:
    """Any level; 404 if the code is not in the loaded version."""
    occupations.require_case_role(actor(request))
    found: Occupation = occupations.detail(code)
    return {"code": found.code, "level": found.level, "level_name": kldb.LEVEL_NAMES[found.level],
            "title": found.title, "short_title": found.short_title, "skill_level": kldb.skill_level_label(found.code),
            "activities": found.activities, "examples": kldb.example_titles(found.also_includes),
            "also_includes": found.also_includes, "excludes": found.excludes, "version": found.version.name}
