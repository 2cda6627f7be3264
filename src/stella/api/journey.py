"""Legal-status history and the derived journey of a file (status, phase, regime, lead agencies)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from stella.api.auth import actor
from stella.api.schemas import IsoDate, Strict
from stella.journey import services as journey
from stella.journey.models import DecisionOutcome, EventKind, StatusEvent
from stella.journey.services import JourneyPoint

router = Router(tags=["Verlauf"])


class StatusEventIn(Strict):
    kind: EventKind
    effective_date: IsoDate
    outcome: DecisionOutcome | None = Field(None, description="Nur bei bamf_entscheidung")
    note: str = Field("", max_length=300)


class StatusCorrectionIn(Strict):
    reason: str = Field(max_length=200)
    kind: EventKind | None = None
    effective_date: IsoDate | None = None
    outcome: DecisionOutcome | None = None
    void: bool = Field(False, description="Das Ereignis ersatzlos aufheben")


class StatusEventOut(Schema):
    id: int
    kind: str
    kind_label: str
    effective_date: date
    outcome: str
    note: str
    corrects: int | None
    voids: bool
    in_force: bool
    agency: str | None
    recorded_at: str


class LeadsOut(Schema):
    benefits: str | None
    labour: str | None
    accommodation: str | None


class JourneyPointOut(Schema):
    on: date
    cause: str
    state: str
    state_label: str
    phase: str
    regime: str | None
    regime_label: str
    accommodation: str
    leads: LeadsOut


class JourneyOut(Schema):
    state: str
    state_label: str
    phase: str
    events: list[StatusEventOut]
    points: list[JourneyPointOut]


def _event(e: StatusEvent, in_force: set[int]) -> dict[str, Any]:
    return {"id": e.pk, "kind": e.kind, "kind_label": e.get_kind_display(), "effective_date": e.effective_date,
            "outcome": e.outcome, "note": e.note, "corrects": e.corrects_id, "voids": e.voids,
            "in_force": e.pk in in_force, "agency": e.agency.code if e.agency else None,
            "recorded_at": e.recorded_at.isoformat()}


def _point(p: JourneyPoint) -> dict[str, Any]:
    leads = {k: getattr(p.leads, k).code if getattr(p.leads, k) else None
             for k in ("benefits", "labour", "accommodation")}
    return {**{k: getattr(p, k) for k in ("on", "cause", "state", "state_label", "phase", "regime", "regime_label",
                                          "accommodation")}, "leads": leads}


@router.get("/{int:person_id}/journey", response=JourneyOut, summary="Verlauf der Fallakte")
def get_journey(request: HttpRequest, person_id: int) -> Any:
    """Status events (also corrected ones) and, for every date something changed, the derived status,
    phase, benefit regime, accommodation and lead agencies. Needs read access to residence data."""
    data = journey.journey(actor=actor(request), person_id=person_id)
    return {"state": data["current"].state.value, "state_label": data["current"].state.label,
            "phase": data["phase"], "events": [_event(e, data["in_force"]) for e in data["events"]],
            "points": [_point(p) for p in data["points"]]}


@router.post("/{int:person_id}/status-events", response={201: StatusEventOut}, summary="Statusereignis erfassen")
def add_status_event(request: HttpRequest, person_id: int, payload: StatusEventIn) -> Any:
    """Refused (422, with the reason) when the event contradicts the recorded history."""
    event = journey.record_status_event(actor=actor(request), person_id=person_id, kind=payload.kind,
                                        effective_date=payload.effective_date, outcome=payload.outcome or "",
                                        note=payload.note)
    return Status(201, _event(event, {event.pk}))


@router.post("/{int:person_id}/status-events/{int:event_id}/corrections", response={201: StatusEventOut},
             summary="Statusereignis berichtigen")
def correct_status_event(request: HttpRequest, person_id: int, event_id: int, payload: StatusCorrectionIn) -> Any:
    """A correction is a new event; the corrected one stays in the history."""
    event = journey.correct_status_event(actor=actor(request), person_id=person_id, event_id=event_id,
                                         reason=payload.reason, kind=payload.kind,
                                         effective_date=payload.effective_date, outcome=payload.outcome,
                                         void=payload.void)
    return Status(201, _event(event, set() if event.voids else {event.pk}))
