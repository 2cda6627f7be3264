"""Duplicate detection over the API: batch runs (start, list, detail), the review queue of possible
duplicates (most certain first), one candidate side by side with the evidence per field, and the decisions
"verschiedene Personen" / "gleiche Person" with the version read (stale → 409). The merge itself is
`/api/v1/merges` (merge router)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from stella.api.auth import actor
from stella.api.errors import PROBLEM_CONTENT_TYPE
from stella.api.schemas import EvidenceOut, NameOut, Page, PageQuery, Strict
from stella.cases.sections import name_dict
from stella.linkage import review
from stella.linkage.models import LinkCandidate, LinkRun

router = Router(tags=["Dubletten"])

_CONFLICT = {"responses": {409: {"description": "Bearbeitungskonflikt (veraltete Version)", "content": {
    PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}}}


# --- schemas -------------------------------------------------------------------------------------------

class RunIn(Strict):
    district: str | None = Field(None, max_length=20, description="Landkreis, z. B. LK-LB (ohne: der eigene)")


class RunOut(Schema):
    id: int
    district: str | None
    state: str
    state_label: str
    model_version: str
    parameters: dict[str, Any]
    persons: int
    pairs: int
    candidates: int = Field(description="neue Prüffälle")
    auto_merged: int
    error: str
    agency: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class QueueQuery(PageQuery):
    state: str = Field("open", description="open (unentschieden), confirmed, distinct, merged oder all")
    district: str = Field("", max_length=20, description="nur Personen mit Beteiligung im Landkreis, z. B. LK-LB")


class PersonBriefOut(Schema):
    id: int
    display_name: str
    names: list[NameOut]
    birth_date_display: str
    nationalities: list[str]
    agencies: list[str] = Field(description="Behörden, die an der Fallakte beteiligt sind")


class CandidateOut(Schema):
    id: int
    probability: float
    match_weight: float
    state: str
    state_label: str
    waiting_for_you: bool = Field(description="Eine andere Behörde hat „gleiche Person“ bestätigt und wartet")
    confirmed_by_agency: str | None
    version: int
    person_a: PersonBriefOut
    person_b: PersonBriefOut
    created_at: datetime
    updated_at: datetime


class FieldOut(Schema):
    label: str
    value: str | None = Field(description="null: kein Zugriff")


class SideOut(Schema):
    person_id: int
    participation: str | None
    identity_readable: bool
    writable: bool
    agencies: list[str]
    fields: list[FieldOut]


class CandidateDetailOut(Schema):
    id: int
    probability: float
    match_weight: float
    state: str
    state_label: str
    version: int
    note: str
    confirmed_by_agency: str | None
    decided_at: datetime | None
    waiting_for_you: bool
    may_decide: bool
    may_merge: bool
    a: SideOut
    b: SideOut
    evidence: list[EvidenceOut]


class DecisionIn(Strict):
    version: int = Field(ge=1, description="Die gelesene Version des Prüffalls")
    note: str = Field("", max_length=review.NOTE_MAX, description="Begründung (bei „verschieden“ Pflicht)")


# --- shaping ---------------------------------------------------------------------------------------------

def _run(run: LinkRun) -> dict[str, Any]:
    return {"id": run.pk, "district": run.district.code if run.district else None, "state": run.state,
            "state_label": run.get_state_display(), "model_version": run.model_version,
            "parameters": run.parameters, "persons": run.persons, "pairs": run.pairs, "candidates": run.candidates,
            "auto_merged": run.auto_merged, "error": run.error, "agency": run.agency.code,
            "created_at": run.created_at, "started_at": run.started_at, "finished_at": run.finished_at}


def _brief(person: Any, agencies: list[str]) -> dict[str, Any]:
    primary = person.primary_name
    return {"id": person.pk, "display_name": primary.display if primary else "",
            "names": [name_dict(n) for n in person.names.all() if n.valid_until is None],
            "birth_date_display": person.birth_date_display,
            "nationalities": [n.country for n in person.nationalities.all() if n.valid_until is None],
            "agencies": agencies}


def _row(row: review.QueueRow) -> dict[str, Any]:
    c = row.candidate
    return {"id": c.pk, "probability": c.probability, "match_weight": c.match_weight, "state": c.state,
            "state_label": c.get_state_display(), "waiting_for_you": row.waiting_for_us,
            "confirmed_by_agency": c.confirmed_by_agency.code if c.confirmed_by_agency else None,
            "version": c.version, "person_a": _brief(row.a, row.agencies_a), "person_b": _brief(row.b, row.agencies_b),
            "created_at": c.created_at, "updated_at": c.updated_at}


def _value(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return "; ".join(getattr(v, "display", str(v)) for v in value) or "–"
    return str(value)


def _side(side: review.Side) -> dict[str, Any]:
    return {"person_id": side.person.pk, "participation": side.participation,
            "identity_readable": side.identity_readable, "writable": side.writable, "agencies": side.agencies,
            "fields": [{"label": label, "value": _value(value)} for label, value in side.fields]}


def _detail(view: review.CandidateView) -> dict[str, Any]:
    c = view.candidate
    return {"id": c.pk, "probability": c.probability, "match_weight": c.match_weight, "state": c.state,
            "state_label": c.get_state_display(), "version": c.version, "note": c.note,
            "confirmed_by_agency": c.confirmed_by_agency.code if c.confirmed_by_agency else None,
            "decided_at": c.decided_at, "waiting_for_you": view.waiting_for_us, "may_decide": view.may_decide,
            "may_merge": view.may_merge, "a": _side(view.a), "b": _side(view.b), "evidence": view.evidence}


# --- runs --------------------------------------------------------------------------------------------------

@router.post("/runs", response={201: RunOut}, summary="Dublettenlauf starten")
def start_run(request: HttpRequest, payload: RunIn) -> Any:
    """Queue a batch run for the caller's Landkreis (team leads of public bodies). It runs in the background;
    poll `GET /duplicates/runs/{id}`. A second run for the same Landkreis while one is in work is refused."""
    run = review.start_run(actor=actor(request), district_code=payload.district)
    return Status(201, _run(LinkRun.objects.select_related("district", "agency").get(pk=run.pk)))


@router.get("/runs", response=Page[RunOut], summary="Dublettenläufe")
def list_runs(request: HttpRequest, page: Query[PageQuery]) -> Any:
    qs = review.runs_for(actor=actor(request))
    items = list(qs[page.offset:page.offset + page.limit])
    return {"count": qs.count(), "count_exact": True, "limit": page.limit, "offset": page.offset,
            "items": [_run(r) for r in items]}


@router.get("/runs/{int:run_id}", response=RunOut, summary="Dublettenlauf")
def run_detail(request: HttpRequest, run_id: int) -> Any:
    return _run(review.access_run(actor(request), run_id))


# --- queue and decisions -----------------------------------------------------------------------------------

@router.get("/candidates", response=Page[CandidateOut], summary="Prüfliste möglicher Dubletten")
def candidates(request: HttpRequest, query: Query[QueueQuery]) -> Any:
    """Pairs in files the caller's agency takes part in; those another agency confirmed and that wait for
    the caller come first, then by probability (highest first). Base identities only; audited."""
    me = actor(request)
    qs = review.queue(me, district=query.district or None, state=query.state)
    page: list[LinkCandidate] = list(qs[query.offset:query.offset + query.limit])
    return {"count": qs.count(), "count_exact": True, "limit": query.limit, "offset": query.offset,
            "items": [_row(r) for r in review.queue_rows(me, page)]}


@router.get("/candidates/{int:candidate_id}", response=CandidateDetailOut, summary="Prüffall im Vergleich")
def candidate(request: HttpRequest, candidate_id: int) -> Any:
    """Both records side by side with the evidence per field. Fields of a file the caller may not read are
    null ("kein Zugriff"); so is the evidence on them."""
    return _detail(review.candidate_detail(actor=actor(request), candidate_id=candidate_id))


def _decided(request: HttpRequest, candidate_id: int) -> dict[str, Any]:
    return _detail(review.candidate_detail(actor=actor(request), candidate_id=candidate_id))


@router.post("/candidates/{int:candidate_id}/distinct", response=CandidateDetailOut,
             summary="Verschiedene Personen", openapi_extra=_CONFLICT)
def distinct(request: HttpRequest, candidate_id: int, payload: DecisionIn) -> Any:
    """The two are different persons (reason required): later runs never propose or merge them again."""
    review.decide_distinct(actor=actor(request), candidate_id=candidate_id, note=payload.note,
                           version=payload.version)
    return _decided(request, candidate_id)


@router.post("/candidates/{int:candidate_id}/confirm", response=CandidateDetailOut,
             summary="Gleiche Person", openapi_extra=_CONFLICT)
def confirm(request: HttpRequest, candidate_id: int, payload: DecisionIn) -> Any:
    """The two are one person. Who may write both files goes on to the merge (`POST /merges`); otherwise the
    pair waits, first in the queue of the other file's agencies."""
    review.confirm_same(actor=actor(request), candidate_id=candidate_id, note=payload.note,
                        version=payload.version)
    return _decided(request, candidate_id)
