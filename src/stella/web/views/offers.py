"""Offers, enrolments and placements in the web UI: the offer list with filters (and, from a person's file, an
"Anmelden" button per offer), an offer with its seats, enrolled persons and waiting list (admit buttons), the
offer form, an enrolment with attendance, completion, drop-out and withdrawal, and the file's tab "Kurse und
Vermittlungen" with enrolments, placements and their outcomes.

Every page calls `offers.services`; the services check access (policy, Kursträger rule) and audit.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from stella.authz.policy import Action, Category, decide
from stella.cases.access import file_context
from stella.core.actor import Actor
from stella.core.errors import AccessDenied, Conflict, InvalidInput, NotFound
from stella.offers import query
from stella.offers import services as service
from stella.offers.access import Act, is_provider, may_manage_offers, provider_decision
from stella.offers.models import (
    LANGUAGE_KINDS,
    WORK_KINDS,
    Enrolment,
    EnrolmentState,
    OfferKind,
    OfferState,
)
from stella.web.labels import translate_message
from stella.web.offer_forms import (
    AttendanceForm,
    CompleteForm,
    EndPlacementForm,
    EnrolRequestForm,
    OfferFilterForm,
    OfferForm,
    OutcomeForm,
    PlacementForm,
    ReasonForm,
)
from stella.web.views.common import actor_of, case_role_required, not_found, refuse
from stella.web.views.files import _frame, _open

PAGE_SIZE = 25
TAB = "offers"
#: How many open offers the enrolment select on a person's page lists (the offer search finds the rest).
SELECT_LIMIT = 200

#: Messages of offers.services without a variable part (kept for makemessages).
SERVICE_MESSAGES = [
    gettext_noop("Das Angebot wurde nicht gefunden."),
    gettext_noop("Die Teilnahme wurde nicht gefunden."),
    gettext_noop("Die Vermittlung wurde nicht gefunden."),
    gettext_noop("Ihre Rolle hat keinen Zugriff auf Angebote."),
    gettext_noop("Nur die Behörde, die das Angebot verwaltet, darf es ändern."),
    gettext_noop("Ein Kursträger sieht nur die Teilnahmen an seinen eigenen Angeboten."),
    gettext_noop("Ein Kursträger erfasst Anwesenheit, Abschluss und Abbruch; über Anmeldung und Aufnahme entscheidet "
                 "die vermittelnde Behörde."),
    gettext_noop("Die Person ist für dieses Angebot bereits angemeldet oder steht auf der Warteliste."),
    gettext_noop("Der Titel fehlt."),
    gettext_noop("Der Beginn fehlt."),
    gettext_noop("Ein Angebot hat mindestens einen Platz."),
    gettext_noop("Bitte den Ort (Gemeinde) angeben."),
    gettext_noop("Bitte den Träger bzw. Arbeitgeber angeben."),
    gettext_noop("Bitte das Programm der Maßnahme angeben (z. B. PerF, KompAS, EQ)."),
    gettext_noop("Für Integrationskurse und Berufssprachkurse (DeuFöV) bitte das Zielniveau angeben."),
    gettext_noop("Für Ausbildungsplätze und Stellen bitte den Beruf angeben (KldB-2010-Schlüssel, 5-stellig)."),
    gettext_noop("Wer anwesend war, fehlt nicht entschuldigt."),
    gettext_noop("Ein erreichtes Sprachniveau gibt es nur bei Sprachkursen."),
    gettext_noop("Bitte den Grund des Abbruchs angeben."),
    gettext_noop("Bitte den Grund des Rückzugs angeben."),
    gettext_noop("Bitte angeben, warum das Angebot abgesagt wird."),
    gettext_noop("Bitte den Arbeitgeber bzw. Ausbildungsbetrieb angeben."),
    gettext_noop("Der Verbleib wird nach 6 oder nach 12 Monaten erfasst."),
    gettext_noop("Eine Vermittlung geht nur aus einem Ausbildungsplatz oder einer Stelle hervor."),
    gettext_noop("Die Person ist in dieses Angebot bereits vermittelt."),
]

#: Labels of offers.models shown through |tr (kept for makemessages).
DOMAIN_LABELS = [
    gettext_noop("Integrationskurs"), gettext_noop("Berufsbezogene Deutschsprachförderung (DeuFöV)"),
    gettext_noop("Qualifizierungs- oder Aktivierungsmaßnahme"), gettext_noop("Ausbildungsplatz"),
    gettext_noop("Stelle"), gettext_noop("PerF (Perspektiven für Flüchtlinge)"),
    gettext_noop("KompAS (Kompetenzfeststellung, Aktivierung, Sprache)"), gettext_noop("Einstiegsqualifizierung (EQ)"),
    gettext_noop("Maßnahme bei einem Arbeitgeber (MAG)"), gettext_noop("andere Maßnahme"),
    gettext_noop("offen"), gettext_noop("geschlossen"), gettext_noop("abgesagt"),
    gettext_noop("Warteliste"), gettext_noop("angemeldet"), gettext_noop("abgeschlossen"), gettext_noop("abgebrochen"),
    gettext_noop("zurückgezogen"), gettext_noop("sozialversicherungspflichtige Beschäftigung"),
    gettext_noop("voll qualifizierende Berufsausbildung"), gettext_noop("selbständige Tätigkeit"),
    gettext_noop("geringfügige Beschäftigung (Minijob)"), gettext_noop("weiterhin beschäftigt bzw. in Ausbildung"),
    gettext_noop("anderweitig beschäftigt"), gettext_noop("beendet, nicht beschäftigt"), gettext_noop("unbekannt"),
]


def _may_write_placement(actor: Actor, person_id: int) -> bool:
    return decide(actor, Action.WRITE, Category.PLACEMENT, file_context(actor, person_id)).allowed


def _errors_as_messages(request: HttpRequest, exc: InvalidInput) -> None:
    for field_messages in exc.field_errors.values():
        for message in field_messages:
            messages.error(request, translate_message(message))


# ---------------------------------------------------------------------------------------------------------------
# Offers


def _person_context(request: HttpRequest, actor: Actor) -> Any:
    """The person an offer search is for (`?person=<id>`), if the actor may enrol them."""
    raw = request.GET.get("person", "")
    if not raw.isdigit():
        return None
    overview = _open(actor, int(raw))
    return overview.person if _may_write_placement(actor, overview.person.pk) else None


@case_role_required
def offer_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = OfferFilterForm(request.GET)
    filters = form.filters(actor.agency_id) if form.is_valid() else query.OfferFilter()
    try:
        offers = service.list_offers(actor=actor, filters=filters)
    except AccessDenied as exc:
        return refuse(request, exc.reason)
    page = Paginator(offers, PAGE_SIZE).get_page(request.GET.get("seite"))
    params = request.GET.copy()
    params.pop("seite", None)
    return render(request, "web/offers/list.html", {
        "form": form, "page": page, "query": params.urlencode(), "for_person": _person_context(request, actor),
        "may_create": may_manage_offers(actor).allowed})


def _save_offer(request: HttpRequest, offer_id: int | None) -> HttpResponse:
    actor = actor_of(request)
    offer = None
    if offer_id is not None:
        try:
            offer = service.get_offer(actor=actor, offer_id=offer_id)
        except NotFound as exc:
            raise not_found(exc) from exc
    decision = may_manage_offers(actor, offer)
    if not decision:
        return refuse(request, decision.reason)
    status = 200
    if request.method == "POST":
        form = OfferForm(request.POST)
        if form.is_valid():
            try:
                if offer is None:
                    offer = service.create_offer(actor=actor, data=form.payload())
                    messages.success(request, _("Das Angebot wurde angelegt."))
                else:
                    service.update_offer(actor=actor, offer_id=offer.pk, version=form.cleaned_data.get("version") or 0,
                                         data=form.payload())
                    messages.success(request, _("Das Angebot wurde gespeichert."))
            except InvalidInput as exc:
                form.apply_service_errors(exc)
            except Conflict as exc:
                form.add_error(None, translate_message(exc.message))
                status = 409
            except AccessDenied as exc:
                return refuse(request, exc.reason)
            else:
                return redirect("web:offer", offer_id=offer.pk)
    else:
        form = OfferForm.for_offer(offer) if offer is not None else OfferForm(initial={"seats": 15})
    return render(request, "web/offers/form.html", {"form": form, "offer": offer}, status=status)


@case_role_required
def offer_new(request: HttpRequest) -> HttpResponse:
    return _save_offer(request, None)


@case_role_required
def offer_edit(request: HttpRequest, offer_id: int) -> HttpResponse:
    return _save_offer(request, offer_id)


@case_role_required
def offer_detail(request: HttpRequest, offer_id: int, cancel_form: ReasonForm | None = None,
                 status: int = 200) -> HttpResponse:
    actor = actor_of(request)
    try:
        roster = service.offer_roster(actor=actor, offer_id=offer_id)
    except NotFound as exc:
        raise not_found(exc) from exc
    except AccessDenied as exc:
        return refuse(request, exc.reason)
    offer = roster.offer
    admit_ids = set() if is_provider(actor) else {
        r.enrolment.person_id for r in roster.waiting
        if r.enrolment is not None and _may_write_placement(actor, r.enrolment.person_id)}
    may_manage = may_manage_offers(actor, offer).allowed and offer.state == OfferState.OPEN
    return render(request, "web/offers/detail.html", {
        "offer": offer, "roster": roster, "admit_ids": admit_ids, "may_manage": may_manage,
        "may_admit": offer.state == OfferState.OPEN and not is_provider(actor),
        "full": offer.free_seats <= 0, "cancel_form": cancel_form or ReasonForm(prefix="cancel")}, status=status)


@require_POST
@case_role_required
def offer_close(request: HttpRequest, offer_id: int) -> HttpResponse:
    try:
        service.close_offer(actor=actor_of(request), offer_id=offer_id)
    except NotFound as exc:
        raise not_found(exc) from exc
    except AccessDenied as exc:
        return refuse(request, exc.reason)
    except InvalidInput as exc:
        _errors_as_messages(request, exc)
    else:
        messages.success(request, _("Das Angebot ist geschlossen: keine neuen Anmeldungen, die Plätze bleiben."))
    return redirect("web:offer", offer_id=offer_id)


@require_POST
@case_role_required
def offer_cancel(request: HttpRequest, offer_id: int) -> HttpResponse:
    form = ReasonForm(request.POST, prefix="cancel")
    if form.is_valid():
        try:
            service.cancel_offer(actor=actor_of(request), offer_id=offer_id, reason=form.cleaned_data["reason"])
        except NotFound as exc:
            raise not_found(exc) from exc
        except AccessDenied as exc:
            return refuse(request, exc.reason)
        except InvalidInput as exc:
            form.apply_service_errors(exc)
        else:
            messages.success(request, _("Das Angebot ist abgesagt; alle Anmeldungen sind zurückgezogen und die "
                                        "anmeldenden Behörden benachrichtigt."))
            return redirect("web:offer", offer_id=offer_id)
    return offer_detail(request, offer_id, cancel_form=form)


# ---------------------------------------------------------------------------------------------------------------
# Enrolments


def _back(request: HttpRequest, enrolment: Enrolment | None, fallback: str) -> HttpResponse:
    """Back to the page the action came from: the person's tab or the offer (never an outside URL)."""
    if enrolment is not None and request.POST.get("zurueck") == "person":
        return redirect("web:person_offers", pk=enrolment.person_id)
    return redirect(fallback)


@require_POST
@case_role_required
def enrolment_admit(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    actor = actor_of(request)
    try:
        enrolment = service.admit(actor=actor, enrolment_id=enrolment_id)
    except NotFound as exc:
        raise not_found(exc) from exc
    except AccessDenied as exc:
        return refuse(request, exc.reason)
    except InvalidInput as exc:
        messages.error(request, _("Die Person wurde nicht aufgenommen:"))
        _errors_as_messages(request, exc)
        row = Enrolment.objects.filter(pk=enrolment_id).first()  # readable: admit checked access first
        assert row is not None
        return _back(request, row, reverse("web:offer", args=[row.offer_id]))
    messages.success(request, _("Die Person hat einen Platz erhalten. Die anmeldende Behörde wurde benachrichtigt."))
    return _back(request, enrolment, reverse("web:offer", args=[enrolment.offer_id]))


def _enrolment_forms(data: Any = None, which: str = "") -> dict[str, Any]:
    return {
        "attendance_form": AttendanceForm(data if which == "attendance" else None, prefix="attendance"),
        "complete_form": CompleteForm(data if which == "complete" else None, prefix="complete"),
        "drop_form": ReasonForm(data if which == "drop" else None, prefix="drop"),
        "withdraw_form": ReasonForm(data if which == "withdraw" else None, prefix="withdraw"),
    }


def _enrolment_page(request: HttpRequest, enrolment_id: int, forms: dict[str, Any] | None = None,
                    status: int = 200) -> HttpResponse:
    actor = actor_of(request)
    try:
        enrolment = service.get_enrolment(actor=actor, enrolment_id=enrolment_id)
    except NotFound as exc:
        raise not_found(exc) from exc
    except AccessDenied as exc:
        return refuse(request, exc.reason)
    offer = enrolment.offer
    if is_provider(actor):
        allowed = {act for act in Act if provider_decision(actor, offer, act).allowed}
        may_file = False
    else:
        may_file = True
        allowed = set(Act) if _may_write_placement(actor, enrolment.person_id) else {Act.READ}
    state = enrolment.state
    may = {
        "attendance": Act.ATTENDANCE in allowed and state == EnrolmentState.ENROLLED,
        "complete": Act.COMPLETE in allowed and state == EnrolmentState.ENROLLED,
        "drop": Act.DROP in allowed and state == EnrolmentState.ENROLLED,
        "withdraw": Act.WITHDRAW in allowed and state in (EnrolmentState.WAITING, EnrolmentState.ENROLLED),
        "admit": Act.ADMIT in allowed and state == EnrolmentState.WAITING and offer.state == OfferState.OPEN,
    }
    return render(request, "web/offers/enrolment.html", {
        "enrolment": enrolment, "offer": offer, "summary": service.attendance_summary(enrolment),
        "attendance": list(enrolment.attendance.all()), "may": may, "may_file": may_file,
        "is_language": offer.kind in LANGUAGE_KINDS, **(forms or _enrolment_forms())}, status=status)


@case_role_required
def enrolment_detail(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    return _enrolment_page(request, enrolment_id)


def _enrolment_act(request: HttpRequest, enrolment_id: int, which: str) -> HttpResponse:
    actor = actor_of(request)
    forms = _enrolment_forms(request.POST, which)
    form = forms[f"{which}_form"]
    if form.is_valid():
        c = form.cleaned_data
        try:
            if which == "attendance":
                service.record_attendance(actor=actor, enrolment_id=enrolment_id, **form.payload())
                messages.success(request, _("Die Anwesenheit wurde erfasst."))
            elif which == "complete":
                service.complete(actor=actor, enrolment_id=enrolment_id, ended_on=c.get("ended_on"),
                                 result_level=c.get("result_level") or "", result_note=c.get("result_note") or "")
                messages.success(request, _("Der Abschluss wurde erfasst."))
            elif which == "drop":
                service.drop(actor=actor, enrolment_id=enrolment_id, reason=c["reason"])
                messages.success(request, _("Der Abbruch wurde erfasst; der Platz ist wieder frei."))
            else:
                service.withdraw(actor=actor, enrolment_id=enrolment_id, reason=c["reason"])
                messages.success(request, _("Die Anmeldung wurde zurückgezogen."))
        except InvalidInput as exc:
            form.apply_service_errors(exc)
        except AccessDenied as exc:
            return refuse(request, exc.reason)
        except NotFound as exc:
            raise not_found(exc) from exc
        else:
            return redirect("web:enrolment", enrolment_id=enrolment_id)
    return _enrolment_page(request, enrolment_id, forms)


@require_POST
@case_role_required
def enrolment_attendance(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    return _enrolment_act(request, enrolment_id, "attendance")


@require_POST
@case_role_required
def enrolment_complete(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    return _enrolment_act(request, enrolment_id, "complete")


@require_POST
@case_role_required
def enrolment_drop(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    return _enrolment_act(request, enrolment_id, "drop")


@require_POST
@case_role_required
def enrolment_withdraw(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    return _enrolment_act(request, enrolment_id, "withdraw")


# ---------------------------------------------------------------------------------------------------------------
# The person's tab "Kurse und Vermittlungen"


def _file_frame(request: HttpRequest, overview: Any, **extra: Any) -> dict[str, Any]:
    """The file's frame with the tab "Kurse und Vermittlungen" active."""
    return _frame(request, overview, TAB, **extra)


def _open_offers(actor: Actor, kinds: Any = None) -> Any:
    qs = service.list_offers(actor=actor, filters=query.OfferFilter(starts_after=None))
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    return list(qs[:SELECT_LIMIT])


def _person_page(request: HttpRequest, pk: int, enrol_form: EnrolRequestForm | None = None,
                 status: int = 200) -> HttpResponse:
    actor = actor_of(request)
    ov = _open(actor, pk)
    decision = decide(actor, Action.READ, Category.PLACEMENT, ov.context)
    if not decision:
        return render(request, "web/offers/person.html", _file_frame(request, ov, refusal=translate_message(
            decision.reason)), status=403)
    enrolments = list(service.person_enrolments(actor=actor, person_id=pk))
    placements = list(service.person_placements(actor=actor, person_id=pk))
    may_write = _may_write_placement(actor, pk)
    context = _file_frame(
        request, ov, enrolments=enrolments, placements=[{
            "placement": p, "due_6": service.outcome_due(p, 6), "due_12": service.outcome_due(p, 12),
            "outcome_form": OutcomeForm(prefix=f"p{p.pk}"), "end_form": EndPlacementForm(prefix=f"e{p.pk}"),
        } for p in placements], may_write=may_write,
        enrol_form=enrol_form or (EnrolRequestForm(offers_qs=_open_offers(actor)) if may_write else None))
    return render(request, "web/offers/person.html", context, status=status)


@case_role_required
def person_offers(request: HttpRequest, pk: int) -> HttpResponse:
    return _person_page(request, pk)


@require_POST
@case_role_required
def person_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    """Enrol the person (waiting list, or directly into a free seat) from the tab's form or the offer search."""
    actor = actor_of(request)
    _open(actor, pk)  # an unknown or invisible person: 404 before anything else
    form = EnrolRequestForm(request.POST, offers_qs=_open_offers(actor))
    if form.is_valid():
        offer_id = form.cleaned_data["offer"]
        try:
            if form.cleaned_data.get("direct"):
                service.enrol(actor=actor, person_id=pk, offer_id=offer_id)
                messages.success(request, _("Die Person hat einen Platz im Angebot erhalten."))
            else:
                enrolment = service.request_enrolment(actor=actor, person_id=pk, offer_id=offer_id)
                position = query.with_waiting_position(Enrolment.objects.filter(pk=enrolment.pk)).get()
                messages.success(request, _("Die Person steht auf der Warteliste (Platz %(n)s).")
                                 % {"n": position.waiting_position})
        except InvalidInput as exc:
            form.apply_service_errors(exc)
        except NotFound as exc:
            form.add_error("offer", translate_message(exc.message))
        except AccessDenied as exc:
            return refuse(request, exc.reason)
        else:
            return redirect("web:person_offers", pk=pk)
    return _person_page(request, pk, enrol_form=form)


@case_role_required
def placement_new(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    ov = _open(actor, pk)
    if not _may_write_placement(actor, pk):
        decision = decide(actor, Action.WRITE, Category.PLACEMENT, ov.context)
        return refuse(request, decision.reason)
    work_offers = _open_offers(actor, WORK_KINDS)
    status = 200
    if request.method == "POST":
        form = PlacementForm(request.POST, offers_qs=work_offers)
        if form.is_valid():
            try:
                service.record_placement(actor=actor, person_id=pk, **form.payload())
            except InvalidInput as exc:
                form.apply_service_errors(exc)
            except AccessDenied as exc:
                return refuse(request, exc.reason)
            else:
                messages.success(request, _("Die Vermittlung wurde erfasst."))
                return redirect("web:person_offers", pk=pk)
    else:
        initial = {}
        chosen = request.GET.get("angebot", "")
        if chosen.isdigit():
            offer = next((o for o in work_offers if o.pk == int(chosen)), None)
            if offer is not None:
                initial = {"offer": offer.pk, "employer": offer.provider,
                           "kind": "training" if offer.kind == OfferKind.TRAINING else "employment",
                           "starts_on": offer.starts_on}
        form = PlacementForm(initial=initial, offers_qs=work_offers)
    return render(request, "web/offers/placement_form.html", _file_frame(request, ov, form=form), status=status)


def _placement_act(request: HttpRequest, placement_id: int, which: str) -> HttpResponse:
    """Outcome or end of a placement, from the forms in the person's tab; back to that tab in every case."""
    actor = actor_of(request)
    try:
        placement = service.get_placement(actor=actor, placement_id=placement_id)
    except NotFound as exc:
        raise not_found(exc) from exc
    form: Any = (OutcomeForm(request.POST, prefix=f"p{placement_id}") if which == "outcome"
                 else EndPlacementForm(request.POST, prefix=f"e{placement_id}"))
    if form.is_valid():
        c = form.cleaned_data
        try:
            if which == "outcome":
                service.record_outcome(actor=actor, placement_id=placement_id, months=c["months"],
                                       outcome=c["outcome"])
                messages.success(request, _("Der Verbleib wurde erfasst."))
            else:
                service.end_placement(actor=actor, placement_id=placement_id, ends_on=c["ends_on"],
                                      reason=c.get("reason") or "")
                messages.success(request, _("Das Ende der Vermittlung wurde erfasst."))
        except InvalidInput as exc:
            _errors_as_messages(request, exc)
        except AccessDenied as exc:
            return refuse(request, exc.reason)
    else:
        for name, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{form[name].label}: {error}" if name in form.fields else error)
    return redirect("web:person_offers", pk=placement.person_id)


@require_POST
@case_role_required
def placement_outcome(request: HttpRequest, placement_id: int) -> HttpResponse:
    return _placement_act(request, placement_id, "outcome")


@require_POST
@case_role_required
def placement_end(request: HttpRequest, placement_id: int) -> HttpResponse:
    return _placement_act(request, placement_id, "end")
