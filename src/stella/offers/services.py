"""Use cases of offers, enrolments and placements.

* Offers: create, update (optimistic `version`), close, cancel, list and search. Offers are not personal data.
* Enrolments: request (waiting list, ordered by `requested_at`), admit (a free seat, checked under a row lock on
  the offer, and the hard rules of matching on the offer's start date), enrol directly (request and admit in
  one step, also for the allocation), attendance, completion with result, drop-out, withdrawal.
* Placements into training or work, their outcome after 6 and 12 months, their end.

Every function takes a keyword-only `actor`, validates all input first (InvalidInput with German messages per
field, nothing written), checks access (`offers.access`), and writes its audit event in the same transaction.
Admissions, completions, drop-outs and placements also leave an entry of the category "Vermittlung" in the
file's timeline (through `cases.services.add_entry`) when the actor may write that category; a person admitted
from the waiting list is announced to the enrolling agency (`journey.notify`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet

from stella.agencies.models import Agency, AgencyKind, Municipality
from stella.audit import service as audit
from stella.audit.models import AuditAction, AuditEvent
from stella.authz.policy import Action, Category, Decision, decide
from stella.cases import services as cases
from stella.cases.access import access_person, check, file_context, today
from stella.cases.models import EntryKind
from stella.competences import kldb
from stella.competences import services as competences
from stella.competences.models import Occupation
from stella.core.actor import Actor
from stella.core.errors import AccessDenied, Conflict, InvalidInput, NotFound
from stella.journey.handovers import recipients
from stella.journey.notify import notify
from stella.matching import eligibility
from stella.matching.facts import Failure, load_offer_facts, load_person_facts
from stella.offers import query
from stella.offers.access import (
    PROVIDER_BASIS,
    Act,
    access_enrolment,
    access_person_placement,
    is_provider,
    provider_decision,
    require_list,
    require_manage,
)
from stella.offers.models import (
    ACTIVE_ENROLMENT_STATES,
    LANGUAGE_KINDS,
    WORK_KINDS,
    Attendance,
    Enrolment,
    EnrolmentState,
    MeasureType,
    Offer,
    OfferKind,
    OfferState,
    Outcome,
    Placement,
    PlacementKind,
)
from stella.people.validators import validate_cefr
from stella.rules.dates import add_months, de

PLACEMENT = Category.PLACEMENT
MAX_SEATS = 10_000
OUTCOME_MONTHS = (6, 12)
NOTIFY_KIND = "enrolment"


def person_offers_link(person_id: int) -> str:
    """Where a person's enrolments and placements are shown in the web UI (used in notifications)."""
    return f"/personen/{person_id}/angebote/"


#: How an enrolment's state reads in a sentence ("Die Person …").
STATE_PHRASES = {
    EnrolmentState.WAITING: "steht auf der Warteliste",
    EnrolmentState.ENROLLED: "hat bereits einen Platz",
    EnrolmentState.COMPLETED: "hat das Angebot abgeschlossen",
    EnrolmentState.DROPPED: "hat das Angebot abgebrochen",
    EnrolmentState.WITHDRAWN: "ist abgemeldet (zurückgezogen)",
}


def state_refusal(state: str) -> str:
    return f"Die Person {STATE_PHRASES[EnrolmentState(state)]}; das ist in diesem Stand nicht möglich."


class _Errors(dict[str, list[str]]):
    """Field errors collected so that one answer names every problem."""

    def add(self, key: str, message: str) -> None:
        self.setdefault(key, []).append(message)

    def raise_if_any(self) -> None:
        if self:
            raise InvalidInput(dict(self))


# ---------------------------------------------------------------------------------------------------------------
# Shared checks


def _level(errors: _Errors, key: str, value: str, *, required: str = "") -> str:
    """A CEFR level an offer requires or a course reaches ("" when empty and not required)."""
    value = (value or "").strip().upper()
    if not value:
        if required:
            errors.add(key, required)
        return ""
    try:
        value = validate_cefr(value)
    except ValidationError as exc:
        errors.add(key, exc.messages[0])
        return ""
    if value not in query.LEVELS:
        errors.add(key, "„MT“ (Muttersprache) ist kein Sprachniveau, das ein Angebot voraussetzen oder ein Kurs "
                        "erreichen kann.")
        return ""
    return value


def _occupation(errors: _Errors, key: str, code: str, *, required: str = "") -> Occupation | None:
    """A KldB 2010 Berufsgattung (level 5) of the loaded version."""
    code = (code or "").strip()
    if not code:
        if required:
            errors.add(key, required)
        return None
    try:
        return kldb.occupation_by_code(code, level=5)
    except InvalidInput as exc:
        errors.add(key, exc.message)
        return None


def _text(errors: _Errors, key: str, value: str, max_length: int, *, required: str = "") -> str:
    value = (value or "").strip()
    if not value and required:
        errors.add(key, required)
    elif len(value) > max_length:
        errors.add(key, f"Zu lang (höchstens {max_length} Zeichen).")
    return value


def _municipality(errors: _Errors, key: str, municipality_id: int | None, *, required: bool) -> Municipality | None:
    if municipality_id is None:
        if required:
            errors.add(key, "Bitte den Ort (Gemeinde) angeben.")
        return None
    found = Municipality.objects.filter(pk=municipality_id).select_related("landkreis").first()
    if found is None:
        errors.add(key, f"Die Gemeinde Nr. {municipality_id} gibt es nicht.")
    return found


def _agency_id(actor: Actor) -> int:
    """The actor's agency (the access checks before have made sure there is one)."""
    if actor.agency_id is None:
        raise AccessDenied("Nur Mitarbeitende einer Behörde arbeiten mit Angeboten und Vermittlungen.")
    return actor.agency_id


def _not_future(errors: _Errors, key: str, value: date | None, label: str) -> None:
    if value is not None and value > today():
        errors.add(key, f"{label} liegt in der Zukunft.")


def rule_failures(person_id: int, offer: Offer) -> list[Failure]:
    """The hard rules of matching for this person and offer on the offer's start date ([] = allowed)."""
    return eligibility.check_pair(person_id, offer.pk, offer.starts_on)


def rule_messages(failures: Iterable[Failure], on: date) -> list[str]:
    """One German message per failed rule, naming the rule and its legal basis."""
    out = []
    for f in failures:
        label = eligibility.RULE_LABELS.get(f.rule, f.rule)
        basis = f" Rechtsgrundlage: {f.basis}." if f.basis else ""
        out.append(f"Nach den Regeln am {de(on)} nicht zulässig – {label}: {f.message}{basis}")
    return out


def _timeline(actor: Actor, person_id: int, title: str, text: str = "") -> None:
    """An entry "Vermittlung" in the file's timeline, written by the actor where the actor may write that
    category (a Kursträger has no file: its changes are in the audit trail and on the enrolment)."""
    if decide(actor, Action.WRITE, PLACEMENT, file_context(actor, person_id)):
        cases.add_entry(actor=actor, person_id=person_id, kind=EntryKind.NOTE, category=PLACEMENT,
                        title=title[:200], text=text)


def _changes_since(object_type: str, object_id: int, version: int) -> list[dict[str, Any]]:
    """What changed after `version` (from the audit trail): who, when, which fields."""
    events = AuditEvent.objects.filter(object_type=object_type, object_id=str(object_id), action=AuditAction.UPDATE,
                                       outcome="allowed").order_by("seq")
    return [{"at": e.occurred_at.isoformat(), "by": e.username, "agency": e.agency_code,
             "fields": e.detail.get("fields", []), "version": e.detail.get("version")}
            for e in events if int(e.detail.get("version", 0)) > version]


# ---------------------------------------------------------------------------------------------------------------
# Offers


@dataclass(frozen=True)
class OfferIn:
    """An offer as entered (API body or web form)."""

    kind: str
    title: str
    provider: str
    municipality_id: int | None
    starts_on: date | None
    seats: int | None
    ends_on: date | None = None
    measure_type: str = ""
    module: str = ""
    target_level: str = ""
    occupation_code: str = ""
    provider_agency_id: int | None = None
    min_german_level: str = ""
    childcare: bool = False
    women_only: bool = False
    part_time: bool = False
    requires_driving_licence: bool = False


def _offer_fields(data: OfferIn) -> dict[str, Any]:
    """Validated model fields of an offer, or InvalidInput naming every problem."""
    e = _Errors()
    if not data.kind:
        e.add("kind", "Bitte die Art des Angebots angeben.")
    elif data.kind not in OfferKind.values:
        e.add("kind", f"Unbekannte Angebotsart „{data.kind}“ (erlaubt: {', '.join(OfferKind.values)}).")
    kind = data.kind
    title = _text(e, "title", data.title, 200, required="Der Titel fehlt.")
    provider = _text(e, "provider", data.provider, 200, required="Bitte den Träger bzw. Arbeitgeber angeben.")
    module = _text(e, "module", data.module, 120)
    municipality = _municipality(e, "municipality_id", data.municipality_id, required=True)
    if data.starts_on is None:
        e.add("starts_on", "Der Beginn fehlt.")
    elif data.ends_on is not None and data.ends_on < data.starts_on:
        e.add("ends_on", f"Das Ende ({de(data.ends_on)}) liegt vor dem Beginn ({de(data.starts_on)}).")
    if data.seats is None or data.seats < 1:
        e.add("seats", "Ein Angebot hat mindestens einen Platz.")
    elif data.seats > MAX_SEATS:
        e.add("seats", f"Höchstens {MAX_SEATS} Plätze je Angebot.")
    language = kind in LANGUAGE_KINDS
    target = _level(e, "target_level", data.target_level, required=(
        "Für Integrationskurse und Berufssprachkurse (DeuFöV) bitte das Zielniveau angeben." if language else ""))
    minimum = _level(e, "min_german_level", data.min_german_level)
    if target and minimum and query.LEVELS.index(minimum) >= query.LEVELS.index(target):
        e.add("target_level", f"Das Zielniveau ({target}) muss über dem Mindestniveau ({minimum}) liegen.")
    measure_type = (data.measure_type or "").strip()
    if measure_type and measure_type not in MeasureType.values:
        e.add("measure_type", f"Unbekanntes Programm „{measure_type}“.")
    elif kind == OfferKind.MEASURE and not measure_type:
        e.add("measure_type", "Bitte das Programm der Maßnahme angeben (z. B. PerF, KompAS, EQ).")
    occupation = _occupation(e, "occupation_code", data.occupation_code, required=(
        "Für Ausbildungsplätze und Stellen bitte den Beruf angeben (KldB-2010-Schlüssel, 5-stellig)."
        if kind in WORK_KINDS else ""))
    provider_agency = None
    if data.provider_agency_id is not None:
        provider_agency = Agency.objects.filter(pk=data.provider_agency_id).first()
        if provider_agency is None or provider_agency.kind != AgencyKind.KURSTRAEGER:
            e.add("provider_agency_id", "Als Kursträger in Stella kann nur eine Behörde der Art „Kursträger“ gewählt "
                                        "werden.")
    e.raise_if_any()
    return {"kind": kind, "title": title, "provider": provider, "module": module, "municipality": municipality,
            "starts_on": data.starts_on, "ends_on": data.ends_on, "seats": data.seats, "target_level": target,
            "min_german_level": minimum, "measure_type": measure_type, "occupation": occupation,
            "provider_agency": provider_agency, "childcare": bool(data.childcare),
            "women_only": bool(data.women_only), "part_time": bool(data.part_time),
            "requires_driving_licence": bool(data.requires_driving_licence)}


def _offer_detail(fields: dict[str, Any]) -> dict[str, Any]:
    """Audit detail of an offer (codes and ids, no objects)."""
    out = {}
    for key, value in fields.items():
        if hasattr(value, "pk"):
            out[key] = value.pk
        elif isinstance(value, date):
            out[key] = value.isoformat()
        else:
            out[key] = value
    return out


def create_offer(*, actor: Actor, data: OfferIn) -> Offer:
    """A new offer owned by the actor's agency."""
    require_manage(actor)
    fields = _offer_fields(data)
    with transaction.atomic():
        offer = Offer.objects.create(owner_id=_agency_id(actor), created_by_id=actor.user_id, **fields)
        audit.record(actor, AuditAction.CREATE, object_type="offer", object_id=offer.pk,
                     detail=_offer_detail(fields))
    return offer


def _offer(offer_id: int, *, lock: bool = False) -> Offer:
    qs = Offer.objects.select_related("municipality", "owner", "provider_agency", "occupation")
    offer = (qs.select_for_update(of=("self",)) if lock else qs).filter(pk=offer_id).first()
    if offer is None:
        raise NotFound("Das Angebot wurde nicht gefunden.")
    return offer


def update_offer(*, actor: Actor, offer_id: int, version: int, data: OfferIn) -> Offer:
    """Replace the offer's fields if `version` is current (otherwise Conflict, nothing changed)."""
    offer = _offer(offer_id)
    require_manage(actor, offer)
    fields = _offer_fields(data)
    with transaction.atomic():
        offer = _offer(offer_id, lock=True)
        if offer.version != version:
            raise Conflict("Das Angebot wurde inzwischen von jemand anderem geändert. Ihre Änderung wurde nicht "
                           "gespeichert.", current_version=offer.version,
                           changes=_changes_since("offer", offer.pk, version))
        e = _Errors()
        if offer.state != OfferState.OPEN:
            e.add("state", f"Das Angebot ist {offer.get_state_display()} und kann nicht mehr geändert werden.")
        taken = offer.enrolments.filter(state=EnrolmentState.ENROLLED).count()
        if fields["seats"] < taken:
            e.add("seats", f"Es sind bereits {taken} Plätze belegt; weniger Plätze sind nicht möglich.")
        if fields["kind"] != offer.kind and offer.enrolments.exists():
            e.add("kind", "Die Art kann nicht mehr geändert werden: es gibt bereits Anmeldungen.")
        e.raise_if_any()
        changed = sorted(k for k, v in fields.items() if getattr(offer, k) != v)
        Offer.objects.filter(pk=offer.pk).update(version=F("version") + 1, **fields)
        audit.record(actor, AuditAction.UPDATE, object_type="offer", object_id=offer.pk,
                     detail={"fields": changed, "version": version + 1,
                             "values": _offer_detail({k: fields[k] for k in changed})})
    return _offer(offer_id)


def close_offer(*, actor: Actor, offer_id: int) -> Offer:
    """No new enrolments or admissions; enrolled persons keep their seats."""
    return _set_state(actor, offer_id, OfferState.CLOSED)


def cancel_offer(*, actor: Actor, offer_id: int, reason: str) -> Offer:
    """The offer does not take place: every waiting or enrolled person is withdrawn with the reason, and the
    enrolling agencies are told."""
    return _set_state(actor, offer_id, OfferState.CANCELLED, reason)


def _set_state(actor: Actor, offer_id: int, state: OfferState, reason: str = "") -> Offer:
    offer = _offer(offer_id)
    require_manage(actor, offer)
    e = _Errors()
    reason = _text(e, "reason", reason, 250, required=(
        "Bitte angeben, warum das Angebot abgesagt wird." if state == OfferState.CANCELLED else ""))
    e.raise_if_any()
    with transaction.atomic():
        offer = _offer(offer_id, lock=True)
        if offer.state != OfferState.OPEN:
            raise InvalidInput({"state": f"Das Angebot ist bereits {offer.get_state_display()}."})
        Offer.objects.filter(pk=offer.pk).update(state=state, version=F("version") + 1)
        withdrawn: list[Enrolment] = []
        if state == OfferState.CANCELLED:
            withdrawn = list(offer.enrolments.filter(state__in=ACTIVE_ENROLMENT_STATES))
            offer.enrolments.filter(pk__in=[x.pk for x in withdrawn]).update(
                state=EnrolmentState.WITHDRAWN, ended_on=today(), reason=f"Angebot abgesagt: {reason}"[:300],
                version=F("version") + 1)
            audit.record_many(actor, AuditAction.UPDATE, [
                audit.Entry(person_id=x.person_id, categories=(PLACEMENT,), object_type="enrolment",
                            object_id=x.pk, detail={"offer": offer.pk, "state": EnrolmentState.WITHDRAWN,
                                                    "reason": "offer_cancelled"}) for x in withdrawn])
            for agency_id in sorted({x.agency_id for x in withdrawn}):
                users = [u for u in recipients(agency_id) if u.pk != actor.user_id]
                notify(users, NOTIFY_KIND, f"Das Angebot „{offer.title[:150]}“ ab {de(offer.starts_on)} wurde "
                                           "abgesagt; Anmeldungen Ihrer Behörde sind zurückgezogen.",
                       f"/angebote/{offer.pk}/")
        audit.record(actor, AuditAction.UPDATE, object_type="offer", object_id=offer.pk,
                     detail={"fields": ["state"], "state": state, "version": offer.version + 1, "reason": reason,
                             "withdrawn": len(withdrawn)})
    return _offer(offer_id)


def list_offers(*, actor: Actor, filters: query.OfferFilter | None = None) -> QuerySet[Offer]:
    """Offers matching the filters, with `enrolled`, `waiting` and `free_seats`, soonest first."""
    require_list(actor)
    qs = query.with_counts(Offer.objects.select_related("municipality", "municipality__landkreis", "owner",
                                                          "provider_agency", "occupation"))
    return query.search(qs, filters or query.OfferFilter()).order_by("starts_on", "id")


def get_offer(*, actor: Actor, offer_id: int) -> Offer:
    require_list(actor)
    offer = list_offers(actor=actor, filters=query.OfferFilter(state="")).filter(pk=offer_id).first()
    if offer is None:
        raise NotFound("Das Angebot wurde nicht gefunden.")
    return offer


# ---------------------------------------------------------------------------------------------------------------
# Enrolments: reading


@dataclass(frozen=True)
class RosterRow:
    """One line of an offer's enrolments; `enrolment` is None where the actor may not see who it is."""

    enrolment: Enrolment | None
    state: str
    position: int | None  # on the waiting list
    requested_at: Any

    @property
    def visible(self) -> bool:
        return self.enrolment is not None


@dataclass(frozen=True)
class Roster:
    """An offer's enrolled persons and waiting list (in order), and the ended enrolments the actor may see."""

    offer: Offer
    enrolled: list[RosterRow]
    waiting: list[RosterRow]
    ended: list[RosterRow]
    provider_view: bool  # the actor sees everything as the offer's Kursträger

    @property
    def hidden(self) -> int:
        return sum(1 for r in [*self.enrolled, *self.waiting] if not r.visible)


def _readable(actor: Actor, offer: Offer, person_ids: Iterable[int]) -> tuple[set[int], bool]:
    """Persons whose enrolments the actor may see here, and whether as the Kursträger of the offer."""
    if is_provider(actor):
        ok = provider_decision(actor, offer, Act.READ).allowed
        return (set(person_ids) if ok else set()), ok
    return {pid for pid in set(person_ids)
            if decide(actor, Action.READ, PLACEMENT, file_context(actor, pid)).allowed}, False


def offer_roster(*, actor: Actor, offer_id: int) -> Roster:
    """The offer's enrolments as the actor may see them; one audited read per person shown."""
    offer = get_offer(actor=actor, offer_id=offer_id)
    rows = list(query.with_waiting_position(offer.enrolments.select_related("person", "agency"))
                .prefetch_related("person__names").order_by("requested_at", "id"))
    readable, as_provider = _readable(actor, offer, (r.person_id for r in rows))
    shown = [r for r in rows if r.person_id in readable]
    if shown:
        audit.record_many(actor, AuditAction.READ, [
            audit.Entry(person_id=r.person_id, categories=(PLACEMENT,), object_type="enrolment", object_id=r.pk,
                        detail={"offer": offer.pk, "view": "roster",
                                **({"basis": PROVIDER_BASIS} if as_provider else {})}) for r in shown])

    def row(e: Enrolment) -> RosterRow:
        return RosterRow(e if e.person_id in readable else None, e.state, getattr(e, "waiting_position", None),
                         e.requested_at)

    ended_states = {EnrolmentState.COMPLETED, EnrolmentState.DROPPED, EnrolmentState.WITHDRAWN}
    return Roster(offer=offer,
                  enrolled=[row(e) for e in rows if e.state == EnrolmentState.ENROLLED],
                  waiting=[row(e) for e in rows if e.state == EnrolmentState.WAITING],
                  ended=[row(e) for e in rows if e.state in ended_states and e.person_id in readable],
                  provider_view=as_provider)


def person_enrolments(*, actor: Actor, person_id: int) -> QuerySet[Enrolment]:
    """A person's enrolments (newest first) with `waiting_position`; audited read."""
    access_person_placement(actor, person_id, Action.READ)
    audit.record_read(actor, person_id=person_id, categories=[PLACEMENT], object_type="enrolments")
    return (query.with_waiting_position(Enrolment.objects.filter(person_id=person_id))
            .select_related("offer", "offer__municipality", "agency").order_by("-requested_at", "-id"))


def get_enrolment(*, actor: Actor, enrolment_id: int) -> Enrolment:
    """One enrolment with `waiting_position` (audited read)."""
    enrolment, decision = access_enrolment(actor, enrolment_id, Act.READ)
    audit.record_read(actor, person_id=enrolment.person_id, categories=[PLACEMENT], object_type="enrolment",
                      object_id=enrolment.pk, detail={"basis": decision.basis} if decision.basis else None)
    return (query.with_waiting_position(Enrolment.objects.filter(pk=enrolment.pk))
            .select_related("offer", "offer__municipality", "offer__provider_agency", "person", "agency")
            .prefetch_related("person__names", "attendance").get())


@dataclass(frozen=True)
class AttendanceSummary:
    days: int
    present: int
    excused: int
    unexcused: int

    @property
    def rate(self) -> int | None:
        """Share of recorded days present, in percent."""
        return round(100 * self.present / self.days) if self.days else None


def attendance_summary(enrolment: Enrolment) -> AttendanceSummary:
    rows = list(enrolment.attendance.all())
    present = sum(1 for a in rows if a.present)
    excused = sum(1 for a in rows if not a.present and a.excused)
    return AttendanceSummary(len(rows), present, excused, len(rows) - present - excused)


# ---------------------------------------------------------------------------------------------------------------
# Enrolments: changes


def _check_open(e: _Errors, offer: Offer) -> None:
    if offer.state != OfferState.OPEN:
        e.add("offer", f"Das Angebot ist {offer.get_state_display()}; Anmeldungen und Aufnahmen sind nicht mehr "
                       "möglich.")
    elif offer.ends_on is not None and offer.ends_on < today():
        e.add("offer", f"Das Angebot ist am {de(offer.ends_on)} zu Ende gegangen.")


def request_enrolment(*, actor: Actor, person_id: int, offer_id: int) -> Enrolment:
    """Put the person on the offer's waiting list (for the actor's agency)."""
    access_person_placement(actor, person_id, Action.WRITE)
    with transaction.atomic():
        offer = _offer(offer_id, lock=True)
        enrolment = _request(actor, person_id, offer)
    return enrolment


def _request(actor: Actor, person_id: int, offer: Offer) -> Enrolment:
    e = _Errors()
    _check_open(e, offer)
    if Enrolment.objects.filter(offer=offer, person_id=person_id, state__in=ACTIVE_ENROLMENT_STATES).exists():
        e.add("person_id", "Die Person ist für dieses Angebot bereits angemeldet oder steht auf der Warteliste.")
    e.raise_if_any()
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(offer=offer, person_id=person_id, agency_id=_agency_id(actor))
    except IntegrityError as exc:  # a concurrent request for the same pair won
        raise InvalidInput({"person_id": "Die Person ist für dieses Angebot bereits angemeldet oder steht auf der "
                                         "Warteliste."}) from exc
    audit.record(actor, AuditAction.CREATE, person_id=person_id, categories=[PLACEMENT], object_type="enrolment",
                 object_id=enrolment.pk, detail={"offer": offer.pk, "state": EnrolmentState.WAITING})
    return enrolment


def admit(*, actor: Actor, enrolment_id: int, on: date | None = None, check_rules: bool = True) -> Enrolment:
    """Give a waiting person a seat (from `on`, default today): only if one is free and the hard rules allow
    it on the offer's start date. The enrolling agency is told."""
    enrolment, _ = access_enrolment(actor, enrolment_id, Act.ADMIT)
    with transaction.atomic():
        return _admit(actor, enrolment.offer_id, enrolment.pk, on, check_rules=check_rules, announce=True)


def enrol(*, actor: Actor, person_id: int, offer_id: int, check_rules: bool = True, on: date | None = None,
          announce: bool = True) -> Enrolment:
    """Request and admit in one step (direct enrolment; the allocation's confirmed assignments).

    A waiting-list entry of the person for the offer is admitted (and its agency told, unless `announce` is
    false); otherwise a new enrolment of the actor's agency is created and admitted. Runs in a savepoint, so a
    caller may enrol many pairs inside one outer transaction and handle each refusal (InvalidInput: full,
    forbidden by the rules) on its own. `check_rules=False` is for callers that have just checked the hard
    rules themselves (the allocation builds only eligible pairs)."""
    access_person_placement(actor, person_id, Action.WRITE)
    with transaction.atomic():
        offer = _offer(offer_id, lock=True)
        waiting = Enrolment.objects.filter(offer=offer, person_id=person_id, state=EnrolmentState.WAITING).first()
        if waiting is None:
            waiting = _request(actor, person_id, offer)
            announce = False  # the actor's own direct enrolment: nobody is waiting for news
        return _admit(actor, offer.pk, waiting.pk, on, check_rules=check_rules, announce=announce)


def _admit(actor: Actor, offer_id: int, enrolment_id: int, on: date | None, *, check_rules: bool,
           announce: bool) -> Enrolment:
    # Lock order (offer, then enrolment) is the same everywhere, so concurrent admissions queue on the offer
    # row and the seat count below cannot be overtaken.
    offer = _offer(offer_id, lock=True)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment_id)
    day = on or today()
    e = _Errors()
    if enrolment.state != EnrolmentState.WAITING:
        e.add("state", f"Die Person {STATE_PHRASES[EnrolmentState(enrolment.state)]}; aufgenommen werden kann "
                       "nur, wer auf der Warteliste steht.")
        e.raise_if_any()
    _check_open(e, offer)
    if offer.ends_on is not None and day > offer.ends_on:
        e.add("on", f"Das Angebot endet am {de(offer.ends_on)}; eine Aufnahme ab {de(day)} ist nicht möglich.")
    taken = Enrolment.objects.filter(offer=offer, state=EnrolmentState.ENROLLED).count()
    if taken >= offer.seats:
        e.add("offer", f"Das Angebot ist voll ({taken} von {offer.seats} Plätzen belegt). Ein Platz wird frei, "
                       "wenn eine Teilnahme abgebrochen oder zurückgezogen wird.")
    if check_rules and not e:
        failures = rule_failures(enrolment.person_id, offer)
        if failures:
            for message in rule_messages(failures, offer.starts_on):
                e.add("rules", message)
    e.raise_if_any()
    Enrolment.objects.filter(pk=enrolment.pk).update(state=EnrolmentState.ENROLLED, enrolled_on=day,
                                                     version=F("version") + 1)
    audit.record(actor, AuditAction.UPDATE, person_id=enrolment.person_id, categories=[PLACEMENT],
                 object_type="enrolment", object_id=enrolment.pk,
                 detail={"offer": offer.pk, "state": EnrolmentState.ENROLLED, "enrolled_on": day.isoformat(),
                         "seats_taken": taken + 1, "seats": offer.seats, "rules_checked": check_rules})
    _timeline(actor, enrolment.person_id, f"Platz erhalten: {offer.title}",
              f"{offer.get_kind_display()} bei {offer.provider}, {offer.municipality.name}, ab "
              f"{de(offer.starts_on)}" + (f" bis {de(offer.ends_on)}" if offer.ends_on else "") + ".")
    if announce:
        users = [u for u in recipients(enrolment.agency_id) if u.pk != actor.user_id]
        notify(users, NOTIFY_KIND, f"Platz erhalten: Eine von Ihrer Behörde angemeldete Person wurde von der "
                                   f"Warteliste in „{offer.title[:150]}“ (ab {de(offer.starts_on)}) aufgenommen.",
               person_offers_link(enrolment.person_id))
    enrolment.refresh_from_db()
    return enrolment


def record_attendance(*, actor: Actor, enrolment_id: int, day: date | None, present: bool,
                      excused: bool = False) -> Attendance:
    """Attendance of an enrolled person on one course day (once per day)."""
    enrolment, decision = access_enrolment(actor, enrolment_id, Act.ATTENDANCE)
    offer = enrolment.offer
    e = _Errors()
    if enrolment.state != EnrolmentState.ENROLLED:
        e.add("state", "Anwesenheit wird nur für Personen mit Platz im Angebot erfasst (nicht auf der Warteliste "
                       "oder nach dem Ende).")
    if day is None:
        e.add("day", "Der Tag fehlt.")
    else:
        first = max(offer.starts_on, enrolment.enrolled_on or offer.starts_on)
        if day < first:
            e.add("day", f"Der {de(day)} liegt vor dem ersten Kurstag der Person ({de(first)}).")
        elif offer.ends_on is not None and day > offer.ends_on:
            e.add("day", f"Der {de(day)} liegt nach dem Ende des Angebots ({de(offer.ends_on)}).")
        _not_future(e, "day", day, f"Der {de(day)}")
    if present and excused:
        e.add("excused", "Wer anwesend war, fehlt nicht entschuldigt.")
    e.raise_if_any()
    assert day is not None
    try:
        with transaction.atomic():
            row = Attendance.objects.create(enrolment=enrolment, day=day, present=present,
                                            excused=bool(excused and not present))
            audit.record(actor, AuditAction.CREATE, person_id=enrolment.person_id, categories=[PLACEMENT],
                         object_type="attendance", object_id=row.pk,
                         detail={"enrolment": enrolment.pk, "day": day.isoformat(), "present": present,
                                 "excused": row.excused, **({"basis": decision.basis} if decision.basis else {})})
    except IntegrityError as exc:
        raise InvalidInput({"day": f"Für den {de(day)} ist die Anwesenheit bereits erfasst."}) from exc
    return row


def complete(*, actor: Actor, enrolment_id: int, ended_on: date | None, result_level: str = "",
             result_note: str = "") -> Enrolment:
    """The person finished the offer; for language courses with the level reached (e.g. DTZ B1), which also
    becomes a language assessment "Kursergebnis" in the competence profile."""
    enrolment, decision = access_enrolment(actor, enrolment_id, Act.COMPLETE)
    offer = enrolment.offer
    _require_state(enrolment, {EnrolmentState.ENROLLED})
    e = _Errors()
    language = offer.kind in LANGUAGE_KINDS
    if result_level and not language:
        e.add("result_level", "Ein erreichtes Sprachniveau gibt es nur bei Sprachkursen.")
    else:
        result_level = _level(e, "result_level", result_level)
    result_note = _text(e, "result_note", result_note, 300)
    _ended(e, enrolment, ended_on, "Das Ende")
    e.raise_if_any()
    assert ended_on is not None
    categories = [PLACEMENT, Category.COMPETENCES] if result_level else [PLACEMENT]
    with transaction.atomic():
        _transition(enrolment, {EnrolmentState.ENROLLED}, EnrolmentState.COMPLETED, ended_on=ended_on,
                    result_level=result_level, result_note=result_note)
        audit.record(actor, AuditAction.UPDATE, person_id=enrolment.person_id, categories=categories,
                     object_type="enrolment", object_id=enrolment.pk,
                     detail={"offer": offer.pk, "state": EnrolmentState.COMPLETED, "ended_on": ended_on.isoformat(),
                             "result_level": result_level, **({"basis": decision.basis} if decision.basis else {})})
        reached = f", erreicht: {result_level}" if result_level else ""
        _timeline(actor, enrolment.person_id, f"Abgeschlossen: {offer.title}{reached}",
                  f"{offer.get_kind_display()} bei {offer.provider}, beendet am {de(ended_on)}."
                  + (f" Ergebnis: {result_note}" if result_note else ""))
        if result_level and decide(actor, Action.WRITE, Category.COMPETENCES,
                                   file_context(actor, enrolment.person_id)):
            competences.record_course_result(actor=actor, person_id=enrolment.person_id, level=result_level,
                                             on=ended_on, source_detail=(result_note or offer.title)[:200])
    enrolment.refresh_from_db()
    return enrolment


def _ended(e: _Errors, enrolment: Enrolment, ended_on: date | None, label: str) -> None:
    if ended_on is None:
        e.add("ended_on", f"{label} fehlt.")
        return
    start = max(filter(None, (enrolment.enrolled_on, enrolment.offer.starts_on)))
    if ended_on < start:
        e.add("ended_on", f"{label} ({de(ended_on)}) liegt vor dem Beginn der Teilnahme ({de(start)}).")
    _not_future(e, "ended_on", ended_on, label)


def _require_state(enrolment: Enrolment, allowed: set[EnrolmentState]) -> None:
    if enrolment.state not in allowed:
        raise InvalidInput({"state": state_refusal(enrolment.state)})


def _transition(enrolment: Enrolment, allowed: set[EnrolmentState], target: EnrolmentState, **fields: Any) -> None:
    """Move the enrolment to `target` if it is (still) in one of the `allowed` states; conditional, so that of
    two concurrent changes only one succeeds."""
    changed = Enrolment.objects.filter(pk=enrolment.pk, state__in=allowed).update(
        state=target, version=F("version") + 1, **fields)
    if not changed:
        current = Enrolment.objects.values_list("state", flat=True).get(pk=enrolment.pk)
        raise InvalidInput({"state": state_refusal(current)})


def drop(*, actor: Actor, enrolment_id: int, reason: str, on: date | None = None) -> Enrolment:
    """The person left the offer before its end (Abbruch); the seat becomes free."""
    return _end_enrolment(actor, enrolment_id, Act.DROP, reason, on)


def withdraw(*, actor: Actor, enrolment_id: int, reason: str, on: date | None = None) -> Enrolment:
    """The enrolment is withdrawn (from the waiting list, or a seat given back before the start)."""
    return _end_enrolment(actor, enrolment_id, Act.WITHDRAW, reason, on)


def _end_enrolment(actor: Actor, enrolment_id: int, act: Act, reason: str, on: date | None) -> Enrolment:
    enrolment, decision = access_enrolment(actor, enrolment_id, act)
    dropping = act is Act.DROP
    allowed = {EnrolmentState.ENROLLED} if dropping else set(ACTIVE_ENROLMENT_STATES)
    _require_state(enrolment, allowed)
    e = _Errors()
    reason = _text(e, "reason", reason, 300, required=(
        "Bitte den Grund des Abbruchs angeben." if dropping else "Bitte den Grund des Rückzugs angeben."))
    ended_on = on or today()
    if dropping or enrolment.state == EnrolmentState.ENROLLED:
        _ended(e, enrolment, ended_on, "Der Abbruch" if dropping else "Der Rückzug")
    e.raise_if_any()
    target = EnrolmentState.DROPPED if dropping else EnrolmentState.WITHDRAWN
    with transaction.atomic():
        _transition(enrolment, allowed, target, ended_on=ended_on, reason=reason)
        audit.record(actor, AuditAction.UPDATE, person_id=enrolment.person_id, categories=[PLACEMENT],
                     object_type="enrolment", object_id=enrolment.pk,
                     detail={"offer": enrolment.offer_id, "state": target, "ended_on": ended_on.isoformat(),
                             "reason": reason[:200], **({"basis": decision.basis} if decision.basis else {})})
        if dropping:
            _timeline(actor, enrolment.person_id, f"Abgebrochen: {enrolment.offer.title}",
                      f"Abbruch am {de(ended_on)}. Grund: {reason}")
    enrolment.refresh_from_db()
    return enrolment


# ---------------------------------------------------------------------------------------------------------------
# Placements


def _placement(actor: Actor, placement_id: int, action: Action) -> tuple[Placement, Decision]:
    """A placement the actor may read (else NotFound, audited) and, for WRITE, change (else AccessDenied)."""
    placement = Placement.objects.select_related("offer", "occupation", "municipality").filter(pk=placement_id).first()
    if placement is None:
        raise NotFound("Die Vermittlung wurde nicht gefunden.")
    try:
        _, ctx = access_person(actor, placement.person_id)
    except NotFound as exc:
        raise NotFound("Die Vermittlung wurde nicht gefunden.") from exc
    decision = check(actor, placement.person_id, ctx, Action.READ, PLACEMENT, hide=True)
    if action is Action.WRITE:
        decision = check(actor, placement.person_id, ctx, Action.WRITE, PLACEMENT)
    return placement, decision


def get_placement(*, actor: Actor, placement_id: int) -> Placement:
    """One placement (audited read)."""
    placement, _ = _placement(actor, placement_id, Action.READ)
    audit.record_read(actor, person_id=placement.person_id, categories=[PLACEMENT], object_type="placement",
                      object_id=placement.pk)
    return placement


def placement_rule_failures(person_id: int, offer: Offer, starts_on: date) -> list[Failure]:
    """The work-permission rule ("legal_access") for a placement from a vacancy or training offer, on the
    placement's start date."""
    person = load_person_facts([person_id], starts_on).get(person_id)
    facts = load_offer_facts([offer.pk]).get(offer.pk)
    if person is None or facts is None:
        return []
    facts = dataclasses.replace(facts, starts_on=starts_on)
    return [f for f in eligibility.failures(person, facts) if f.rule == "legal_access"]


def record_placement(*, actor: Actor, person_id: int, kind: str, employer: str, starts_on: date | None,
                     occupation_code: str = "", ends_on: date | None = None, offer_id: int | None = None,
                     ends_benefit_receipt: bool | None = None, municipality_id: int | None = None) -> Placement:
    """A placement into training or work. From a vacancy or training offer, the work permission on the start
    date is checked like an admission."""
    access_person_placement(actor, person_id, Action.WRITE)
    e = _Errors()
    if kind not in PlacementKind.values:
        e.add("kind", f"Unbekannte Art der Vermittlung „{kind}“ (erlaubt: {', '.join(PlacementKind.values)}).")
    employer = _text(e, "employer", employer, 200, required="Bitte den Arbeitgeber bzw. Ausbildungsbetrieb angeben.")
    occupation = _occupation(e, "occupation_code", occupation_code)
    municipality = _municipality(e, "municipality_id", municipality_id, required=False)
    if starts_on is None:
        e.add("starts_on", "Der Beginn fehlt.")
    elif ends_on is not None and ends_on < starts_on:
        e.add("ends_on", f"Das Ende ({de(ends_on)}) liegt vor dem Beginn ({de(starts_on)}).")
    offer = None
    if offer_id is not None:
        offer = Offer.objects.select_related("occupation", "municipality").filter(pk=offer_id).first()
        if offer is None:
            e.add("offer_id", "Das Angebot wurde nicht gefunden.")
        elif offer.kind not in WORK_KINDS:
            e.add("offer_id", "Eine Vermittlung geht nur aus einem Ausbildungsplatz oder einer Stelle hervor.")
        elif (offer.kind == OfferKind.TRAINING) != (kind == PlacementKind.TRAINING):
            e.add("kind", f"Das Angebot ist ein {offer.get_kind_display()}; die Art der Vermittlung passt nicht dazu.")
        elif Placement.objects.filter(person_id=person_id, offer=offer).exists():
            e.add("offer_id", "Die Person ist in dieses Angebot bereits vermittelt.")
    e.raise_if_any()
    assert starts_on is not None
    if offer is not None:
        failures = placement_rule_failures(person_id, offer, starts_on)
        if failures:
            raise InvalidInput({"rules": rule_messages(failures, starts_on)})
        occupation = occupation or offer.occupation
        municipality = municipality or offer.municipality
    with transaction.atomic():
        placement = Placement.objects.create(
            person_id=person_id, offer=offer, kind=kind, employer=employer, occupation=occupation,
            municipality=municipality, starts_on=starts_on, ends_on=ends_on,
            ends_benefit_receipt=ends_benefit_receipt, agency_id=_agency_id(actor))
        audit.record(actor, AuditAction.CREATE, person_id=person_id, categories=[PLACEMENT], object_type="placement",
                     object_id=placement.pk,
                     detail={"kind": kind, "offer": offer_id, "starts_on": starts_on.isoformat(),
                             "occupation": occupation.code if occupation else ""})
        what = PlacementKind(kind).label
        _timeline(actor, person_id, f"Vermittelt: {what} bei {employer}",
                  f"Beginn {de(starts_on)}" + (f", Ende {de(ends_on)}" if ends_on else "")
                  + (f", Beruf {occupation}" if occupation else "") + ".")
    return placement


def outcome_due(placement: Placement, months: int) -> date:
    """The first day on which the outcome after `months` can be recorded."""
    return add_months(placement.starts_on, months)


def record_outcome(*, actor: Actor, placement_id: int, months: int, outcome: str) -> Placement:
    """The state 6 or 12 months after the start (only once that time has passed)."""
    placement, _ = _placement(actor, placement_id, Action.WRITE)
    e = _Errors()
    if months not in OUTCOME_MONTHS:
        e.add("months", "Der Verbleib wird nach 6 oder nach 12 Monaten erfasst.")
    elif today() < outcome_due(placement, months):
        e.add("months", f"Der Stand nach {months} Monaten kann erst ab dem {de(outcome_due(placement, months))} "
                        "erfasst werden.")
    if outcome not in Outcome.values:
        e.add("outcome", f"Unbekannter Stand „{outcome}“ (erlaubt: {', '.join(Outcome.values)}).")
    e.raise_if_any()
    field = f"outcome_{months}m"
    with transaction.atomic():
        before = getattr(placement, field)
        Placement.objects.filter(pk=placement.pk).update(**{field: outcome}, version=F("version") + 1)
        audit.record(actor, AuditAction.UPDATE, person_id=placement.person_id, categories=[PLACEMENT],
                     object_type="placement", object_id=placement.pk,
                     detail={"fields": [field], field: outcome, "before": before})
    placement.refresh_from_db()
    return placement


def end_placement(*, actor: Actor, placement_id: int, ends_on: date | None, reason: str = "") -> Placement:
    """The placement ended (or will end) on `ends_on`."""
    placement, _ = _placement(actor, placement_id, Action.WRITE)
    e = _Errors()
    reason = _text(e, "reason", reason, 300)
    if placement.ends_on is not None and placement.ends_on < today():
        e.add("ends_on", f"Die Vermittlung ist bereits am {de(placement.ends_on)} beendet.")
    elif ends_on is None:
        e.add("ends_on", "Das Ende fehlt.")
    elif ends_on < placement.starts_on:
        e.add("ends_on", f"Das Ende ({de(ends_on)}) liegt vor dem Beginn ({de(placement.starts_on)}).")
    e.raise_if_any()
    assert ends_on is not None
    with transaction.atomic():
        Placement.objects.filter(pk=placement.pk).update(ends_on=ends_on, version=F("version") + 1)
        audit.record(actor, AuditAction.UPDATE, person_id=placement.person_id, categories=[PLACEMENT],
                     object_type="placement", object_id=placement.pk,
                     detail={"fields": ["ends_on"], "ends_on": ends_on.isoformat(), "reason": reason[:200]})
    placement.refresh_from_db()
    return placement


def person_placements(*, actor: Actor, person_id: int) -> QuerySet[Placement]:
    """A person's placements, newest first (audited read)."""
    access_person_placement(actor, person_id, Action.READ)
    audit.record_read(actor, person_id=person_id, categories=[PLACEMENT], object_type="placements")
    return (Placement.objects.filter(person_id=person_id).select_related("offer", "occupation", "municipality",
                                                                          "agency")
            .order_by("-starts_on", "-id"))


__all__ = ["MAX_SEATS", "OUTCOME_MONTHS", "AttendanceSummary", "OfferIn", "Roster", "RosterRow", "admit",
           "attendance_summary", "cancel_offer", "close_offer", "complete", "create_offer", "drop", "end_placement",
           "enrol", "get_enrolment", "get_offer", "get_placement", "list_offers", "offer_roster", "outcome_due", "person_enrolments",
           "person_offers_link", "person_placements", "placement_rule_failures", "record_attendance",
           "record_outcome", "record_placement", "request_enrolment", "rule_failures", "rule_messages", "state_refusal",
           "update_offer", "withdraw"]
