"""Dubletten: the review queue of possible duplicates (most certain first), one pair side by side with the
evidence per field and the decisions "Verschiedene Personen" / "Gleiche Person" (→ merge page), and the
batch runs (start for the own Landkreis, state and counts). Plain forms with CSRF; no script needed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from stella.agencies.models import Region, RegionKind
from stella.core.errors import AccessDenied, Conflict, InvalidInput, NotFound
from stella.linkage import review
from stella.linkage.models import CandidateState
from stella.web.forms import StellaForm
from stella.web.labels import translate_message
from stella.web.views.common import actor_of, case_role_required, not_found, refuse

PAGE_SIZE = 25

#: Service messages without a variable part (translated by `translate_message`); listed for makemessages.
DUPLICATE_MESSAGES = [
    gettext_noop("Der Prüffall wurde nicht gefunden."),
    gettext_noop("Der Dublettenlauf wurde nicht gefunden."),
    gettext_noop("Bitte begründen Sie die Entscheidung."),
    gettext_noop("Dublettenläufe startet nur die Teamleitung einer öffentlichen Stelle."),
    gettext_noop("Ein Dublettenlauf ist nur für den eigenen Landkreis möglich."),
    gettext_noop("Ihre Rolle darf die Identitätsdaten keiner der beiden Fallakten bearbeiten."),
    gettext_noop("Der Prüffall wurde inzwischen von jemand anderem entschieden. Ihre Entscheidung wurde nicht "
                 "gespeichert."),
    gettext_noop("Der Prüffall wurde inzwischen geändert. Ihre Entscheidung wurde nicht gespeichert."),
    gettext_noop("Ihre Behörde hat diesen Prüffall bereits als gleiche Person bestätigt."),
    gettext_noop("Eine der beiden Personen ist bereits in eine andere zusammengeführt."),
    gettext_noop("kein Zugriff"),
]

STATE_CHOICES = [
    ("open", gettext_lazy("unentschieden")), ("confirmed", gettext_lazy("als gleich bestätigt")),
    ("distinct", gettext_lazy("verschiedene Personen")), ("merged", gettext_lazy("zusammengeführt")),
    ("all", gettext_lazy("alle")),
]


class QueueFilter(StellaForm):
    stand = forms.ChoiceField(label=gettext_lazy("Stand"), choices=STATE_CHOICES, required=False)
    landkreis = forms.ChoiceField(label=gettext_lazy("Landkreis"), required=False, choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: forms.ChoiceField = self.fields["landkreis"]  # type: ignore[assignment]
        field.choices = [("", _("alle"))] + list(
            Region.objects.filter(kind=RegionKind.LANDKREIS).order_by("name").values_list("code", "name"))


class DecisionForm(StellaForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    note = forms.CharField(label=gettext_lazy("Begründung"), required=False, max_length=review.NOTE_MAX,
                           widget=forms.Textarea(attrs={"rows": 3}))
    error_map = {"state": "__all__"}


def merge_url(candidate_id: int, a: int, b: int) -> str | None:
    """The merge page (`web:merge_form`, built by the merge part) for this pair, if it is installed."""
    try:
        base = reverse("web:merge_form")
    except NoReverseMatch:
        return None
    return f"{base}?{urlencode({'a': a, 'b': b, 'candidate': candidate_id})}"


@case_role_required
def queue(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    if not review.may_review(actor):
        return refuse(request, _("Die Prüfliste der Dubletten bearbeiten Fallbearbeitung, Registrierung und "
                                 "Teamleitung öffentlicher Stellen."))
    form = QueueFilter(request.GET or None)
    state, district = "open", ""
    if form.is_bound and form.is_valid():
        state = form.cleaned_data["stand"] or "open"
        district = form.cleaned_data["landkreis"] or ""
    try:
        qs = review.queue(actor, district=district or None, state=state)
    except InvalidInput as exc:
        form.apply_service_errors(exc)
        qs = review.queue(actor)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("seite"))
    rows = review.queue_rows(actor, list(page.object_list))
    query = request.GET.copy()
    query.pop("seite", None)
    return render(request, "web/linkage/queue.html", {
        "form": form, "page": page, "rows": rows, "query": query.urlencode(), "state": state,
        "may_run": review.may_start_run(actor),
    })


def _candidate_page(request: HttpRequest, candidate_id: int, *, distinct_form: DecisionForm | None = None,
                    confirm_form: DecisionForm | None = None, error: str = "", status: int = 200) -> HttpResponse:
    actor = actor_of(request)
    try:
        view = review.candidate_detail(actor=actor, candidate_id=candidate_id)
    except NotFound as exc:
        raise not_found(exc) from exc
    c = view.candidate
    initial = {"version": c.version}
    return render(request, "web/linkage/candidate.html", {
        "view": view, "c": c, "error": error,
        "distinct_form": distinct_form or DecisionForm(initial=initial, prefix="distinct"),
        "confirm_form": confirm_form or DecisionForm(initial=initial, prefix="confirm"),
        "merge_url": merge_url(c.pk, c.person_a_id, c.person_b_id) if view.may_merge else None,
        "confirm_alone": review.may_confirm_alone(actor, c),
        "is_open": c.state in (CandidateState.OPEN, CandidateState.CONFIRMED),
    }, status=status)


@case_role_required
def candidate(request: HttpRequest, candidate_id: int) -> HttpResponse:
    return _candidate_page(request, candidate_id)


def _decide(request: HttpRequest, candidate_id: int, action: str) -> HttpResponse:
    if request.method != "POST":
        return redirect("web:duplicate", candidate_id=candidate_id)
    actor = actor_of(request)
    form = DecisionForm(request.POST, prefix=action)
    forms_kw = {"distinct_form": form} if action == "distinct" else {"confirm_form": form}
    if not form.is_valid():
        return _candidate_page(request, candidate_id, status=422, **forms_kw)  # type: ignore[arg-type]
    c = form.cleaned_data
    try:
        if action == "distinct":
            review.decide_distinct(actor=actor, candidate_id=candidate_id, note=c["note"], version=c["version"])
            messages.success(request, _("Entschieden: verschiedene Personen. Spätere Läufe schlagen das Paar nicht "
                                        "mehr vor."))
        else:
            cand = review.confirm_same(actor=actor, candidate_id=candidate_id, note=c["note"], version=c["version"])
            url = merge_url(cand.pk, cand.person_a_id, cand.person_b_id)
            if review.may_confirm_alone(actor, cand) and url:
                messages.success(request, _("Bestätigt: gleiche Person. Bitte führen Sie die Akten jetzt zusammen."))
                return redirect(url)
            messages.success(request, _("Bestätigt: gleiche Person. Der Prüffall wartet auf die Zustimmung der "
                                        "anderen Behörde."))
    except InvalidInput as exc:
        form.apply_service_errors(exc)
        return _candidate_page(request, candidate_id, status=422, **forms_kw)  # type: ignore[arg-type]
    except Conflict as exc:
        return _candidate_page(request, candidate_id, error=translate_message(exc.message), status=409)
    except AccessDenied as exc:
        return refuse(request, exc.reason)
    except NotFound as exc:
        raise not_found(exc) from exc
    return redirect("web:duplicate", candidate_id=candidate_id)


@case_role_required
def distinct(request: HttpRequest, candidate_id: int) -> HttpResponse:
    return _decide(request, candidate_id, "distinct")


@case_role_required
def confirm(request: HttpRequest, candidate_id: int) -> HttpResponse:
    return _decide(request, candidate_id, "confirm")


@case_role_required
def runs(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    if not review.may_review(actor):
        return refuse(request, _("Die Prüfliste der Dubletten bearbeiten Fallbearbeitung, Registrierung und "
                                 "Teamleitung öffentlicher Stellen."))
    status = 200
    error = ""
    if request.method == "POST":
        try:
            run = review.start_run(actor=actor)
        except AccessDenied as exc:
            return refuse(request, exc.reason)
        except InvalidInput as exc:
            error = translate_message(next(iter(exc.field_errors.values()))[0])
            status = 422
        else:
            messages.success(request, _("Der Dublettenlauf Nr. %(n)s ist eingereiht.") % {"n": run.pk})
            return redirect("web:duplicate_runs")
    page = Paginator(review.runs_for(actor=actor), PAGE_SIZE).get_page(request.GET.get("seite"))
    return render(request, "web/linkage/runs.html", {
        "page": page, "may_run": review.may_start_run(actor), "error": error,
    }, status=status)
