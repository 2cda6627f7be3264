"""Allocation runs over HTTP: propose, list, read (with the proposal's lines), override one line with a
reason code, confirm (the assignments become enrolments), discard, and the fairness report. Same services,
policy and audit as the web UI (`stella.matching.allocation`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from stella.api.auth import actor
from stella.api.schemas import IsoDate, Page, PageQuery, Strict, paginate
from stella.matching import allocation as service
from stella.matching.models import AllocationRun, Assignment, OverrideReason, RunState

router = Router(tags=["Zuteilung"])
assignments_router = Router(tags=["Zuteilung"])

ReasonCode = Literal["declined", "health", "care", "known_fit", "transport", "other"]


class QuotaIn(Strict):
    offer_id: int
    group: Literal["local", "long_waiting"] = Field(
        description="local: wohnt am Ort des Angebots; long_waiting: wartet mindestens min_waiting_days Tage")
    max_seats: int | None = Field(None, ge=0, description="höchstens so viele Plätze für die Gruppe")
    reserved_seats: int | None = Field(None, ge=0, description="so viele Plätze für die Gruppe freihalten")
    min_waiting_days: int = Field(180, ge=0)


class ParamsIn(Strict):
    waiting_bonus_per_month: int = Field(10, ge=0, le=100, description="Bonuspunkte je vollem Wartemonat")
    waiting_bonus_max: int = Field(200, ge=0, le=1000, description="höchster Wartezeitbonus")
    unassigned_cost: int = Field(0, ge=0, le=10_000, description="Kosten, wenn eine Person ohne Platz bleibt")
    same_kind: bool = Field(True, description="auch Wartende gleichartiger Angebote im Landkreis berücksichtigen")
    quotas: list[QuotaIn] = []


class RunCreate(Strict):
    district_id: int = Field(description="Landkreis (Region)")
    offer_ids: list[int] = Field(min_length=1, description="Angebote Ihrer Behörde in diesem Landkreis")
    reference_date: IsoDate | None = Field(None, description="Stichtag der Regeln und Wartezeiten (Standard: heute)")
    params: ParamsIn | None = None


class RunDiscard(Strict):
    reason: str = Field("", max_length=300)


class OverrideIn(Strict):
    offer_id: int | None = Field(description="neues Angebot des Laufs; null = ohne Platz")
    reason_code: ReasonCode = Field(description="; ".join(f"{c}: {label}" for c, label in OverrideReason.choices))
    note: str = Field("", max_length=300, description="Pflicht bei reason_code other")


class RunOfferOut(Schema):
    id: int
    title: str
    seats: int
    enrolled: int = Field(description="beim Vorschlag belegte Plätze")
    free: int = Field(description="Plätze, die der Lauf verteilt")
    eligible: int = Field(description="geeignete Wartende")
    assigned: int = Field(description="jetzt zugeteilt (nach Änderungen)")


class RunOut(Schema):
    id: int
    state: str
    state_label: str
    district_id: int
    district: str
    reference_date: date
    score_version: str
    parameters: dict[str, Any]
    input_sha256: str = Field(description="SHA-256 der Eingaben: gleiche Prüfsumme, gleiches Ergebnis")
    objective: int = Field(description="Zielwert des Optimums: Σ (Punktzahl + Wartezeitbonus) − Kosten ohne Platz")
    persons: int
    assigned: int
    left_out: int = Field(description="Wartende ohne Lesezugriff Ihrer Behörde (nicht berücksichtigt)")
    offers: list[RunOfferOut]
    overrides: dict[str, int] = Field(description="Änderungen je Grund")
    fairness_flags: int
    version: int
    created_at: datetime
    created_by: str
    decided_at: datetime | None
    decided_by: str | None
    link: str


class AssignmentOut(Schema):
    id: int
    run_id: int
    person_id: int
    person_name: str
    proposed_offer_id: int | None
    offer_id: int | None
    offer_title: str
    score: int | None = Field(description="Passung des zugeteilten Angebots (0–1000)")
    proposed_score: int | None
    bonus: int
    waiting_days: int
    override_reason: str
    override_reason_label: str
    override_note: str
    overridden_by: str | None
    enrolment_id: int | None


class AssignmentPage(Page[AssignmentOut]):
    hidden: int = Field(description="Zeilen von Personen, deren Vermittlungsdaten Sie nicht lesen dürfen")


class FairnessGroupOut(Schema):
    group: str
    persons: int
    assigned: int
    rate: float
    mean_score: float | None
    ratio: float | None = Field(description="Quote / beste Quote der Dimension")
    flag: bool = Field(description="unter 80 % der besten Quote (Vier-Fünftel-Regel)")
    small: bool = Field(description="weniger als min_group Personen: gezeigt, nicht bewertet")


class FairnessDimensionOut(Schema):
    key: str
    label: str
    best_rate: float | None
    groups: list[FairnessGroupOut]
    flagged: list[str]
    note: str


class FairnessOut(Schema):
    threshold: float
    min_group: int
    persons: int
    assigned: int
    flags: int
    dimensions: list[FairnessDimensionOut]


def _user(u: Any) -> str | None:
    return u.get_username() if u else None


def run_dict(run: AllocationRun) -> dict[str, Any]:
    taken: dict[int, int] = {}
    for oid in Assignment.objects.filter(run=run, offer__isnull=False).values_list("offer_id", flat=True):
        taken[oid] = taken.get(oid, 0) + 1
    return {
        "id": run.pk, "state": run.state, "state_label": RunState(run.state).label, "district_id": run.district_id,
        "district": run.district.name, "reference_date": run.reference_date, "score_version": run.score_version,
        "parameters": run.parameters, "input_sha256": run.input_sha256, "objective": run.total_score,
        "persons": run.persons, "assigned": run.assigned, "left_out": run.left_out,
        "offers": [{"id": int(k), "title": v.get("title", ""), "seats": v["seats"], "enrolled": v["enrolled"],
                    "free": v["free"], "eligible": v.get("eligible", 0), "assigned": taken.get(int(k), 0)}
                   for k, v in sorted(run.capacities.items(), key=lambda kv: int(kv[0]))],
        "overrides": service.override_counts(run), "fairness_flags": run.fairness.get("flags", 0),
        "version": run.version, "created_at": run.created_at, "created_by": _user(run.created_by) or "",
        "decided_at": run.decided_at, "decided_by": _user(run.decided_by), "link": service.run_link(run.pk),
    }


def assignment_dict(a: Assignment) -> dict[str, Any]:
    name = a.person.primary_name
    return {
        "id": a.pk, "run_id": a.run_id, "person_id": a.person_id, "person_name": name.display if name else "",
        "proposed_offer_id": a.proposed_offer_id, "offer_id": a.offer_id,
        "offer_title": a.offer.title if a.offer else "", "score": a.score, "proposed_score": a.proposed_score,
        "bonus": a.bonus, "waiting_days": a.waiting_days, "override_reason": a.override_reason,
        "override_reason_label": a.get_override_reason_display() if a.override_reason else "",
        "override_note": a.override_note, "overridden_by": _user(a.overridden_by), "enrolment_id": a.enrolment_id,
    }


def _run_out(request: HttpRequest, run_id: int) -> dict[str, Any]:
    return run_dict(service.get_run(actor=actor(request), run_id=run_id))


@router.post("/runs", response={201: RunOut}, summary="Zuteilungslauf vorschlagen")
def propose(request: HttpRequest, payload: RunCreate) -> Any:
    """Computes the optimal proposal (min-cost flow) for the offers and stores it as a run in state `proposed`.
    Candidates are the waiting persons of the offers (with `same_kind` also of same-kind offers in the district)
    whose placement data your agency may read; only eligible pairs are considered."""
    params = payload.params.model_dump() if payload.params else None
    run = service.propose_run(actor=actor(request), district_id=payload.district_id, offer_ids=payload.offer_ids,
                              reference_date=payload.reference_date, params=params)
    return Status(201, _run_out(request, run.pk))


@router.get("/runs", response=Page[RunOut], summary="Zuteilungsläufe Ihrer Behörde")
def list_runs(request: HttpRequest, query: Query[PageQuery]) -> Any:
    return paginate(service.list_runs(actor=actor(request)).select_related("decided_by"), query, run_dict)


@router.get("/runs/{int:run_id}", response=RunOut, summary="Zuteilungslauf")
def get_run(request: HttpRequest, run_id: int) -> Any:
    return _run_out(request, run_id)


@router.get("/runs/{int:run_id}/assignments", response=AssignmentPage, summary="Zeilen des Vorschlags")
def list_assignments(request: HttpRequest, run_id: int, query: Query[PageQuery]) -> Any:
    """One line per candidate (ordered by person id): proposed and current offer, score, bonus, waiting days,
    override. Each person shown is an audited read."""
    view = service.run_view(actor=actor(request), run_id=run_id, offset=query.offset, limit=query.limit)
    return {"count": view.visible, "count_exact": True, "limit": query.limit, "offset": query.offset,
            "items": [assignment_dict(a) for a in view.lines], "hidden": view.hidden}


@router.post("/runs/{int:run_id}/confirm", response=RunOut, summary="Zuteilungslauf bestätigen")
def confirm(request: HttpRequest, run_id: int) -> Any:
    """Enrols every assigned person (all or nothing). 409 if seats or waiting lists changed since the proposal;
    422 if the run is no longer a proposal or a hard rule no longer holds."""
    service.confirm(actor=actor(request), run_id=run_id)
    return _run_out(request, run_id)


@router.post("/runs/{int:run_id}/discard", response=RunOut, summary="Zuteilungslauf verwerfen")
def discard(request: HttpRequest, run_id: int, payload: RunDiscard) -> Any:
    service.discard(actor=actor(request), run_id=run_id, reason=payload.reason)
    return _run_out(request, run_id)


@router.get("/runs/{int:run_id}/fairness", response=FairnessOut, summary="Fairnessbericht")
def fairness(request: HttpRequest, run_id: int) -> Any:
    """Assignment rate and mean fit by sex, nationality group, age band, district and disability; groups below
    80 % of the best-off group's rate are flagged. These characteristics never enter the score."""
    return service.fairness_report(actor=actor(request), run_id=run_id)


@assignments_router.post("/{int:assignment_id}/override", response=AssignmentOut, summary="Zeile ändern")
def override(request: HttpRequest, assignment_id: int, payload: OverrideIn) -> Any:
    """Another offer of the run (eligible, with a seat left) or none, with a reason code; counted per code."""
    line = service.override(actor=actor(request), assignment_id=assignment_id, offer_id=payload.offer_id,
                            reason_code=payload.reason_code, note=payload.note)
    full = Assignment.objects.select_related("person", "offer", "overridden_by").prefetch_related(
        "person__names").get(pk=line.pk)
    return assignment_dict(full)
