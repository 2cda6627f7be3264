"""Appointments over HTTP: "Meine Termine", a person's appointments (other agencies' as busy times),
create with conflict check, cancel, and the downloads (invitation letter PDF, calendar file ICS)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from stella.accounts.models import User
from stella.api.auth import actor
from stella.api.schemas import IsoDateTime, Page, PageQuery, Strict, paginate
from stella.journey import appointments as service
from stella.journey.models import Appointment

router = Router(tags=["Termine"])


class AppointmentOut(Schema):
    """Full for appointments of your agency (`own: true`); for other agencies only agency and time."""

    id: int | None = Field(description="Nur bei Terminen Ihrer Behörde")
    own: bool
    agency: str
    agency_name: str
    starts_at: datetime
    ends_at: datetime
    cancelled: bool
    person_id: int
    place: str | None = None
    purpose: str | None = None
    language: str | None = None
    interpreter_needed: bool | None = None
    counsellor: str | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    letter: str | None = Field(None, description="Download des Einladungsschreibens (PDF)")
    calendar: str | None = Field(None, description="Download der Kalenderdatei (ICS)")


def appointment_dict(a: Appointment, own: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {"id": a.pk if own else None, "own": own, "agency": a.agency.code,
                            "agency_name": a.agency.name, "starts_at": a.starts_at, "ends_at": a.ends_at,
                            "cancelled": a.cancelled_at is not None, "person_id": a.person_id}
    if own:
        body.update(place=a.place, purpose=a.purpose, language=a.language, interpreter_needed=a.interpreter_needed,
                    counsellor=a.counsellor.get_username() if a.counsellor else None, cancelled_at=a.cancelled_at,
                    cancel_reason=a.cancel_reason, letter=f"/api/v1/appointments/{a.pk}/letter.pdf",
                    calendar=f"/api/v1/appointments/{a.pk}/calendar.ics")
    return body


class AppointmentQuery(PageQuery):
    person_id: int | None = Field(None, description="Alle Termine dieser Person (andere Behörden: nur belegt)")
    scope: Literal["mine", "agency"] = Field("mine", description="Ohne person_id: meine oder alle meiner Behörde")
    include_past: bool = False


class AppointmentCreate(Strict):
    person_id: int
    starts_at: IsoDateTime
    ends_at: IsoDateTime
    place: str = Field(max_length=200)
    purpose: str = Field(max_length=200)
    language: str = Field("", max_length=20, description="ISO 639, z. B. ar, prs, ti")
    interpreter_needed: bool = False
    counsellor: str | None = Field(None, max_length=150, description="Benutzername; ohne Angabe: Sie selbst")


class AppointmentCancel(Strict):
    reason: str = Field("", max_length=300)


class _ListPage:
    """A page over an already materialised list (the per-person view mixes own and other rows)."""

    def __init__(self, rows: list[Any]) -> None:
        self.rows = rows

    def __getitem__(self, item: slice) -> list[Any]:
        return self.rows[item]

    def count(self) -> int:
        return len(self.rows)


@router.get("", response=Page[AppointmentOut], summary="Termine")
def list_appointments(request: HttpRequest, query: Query[AppointmentQuery]) -> Any:
    me = actor(request)
    if query.person_id is not None:
        rows = service.person_appointments(actor=me, person_id=query.person_id, include_past=query.include_past)
        return paginate(_ListPage(rows), query, lambda r: appointment_dict(r.appointment, r.own))  # type: ignore[arg-type]
    qs = service.my_appointments(actor=me, include_past=query.include_past, agency_wide=query.scope == "agency")
    return paginate(qs, query, appointment_dict)


@router.post("", response={201: AppointmentOut}, summary="Termin anlegen")
def create_appointment(request: HttpRequest, payload: AppointmentCreate) -> Any:
    """Refused (422, field `starts_at`) when the person already has an appointment then at any agency; the
    message names that agency and time – the content only if it is your agency's."""
    counsellor = None
    if payload.counsellor is not None:
        counsellor = User.objects.filter(username=payload.counsellor).values_list("pk", flat=True).first() or -1
    a = service.create_appointment(actor=actor(request), person_id=payload.person_id, starts_at=payload.starts_at,
                                   ends_at=payload.ends_at, place=payload.place, purpose=payload.purpose,
                                   language=payload.language, interpreter_needed=payload.interpreter_needed,
                                   counsellor_id=counsellor)
    return Status(201, appointment_dict(a))


@router.get("/{int:appointment_id}", response=AppointmentOut, summary="Termin")
def get_appointment(request: HttpRequest, appointment_id: int) -> Any:
    return appointment_dict(service.get_appointment(actor=actor(request), appointment_id=appointment_id))


@router.post("/{int:appointment_id}/cancel", response=AppointmentOut, summary="Termin absagen")
def cancel_appointment(request: HttpRequest, appointment_id: int, payload: AppointmentCancel) -> Any:
    a = service.cancel_appointment(actor=actor(request), appointment_id=appointment_id, reason=payload.reason)
    return appointment_dict(Appointment.objects.select_related("agency", "counsellor").get(pk=a.pk))


def _download(item: service.Download) -> HttpResponse:
    response = HttpResponse(item.content, content_type=item.content_type)
    response["Content-Disposition"] = f'attachment; filename="{item.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@router.get("/{int:appointment_id}/letter.pdf", summary="Einladungsschreiben (PDF)",
            openapi_extra={"responses": {200: {"description": "PDF", "content": {"application/pdf": {}}}}})
def letter(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """German letter with a short translation in the person's language where one exists (Arabic,
    Farsi/Dari, English, Tigrinya); the header `X-Translation` names it. Audited as an export."""
    item = service.invitation_letter(actor=actor(request), appointment_id=appointment_id)
    response = _download(item)
    response["X-Translation"] = item.translation.code if item.translation else ""
    return response


@router.get("/{int:appointment_id}/calendar.ics", summary="Kalenderdatei (ICS)",
            openapi_extra={"responses": {200: {"description": "iCalendar", "content": {"text/calendar": {}}}}})
def calendar(request: HttpRequest, appointment_id: int) -> HttpResponse:
    return _download(service.calendar_file(actor=actor(request), appointment_id=appointment_id))
