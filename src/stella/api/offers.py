"""Offers, enrolments and placements over HTTP: offer search and management, an offer's enrolments (waiting
list in order), admission, attendance, completion, drop-out and withdrawal, a person's enrolments and
placements, outcomes after 6 and 12 months. Same services, access rules and audit as the web UI."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from stella.agencies.models import Agency
from stella.api.auth import actor
from stella.api.schemas import IsoDate, Page, PageQuery, Strict, paginate
from stella.offers import query
from stella.offers import services as service
from stella.offers.models import (
    Attendance,
    Enrolment,
    MeasureType,
    Offer,
    OfferKind,
    Outcome,
    Placement,
    PlacementKind,
)

offers_router = Router(tags=["Angebote"])
enrolments_router = Router(tags=["Teilnahmen"])
persons_router = Router(tags=["Teilnahmen"])
placements_router = Router(tags=["Vermittlungen"])

LEVEL_HELP = "A1, A2, B1, B2, C1 oder C2"


# --- offers ---------------------------------------------------------------------------------------------------

class OfferOut(Schema):
    id: int
    version: int
    kind: str
    kind_label: str
    title: str
    measure_type: str
    module: str
    target_level: str
    occupation_code: str
    occupation_title: str
    provider: str
    provider_agency: str | None = Field(description="Kennung des Kursträgers in Stella, falls vorhanden")
    owner: str = Field(description="Kennung der Behörde, die das Angebot verwaltet")
    municipality_id: int
    municipality: str
    district: str
    starts_on: date
    ends_on: date | None
    seats: int
    enrolled: int
    waiting: int
    free_seats: int
    min_german_level: str
    childcare: bool
    women_only: bool
    part_time: bool
    requires_driving_licence: bool
    state: str
    state_label: str
    created_at: datetime


def offer_dict(o: Offer) -> dict[str, Any]:
    return {
        "id": o.pk, "version": o.version, "kind": o.kind, "kind_label": o.get_kind_display(), "title": o.title,
        "measure_type": o.measure_type, "module": o.module, "target_level": o.target_level,
        "occupation_code": o.occupation.code if o.occupation else "",
        "occupation_title": o.occupation.title if o.occupation else "", "provider": o.provider,
        "provider_agency": o.provider_agency.code if o.provider_agency else None, "owner": o.owner.code,
        "municipality_id": o.municipality_id, "municipality": o.municipality.name,
        "district": o.municipality.landkreis.name, "starts_on": o.starts_on, "ends_on": o.ends_on,
        "seats": o.seats, "enrolled": getattr(o, "enrolled", 0), "waiting": getattr(o, "waiting", 0),
        "free_seats": getattr(o, "free_seats", o.seats), "min_german_level": o.min_german_level,
        "childcare": o.childcare, "women_only": o.women_only, "part_time": o.part_time,
        "requires_driving_licence": o.requires_driving_licence, "state": o.state,
        "state_label": o.get_state_display(), "created_at": o.created_at,
    }


class OfferQuery(PageQuery):
    kind: OfferKind | None = None
    municipality_id: int | None = None
    district_id: int | None = Field(None, description="Landkreis (Region-ID)")
    starts_after: IsoDate | None = Field(None, description="Beginn an oder nach diesem Tag")
    level: str = Field("", max_length=2, description=f"Deutschniveau der Person ({LEVEL_HELP}): nur Angebote, "
                                                     "deren Mindestniveau es erreicht")
    target_level: str = Field("", max_length=2)
    childcare: bool = False
    women_only: bool = False
    part_time: bool = False
    free_seats: bool = Field(False, description="Nur Angebote mit freien Plätzen")
    text: str = Field("", max_length=200, description="Titel, Träger, Modul, Ort oder Beruf; jedes Wort muss passen")
    state: Literal["open", "closed", "cancelled", "all"] = "open"
    mine: bool = Field(False, description="Nur Angebote, die meine Behörde verwaltet oder durchführt")


class OfferBody(Strict):
    kind: OfferKind
    title: str = Field(max_length=200)
    provider: str = Field(max_length=200, description="Träger bzw. Arbeitgeber")
    municipality_id: int
    starts_on: IsoDate
    ends_on: IsoDate | None = None
    seats: int = Field(ge=1, le=service.MAX_SEATS)
    measure_type: MeasureType = MeasureType.NONE
    module: str = Field("", max_length=120)
    target_level: str = Field("", max_length=2, description=f"Pflicht bei Sprachkursen: {LEVEL_HELP}")
    occupation_code: str = Field("", max_length=5, description="KldB 2010, 5-stellig; Pflicht bei Ausbildung/Stelle")
    provider_agency: str | None = Field(None, description="Kennung eines Kursträgers in Stella, z. B. KT-LB")
    min_german_level: str = Field("", max_length=2)
    childcare: bool = False
    women_only: bool = False
    part_time: bool = False
    requires_driving_licence: bool = False

    def to_service(self) -> service.OfferIn:
        data = self.model_dump(exclude={"provider_agency", "version"})
        return service.OfferIn(**data, provider_agency_id=_agency_id(self.provider_agency))


class OfferUpdate(OfferBody):
    version: int = Field(ge=1, description="Die Version, auf der die Änderung beruht")


class CancelBody(Strict):
    reason: str = Field(max_length=250)


def _agency_id(code: str | None) -> int | None:
    """Agencies travel as codes; an unknown one is refused by the service like a wrong kind (id -1)."""
    if code is None:
        return None
    return Agency.objects.filter(code=code).values_list("pk", flat=True).first() or -1


def _offer_out(request: HttpRequest, offer_id: int) -> dict[str, Any]:
    return offer_dict(service.get_offer(actor=actor(request), offer_id=offer_id))


@offers_router.get("", response=Page[OfferOut], summary="Angebote suchen")
def list_offers(request: HttpRequest, q: Query[OfferQuery]) -> Any:
    """Soonest first. Offers are not personal data; any user with a case role may search them."""
    me = actor(request)
    filters = query.OfferFilter(
        kind=q.kind or "", municipality_id=q.municipality_id, district_id=q.district_id, starts_after=q.starts_after,
        level=q.level.strip().upper(), target_level=q.target_level.strip().upper(), childcare=q.childcare,
        women_only=q.women_only, part_time=q.part_time, free_seats=q.free_seats, text=q.text,
        state="" if q.state == "all" else q.state, agency_id=me.agency_id if q.mine else None)
    return paginate(service.list_offers(actor=me, filters=filters), q, offer_dict)


@offers_router.post("", response={201: OfferOut}, summary="Angebot anlegen")
def create_offer(request: HttpRequest, payload: OfferBody) -> Any:
    """Caseworkers and team leads of AA, JC, LRA and STADT; the offer belongs to their agency."""
    offer = service.create_offer(actor=actor(request), data=payload.to_service())
    return Status(201, _offer_out(request, offer.pk))


@offers_router.get("/{int:offer_id}", response=OfferOut, summary="Angebot")
def get_offer(request: HttpRequest, offer_id: int) -> Any:
    return _offer_out(request, offer_id)


@offers_router.put("/{int:offer_id}", response=OfferOut, summary="Angebot ändern")
def update_offer(request: HttpRequest, offer_id: int, payload: OfferUpdate) -> Any:
    """All fields, based on `version` (409 with `changes` if someone else changed it meanwhile)."""
    service.update_offer(actor=actor(request), offer_id=offer_id, version=payload.version,
                         data=payload.to_service())
    return _offer_out(request, offer_id)


@offers_router.post("/{int:offer_id}/close", response=OfferOut, summary="Angebot schließen")
def close_offer(request: HttpRequest, offer_id: int) -> Any:
    """No further enrolments or admissions; enrolled persons keep their seats."""
    service.close_offer(actor=actor(request), offer_id=offer_id)
    return _offer_out(request, offer_id)


@offers_router.post("/{int:offer_id}/cancel", response=OfferOut, summary="Angebot absagen")
def cancel_offer(request: HttpRequest, offer_id: int, payload: CancelBody) -> Any:
    """All waiting and enrolled persons are withdrawn with the reason; the enrolling agencies are notified."""
    service.cancel_offer(actor=actor(request), offer_id=offer_id, reason=payload.reason)
    return _offer_out(request, offer_id)


# --- enrolments -----------------------------------------------------------------------------------------------

class AttendanceSummaryOut(Schema):
    days: int
    present: int
    excused: int
    unexcused: int
    rate: int | None = Field(description="Anteil der erfassten Tage mit Anwesenheit in Prozent")


class EnrolmentOut(Schema):
    id: int
    version: int
    offer_id: int
    offer_title: str
    offer_kind: str
    person_id: int
    person_name: str
    state: str
    state_label: str
    waiting_position: int | None = Field(description="Platz auf der Warteliste (1 = als Nächste/r)")
    requested_at: datetime
    enrolled_on: date | None
    ended_on: date | None
    result_level: str
    result_note: str
    reason: str
    agency: str = Field(description="Behörde, die angemeldet hat")
    attendance: AttendanceSummaryOut


def enrolment_dict(e: Enrolment) -> dict[str, Any]:
    summary = service.attendance_summary(e)
    return {
        "id": e.pk, "version": e.version, "offer_id": e.offer_id, "offer_title": e.offer.title,
        "offer_kind": e.offer.kind, "person_id": e.person_id, "person_name": str(e.person), "state": e.state,
        "state_label": e.get_state_display(), "waiting_position": getattr(e, "waiting_position", None),
        "requested_at": e.requested_at, "enrolled_on": e.enrolled_on, "ended_on": e.ended_on,
        "result_level": e.result_level, "result_note": e.result_note, "reason": e.reason, "agency": e.agency.code,
        "attendance": {"days": summary.days, "present": summary.present, "excused": summary.excused,
                       "unexcused": summary.unexcused, "rate": summary.rate},
    }


def _reload(enrolment_id: int) -> dict[str, Any]:
    """The enrolment after a change (the change itself is audited; no second read event)."""
    return enrolment_dict(query.with_waiting_position(Enrolment.objects.filter(pk=enrolment_id))
                          .select_related("offer", "person", "agency").prefetch_related("person__names", "attendance")
                          .get())


class RosterRowOut(Schema):
    visible: bool = Field(description="false: eine Person, deren Akte Sie nicht sehen dürfen (nur gezählt)")
    state: str
    waiting_position: int | None
    requested_at: datetime
    enrolment: EnrolmentOut | None


class RosterOut(Schema):
    offer: OfferOut
    enrolled: list[RosterRowOut]
    waiting: list[RosterRowOut] = Field(description="In der Reihenfolge der Warteliste")
    ended: list[RosterRowOut]
    hidden: int = Field(description="Teilnahmen, deren Personen Sie nicht sehen dürfen")
    provider_view: bool = Field(description="Sie sehen alle Teilnahmen als Kursträger des Angebots (§8 IntV)")


def _row(r: service.RosterRow) -> dict[str, Any]:
    return {"visible": r.visible, "state": r.state, "waiting_position": r.position, "requested_at": r.requested_at,
            "enrolment": enrolment_dict(r.enrolment) if r.enrolment else None}


class EnrolmentRequest(Strict):
    person_id: int
    direct: bool = Field(False, description="true: gleich aufnehmen (freier Platz und Regeln), sonst Warteliste")


class AdmitBody(Strict):
    on: IsoDate | None = Field(None, description="Platz ab (Standard: heute)")


class AttendanceBody(Strict):
    day: IsoDate
    present: bool
    excused: bool = False


class AttendanceOut(Schema):
    id: int
    day: date
    present: bool
    excused: bool


class CompleteBody(Strict):
    ended_on: IsoDate
    result_level: str = Field("", max_length=2, description=f"Nur bei Sprachkursen: {LEVEL_HELP}")
    result_note: str = Field("", max_length=300, description="z. B. DTZ B1 bestanden")


class EndBody(Strict):
    reason: str = Field(max_length=300)
    on: IsoDate | None = Field(None, description="Standard: heute")


@offers_router.get("/{int:offer_id}/enrolments", response=RosterOut, summary="Teilnahmen und Warteliste")
def offer_enrolments(request: HttpRequest, offer_id: int) -> Any:
    """Persons whose file you may read (category „Vermittlung“) in full; the others only counted. A Kursträger
    sees every enrolment of the offers it runs. Each person shown is an audited read."""
    roster = service.offer_roster(actor=actor(request), offer_id=offer_id)
    return {"offer": offer_dict(roster.offer), "enrolled": [_row(r) for r in roster.enrolled],
            "waiting": [_row(r) for r in roster.waiting], "ended": [_row(r) for r in roster.ended],
            "hidden": roster.hidden, "provider_view": roster.provider_view}


@offers_router.post("/{int:offer_id}/enrolments", response={201: EnrolmentOut}, summary="Person anmelden")
def request_enrolment(request: HttpRequest, offer_id: int, payload: EnrolmentRequest) -> Any:
    """On the waiting list, or with `direct: true` straight into a free seat (checked like an admission)."""
    me = actor(request)
    if payload.direct:
        enrolment = service.enrol(actor=me, person_id=payload.person_id, offer_id=offer_id)
    else:
        enrolment = service.request_enrolment(actor=me, person_id=payload.person_id, offer_id=offer_id)
    return Status(201, _reload(enrolment.pk))


@enrolments_router.get("/{int:enrolment_id}", response=EnrolmentOut, summary="Teilnahme")
def get_enrolment(request: HttpRequest, enrolment_id: int) -> Any:
    return enrolment_dict(service.get_enrolment(actor=actor(request), enrolment_id=enrolment_id))


@enrolments_router.get("/{int:enrolment_id}/attendance", response=list[AttendanceOut], summary="Anwesenheit")
def attendance(request: HttpRequest, enrolment_id: int) -> Any:
    enrolment = service.get_enrolment(actor=actor(request), enrolment_id=enrolment_id)
    return [{"id": a.pk, "day": a.day, "present": a.present, "excused": a.excused}
            for a in enrolment.attendance.all()]


@enrolments_router.post("/{int:enrolment_id}/admit", response=EnrolmentOut, summary="Von der Warteliste aufnehmen")
def admit(request: HttpRequest, enrolment_id: int, payload: AdmitBody) -> Any:
    """Only with a free seat (422 „Das Angebot ist voll …“) and if the hard rules allow it on the offer's start
    date (422 naming the rule and its legal basis, field `rules`)."""
    service.admit(actor=actor(request), enrolment_id=enrolment_id, on=payload.on)
    return _reload(enrolment_id)


@enrolments_router.post("/{int:enrolment_id}/attendance", response={201: AttendanceOut},
                        summary="Anwesenheit erfassen")
def record_attendance(request: HttpRequest, enrolment_id: int, payload: AttendanceBody) -> Any:
    row: Attendance = service.record_attendance(actor=actor(request), enrolment_id=enrolment_id, day=payload.day,
                                                present=payload.present, excused=payload.excused)
    return Status(201, {"id": row.pk, "day": row.day, "present": row.present, "excused": row.excused})


@enrolments_router.post("/{int:enrolment_id}/complete", response=EnrolmentOut, summary="Abschluss erfassen")
def complete(request: HttpRequest, enrolment_id: int, payload: CompleteBody) -> Any:
    """For language courses the level reached also becomes a language assessment (source „Kursergebnis“)."""
    service.complete(actor=actor(request), enrolment_id=enrolment_id, ended_on=payload.ended_on,
                     result_level=payload.result_level, result_note=payload.result_note)
    return _reload(enrolment_id)


@enrolments_router.post("/{int:enrolment_id}/drop", response=EnrolmentOut, summary="Abbruch erfassen")
def drop(request: HttpRequest, enrolment_id: int, payload: EndBody) -> Any:
    service.drop(actor=actor(request), enrolment_id=enrolment_id, reason=payload.reason, on=payload.on)
    return _reload(enrolment_id)


@enrolments_router.post("/{int:enrolment_id}/withdraw", response=EnrolmentOut, summary="Anmeldung zurückziehen")
def withdraw(request: HttpRequest, enrolment_id: int, payload: EndBody) -> Any:
    service.withdraw(actor=actor(request), enrolment_id=enrolment_id, reason=payload.reason, on=payload.on)
    return _reload(enrolment_id)


@persons_router.get("/{int:person_id}/enrolments", response=list[EnrolmentOut], summary="Teilnahmen einer Person")
def person_enrolments(request: HttpRequest, person_id: int) -> Any:
    rows = service.person_enrolments(actor=actor(request), person_id=person_id)
    return [enrolment_dict(e) for e in rows.select_related("person").prefetch_related("person__names", "attendance")]


# --- placements -----------------------------------------------------------------------------------------------

class PlacementOut(Schema):
    id: int
    version: int
    person_id: int
    offer_id: int | None
    kind: str
    kind_label: str
    employer: str
    occupation_code: str
    occupation_title: str
    municipality: str
    starts_on: date
    ends_on: date | None
    ends_benefit_receipt: bool | None
    outcome_6m: str
    outcome_12m: str
    outcome_6m_due: date = Field(description="Ab diesem Tag kann der Stand nach 6 Monaten erfasst werden")
    outcome_12m_due: date
    agency: str


def placement_dict(p: Placement) -> dict[str, Any]:
    return {
        "id": p.pk, "version": p.version, "person_id": p.person_id, "offer_id": p.offer_id, "kind": p.kind,
        "kind_label": p.get_kind_display(), "employer": p.employer,
        "occupation_code": p.occupation.code if p.occupation else "",
        "occupation_title": p.occupation.title if p.occupation else "",
        "municipality": p.municipality.name if p.municipality else "", "starts_on": p.starts_on,
        "ends_on": p.ends_on, "ends_benefit_receipt": p.ends_benefit_receipt, "outcome_6m": p.outcome_6m,
        "outcome_12m": p.outcome_12m, "outcome_6m_due": service.outcome_due(p, 6),
        "outcome_12m_due": service.outcome_due(p, 12), "agency": p.agency.code,
    }


class PlacementCreate(Strict):
    kind: PlacementKind
    employer: str = Field(max_length=200)
    starts_on: IsoDate
    ends_on: IsoDate | None = None
    occupation_code: str = Field("", max_length=5, description="KldB 2010, 5-stellig (aus dem Angebot, wenn leer)")
    offer_id: int | None = Field(None, description="Ausbildungsplatz oder Stelle, aus der vermittelt wurde")
    municipality_id: int | None = None
    ends_benefit_receipt: bool | None = Field(None, description="Beendet den Leistungsbezug (sofern bekannt)")


class OutcomeBody(Strict):
    months: Literal[6, 12]
    outcome: Outcome


class PlacementEnd(Strict):
    ends_on: IsoDate
    reason: str = Field("", max_length=300)


@persons_router.get("/{int:person_id}/placements", response=list[PlacementOut], summary="Vermittlungen einer Person")
def person_placements(request: HttpRequest, person_id: int) -> Any:
    return [placement_dict(p) for p in service.person_placements(actor=actor(request), person_id=person_id)]


@persons_router.post("/{int:person_id}/placements", response={201: PlacementOut}, summary="Vermittlung erfassen")
def record_placement(request: HttpRequest, person_id: int, payload: PlacementCreate) -> Any:
    """From a vacancy or training offer, the work permission on the start date is checked (422, field `rules`)."""
    placement = service.record_placement(actor=actor(request), person_id=person_id, **payload.model_dump())
    return Status(201, placement_dict(Placement.objects.select_related("occupation", "municipality", "agency")
                                      .get(pk=placement.pk)))


@placements_router.post("/{int:placement_id}/outcome", response=PlacementOut, summary="Verbleib erfassen")
def record_outcome(request: HttpRequest, placement_id: int, payload: OutcomeBody) -> Any:
    """The state after 6 or 12 months; refused before that time has passed."""
    p = service.record_outcome(actor=actor(request), placement_id=placement_id, months=payload.months,
                               outcome=payload.outcome)
    return placement_dict(p)


@placements_router.post("/{int:placement_id}/end", response=PlacementOut, summary="Vermittlung beenden")
def end_placement(request: HttpRequest, placement_id: int, payload: PlacementEnd) -> Any:
    p = service.end_placement(actor=actor(request), placement_id=placement_id, ends_on=payload.ends_on,
                              reason=payload.reason)
    return placement_dict(p)


__all__ = ["enrolments_router", "offers_router", "persons_router", "placements_router"]
