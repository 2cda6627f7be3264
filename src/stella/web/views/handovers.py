"""Übergaben: the agency's inbox (incoming, outgoing, recent), one hand-over with its summary and the
accept / reject / re-route / complete forms, the team lead's view of every open hand-over, the panel in
the person's file (with a form to propose one), and bulk hand-overs (criteria with preview, confirm,
progress, per-person report and CSV). Plain forms with CSRF; no script needed."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from stella.agencies.models import Agency, AgencyKind, Function, Region, RegionKind
from stella.authz.policy import Category
from stella.core.errors import AccessDenied, Conflict, InvalidInput, NotFound
from stella.journey import bulk
from stella.journey import handovers as ho
from stella.journey.models import EventKind, HandOverState, ItemState
from stella.web.forms import GermanDateField, StellaForm, _choices
from stella.web.labels import tr, translate_message
from stella.web.views.common import actor_of, case_role_required, not_found, refuse
from stella.web.views.files import _frame, _open

PAGE_SIZE = 30

#: Labels from journey.models and agencies.Function shown here through `tr()`; listed for makemessages.
HANDOVER_LABELS = [
    gettext_noop("Leistungen nach AsylbLG"), gettext_noop("Leistungen nach SGB II"),
    gettext_noop("Arbeitsmarktintegration (SGB III)"), gettext_noop("Arbeitsmarktintegration (SGB II)"),
    gettext_noop("vorläufige Unterbringung"), gettext_noop("Anschlussunterbringung"),
    gettext_noop("Aufenthaltsrecht (Ausländerbehörde)"),
    gettext_noop("vorgeschlagen"), gettext_noop("angenommen"), gettext_noop("abgelehnt"),
    gettext_noop("abgeschlossen"), gettext_noop("zurückgezogen"),
    gettext_noop("offen"), gettext_noop("erledigt"), gettext_noop("übersprungen"), gettext_noop("fehlgeschlagen"),
    gettext_noop("wartet"), gettext_noop("läuft"), gettext_noop("fertig"),
]
#: Service messages without a variable part (translated by `translate_message`); listed for makemessages.
HANDOVER_MESSAGES = [
    gettext_noop('Nur die übernehmende Behörde (Fallbearbeitung, Leistung, Teamleitung) kann die Übergabe annehmen.'),
    gettext_noop('Nur die übernehmende Behörde (Fallbearbeitung, Leistung, Teamleitung) kann die Übergabe ablehnen.'),
    gettext_noop('Nur die beteiligten Behörden (Fallbearbeitung, Leistung, Teamleitung) können die Übergabe umleiten.'),
    gettext_noop('Nur die beteiligten Behörden (Fallbearbeitung, Leistung, Teamleitung) können die Übergabe abschließen.'),
    gettext_noop('Die Übergabe wurde inzwischen von jemand anderem bearbeitet. Ihre Änderung wurde nicht gespeichert.'),
    gettext_noop('Die Übergabe wurde nicht gefunden.'),
    gettext_noop('Die Sammelübergabe wurde nicht gefunden.'),
    gettext_noop('Nur die Teamleitung sieht alle offenen Übergaben.'),
    gettext_noop('Nur die Teamleitung kann eine Sammelübergabe fortsetzen.'),
    gettext_noop('Übergaben schlägt nur eine beteiligte Behörde vor (Fallbearbeitung, Leistung, Teamleitung).'),
    gettext_noop('Sammelübergaben legt nur die Teamleitung der übernehmenden oder der abgebenden Behörde im selben Landkreis an.'),
    gettext_noop('Die Auswahl trifft auf keine Person zu; es wurde nichts angelegt.'),
    gettext_noop('Bitte mindestens einen Aufenthaltsstatus oder eine Staatsangehörigkeit angeben.'),
    gettext_noop('Bitte den Grund der Ablehnung angeben.'),
    gettext_noop('Bitte den Grund der Umleitung angeben.'),
    gettext_noop('Bitte den Anlass angeben.'),
    gettext_noop('Die Übergabe geht bereits an diese Behörde.'),
    gettext_noop('Unbekannte Behörde.'),
    gettext_noop('Das Datum fehlt.'),
    gettext_noop('Ein Statusdatum setzt einen Status voraus.'),
    gettext_noop('Unbekanntes Kriterium.'),
    gettext_noop('„bis“ liegt vor „seit“.'),
]
#: Kinds of agency a hand-over can go to (the ones that lead a function).
RECEIVING_KINDS = (AgencyKind.JC, AgencyKind.AA, AgencyKind.LRA, AgencyKind.STADT, AgencyKind.ABH)
#: Functions offered in the forms (the others are rarely handed over by hand).
FORM_FUNCTIONS = (Function.BENEFITS_SGB2, Function.LABOUR_SGB2, Function.BENEFITS_ASYLBLG, Function.LABOUR_SGB3,
                  Function.ACCOMMODATION_AU, Function.ACCOMMODATION_VU, Function.RESIDENCE)


def _agency_choices() -> list[tuple[str, str]]:
    rows = Agency.objects.filter(active=True, kind__in=RECEIVING_KINDS).order_by("landkreis__name", "kind", "name")
    return [("", "–")] + [(str(a.pk), f"{a.name} ({a.code})") for a in rows]


def _function_choices() -> list[tuple[str, str]]:
    return [("", "–")] + [(f.value, tr(f.label)) for f in FORM_FUNCTIONS]


# --- forms -----------------------------------------------------------------------------------------------

class VersionForm(StellaForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class RejectForm(VersionForm):
    reason = forms.CharField(label=gettext_lazy("Grund der Ablehnung"), max_length=300,
                             widget=forms.Textarea(attrs={"rows": 3}))


class RerouteForm(VersionForm):
    to_agency = forms.ChoiceField(label=gettext_lazy("Stattdessen an"), choices=())
    reason = forms.CharField(label=gettext_lazy("Grund der Umleitung"), max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_agency"].choices = _agency_choices()


class ProposeForm(StellaForm):
    function = forms.ChoiceField(label=gettext_lazy("Aufgabe"), choices=())
    to_agency = forms.ChoiceField(label=gettext_lazy("Übernehmende Behörde"), choices=())
    effective_date = GermanDateField(label=gettext_lazy("Wirksam ab"), help_text=gettext_lazy(
        "TT.MM.JJJJ; höchstens 90 Tage zurück"))
    reason = forms.CharField(label=gettext_lazy("Anlass"), max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["function"].choices = _function_choices()
        self.fields["to_agency"].choices = _agency_choices()


class BulkForm(StellaForm):
    error_map = {"criteria.status": "status", "criteria.nationality": "nationality",
                 "criteria.landkreis": "landkreis", "criteria.municipality": "municipality",
                 "criteria.status_from": "status_from", "criteria.status_until": "status_until",
                 "criteria": "status"}
    status = forms.MultipleChoiceField(label=gettext_lazy("Aufenthaltsstatus (letztes Ereignis)"), choices=(),
                                       required=False, widget=forms.CheckboxSelectMultiple)
    nationality = forms.CharField(label=gettext_lazy("Staatsangehörigkeit"), required=False, max_length=200,
                                  help_text=gettext_lazy("ISO-Codes, durch Komma getrennt, z. B. UKR"))
    landkreis = forms.ChoiceField(label=gettext_lazy("Landkreis"), choices=(), required=False)
    municipality = forms.CharField(label=gettext_lazy("Gemeinde"), required=False, max_length=120)
    status_from = GermanDateField(label=gettext_lazy("Status seit frühestens"), required=False,
                                  help_text=gettext_lazy("TT.MM.JJJJ"))
    status_until = GermanDateField(label=gettext_lazy("Status seit spätestens"), required=False,
                                   help_text=gettext_lazy("TT.MM.JJJJ"))
    function = forms.ChoiceField(label=gettext_lazy("Aufgabe"), choices=())
    to_agency = forms.ChoiceField(label=gettext_lazy("Übernehmende Behörde"), choices=())
    effective_date = GermanDateField(label=gettext_lazy("Wirksam ab"), help_text=gettext_lazy("TT.MM.JJJJ"))
    reason = forms.CharField(label=gettext_lazy("Anlass"), max_length=300)
    legal_basis = forms.CharField(label=gettext_lazy("Rechtsgrundlage"), max_length=200, required=False,
                                  help_text=gettext_lazy("z. B. §74 SGB II"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = _choices(EventKind)
        self.fields["landkreis"].choices = [("", "–")] + [
            (r.code, r.name) for r in Region.objects.filter(kind=RegionKind.LANDKREIS).order_by("name")]
        self.fields["function"].choices = _function_choices()
        self.fields["to_agency"].choices = _agency_choices()

    def service_args(self) -> dict[str, Any]:
        c = self.cleaned_data
        criteria = {"status": c["status"], "nationality": c["nationality"], "landkreis": c["landkreis"],
                    "municipality": c["municipality"], "status_from": c["status_from"],
                    "status_until": c["status_until"]}
        return {"criteria": {k: v for k, v in criteria.items() if v}, "function": c["function"],
                "to_agency_id": int(c["to_agency"]) if c["to_agency"] else None,
                "effective_date": c["effective_date"], "reason": c["reason"]}


# --- inbox -----------------------------------------------------------------------------------------------

TABS = {"eingang": ("in", "open"), "ausgang": ("out", "open"), "erledigt": ("all", "")}


@case_role_required
def inbox(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    tab = request.GET.get("ansicht", "eingang")
    if tab not in TABS:
        tab = "eingang"
    direction, state = TABS[tab]
    qs = ho.handovers_for(actor=actor, direction=direction, state=state).prefetch_related("person__names")
    if tab == "erledigt":
        qs = qs.exclude(state__in=ho.OPEN_STATES)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("seite"))
    return render(request, "web/handovers/inbox.html", {
        "tab": tab, "page": page, "query": f"ansicht={tab}", "rows": _rows(page.object_list),
        "is_team_lead": actor.has_role("team_lead"),
    })


def _rows(items: Any) -> list[dict[str, Any]]:
    return [{"h": h, "overdue": ho.is_overdue(h), "state_label": tr(HandOverState(h.state).label),
             "function_label": tr(h.get_function_display())} for h in items]


@case_role_required
def team(request: HttpRequest) -> HttpResponse:
    try:
        items = ho.team_open_handovers(actor=actor_of(request))
    except AccessDenied as exc:
        return refuse(request, exc.reason)
    rows = [{"h": h, "overdue": overdue, "state_label": tr(HandOverState(h.state).label),
             "function_label": tr(h.get_function_display())} for h, overdue in items]
    return render(request, "web/handovers/team.html", {"rows": rows, "overdue": sum(1 for r in rows if r["overdue"]),
                                                       "response_days": ho.RESPONSE_DAYS,
                                                       "grace_days": ho.COMPLETION_GRACE_DAYS})


# --- one hand-over ----------------------------------------------------------------------------------------

def _detail_page(request: HttpRequest, handover_id: int, *, reject: RejectForm | None = None,
                 reroute: RerouteForm | None = None, error: str = "", status: int = 200) -> HttpResponse:
    actor = actor_of(request)
    try:
        view = ho.handover_detail(actor=actor, handover_id=handover_id)
    except NotFound as exc:
        raise not_found(exc) from exc
    h = view.handover
    version = {"version": h.version}
    summary = view.summary
    withheld = [tr(Category(c).label) for c in summary.get("withheld", []) if c in Category._value2member_map_]
    return render(request, "web/handovers/detail.html", {
        "view": view, "h": h, "summary": summary, "withheld": withheld, "error": error,
        "state_label": tr(HandOverState(h.state).label), "function_label": tr(h.get_function_display()),
        "overdue": ho.is_overdue(h),
        "entries": [(tr(Category(c).label), n) for c, n in summary.get("entries", {}).items()
                    if c in Category._value2member_map_],
        "accept_form": VersionForm(initial=version, prefix="accept") if view.may_accept else None,
        "complete_form": VersionForm(initial=version, prefix="complete") if view.may_complete else None,
        "reject_form": reject or (RejectForm(initial=version, prefix="reject") if view.may_reject else None),
        "reroute_form": reroute or (RerouteForm(initial=version, prefix="reroute") if view.may_reroute else None),
        "complete_possible": view.complete_from is not None and view.complete_from <= date.today(),
    }, status=status)


@case_role_required
def detail(request: HttpRequest, handover_id: int) -> HttpResponse:
    return _detail_page(request, handover_id)


def _decide(request: HttpRequest, handover_id: int, action: str) -> HttpResponse:
    if request.method != "POST":
        return redirect("web:handover", handover_id=handover_id)
    actor = actor_of(request)
    form: VersionForm
    if action == "reject":
        form = RejectForm(request.POST, prefix="reject")
    elif action == "reroute":
        form = RerouteForm(request.POST, prefix="reroute")
    else:
        form = VersionForm(request.POST, prefix=action)
    if not form.is_valid():
        return _form_error(request, handover_id, action, form)
    version = form.cleaned_data["version"]
    try:
        if action == "accept":
            ho.accept_handover(actor=actor, handover_id=handover_id, version=version)
            messages.success(request, _("Die Übergabe wurde angenommen. Ihre Behörde ist ab dem Wirksamkeitsdatum "
                                        "federführend."))
        elif action == "reject":
            ho.reject_handover(actor=actor, handover_id=handover_id, version=version,
                               reason=form.cleaned_data["reason"])
            messages.success(request, _("Die Übergabe wurde abgelehnt; die abgebende Behörde bleibt federführend."))
        elif action == "reroute":
            new = ho.reroute_handover(actor=actor, handover_id=handover_id, version=version,
                                      to_agency_id=int(form.cleaned_data["to_agency"]),
                                      reason=form.cleaned_data["reason"])
            messages.success(request, _("Die Übergabe wurde umgeleitet."))
            return redirect("web:handover", handover_id=new.pk)
        else:
            ho.complete_handover(actor=actor, handover_id=handover_id, version=version)
            messages.success(request, _("Die Übergabe ist abgeschlossen."))
    except Conflict as exc:
        return _detail_page(request, handover_id, error=translate_message(exc.message), status=409)
    except InvalidInput as exc:
        form.apply_service_errors(exc)
        return _form_error(request, handover_id, action, form)
    except AccessDenied as exc:
        return _detail_page(request, handover_id, error=_("Kein Zugriff: %(reason)s") % {
            "reason": translate_message(exc.reason)}, status=403)
    except NotFound as exc:
        raise not_found(exc) from exc
    return redirect("web:handover", handover_id=handover_id)


def _form_error(request: HttpRequest, handover_id: int, action: str, form: StellaForm) -> HttpResponse:
    if isinstance(form, RejectForm):
        return _detail_page(request, handover_id, reject=form, status=422)
    if isinstance(form, RerouteForm):
        return _detail_page(request, handover_id, reroute=form, status=422)
    message = "; ".join(e["text"] for e in form.error_summary()) or _("Bitte prüfen Sie Ihre Eingaben")
    return _detail_page(request, handover_id, error=message, status=422)


@case_role_required
def accept(request: HttpRequest, handover_id: int) -> HttpResponse:
    return _decide(request, handover_id, "accept")


@case_role_required
def reject(request: HttpRequest, handover_id: int) -> HttpResponse:
    return _decide(request, handover_id, "reject")


@case_role_required
def reroute(request: HttpRequest, handover_id: int) -> HttpResponse:
    return _decide(request, handover_id, "reroute")


@case_role_required
def complete(request: HttpRequest, handover_id: int) -> HttpResponse:
    return _decide(request, handover_id, "complete")


# --- the panel in the person's file ---------------------------------------------------------------------

@login_required
def person_handovers(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    ov = _open(actor, pk)
    form: ProposeForm | None = None
    status = 200
    may_propose = ov.context.participation is not None and bool(actor.roles.intersection(ho.DECIDING_ROLES))
    if may_propose:
        form = ProposeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            c = form.cleaned_data
            try:
                new = ho.propose_handover(actor=actor, person_id=pk, function=c["function"],
                                          to_agency_id=int(c["to_agency"]), reason=c["reason"],
                                          effective_date=c["effective_date"])
            except InvalidInput as exc:
                form.apply_service_errors(exc)
            except AccessDenied as exc:
                form.add_error(None, _("Kein Zugriff: %(reason)s") % {"reason": translate_message(exc.reason)})
            except NotFound as exc:
                raise not_found(exc) from exc
            else:
                messages.success(request, _("Die Übergabe wurde vorgeschlagen (Nr. %(id)s).") % {"id": new.pk})
                return redirect("web:person_handovers", pk=pk)
        if request.method == "POST":
            status = 422
    items = ho.person_handovers(actor=actor, person_id=pk)
    return render(request, "web/handovers/person.html",
                  _frame(request, ov, "handovers", rows=_rows(items), form=form), status=status)


# --- bulk ----------------------------------------------------------------------------------------------

def _may_bulk(request: HttpRequest) -> bool:
    return actor_of(request).has_role("team_lead")


@case_role_required
def bulk_list(request: HttpRequest) -> HttpResponse:
    jobs = bulk.jobs_for(actor=actor_of(request))
    page = Paginator(jobs, PAGE_SIZE).get_page(request.GET.get("seite"))
    return render(request, "web/handovers/bulk_list.html", {"page": page, "may_bulk": _may_bulk(request)})


@case_role_required
def bulk_new(request: HttpRequest) -> HttpResponse:
    if not _may_bulk(request):
        return refuse(request, _("Sammelübergaben legt nur die Teamleitung an."))
    actor = actor_of(request)
    form = BulkForm(request.POST or None)
    preview = None
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                if request.POST.get("confirm"):
                    job = bulk.create_bulk_job(actor=actor, legal_basis=form.cleaned_data["legal_basis"],
                                               **form.service_args())
                    messages.success(request, _("Die Sammelübergabe für %(n)s Personen läuft.") % {"n": job.total})
                    return redirect("web:bulk_job", job_id=job.pk)
                preview = bulk.preview_bulk(actor=actor, **form.service_args())
                status = 200
            except InvalidInput as exc:
                form.apply_service_errors(exc)
            except AccessDenied as exc:
                form.add_error(None, _("Kein Zugriff: %(reason)s") % {"reason": translate_message(exc.reason)})
                status = 403
    return render(request, "web/handovers/bulk_new.html", {"form": form, "preview": preview}, status=status)


@case_role_required
def bulk_job(request: HttpRequest, job_id: int) -> HttpResponse:
    actor = actor_of(request)
    state = request.GET.get("stand", "")
    try:
        status = bulk.job_status(actor=actor, job_id=job_id)
        items = bulk.job_items(actor=actor, job_id=job_id, state=state if state in ItemState.values else "")
    except NotFound as exc:
        raise not_found(exc) from exc
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("seite"))
    return render(request, "web/handovers/bulk_job.html", {
        "status": status, "job": status.job, "page": page, "stand": state, "query": f"stand={state}" if state else "",
        "states": [(s.value, tr(s.label), status.counts.get(s.value, 0)) for s in ItemState],
        "function_label": tr(status.job.get_function_display()), "criteria": status.criteria.describe(),
        "may_resume": status.stalled and actor.has_role("team_lead"),
        "item_labels": {s.value: tr(s.label) for s in ItemState},
    })


@case_role_required
def bulk_resume(request: HttpRequest, job_id: int) -> HttpResponse:
    if request.method == "POST":
        try:
            if bulk.resume_job(actor=actor_of(request), job_id=job_id):
                messages.success(request, _("Die Sammelübergabe wurde wieder eingereiht."))
        except AccessDenied as exc:
            return refuse(request, exc.reason)
        except NotFound as exc:
            raise not_found(exc) from exc
    return redirect("web:bulk_job", job_id=job_id)


@case_role_required
def bulk_report(request: HttpRequest, job_id: int) -> HttpResponse:
    try:
        rows = bulk.report_rows(actor=actor_of(request), job_id=job_id)
    except NotFound as exc:
        raise not_found(exc) from exc
    response = StreamingHttpResponse(bulk.csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sammeluebergabe-{job_id}.csv"'
    return response
