"""Hand-overs over the API: the agency's in- and outbox, one hand-over with its summary, proposing by
hand, accept / reject / re-route / complete with the version read (stale → 409), and bulk hand-overs
(preview, create, progress, per-person report as JSON or CSV). Agencies are named by code."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Field, Query, Router, Schema, Status

from stella.api.auth import actor
from stella.api.errors import PROBLEM_CONTENT_TYPE
from stella.api.schemas import IsoDate, Page, PageQuery, Strict, paginate
from stella.journey import bulk
from stella.journey import handovers as ho
from stella.journey.models import (
    BulkHandOverItem,
    BulkHandOverJob,
    HandOver,
    HandOverState,
    ItemState,
)

router = Router(tags=["Übergaben"])

_CONFLICT = {"responses": {409: {"description": "Bearbeitungskonflikt (veraltete Version)", "content": {
    PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}}}


# --- schemas -------------------------------------------------------------------------------------------

class HandOverOut(Schema):
    id: int
    person_id: int
    person_name: str
    function: str
    function_label: str
    from_agency: str | None
    to_agency: str
    reason: str
    legal_basis: str
    effective_date: date
    state: str
    state_label: str
    decision_note: str
    created_at: datetime
    decided_at: datetime | None
    completed_at: datetime | None
    version: int
    rerouted_from: int | None
    bulk_job: int | None
    trigger: int | None = Field(description="Statusereignis, das die Übergabe ausgelöst hat")
    overdue: bool


class ActionsOut(Schema):
    accept: bool
    reject: bool
    reroute: bool
    complete: bool


class HandOverDetailOut(HandOverOut):
    summary: dict[str, Any] = Field(description="Zusammenfassung der Akte für die übernehmende Behörde; andere "
                                                "sehen nur die Bereiche, die sie selbst lesen dürfen")
    summary_complete: bool
    actions: ActionsOut
    reroutes: list[int]


class HandOverListQuery(PageQuery):
    direction: str = Field("in", pattern="^(in|out|all)$", description="in: an uns, out: von uns, all: beides")
    state: str = Field("", description="proposed, accepted, rejected, completed, cancelled oder open")
    person_id: int | None = None


class ProposeIn(Strict):
    person_id: int
    function: str = Field(description="Aufgabe, die übergeht, z. B. benefits_sgb2")
    to_agency: str = Field(max_length=30, description="Kennung der übernehmenden Behörde, z. B. JC-LB")
    reason: str = Field(max_length=300)
    effective_date: IsoDate


class VersionIn(Strict):
    version: int = Field(ge=1, description="Die gelesene Version (Schutz vor verlorenen Änderungen)")


class RejectIn(VersionIn):
    reason: str = Field(max_length=300)


class RerouteIn(VersionIn):
    to_agency: str = Field(max_length=30)
    reason: str = Field(max_length=300)


class CriteriaIn(Strict):
    status: list[str] = Field(default_factory=list, description="Statusereignisse, z. B. ae_24, fiktion")
    nationality: list[str] = Field(default_factory=list, description="ISO 3166 Alpha-3, z. B. UKR")
    landkreis: str = Field("", description="z. B. LK-LB")
    municipality: str = ""
    status_from: IsoDate | None = None
    status_until: IsoDate | None = None


class BulkIn(Strict):
    criteria: CriteriaIn
    function: str
    to_agency: str = Field(max_length=30)
    effective_date: IsoDate
    reason: str = Field("", max_length=300)
    legal_basis: str = Field("", max_length=200)


class PreviewOut(Schema):
    count: int
    by_municipality: list[dict[str, Any]]


class JobOut(Schema):
    id: int
    criteria: dict[str, Any]
    function: str
    to_agency: str
    effective_date: date
    reason: str
    legal_basis: str
    state: str
    total: int
    counts: dict[str, int] = Field(description="Personen je Stand; in_progress: gerade in Arbeit")
    percent: int
    stalled: bool
    created_at: datetime
    finished_at: datetime | None


class JobSummaryOut(Schema):
    id: int
    function: str
    to_agency: str
    effective_date: date
    state: str
    total: int
    created_at: datetime


class ItemOut(Schema):
    person_id: int
    person_name: str
    state: str
    state_label: str
    reason: str
    processed_at: datetime | None


class ItemQuery(PageQuery):
    state: str = ""


# --- rendering -------------------------------------------------------------------------------------------

def _name(person: Any) -> str:
    name = person.primary_name
    return name.display if name else ""


def handover_dict(h: HandOver) -> dict[str, Any]:
    return {
        "id": h.pk, "person_id": h.person_id, "person_name": _name(h.person), "function": h.function,
        "function_label": h.get_function_display(), "from_agency": h.from_agency.code if h.from_agency else None,
        "to_agency": h.to_agency.code, "reason": h.reason, "legal_basis": h.legal_basis,
        "effective_date": h.effective_date, "state": h.state, "state_label": HandOverState(h.state).label,
        "decision_note": h.decision_note, "created_at": h.created_at, "decided_at": h.decided_at,
        "completed_at": h.completed_at, "version": h.version, "rerouted_from": h.rerouted_from_id,
        "bulk_job": h.bulk_job_id, "trigger": h.trigger_id, "overdue": ho.is_overdue(h),
    }


def _job_dict(status: bulk.JobStatus) -> dict[str, Any]:
    job = status.job
    return {"id": job.pk, "criteria": job.criteria, "function": job.function, "to_agency": job.to_agency.code,
            "effective_date": job.effective_date, "reason": job.reason, "legal_basis": job.legal_basis,
            "state": job.state, "total": job.total, "counts": status.counts, "percent": status.percent,
            "stalled": status.stalled, "created_at": job.created_at, "finished_at": job.finished_at}


def _item_dict(item: BulkHandOverItem) -> dict[str, Any]:
    return {"person_id": item.person_id, "person_name": _name(item.person), "state": item.state,
            "state_label": ItemState(item.state).label, "reason": item.reason, "processed_at": item.processed_at}


def _job_summary(job: BulkHandOverJob) -> dict[str, Any]:
    return {"id": job.pk, "function": job.function, "to_agency": job.to_agency.code,
            "effective_date": job.effective_date, "state": job.state, "total": job.total,
            "created_at": job.created_at}


# --- single hand-overs -----------------------------------------------------------------------------------

@router.get("", response=Page[HandOverOut], summary="Übergaben der eigenen Behörde")
def list_handovers(request: HttpRequest, query: Query[HandOverListQuery]) -> Any:
    """Incoming (`in`, default), outgoing (`out`: given or proposed by the caller) or both; newest first."""
    qs = ho.handovers_for(actor=actor(request), direction=query.direction, state=query.state,
                          person_id=query.person_id).prefetch_related("person__names")
    return paginate(qs, query, handover_dict)


@router.get("/{int:handover_id}", response=HandOverDetailOut, summary="Übergabe mit Zusammenfassung")
def handover_detail(request: HttpRequest, handover_id: int) -> Any:
    view = ho.handover_detail(actor=actor(request), handover_id=handover_id)
    return {**handover_dict(view.handover), "summary": view.summary, "summary_complete": view.summary_complete,
            "actions": {"accept": view.may_accept, "reject": view.may_reject, "reroute": view.may_reroute,
                        "complete": view.may_complete},
            "reroutes": [r.pk for r in view.reroutes]}


def _fresh(handover_id: int) -> dict[str, Any]:
    return handover_dict(HandOver.objects.select_related("person", "from_agency", "to_agency").get(pk=handover_id))


@router.post("", response={201: HandOverOut}, summary="Übergabe vorschlagen")
def propose(request: HttpRequest, payload: ProposeIn) -> Any:
    """A participating agency proposes that another agency take over a function from a date (at most
    90 days back); the agency must serve the person's municipality for it."""
    agency = ho.agency_by_code(payload.to_agency)
    h = ho.propose_handover(actor=actor(request), person_id=payload.person_id, function=payload.function,
                            to_agency_id=agency.pk, reason=payload.reason, effective_date=payload.effective_date)
    return Status(201, _fresh(h.pk))


@router.post("/{int:handover_id}/accept", response=HandOverOut, summary="Übergabe annehmen",
             openapi_extra=_CONFLICT)
def accept(request: HttpRequest, handover_id: int, payload: VersionIn) -> Any:
    """The receiving agency leads the file from the effective date."""
    ho.accept_handover(actor=actor(request), handover_id=handover_id, version=payload.version)
    return _fresh(handover_id)


@router.post("/{int:handover_id}/reject", response=HandOverOut, summary="Übergabe ablehnen",
             openapi_extra=_CONFLICT)
def reject(request: HttpRequest, handover_id: int, payload: RejectIn) -> Any:
    """With a reason; nothing else changes, the proposer gets a task."""
    ho.reject_handover(actor=actor(request), handover_id=handover_id, version=payload.version, reason=payload.reason)
    return _fresh(handover_id)


@router.post("/{int:handover_id}/reroute", response={201: HandOverOut}, summary="Übergabe umleiten",
             openapi_extra=_CONFLICT)
def reroute(request: HttpRequest, handover_id: int, payload: RerouteIn) -> Any:
    """Closes this proposal (cancelled, kept) and proposes to another agency; answers the new hand-over."""
    agency = ho.agency_by_code(payload.to_agency)
    new = ho.reroute_handover(actor=actor(request), handover_id=handover_id, version=payload.version,
                              to_agency_id=agency.pk, reason=payload.reason)
    return Status(201, _fresh(new.pk))


@router.post("/{int:handover_id}/complete", response=HandOverOut, summary="Übergabe abschließen",
             openapi_extra=_CONFLICT)
def complete(request: HttpRequest, handover_id: int, payload: VersionIn) -> Any:
    """From the effective date: the old lead ends the day before, the old agency's access narrows."""
    ho.complete_handover(actor=actor(request), handover_id=handover_id, version=payload.version)
    return _fresh(handover_id)


# --- bulk -----------------------------------------------------------------------------------------------

def _bulk_args(payload: BulkIn) -> dict[str, Any]:
    agency = ho.agency_by_code(payload.to_agency)
    return {"criteria": payload.criteria.model_dump(exclude_defaults=True), "function": payload.function,
            "to_agency_id": agency.pk, "effective_date": payload.effective_date, "reason": payload.reason}


@router.post("/bulk/preview", response=PreviewOut, summary="Sammelübergabe: Auswahl zählen")
def bulk_preview(request: HttpRequest, payload: BulkIn) -> Any:
    """How many persons the criteria select (per municipality); nothing is created."""
    preview = bulk.preview_bulk(actor=actor(request), **_bulk_args(payload))
    return {"count": preview.count,
            "by_municipality": [{"municipality": m, "count": n} for m, n in preview.by_municipality]}


@router.post("/bulk", response={201: JobOut}, summary="Sammelübergabe anlegen")
def bulk_create(request: HttpRequest, payload: BulkIn) -> Any:
    """One job with one item per selected person, processed in the background (progress: GET …/bulk/{id}).
    A selection that matches nobody is 422 and creates nothing."""
    who = actor(request)
    job = bulk.create_bulk_job(actor=who, legal_basis=payload.legal_basis, **_bulk_args(payload))
    return Status(201, _job_dict(bulk.job_status(actor=who, job_id=job.pk)))


@router.get("/bulk", response=Page[JobSummaryOut], summary="Sammelübergaben")
def bulk_list(request: HttpRequest, query: Query[PageQuery]) -> Any:
    return paginate(bulk.jobs_for(actor=actor(request)), query, _job_summary)


@router.get("/bulk/{int:job_id}", response=JobOut, summary="Sammelübergabe: Fortschritt")
def bulk_status(request: HttpRequest, job_id: int) -> Any:
    return _job_dict(bulk.job_status(actor=actor(request), job_id=job_id))


@router.post("/bulk/{int:job_id}/resume", response=JobOut, summary="Sammelübergabe fortsetzen")
def bulk_resume(request: HttpRequest, job_id: int) -> Any:
    """Team lead: re-queue a stalled job (what the reaper does on its own)."""
    who = actor(request)
    bulk.resume_job(actor=who, job_id=job_id)
    return _job_dict(bulk.job_status(actor=who, job_id=job_id))


@router.get("/bulk/{int:job_id}/items", response=Page[ItemOut], summary="Sammelübergabe: Ergebnis je Person")
def bulk_items(request: HttpRequest, job_id: int, query: Query[ItemQuery]) -> Any:
    return paginate(bulk.job_items(actor=actor(request), job_id=job_id, state=query.state), query, _item_dict)


@router.get("/bulk/{int:job_id}/report.csv", summary="Sammelübergabe: Ergebnis als CSV",
            openapi_extra={"responses": {200: {"description": "CSV", "content": {"text/csv": {}}}}})
def bulk_report(request: HttpRequest, job_id: int) -> StreamingHttpResponse:
    rows = bulk.report_rows(actor=actor(request), job_id=job_id)
    response = StreamingHttpResponse(bulk.csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sammeluebergabe-{job_id}.csv"'
    return response

