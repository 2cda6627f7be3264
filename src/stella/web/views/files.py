"""The person's file: header, one tab per data category, timeline, notes and corrections,
attachments, core data with optimistic locking, added records, consents and participations.

Every page opens the file through `cases.services.open_file`, so the read is audited and a person
the user may not find is answered with 404 like a missing one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stella.authz.policy import LEGAL_BASIS, Action, Category, decide
from stella.cases import sections
from stella.cases import services as files
from stella.cases.access import today as local_today
from stella.cases.models import Attachment, EntryKind
from stella.cases.services import FileOverview, Upload
from stella.core.actor import Actor
from stella.core.errors import AccessDenied, Conflict, InvalidInput, NotFound
from stella.linkage.merge import annotate_provenance, merged_into_chain
from stella.people import services as people
from stella.people.models import RESIDENCE_DOCUMENTS, DatePrecision, Sex
from stella.web.choices import country_name
from stella.web.forms import (
    AddressForm,
    ConsentForm,
    ContactForm,
    CorrectionForm,
    DocumentForm,
    EntryForm,
    IdentifierForm,
    LanguageForm,
    NameForm,
    NationalityForm,
    ParticipationForm,
    PersonEditForm,
    RevokeForm,
    StellaForm,
)
from stella.web.labels import tr, translate_message
from stella.web.views.common import actor_of, not_found, refuse

TIMELINE_PAGE_SIZE = 30


# ---------------------------------------------------------------------------------------------------------------
# Opening the file and the frame around every tab


def _open(actor: Actor, pk: int) -> FileOverview:
    try:
        return files.open_file(actor=actor, person_id=pk)
    except NotFound as exc:
        raise not_found(exc) from exc


def _may_write(actor: Actor, overview: FileOverview, category: Category) -> bool:
    return decide(actor, Action.WRITE, category, overview.context).allowed


def _frame(request: HttpRequest, overview: FileOverview, tab: str, **extra: Any) -> dict[str, Any]:
    """Context every page of the file shares: header data, tabs and what the user may write."""
    actor = actor_of(request)
    pk = overview.person.pk
    tabs = [{"key": "overview", "label": _("Übersicht"), "allowed": True,
             "url": reverse("web:person", args=[pk])}]
    for s in overview.sections:
        tabs.append({"key": s.category.value, "label": tr(s.category.label), "allowed": s.decision.allowed,
                     "url": reverse("web:section", args=[pk, s.category.value])})
    # The legal assessment draws on residence and benefits; locked only if neither may be read.
    assessable = any(s.decision.allowed for s in overview.sections if s.category in (Category.RESIDENCE,
                                                                                     Category.BENEFITS))
    tabs.append({"key": "assessment", "label": _("Rechtliche Einschätzung"), "allowed": assessable,
                 "url": reverse("web:assessment", args=[pk])})
    tabs += [
        {"key": "consents", "label": _("Einwilligungen"), "allowed": True, "url": reverse("web:consents", args=[pk])},
        {"key": "participations", "label": _("Beteiligungen"), "allowed": True,
         "url": reverse("web:participations", args=[pk])},
        {"key": "journey", "label": _("Verlauf"), "allowed": decide(actor, Action.READ, Category.RESIDENCE,
                                                                     overview.context).allowed,
         "url": reverse("web:journey", args=[pk])},
        {"key": "handovers", "label": _("Übergaben"), "allowed": True,
         "url": reverse("web:person_handovers", args=[pk])},
    ]
    tabs.append({"key": "tasks", "label": _("Aufgaben und Termine"),
                 "allowed": decide(actor, Action.READ, Category.COUNSELLING, overview.context).allowed,
                 "url": reverse("web:person_tasks", args=[pk])})
    placement = decide(actor, Action.READ, Category.PLACEMENT, overview.context).allowed
    tabs += [
        {"key": "offers", "label": _("Kurse und Vermittlungen"), "allowed": placement,
         "url": reverse("web:person_offers", args=[pk])},
        {"key": "matching", "label": _("Passende Angebote"), "allowed": placement,
         "url": reverse("web:person_matches", args=[pk])},
    ]
    tabs.append({"key": "merges", "label": _("Zusammenführungen"), "allowed": True,
                 "url": reverse("web:person_merges", args=[pk])})
    writable = [c for c in Category if _may_write(actor, overview, c)]
    context = {
        "merged_into": merged_into_chain(pk) if overview.person.merged_into_id else None,
        "person": overview.person,
        "identity": sections.base_identity(overview.person),
        "tabs": tabs,
        "active_tab": tab,
        "participation": overview.context.participation,
        "writable": [c.value for c in writable],
        "may_edit_core": Category.IDENTITY in writable,
    }
    context.update(extra)
    return context


def _entry_list(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Entries for display: links between corrections and corrected entries resolved to titles."""
    by_id = {e["id"]: e for e in entries}
    for e in entries:
        e["occurred"] = datetime.fromisoformat(e["occurred_at"]) if e.get("occurred_at") else None
        e["category_label"] = tr(Category(e["category"]).label)
        e["corrects_entry"] = by_id.get(e["corrects"]) if e.get("corrects") else None
        e["corrected_by_entries"] = [by_id[i] for i in e.get("corrected_by", []) if i in by_id]
    return entries


# ---------------------------------------------------------------------------------------------------------------
# Tabs


@login_required
def overview(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    ov = _open(actor, pk)
    entries = files.timeline(actor=actor, person_id=pk)
    page = Paginator(entries, TIMELINE_PAGE_SIZE).get_page(request.GET.get("seite"))
    rows = annotate_provenance(pk, {"entries": [sections.entry_dict(e) for e in page.object_list]})["entries"]
    items = _entry_list(rows)
    return render(request, "web/person/overview.html", _frame(request, ov, "overview", page=page, entries=items,
                                                                    sections=ov.sections))


SECTION_TEMPLATES = {Category.IDENTITY: "web/person/section_identity.html",
                     Category.RESIDENCE: "web/person/section_residence.html",
                     Category.COMPETENCES: "web/person/section_competences.html"}


@login_required
def section(request: HttpRequest, pk: int, category: str) -> HttpResponse:
    if category not in Category._value2member_map_:
        raise Http404(_("Diesen Bereich gibt es nicht."))
    cat = Category(category)
    actor = actor_of(request)
    ov = _open(actor, pk)
    context = _frame(request, ov, cat.value, category=cat, category_label=tr(cat.label),
                     section_template=SECTION_TEMPLATES.get(cat))
    try:
        data = files.read_section(actor=actor, person_id=pk, category=cat)
    except AccessDenied as exc:
        context["refusal"] = translate_message(exc.reason)
        return render(request, "web/person/section.html", context, status=403)
    except NotFound as exc:
        raise not_found(exc) from exc
    context["data"] = annotate_provenance(pk, data)
    context["entries"] = _entry_list(data.get("entries", []))
    return render(request, "web/person/section.html", context)


# ---------------------------------------------------------------------------------------------------------------
# Timeline entries


@login_required
def add_entry(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    ov = _open(actor, pk)
    writable = [c for c in Category if _may_write(actor, ov, c)]
    if not writable:
        reason = decide(actor, Action.WRITE, Category.COUNSELLING, ov.context).reason
        return refuse(request, reason)
    max_mb = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
    status = 200
    if request.method == "POST":
        form = EntryForm(request.POST, request.FILES, categories=writable, max_mb=max_mb)
        if form.is_valid():
            c = form.cleaned_data
            uploaded = c.get("attachment")
            uploads = [Upload(uploaded.name, uploaded, uploaded.size)] if uploaded else []
            try:
                entry = files.add_entry(actor=actor, person_id=pk, kind=c["kind"], category=c["category"],
                                        title=c["title"], text=c["text"], occurred_at=c["occurred_at"],
                                        attachments=uploads)
            except InvalidInput as exc:
                form.apply_service_errors(exc)
            except AccessDenied as exc:
                form.add_error(None, _("Kein Zugriff: %(reason)s") % {"reason": translate_message(exc.reason)})
                status = 403
            except NotFound as exc:
                raise not_found(exc) from exc
            else:
                messages.success(request, _("Der Eintrag „%(title)s“ wurde gespeichert.") % {"title": entry.title})
                return redirect(reverse("web:person", args=[pk]) + f"#eintrag-{entry.pk}")
    else:
        wanted = request.GET.get("kategorie")
        initial = {"category": wanted if wanted in [c.value for c in writable] else
                   (Category.COUNSELLING if Category.COUNSELLING in writable else writable[0]).value,
                   "kind": EntryKind.NOTE}
        form = EntryForm(initial=initial, categories=writable, max_mb=max_mb)
    return render(request, "web/person/entry_form.html", _frame(request, ov, "overview", form=form), status=status)


@login_required
def correct_entry(request: HttpRequest, pk: int, entry_id: int) -> HttpResponse:
    actor = actor_of(request)
    ov = _open(actor, pk)
    entry = files.timeline(actor=actor, person_id=pk).filter(pk=entry_id).first()
    if entry is None:
        raise Http404(_("Der Eintrag wurde nicht gefunden."))
    original = _entry_list([sections.entry_dict(entry)])[0]
    decision = decide(actor, Action.WRITE, Category(entry.category), ov.context)
    if not decision:
        return refuse(request, decision.reason)
    status = 200
    if request.method == "POST":
        form = CorrectionForm(request.POST)
        if form.is_valid():
            c = form.cleaned_data
            try:
                new = files.correct_entry(actor=actor, person_id=pk, entry_id=entry_id, title=c["title"],
                                          text=c["text"], reason=c["reason"])
            except InvalidInput as exc:
                form.apply_service_errors(exc)
            except AccessDenied as exc:
                form.add_error(None, _("Kein Zugriff: %(reason)s") % {"reason": translate_message(exc.reason)})
                status = 403
            except NotFound as exc:
                raise not_found(exc) from exc
            else:
                messages.success(request, _("Die Berichtigung wurde gespeichert; der ursprüngliche Eintrag bleibt "
                                            "erhalten."))
                return redirect(reverse("web:person", args=[pk]) + f"#eintrag-{new.pk}")
    else:
        form = CorrectionForm(initial={"title": entry.title, "text": entry.text})
    return render(request, "web/person/correction_form.html",
                  _frame(request, ov, "overview", form=form, original=original), status=status)


@login_required
def attachment(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    actor = actor_of(request)
    try:
        att = files.entry_attachment(actor=actor, person_id=pk, attachment_id=attachment_id)
    except NotFound as exc:
        raise not_found(exc) from exc
    return _download(att)


@login_required
def consent_form(request: HttpRequest, pk: int, consent_id: int) -> FileResponse:
    try:
        att = files.consent_form(actor=actor_of(request), person_id=pk, consent_id=consent_id)
    except NotFound as exc:
        raise not_found(exc) from exc
    return _download(att)


def _download(att: Attachment) -> FileResponse:
    path = files.attachment_path(att)
    if not path.exists():
        raise Http404(_("Die Datei des Anhangs fehlt in der Ablage."))
    response = FileResponse(path.open("rb"), as_attachment=True, filename=att.filename,
                            content_type=att.content_type)
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------------------------------------------------------
# Core data (optimistic locking) and added records


FIELD_LABELS = {"sex": gettext_lazy("Geschlecht"), "birth_date": gettext_lazy("Geburtsdatum"),
                "birth_date_precision": gettext_lazy("Genauigkeit des Geburtsdatums"),
                "birth_place": gettext_lazy("Geburtsort"), "birth_country": gettext_lazy("Geburtsland")}


def _current_values(person: Any) -> list[dict[str, str]]:
    return [
        {"label": str(FIELD_LABELS["sex"]), "value": tr(Sex(person.sex).label)},
        {"label": str(FIELD_LABELS["birth_date"]), "value": person.birth_date.strftime("%d.%m.%Y")
         if person.birth_date else "–"},
        {"label": str(FIELD_LABELS["birth_date_precision"]),
         "value": tr(DatePrecision(person.birth_date_precision).label)},
        {"label": str(FIELD_LABELS["birth_place"]), "value": person.birth_place or "–"},
        {"label": str(FIELD_LABELS["birth_country"]),
         "value": country_name(person.birth_country) if person.birth_country else "–"},
    ]


@login_required
def edit_person(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    ov = _open(actor, pk)
    decision = decide(actor, Action.WRITE, Category.IDENTITY, ov.context)
    if not decision:
        return refuse(request, decision.reason)
    conflict = None
    status = 200
    if request.method == "POST":
        form = PersonEditForm(request.POST)
        if form.is_valid():
            try:
                people.update_person(actor=actor, person_id=pk, version=form.cleaned_data["version"],
                                     changes=form.changes())
            except Conflict as exc:
                ov.person.refresh_from_db()
                conflict = {
                    "message": translate_message(exc.message),
                    "changes": [
                        {"at": datetime.fromisoformat(ch["at"]), "by": ch.get("by", ""), "agency": ch.get("agency", ""),
                         "fields": [str(FIELD_LABELS.get(f, f)) for f in ch.get("fields", [])]}
                        for ch in exc.changes
                    ],
                    "current": _current_values(ov.person),
                }
                # Keep what the user typed; the hidden version moves on, so saving again is a deliberate choice.
                data = request.POST.copy()
                data["version"] = str(exc.current_version)
                form = PersonEditForm(data)
                form.is_valid()
                status = 409
            except InvalidInput as exc:
                form.apply_service_errors(exc)
            except AccessDenied as exc:
                return refuse(request, exc.reason)
            except NotFound as exc:
                raise not_found(exc) from exc
            else:
                messages.success(request, _("Die Stammdaten wurden gespeichert."))
                return redirect("web:section", pk=pk, category=Category.IDENTITY.value)
    else:
        form = PersonEditForm(initial=PersonEditForm.initial_for(ov.person))
    return render(request, "web/person/edit.html",
                  _frame(request, ov, Category.IDENTITY.value, form=form, conflict=conflict), status=status)


@dataclass(frozen=True)
class RecordSpec:
    form: type[StellaForm]
    service: Callable[..., Any]
    title: Any
    categories: tuple[Category, ...]
    lead: Any = ""


RECORDS: dict[str, RecordSpec] = {
    "name": RecordSpec(NameForm, people.add_name, gettext_lazy("Schreibweise des Namens hinzufügen"),
                       (Category.IDENTITY,),
                       gettext_lazy("Frühere Schreibweisen bleiben erhalten; die Suche findet alle.")),
    "kennung": RecordSpec(IdentifierForm, people.add_identifier, gettext_lazy("Kennung hinzufügen"),
                          (Category.IDENTITY,)),
    "staatsangehoerigkeit": RecordSpec(NationalityForm, people.add_nationality,
                                       gettext_lazy("Staatsangehörigkeit hinzufügen"), (Category.IDENTITY,)),
    "kontakt": RecordSpec(ContactForm, people.add_contact, gettext_lazy("Kontakt hinzufügen"), (Category.IDENTITY,)),
    "dokument": RecordSpec(DocumentForm, people.add_document, gettext_lazy("Dokument hinzufügen"),
                           (Category.IDENTITY, Category.RESIDENCE),
                           gettext_lazy("Reisepässe gehören zur Identität, Aufenthaltsdokumente zum Aufenthalt.")),
    "anschrift": RecordSpec(AddressForm, people.add_address, gettext_lazy("Neue Anschrift erfassen"),
                            (Category.RESIDENCE,),
                            gettext_lazy("Die bisherige Anschrift endet am Tag vor dem Einzug.")),
    "sprache": RecordSpec(LanguageForm, people.add_language, gettext_lazy("Sprachkenntnis hinzufügen"),
                          (Category.COMPETENCES,)),
}


@login_required
def add_record(request: HttpRequest, pk: int, record: str) -> HttpResponse:
    spec = RECORDS.get(record)
    if spec is None:
        raise Http404(_("Diese Seite gibt es nicht."))
    actor = actor_of(request)
    ov = _open(actor, pk)
    decisions = [decide(actor, Action.WRITE, c, ov.context) for c in spec.categories]
    if not any(decisions):
        return refuse(request, decisions[0].reason)
    status = 200
    if request.method == "POST":
        form = spec.form(request.POST)
        if form.is_valid():
            payload = form.payload()  # type: ignore[attr-defined]
            try:
                spec.service(actor=actor, person_id=pk, **payload)
            except InvalidInput as exc:
                form.apply_service_errors(exc)
            except AccessDenied as exc:
                form.add_error(None, _("Kein Zugriff: %(reason)s") % {"reason": translate_message(exc.reason)})
                status = 403
            except NotFound as exc:
                raise not_found(exc) from exc
            else:
                messages.success(request, _("Gespeichert."))
                category = spec.categories[0]
                if record == "dokument" and payload["document"].kind in RESIDENCE_DOCUMENTS:
                    category = Category.RESIDENCE
                return redirect("web:section", pk=pk, category=category.value)
    else:
        form = spec.form()
    return render(request, "web/person/record_form.html",
                  _frame(request, ov, spec.categories[0].value, form=form, title=spec.title, lead=spec.lead),
                  status=status)


# ---------------------------------------------------------------------------------------------------------------
# Consents


def _consent_rows(items: Any) -> list[dict[str, Any]]:
    today = local_today()
    rows = []
    for c in items:
        if c.revoked_at is not None:
            state, label = "revoked", _("widerrufen")
        elif c.valid_from > today:
            state, label = "future", _("noch nicht gültig")
        elif c.valid_until and c.valid_until < today:
            state, label = "expired", _("abgelaufen")
        else:
            state, label = "valid", _("gültig")
        rows.append({"consent": c, "state": state, "state_label": label,
                     "categories": [tr(Category(x).label) for x in c.categories if x in Category._value2member_map_],
                     "agencies": list(c.agencies.all())})
    return rows


@login_required
def consent_list(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    ov = _open(actor, pk)
    try:
        items = files.consents(actor=actor, person_id=pk).select_related("form", "recorded_by", "revoked_by")
    except NotFound as exc:
        raise not_found(exc) from exc
    return render(request, "web/person/consents.html", _frame(request, ov, "consents", rows=_consent_rows(items)))


@login_required
def consent_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    ov = _open(actor, pk)
    if ov.context.participation is None:
        return refuse(request, _("Nur beteiligte Behörden dürfen Einwilligungen erfassen."))
    status = 200
    if request.method == "POST":
        form = ConsentForm(request.POST, request.FILES)
        if form.is_valid():
            c = form.cleaned_data
            scan = c.get("form")
            try:
                files.record_consent(actor=actor, person_id=pk, categories=c["categories"], agency_ids=c["agencies"],
                                     purpose=c["purpose"], valid_from=c["valid_from"], valid_until=c["valid_until"],
                                     form=Upload(scan.name, scan, scan.size) if scan else None)
            except InvalidInput as exc:
                form.apply_service_errors(exc)
            except AccessDenied as exc:
                form.add_error(None, _("Kein Zugriff: %(reason)s") % {"reason": translate_message(exc.reason)})
                status = 403
            except NotFound as exc:
                raise not_found(exc) from exc
            else:
                messages.success(request, _("Die Einwilligung wurde erfasst."))
                return redirect("web:consents", pk=pk)
    else:
        form = ConsentForm()
    return render(request, "web/person/consent_form.html", _frame(request, ov, "consents", form=form), status=status)


@login_required
def consent_revoke(request: HttpRequest, pk: int, consent_id: int) -> HttpResponse:
    actor = actor_of(request)
    ov = _open(actor, pk)
    try:
        consent = files.consents(actor=actor, person_id=pk).filter(pk=consent_id).first()
    except NotFound as exc:
        raise not_found(exc) from exc
    if consent is None:
        raise Http404(_("Die Einwilligung wurde nicht gefunden."))
    status = 200
    if request.method == "POST":
        form = RevokeForm(request.POST)
        if form.is_valid():
            try:
                files.revoke_consent(actor=actor, person_id=pk, consent_id=consent_id, note=form.cleaned_data["note"])
            except InvalidInput as exc:
                form.apply_service_errors(exc)
            except AccessDenied as exc:
                form.add_error(None, _("Kein Zugriff: %(reason)s") % {"reason": translate_message(exc.reason)})
                status = 403
            except NotFound as exc:
                raise not_found(exc) from exc
            else:
                messages.success(request, _("Die Einwilligung wurde widerrufen. Zugriffe, die auf ihr beruhten, "
                                            "enden sofort."))
                return redirect("web:consents", pk=pk)
    else:
        form = RevokeForm()
    return render(request, "web/person/consent_revoke.html",
                  _frame(request, ov, "consents", form=form, row=_consent_rows([consent])[0]), status=status)


# ---------------------------------------------------------------------------------------------------------------
# Participations


@login_required
def participation_list(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    ov = _open(actor, pk)
    form = None
    status = 200
    if ov.context.participation is None and actor.agency_id is not None:
        if request.method == "POST":
            form = ParticipationForm(request.POST)
            if form.is_valid():
                c = form.cleaned_data
                try:
                    files.add_participation(actor=actor, person_id=pk, role=c["role"], legal_basis=c["legal_basis"],
                                            since=c["since"])
                except InvalidInput as exc:
                    form.apply_service_errors(exc)
                except AccessDenied as exc:
                    form.add_error(None, _("Kein Zugriff: %(reason)s") % {"reason": translate_message(exc.reason)})
                    status = 403
                except NotFound as exc:
                    raise not_found(exc) from exc
                else:
                    messages.success(request, _("Ihre Behörde ist jetzt an der Fallakte beteiligt."))
                    return redirect("web:participations", pk=pk)
        else:
            form = ParticipationForm()
    bases = sorted(set(LEGAL_BASIS.get(actor.agency_kind, {}).values()))
    return render(request, "web/person/participations.html",
                  _frame(request, ov, "participations", items=files.participations(ov.person), form=form,
                         legal_bases=bases), status=status)

