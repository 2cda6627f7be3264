"""Counselling appointments across agencies: create (with a conflict check for the person), cancel,
list per person and "Meine Termine", and the downloads (invitation letter as PDF, calendar file ICS).

Privacy: an appointment's content (purpose, place, language, counsellor) is seen by users of the
agency that holds it, if they may read the file's counselling category. Other agencies that may read
the file's counselling category see only that the person is busy then, and with which agency – which is
all the conflict check tells them, too. Reads, writes and downloads are audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from stella.accounts.models import User
from stella.agencies.models import Agency
from stella.audit import service as audit
from stella.audit.models import AuditAction
from stella.authz.policy import CASE_ROLES, Action, Category, decide
from stella.cases.access import access_person, check, file_context
from stella.core.actor import Actor
from stella.core.errors import AccessDenied, InvalidInput, NotFound
from stella.journey import letters
from stella.journey.letter_texts import WEEKDAYS_DE, LetterText
from stella.journey.models import Appointment
from stella.journey.tasks import readable_person_ids
from stella.people.models import Address, Person
from stella.people.validators import language_name, validate_language

COUNSELLING = Category.COUNSELLING
MAX_DURATION = timedelta(hours=10)
MAX_AHEAD = timedelta(days=2 * 366)


def _agency_id(actor: Actor) -> int:
    if actor.agency_id is None or not actor.roles.intersection(CASE_ROLES):
        raise AccessDenied("Ihre Rolle hat keinen Zugriff auf Aufgaben und Termine.")
    return actor.agency_id


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment)


def span_text(starts_at: datetime, ends_at: datetime) -> str:
    """'Do., 12.03.2026, 09:30–10:30 Uhr' in Berlin time (both days named when it crosses midnight)."""
    start, end = _local(starts_at), _local(ends_at)
    day = f"{WEEKDAYS_DE[start.weekday()][:2]}., {start:%d.%m.%Y}"
    if start.date() == end.date():
        return f"{day}, {start:%H:%M}–{end:%H:%M} Uhr"
    return f"{day}, {start:%H:%M} Uhr bis {end:%d.%m.%Y}, {end:%H:%M} Uhr"


# ---------------------------------------------------------------------------------------------------------------
# Validation and conflicts


def _validate(starts_at: datetime | None, ends_at: datetime | None, place: str, purpose: str, language: str,
              errors: dict[str, str]) -> tuple[str, str, str]:
    now = timezone.now()
    if starts_at is None:
        errors["starts_at"] = "Der Beginn fehlt."
    elif timezone.is_naive(starts_at):
        errors["starts_at"] = "Der Beginn braucht eine Zeitzone."
    elif starts_at < now:
        errors["starts_at"] = "Ein neuer Termin kann nicht in der Vergangenheit liegen."
    elif starts_at > now + MAX_AHEAD:
        errors["starts_at"] = "Der Termin liegt mehr als zwei Jahre in der Zukunft."
    if ends_at is None:
        errors["ends_at"] = "Das Ende fehlt."
    elif timezone.is_naive(ends_at):
        errors["ends_at"] = "Das Ende braucht eine Zeitzone."
    elif starts_at is not None and not timezone.is_naive(starts_at):
        if ends_at <= starts_at:
            errors["ends_at"] = "Das Ende muss nach dem Beginn liegen."
        elif ends_at - starts_at > MAX_DURATION:
            errors["ends_at"] = "Ein Termin dauert höchstens 10 Stunden."
    place, purpose = (place or "").strip(), (purpose or "").strip()
    if not place:
        errors["place"] = "Der Ort fehlt."
    elif len(place) > 200:
        errors["place"] = "Der Ort ist zu lang (höchstens 200 Zeichen)."
    if not purpose:
        errors["purpose"] = "Der Anlass fehlt."
    elif len(purpose) > 200:
        errors["purpose"] = "Der Anlass ist zu lang (höchstens 200 Zeichen)."
    code = (language or "").strip()
    if code:
        try:
            code = validate_language(code)
        except ValidationError as exc:
            errors["language"] = exc.messages[0]
    return place, purpose, code


def overlapping(person_id: int, starts_at: datetime, ends_at: datetime,
                exclude: int | None = None) -> QuerySet[Appointment]:
    """The person's appointments (any agency, not cancelled) that overlap the interval."""
    qs = Appointment.objects.filter(person_id=person_id, cancelled_at__isnull=True, starts_at__lt=ends_at,
                                    ends_at__gt=starts_at).select_related("agency").order_by("starts_at", "id")
    return qs.exclude(pk=exclude) if exclude else qs


def conflict_message(actor: Actor, other: Appointment) -> str:
    """Names the other appointment's agency and time; its content only for the agency that holds it."""
    text = f"Die Person hat zu dieser Zeit bereits einen Termin: {other.agency.name}, {span_text(other.starts_at, other.ends_at)}"
    if other.agency_id == actor.agency_id:
        text += f" („{other.purpose}“, {other.place})"
    return text + "."


def _counsellor(actor: Actor, agency_id: int, counsellor_id: int | None, errors: dict[str, str]) -> User | None:
    wanted = counsellor_id if counsellor_id is not None else actor.user_id
    if wanted is None:
        return None
    user = User.objects.filter(pk=wanted, agency_id=agency_id, is_active=True).first()
    if user is None or not set(user.role_codes()).intersection(CASE_ROLES):
        errors["counsellor"] = "Die Ansprechperson muss ein aktives Konto Ihrer Behörde mit Fallbearbeitung sein."
        return None
    return user


# ---------------------------------------------------------------------------------------------------------------
# Writes


def create_appointment(*, actor: Actor, person_id: int, starts_at: datetime | None, ends_at: datetime | None,
                       place: str, purpose: str, language: str = "", interpreter_needed: bool = False,
                       counsellor_id: int | None = None) -> Appointment:
    """A new appointment of the actor's agency with the person; refused when it overlaps another
    (not cancelled) appointment of the person at any agency."""
    agency_id = _agency_id(actor)
    errors: dict[str, str] = {}
    place, purpose, code = _validate(starts_at, ends_at, place, purpose, language, errors)
    counsellor = _counsellor(actor, agency_id, counsellor_id, errors)
    if errors:
        raise InvalidInput(errors)
    assert starts_at is not None and ends_at is not None
    person, ctx = access_person(actor, person_id)
    check(actor, person_id, ctx, Action.WRITE, COUNSELLING)
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person_id).first()  # serialise bookings of one person
        other = overlapping(person_id, starts_at, ends_at).first()
        if other is not None:
            raise InvalidInput({"starts_at": conflict_message(actor, other)})
        appointment = Appointment.objects.create(
            person=person, agency_id=agency_id, starts_at=starts_at, ends_at=ends_at, place=place, purpose=purpose,
            language=code, interpreter_needed=interpreter_needed, created_by_id=actor.user_id, counsellor=counsellor)
        audit.record(actor, AuditAction.CREATE, person_id=person_id, categories=[COUNSELLING],
                     object_type="appointment", object_id=appointment.pk,
                     detail={"starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat(),
                             "language": code, "interpreter_needed": interpreter_needed})
    return appointment


def _fetch(actor: Actor, appointment_id: int, action: Action) -> Appointment:
    """An appointment of the actor's agency the actor may read (or change), or NotFound – refusals audited
    (outside any write transaction, so that the refusal stays recorded)."""
    agency_id = _agency_id(actor)
    appointment = (Appointment.objects.select_related("person", "agency", "counsellor")
                   .filter(pk=appointment_id).first())
    if appointment is None:
        raise NotFound("Der Termin wurde nicht gefunden.")
    audit_action = AuditAction.READ if action is Action.READ else AuditAction.UPDATE
    reason = ""
    if appointment.agency_id != agency_id:
        reason = "Termin einer anderen Behörde."
    else:
        ctx = file_context(actor, appointment.person_id)
        decision = decide(actor, action, COUNSELLING, ctx)
        if not decision:
            if action is Action.WRITE and decide(actor, Action.READ, COUNSELLING, ctx):
                audit.record_denied(actor, audit_action, reason=decision.reason, person_id=appointment.person_id,
                                    categories=[COUNSELLING], object_type="appointment", object_id=appointment.pk)
                raise AccessDenied(decision.reason)
            reason = decision.reason
    if reason:
        audit.record_denied(actor, audit_action, reason=reason, person_id=appointment.person_id,
                            categories=[COUNSELLING], object_type="appointment", object_id=appointment.pk)
        raise NotFound("Der Termin wurde nicht gefunden.")
    return appointment


def cancel_appointment(*, actor: Actor, appointment_id: int, reason: str = "") -> Appointment:
    """Cancel an appointment of the actor's agency that has not yet begun."""
    reason = (reason or "").strip()
    if len(reason) > 300:
        raise InvalidInput({"reason": "Der Grund ist zu lang (höchstens 300 Zeichen)."})
    _fetch(actor, appointment_id, Action.WRITE)
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment_id)
        if appointment.cancelled_at is not None:
            raise InvalidInput({"state": "Der Termin ist bereits abgesagt."})
        if appointment.starts_at <= timezone.now():
            raise InvalidInput({"state": "Ein Termin, der schon begonnen hat, kann nicht mehr abgesagt werden."})
        appointment.cancelled_at = timezone.now()
        appointment.cancelled_by_id = actor.user_id
        appointment.cancel_reason = reason
        appointment.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason"])
        audit.record(actor, AuditAction.UPDATE, person_id=appointment.person_id, categories=[COUNSELLING],
                     object_type="appointment", object_id=appointment.pk,
                     detail={"change": "cancel", "reason": reason[:200]})
    return appointment


# ---------------------------------------------------------------------------------------------------------------
# Reads


def get_appointment(*, actor: Actor, appointment_id: int) -> Appointment:
    appointment = _fetch(actor, appointment_id, Action.READ)
    audit.record_read(actor, person_id=appointment.person_id, categories=[COUNSELLING], object_type="appointment",
                      object_id=appointment.pk)
    return appointment


@dataclass(frozen=True)
class AppointmentRow:
    """One line of a person's appointments: full for the actor's agency, busy-only for others."""

    appointment: Appointment
    own: bool

    @property
    def agency(self) -> Agency:
        return self.appointment.agency

    @property
    def cancelled(self) -> bool:
        return self.appointment.cancelled_at is not None


def person_appointments(*, actor: Actor, person_id: int, include_past: bool = True) -> list[AppointmentRow]:
    """All appointments of the person: the actor's agency's in full (cancelled ones too), other agencies'
    not cancelled ones as busy times. Needs COUNSELLING read in the file; audited."""
    agency_id = _agency_id(actor)
    _, ctx = access_person(actor, person_id)
    check(actor, person_id, ctx, Action.READ, COUNSELLING)
    qs = (Appointment.objects.filter(person_id=person_id)
          .filter(Q(agency_id=agency_id) | Q(cancelled_at__isnull=True))
          .select_related("agency", "counsellor").order_by("starts_at", "id"))
    if not include_past:
        qs = qs.filter(ends_at__gte=timezone.now())
    audit.record_read(actor, person_id=person_id, categories=[COUNSELLING], object_type="appointments")
    return [AppointmentRow(a, a.agency_id == agency_id) for a in qs]


def my_appointments(*, actor: Actor, include_past: bool = False, agency_wide: bool = False) -> QuerySet[Appointment]:
    """'Meine Termine': appointments the actor holds (counsellor), or with `agency_wide` all of the agency,
    from today on unless `include_past`; only for files whose counselling the actor may read. Audited."""
    agency_id = _agency_id(actor)
    qs = Appointment.objects.filter(agency_id=agency_id)
    if not agency_wide:
        qs = qs.filter(counsellor_id=actor.user_id)
    if not include_past:
        start_of_day = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        qs = qs.filter(ends_at__gte=start_of_day)
    readable = readable_person_ids(actor, list(qs.values_list("person_id", flat=True).distinct()))
    audit.record_read(actor, person_id=None, categories=[COUNSELLING], object_type="appointments",
                      detail={"view": "agency" if agency_wide else "mine"})
    return (qs.filter(person_id__in=readable).select_related("person", "agency", "counsellor")
            .prefetch_related("person__names").order_by("starts_at", "id"))


# ---------------------------------------------------------------------------------------------------------------
# Letter and calendar file


def _display_name(person: Person) -> str:
    name = person.primary_name
    if name is None:
        return ""
    return f"{name.given_names} {name.family_name}".strip()


def translation_for(actor: Actor, appointment: Appointment) -> LetterText | None:
    """Which translation block the letter carries: for the appointment's language, else for the person's
    languages – those are competence data, used only if the actor may read that category."""
    spoken: list[tuple[str, str]] = []
    if decide(actor, Action.READ, Category.COMPETENCES, file_context(actor, appointment.person_id)):
        spoken = list(appointment.person.languages.values_list("language", "level"))
    return letters.choose_translation(appointment.language, spoken)


def letter_data(actor: Actor, appointment: Appointment) -> letters.LetterData:
    """What the letter shows. The postal address only if the actor may read the residence category."""
    person = appointment.person
    address_lines: tuple[str, ...] = ()
    if decide(actor, Action.READ, Category.RESIDENCE, file_context(actor, person.pk)):
        now = timezone.localdate()
        address = (Address.objects.filter(person=person, valid_from__lte=now)
                   .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=now)).order_by("-valid_from", "-id").first())
        if address is not None:
            address_lines = tuple(x for x in (address.street,
                                              f"{address.postcode} {address.municipality}".strip()) if x)
    translation = translation_for(actor, appointment)
    counsellor = appointment.counsellor
    return letters.LetterData(
        appointment_id=appointment.pk, agency_name=appointment.agency.name, recipient_name=_display_name(person),
        recipient_address=address_lines, starts_at=appointment.starts_at, ends_at=appointment.ends_at,
        place=appointment.place, purpose=appointment.purpose,
        contact=(counsellor.get_full_name() or counsellor.get_username()) if counsellor else "",
        language_name=language_label(appointment.language), interpreter_needed=appointment.interpreter_needed,
        translation=translation, issued_on=timezone.localdate(), cancelled=appointment.cancelled_at is not None)


_GERMAN_LANGUAGE_NAMES = {"ar": "Arabisch", "fa": "Persisch (Farsi)", "prs": "Dari", "ps": "Paschtu", "ti": "Tigrinya",
                          "en": "Englisch", "fr": "Französisch", "tr": "Türkisch", "uk": "Ukrainisch",
                          "ru": "Russisch", "so": "Somali", "ku": "Kurdisch", "kmr": "Kurmandschi",
                          "ckb": "Sorani", "am": "Amharisch", "ur": "Urdu", "sq": "Albanisch", "de": "Deutsch"}


def language_label(code: str) -> str:
    if not code:
        return ""
    return _GERMAN_LANGUAGE_NAMES.get(code) or language_name(code)


@dataclass(frozen=True)
class Download:
    filename: str
    content_type: str
    content: bytes
    translation: LetterText | None = None


def invitation_letter(*, actor: Actor, appointment_id: int) -> Download:
    """The invitation letter as PDF (audited as an export of counselling data)."""
    appointment = _fetch(actor, appointment_id, Action.READ)
    data = letter_data(actor, appointment)
    content = letters.invitation_pdf(data)
    audit.record(actor, AuditAction.EXPORT, person_id=appointment.person_id, categories=[COUNSELLING],
                 object_type="appointment_letter", object_id=appointment.pk,
                 detail={"translation": data.translation.code if data.translation else ""})
    return Download(f"einladung-termin-{appointment.pk}.pdf", "application/pdf", content, data.translation)


def calendar_file(*, actor: Actor, appointment_id: int) -> Download:
    """The appointment as an iCalendar file (audited as an export)."""
    appointment = _fetch(actor, appointment_id, Action.READ)
    data = letter_data(actor, appointment)
    content = letters.invitation_ics(data, sequence=1 if appointment.cancelled_at else 0)
    audit.record(actor, AuditAction.EXPORT, person_id=appointment.person_id, categories=[COUNSELLING],
                 object_type="appointment_ics", object_id=appointment.pk)
    return Download(f"termin-{appointment.pk}.ics", "text/calendar; charset=utf-8", content)



__all__ = ["AppointmentRow", "Download", "calendar_file", "cancel_appointment", "conflict_message",
           "create_appointment", "get_appointment", "invitation_letter", "letter_data", "my_appointments",
           "overlapping", "person_appointments", "language_label", "span_text", "translation_for"]
