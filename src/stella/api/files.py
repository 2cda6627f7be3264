"""The shared file of a person: sections per data category, the timeline with attachments,
consents and participations. Every read and refusal is audited by the services."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest
from ninja import File, Form, Query, Router, Status, UploadedFile

from stella.agencies.models import Agency
from stella.api.auth import actor
from stella.api.schemas import (
    ConsentCreate,
    ConsentOut,
    ConsentRevoke,
    CorrectionCreate,
    EntryCreate,
    EntryOut,
    EntryUpload,
    Page,
    ParticipationCreate,
    ParticipationOut,
    TimelineQuery,
    paginate,
)
from stella.authz.policy import Category
from stella.cases import services as cases
from stella.cases.sections import consent_dict, entry_dict, participation_dict
from stella.core.errors import InvalidInput
from stella.linkage.merge import annotate_provenance

router = Router(tags=["Fallakte"])


@router.get("/{int:person_id}/sections/{category}", response=dict[str, Any], summary="Bereich lesen")
def section(request: HttpRequest, person_id: int, category: Category) -> Any:
    """The data of one category. A category the caller may not read is answered 404, like a
    missing record; the refusal is audited."""
    data = cases.read_section(actor=actor(request), person_id=person_id, category=category, hide_refusal=True)
    return annotate_provenance(person_id, data)


# --- timeline -------------------------------------------------------------------------------------

@router.get("/{int:person_id}/timeline", response=Page[EntryOut], summary="Zeitstrahl")
def timeline(request: HttpRequest, person_id: int, query: Query[TimelineQuery]) -> Any:
    """Entries of the categories the caller may read, newest first (optionally one category)."""
    wanted = [query.category] if query.category else None
    entries = cases.timeline(actor=actor(request), person_id=person_id, categories=wanted)
    return paginate(entries, query, entry_dict)


@router.post("/{int:person_id}/timeline", response={201: EntryOut}, summary="Vermerk oder Kontakt eintragen")
def add_entry(request: HttpRequest, person_id: int, payload: EntryCreate) -> Any:
    entry = cases.add_entry(actor=actor(request), person_id=person_id, **payload.model_dump())
    return Status(201, entry_dict(entry))


@router.post("/{int:person_id}/timeline/upload", response={201: EntryOut}, summary="Eintrag mit Anhängen")
def add_entry_with_files(request: HttpRequest, person_id: int, payload: Form[EntryUpload],
                         files: File[list[UploadedFile]]) -> Any:
    """multipart/form-data: the entry's fields plus one or more `files` (PDF, PNG or JPEG; the
    type is recognised from the content, not from the name)."""
    unknown = sorted(set(request.POST) - set(EntryUpload.model_fields))
    if unknown:  # ninja ignores unknown form fields; a misspelt optional field must not vanish silently
        raise InvalidInput(dict.fromkeys(unknown, "Unbekanntes Feld."))
    uploads = [cases.Upload(filename=f.name or "datei", content=f, size=f.size or 0) for f in files]
    entry = cases.add_entry(actor=actor(request), person_id=person_id, attachments=uploads, **payload.model_dump())
    return Status(201, entry_dict(entry))


@router.post("/{int:person_id}/timeline/{int:entry_id}/corrections", response={201: EntryOut},
             summary="Eintrag berichtigen")
def correct_entry(request: HttpRequest, person_id: int, entry_id: int, payload: CorrectionCreate) -> Any:
    """A correction is a new entry pointing to the corrected one; the original stays."""
    entry = cases.correct_entry(actor=actor(request), person_id=person_id, entry_id=entry_id, **payload.model_dump())
    return Status(201, entry_dict(entry))


@router.get("/{int:person_id}/attachments/{int:attachment_id}", summary="Anhang herunterladen",
            openapi_extra={"responses": {200: {
                "description": "Die Datei", "content": {t: {} for t in cases.ATTACHMENT_SIGNATURES}}}})
def attachment(request: HttpRequest, person_id: int, attachment_id: int) -> FileResponse:
    att = cases.entry_attachment(actor=actor(request), person_id=person_id, attachment_id=attachment_id)
    return FileResponse(cases.attachment_path(att).open("rb"), content_type=att.content_type,
                        as_attachment=True, filename=att.filename)


@router.get("/{int:person_id}/consents/{int:consent_id}/form", summary="Einwilligungsformular herunterladen",
            openapi_extra={"responses": {200: {
                "description": "Der Scan", "content": {t: {} for t in cases.ATTACHMENT_SIGNATURES}}}})
def consent_form(request: HttpRequest, person_id: int, consent_id: int) -> FileResponse:
    att = cases.consent_form(actor=actor(request), person_id=person_id, consent_id=consent_id)
    return FileResponse(cases.attachment_path(att).open("rb"), content_type=att.content_type,
                        as_attachment=True, filename=att.filename)


# --- consents and participations ------------------------------------------------------------------

def _agency_ids(codes: list[str], field: str) -> list[int]:
    """Agencies are named by code in the API; the services work with ids."""
    found = dict(Agency.objects.filter(code__in=codes).values_list("code", "pk"))
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise InvalidInput({field: f"Unbekannte Behörde(n): {', '.join(unknown)}."})
    return [found[c] for c in codes]


@router.get("/{int:person_id}/consents", response=list[ConsentOut], summary="Einwilligungen")
def list_consents(request: HttpRequest, person_id: int) -> Any:
    return [consent_dict(c) for c in cases.consents(actor=actor(request), person_id=person_id)]


@router.post("/{int:person_id}/consents", response={201: ConsentOut}, summary="Einwilligung erfassen")
def record_consent(request: HttpRequest, person_id: int, payload: ConsentCreate) -> Any:
    """Only agencies taking part in the file record consents; receiving agencies are given by code."""
    consent = cases.record_consent(
        actor=actor(request), person_id=person_id, categories=payload.categories,
        agency_ids=_agency_ids(payload.agencies, "agencies"), purpose=payload.purpose,
        valid_from=payload.valid_from, valid_until=payload.valid_until,
    )
    return Status(201, consent_dict(consent))


@router.post("/{int:person_id}/consents/{int:consent_id}/revoke", response=ConsentOut,
             summary="Einwilligung widerrufen")
def revoke_consent(request: HttpRequest, person_id: int, consent_id: int, payload: ConsentRevoke) -> Any:
    """Takes effect at once: access that rested on the consent ends with this request."""
    consent = cases.revoke_consent(actor=actor(request), person_id=person_id, consent_id=consent_id,
                                   note=payload.note)
    return consent_dict(consent)


@router.get("/{int:person_id}/participations", response=list[ParticipationOut], summary="Beteiligte Behörden")
def list_participations(request: HttpRequest, person_id: int) -> Any:
    parts = cases.file_participations(actor=actor(request), person_id=person_id)
    return [participation_dict(p) for p in parts]


@router.post("/{int:person_id}/participations", response={201: ParticipationOut},
             summary="Beteiligung begründen")
def add_participation(request: HttpRequest, person_id: int, payload: ParticipationCreate) -> Any:
    """The caller's agency joins the file on a legal basis, as lead or contributing."""
    part = cases.add_participation(actor=actor(request), person_id=person_id, **payload.model_dump())
    return Status(201, participation_dict(part))
