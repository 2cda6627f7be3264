"""Use cases on the shared file: read sections (audited), timeline entries and corrections,
attachments, participations, consents and the GDPR Art. 15 export.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from stella.agencies.models import Agency
from stella.audit import service as audit
from stella.audit.models import AuditAction, AuditEvent
from stella.authz.policy import (
    CASE_ROLES,
    Action,
    Category,
    Decision,
    FileContext,
    can_read_audit,
    decide,
)
from stella.cases import sections
from stella.cases.access import access_case_file, access_person, check, my_files, today
from stella.cases.models import (
    Attachment,
    CaseFile,
    Consent,
    EntryKind,
    Participation,
    ParticipationRole,
    TimelineEntry,
)
from stella.core.actor import Actor
from stella.core.errors import AccessDenied, InvalidInput, NotFound
from stella.people.models import Person

#: Accepted attachment types, recognised by their first bytes (the declared type is not trusted).
ATTACHMENT_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}


@dataclass(frozen=True)
class Upload:
    """A file handed to a service (from a form, the API or a test)."""

    filename: str
    content: BinaryIO
    size: int


@dataclass(frozen=True)
class SectionAccess:
    category: Category
    decision: Decision


@dataclass(frozen=True)
class FileOverview:
    """What the actor may see of a file: the person, their context and one decision per category."""

    person: Person
    case_file: CaseFile
    context: FileContext
    sections: list[SectionAccess]

    @property
    def readable(self) -> list[Category]:
        return [s.category for s in self.sections if s.decision.allowed]


def open_file(*, actor: Actor, person_id: int) -> FileOverview:
    """Open a person's file: base identity and which sections the actor may read (audited read)."""
    person, ctx = access_person(actor, person_id)
    case_file, _ = CaseFile.objects.get_or_create(person=person)
    access = [SectionAccess(c, decide(actor, Action.READ, c, ctx)) for c in Category]
    audit.record_read(actor, person_id=person_id, categories=[Category.IDENTITY], object_type="file",
                      object_id=case_file.pk, detail={"view": "overview"})
    return FileOverview(person=person, case_file=case_file, context=ctx, sections=access)


def read_section(*, actor: Actor, person_id: int, category: Category, hide_refusal: bool = False) -> dict[str, Any]:
    """The data of one category of the file, if permitted; the read (or refusal) is audited."""
    person, ctx = access_person(actor, person_id)
    check(actor, person_id, ctx, Action.READ, category, hide=hide_refusal)
    data = sections.build(person, category)
    audit.record_read(actor, person_id=person_id, categories=[category], object_type="section", object_id=category)
    return data


def timeline(*, actor: Actor, person_id: int, categories: Iterable[Category] | None = None) -> QuerySet[TimelineEntry]:
    """Entries of the categories the actor may read (optionally narrowed); audited as one read."""
    person, ctx = access_person(actor, person_id)
    readable = [c for c in Category if decide(actor, Action.READ, c, ctx).allowed]
    wanted = [c for c in readable if categories is None or c in set(categories)]
    audit.record_read(actor, person_id=person_id, categories=wanted, object_type="timeline")
    return (TimelineEntry.objects.filter(case_file__person=person, category__in=[c.value for c in wanted])
            .select_related("author", "agency", "corrects").prefetch_related("attachments", "corrections"))


def my_cases(*, actor: Actor) -> QuerySet[Person]:
    """'Meine Fälle': files the actor's agency takes part in; listing base identities is an audited read."""
    audit.record_read(actor, person_id=None, categories=[Category.IDENTITY], object_type="my_cases")
    return my_files(actor)


def _validate_upload(upload: Upload, key: str) -> tuple[str, bytes]:
    if upload.size <= 0:
        raise InvalidInput({key: "Die Datei ist leer."})
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        limit = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
        raise InvalidInput({key: f"Die Datei ist zu groß (höchstens {limit} MB)."})
    data = upload.content.read(settings.ATTACHMENT_MAX_BYTES + 1)
    if len(data) > settings.ATTACHMENT_MAX_BYTES:
        raise InvalidInput({key: "Die Datei ist zu groß."})
    for content_type, signatures in ATTACHMENT_SIGNATURES.items():
        if data.startswith(signatures):
            return content_type, data
    raise InvalidInput({key: "Dateityp nicht erlaubt: nur PDF, PNG oder JPEG."})


def _store(upload: Upload, key: str) -> Attachment:
    content_type, data = _validate_upload(upload, key)
    digest = hashlib.sha256(data).hexdigest()
    relative = Path(digest[:2]) / digest[2:4] / digest
    target = Path(settings.MEDIA_ROOT) / relative
    if not target.exists():  # content-addressed: identical files are stored once
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(target)
    name = Path(upload.filename or "datei").name[:200]
    return Attachment.objects.create(filename=name, content_type=content_type, size=len(data), sha256=digest,
                                     storage_name=str(relative))


def attachment_path(attachment: Attachment) -> Path:
    return Path(settings.MEDIA_ROOT) / attachment.storage_name


def _validate_entry(kind: str, category: str, title: str) -> Category:
    errors: dict[str, str] = {}
    if kind not in EntryKind.values:
        errors["kind"] = f"Unbekannte Eintragsart „{kind}“."
    if category not in Category._value2member_map_:
        errors["category"] = f"Unbekannte Datenkategorie „{category}“."
    if not title.strip():
        errors["title"] = "Der Betreff fehlt."
    elif len(title) > 200:
        errors["title"] = "Der Betreff ist zu lang (höchstens 200 Zeichen)."
    if errors:
        raise InvalidInput(errors)
    return Category(category)


def add_entry(*, actor: Actor, person_id: int, kind: str, category: str, title: str, text: str = "",
              occurred_at: datetime | None = None, attachments: Sequence[Upload] = ()) -> TimelineEntry:
    """Append a note, counselling contact or document to the timeline."""
    cat = _validate_entry(kind, category, title)
    if occurred_at and occurred_at > timezone.now():
        raise InvalidInput({"occurred_at": "Der Zeitpunkt liegt in der Zukunft."})
    case_file, _ = access_case_file(actor, person_id, Action.WRITE, cat)
    with transaction.atomic():
        entry = TimelineEntry.objects.create(
            case_file=case_file, kind=kind, category=cat, title=title.strip(), text=text,
            occurred_at=occurred_at or timezone.now(), author_id=actor.user_id, agency_id=actor.agency_id,
        )
        for i, upload in enumerate(attachments):
            att = _store(upload, f"attachments.{i}")
            att.entry = entry
            att.save(update_fields=["entry"])
        audit.record(actor, AuditAction.CREATE, person_id=person_id, categories=[cat], object_type="entry",
                     object_id=entry.pk, detail={"kind": kind, "attachments": len(attachments)})
    return entry


def correct_entry(*, actor: Actor, person_id: int, entry_id: int, title: str, text: str, reason: str) -> TimelineEntry:
    """A correction is a new entry that references the corrected one; the original stays."""
    person, ctx = access_person(actor, person_id)
    original = TimelineEntry.objects.filter(pk=entry_id, case_file__person_id=person_id).first()
    if original is None:
        raise NotFound("Der Eintrag wurde nicht gefunden.")
    # An entry of a category the actor may not read is answered like a missing one (no id probing).
    check(actor, person_id, ctx, Action.READ, Category(original.category), hide=True)
    if not reason.strip():
        raise InvalidInput({"reason": "Bitte den Grund der Berichtigung angeben."})
    cat = _validate_entry(original.kind, original.category, title)
    check(actor, person_id, ctx, Action.WRITE, cat)
    case_file = person.case_file
    with transaction.atomic():
        entry = TimelineEntry.objects.create(
            case_file=case_file, kind=original.kind, category=cat, title=title.strip(),
            text=f"{text}\n\n[Berichtigung: {reason.strip()}]", occurred_at=original.occurred_at,
            author_id=actor.user_id, agency_id=actor.agency_id, corrects=original,
        )
        audit.record(actor, AuditAction.CORRECT, person_id=person_id, categories=[cat], object_type="entry",
                     object_id=entry.pk, detail={"corrects": original.pk, "reason": reason.strip()[:200]})
    return entry


def entry_attachment(*, actor: Actor, person_id: int, attachment_id: int) -> Attachment:
    """An attachment of a readable entry (audited read); otherwise NotFound."""
    att = Attachment.objects.select_related("entry").filter(pk=attachment_id, entry__case_file__person_id=person_id).first()
    if att is None or att.entry is None:
        raise NotFound("Der Anhang wurde nicht gefunden.")
    person, ctx = access_person(actor, person_id)
    check(actor, person_id, ctx, Action.READ, Category(att.entry.category), hide=True)
    audit.record_read(actor, person_id=person_id, categories=[att.entry.category], object_type="attachment",
                      object_id=att.pk)
    return att


def _require_participant(actor: Actor, ctx: FileContext, person_id: int, what: str) -> None:
    if not actor.roles.intersection(CASE_ROLES) or ctx.participation is None:
        reason = f"Nur beteiligte Behörden dürfen {what}."
        audit.record_denied(actor, AuditAction.UPDATE, person_id=person_id, reason=reason, object_type="consent")
        raise AccessDenied(reason)


def _agencies(ids: Sequence[int], key: str) -> list[Agency]:
    found = {a.pk: a for a in Agency.objects.filter(pk__in=ids)}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise InvalidInput({key: f"Unbekannte Behörde(n): {', '.join(missing)}."})
    if not ids:
        raise InvalidInput({key: "Mindestens eine empfangende Behörde angeben."})
    return list(found.values())


def record_consent(*, actor: Actor, person_id: int, categories: Sequence[str], agency_ids: Sequence[int],
                   purpose: str, valid_from: date, valid_until: date | None = None,
                   form: Upload | None = None) -> Consent:
    """Record a consent; it applies from `valid_from` until its end or revocation."""
    errors: dict[str, str] = {}
    unknown = [c for c in categories if c not in Category._value2member_map_]
    if not categories:
        errors["categories"] = "Mindestens eine Datenkategorie angeben."
    elif unknown:
        errors["categories"] = f"Unbekannte Datenkategorie(n): {', '.join(unknown)}."
    if not purpose.strip():
        errors["purpose"] = "Der Zweck der Einwilligung fehlt."
    if valid_until and valid_until < valid_from:
        errors["valid_until"] = "„Gültig bis“ liegt vor „gültig ab“."
    if errors:
        raise InvalidInput(errors)
    agencies = _agencies(list(dict.fromkeys(agency_ids)), "agency_ids")
    person, ctx = access_person(actor, person_id)
    _require_participant(actor, ctx, person_id, "Einwilligungen erfassen")
    case_file, _ = CaseFile.objects.get_or_create(person=person)
    with transaction.atomic():
        consent = Consent.objects.create(
            case_file=case_file, categories=sorted(set(categories)), purpose=purpose.strip(),
            valid_from=valid_from, valid_until=valid_until, recorded_by_id=actor.user_id,
            form=_store(form, "form") if form else None,
        )
        consent.agencies.set(agencies)
        audit.record(actor, AuditAction.CREATE, person_id=person_id, categories=consent.categories,
                     object_type="consent", object_id=consent.pk,
                     detail={"agencies": sorted(a.code for a in agencies), "purpose": consent.purpose})
    return consent


def revoke_consent(*, actor: Actor, person_id: int, consent_id: int, note: str = "") -> Consent:
    """Revoke at once: access that rested on it ends with this transaction."""
    consent = Consent.objects.filter(pk=consent_id, case_file__person_id=person_id).first()
    if consent is None:
        raise NotFound("Die Einwilligung wurde nicht gefunden.")
    person, ctx = access_person(actor, person_id)
    _require_participant(actor, ctx, person_id, "Einwilligungen widerrufen")
    if consent.revoked_at is not None:
        raise InvalidInput({"consent": "Die Einwilligung ist bereits widerrufen."})
    with transaction.atomic():
        updated = Consent.objects.filter(pk=consent.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by_id=actor.user_id, revocation_note=note.strip()[:300]
        )
        if not updated:
            raise InvalidInput({"consent": "Die Einwilligung ist bereits widerrufen."})
        audit.record(actor, AuditAction.REVOKE, person_id=person_id, categories=consent.categories,
                     object_type="consent", object_id=consent.pk)
    consent.refresh_from_db()
    return consent


def consents(*, actor: Actor, person_id: int) -> QuerySet[Consent]:
    person, ctx = access_person(actor, person_id)
    if not actor.roles.intersection(CASE_ROLES):
        raise NotFound()
    audit.record_read(actor, person_id=person_id, categories=[], object_type="consents")
    return Consent.objects.filter(case_file__person=person).prefetch_related("agencies")


def consent_form(*, actor: Actor, person_id: int, consent_id: int) -> Attachment:
    """The scanned consent form, for agencies taking part in the file (audited read); otherwise NotFound."""
    person, ctx = access_person(actor, person_id)
    consent = Consent.objects.select_related("form").filter(pk=consent_id, case_file__person=person).first()
    if consent is None or consent.form is None:
        raise NotFound("Das Formular wurde nicht gefunden.")
    if not actor.roles.intersection(CASE_ROLES) or ctx.participation is None:
        audit.record_denied(actor, AuditAction.READ, person_id=person_id, object_type="consent_form",
                            object_id=consent.pk, reason="Nur beteiligte Behörden sehen Einwilligungsformulare.")
        raise NotFound("Das Formular wurde nicht gefunden.")
    audit.record_read(actor, person_id=person_id, categories=consent.categories, object_type="consent_form",
                      object_id=consent.pk)
    return consent.form


def add_participation(*, actor: Actor, person_id: int, role: str, legal_basis: str,
                      since: date | None = None) -> Participation:
    """The actor's agency joins the file on a legal basis (e.g. §50 SGB II), as lead or contributing."""
    if role not in ParticipationRole.values:
        raise InvalidInput({"role": f"Unbekannte Rolle „{role}“ (lead oder contributing)."})
    if not legal_basis.strip():
        raise InvalidInput({"legal_basis": "Die Rechtsgrundlage der Beteiligung fehlt."})
    person, ctx = access_person(actor, person_id)
    if not actor.roles.intersection(CASE_ROLES) or actor.agency_id is None:
        raise AccessDenied("Ihre Rolle kann keine Beteiligung begründen.")
    if ctx.participation is not None:
        raise InvalidInput({"role": "Ihre Behörde ist an dieser Fallakte bereits beteiligt."})
    case_file, _ = CaseFile.objects.get_or_create(person=person)
    with transaction.atomic():
        part = Participation.objects.create(case_file=case_file, agency_id=actor.agency_id, role=role,
                                            since=since or today(), legal_basis=legal_basis.strip(),
                                            created_by_id=actor.user_id)
        audit.record(actor, AuditAction.CREATE, person_id=person_id, object_type="participation",
                     object_id=part.pk, detail={"role": role, "legal_basis": part.legal_basis})
    return part


def participations(person: Person) -> QuerySet[Participation]:
    return Participation.objects.filter(case_file__person=person).select_related("agency")


def file_participations(*, actor: Actor, person_id: int) -> QuerySet[Participation]:
    """Which agencies take part in the file: anyone who may find the person sees it (audited read)."""
    person, _ = access_person(actor, person_id)
    audit.record_read(actor, person_id=person_id, categories=[], object_type="participations")
    return participations(person)


def export_person(*, actor: Actor, person_id: int) -> dict[str, Any]:
    """GDPR Art. 15: all data of the person and its access log, for the data-protection officer."""
    if not can_read_audit(actor):
        audit.record_denied(actor, AuditAction.EXPORT, person_id=person_id, reason="Nur für Datenschutzbeauftragte.",
                            object_type="person")
        raise NotFound("Die Person wurde nicht gefunden.")
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise NotFound("Die Person wurde nicht gefunden.")
    data = {
        "exported_at": timezone.now().isoformat(),
        "legal_basis": "Art. 15 DSGVO, §83 SGB X",
        "person_id": person.pk,
        "sections": {c.value: sections.build(person, c, with_timeline=True) for c in Category},
        "participations": [sections.participation_dict(p) for p in participations(person)],
        "consents": [sections.consent_dict(c) for c in Consent.objects.filter(case_file__person=person)],
        "access_log": [sections.audit_dict(e) for e in AuditEvent.objects.filter(person_id=person_id).order_by("seq")],
    }
    audit.record(actor, AuditAction.EXPORT, person_id=person_id, categories=list(Category), object_type="person",
                 object_id=person_id, purpose="Auskunft nach Art. 15 DSGVO")
    return data


__all__ = [
    "FileOverview", "SectionAccess", "Upload", "add_entry", "add_participation", "attachment_path", "consents",
    "consent_form", "correct_entry", "entry_attachment", "export_person", "file_participations", "open_file", "participations",
    "read_section", "record_consent", "revoke_consent", "timeline",
]


