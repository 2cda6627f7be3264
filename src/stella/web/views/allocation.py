"""Allocation runs in the web UI ("Zuteilung"): the runs of the planner's agency with a form for a new run
(district, offers, reference date, waiting bonus), and a run's page with the proposal table (person, proposed and
current offer, score, bonus, waiting days, a change form per line with reason codes), totals per offer, changes
per reason, the fairness report with its flags, and the buttons to confirm or discard.

Every page calls the services in `matching.allocation`; they check access, validate and audit.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext
from django.views.decorators.http import require_POST

from stella.agencies.models import Region, RegionKind
from stella.core.errors import AccessDenied, Conflict, InvalidInput, NotFound
from stella.matching import allocation as service
from stella.matching.models import OverrideReason, RunState
from stella.web.forms import GermanDateField, StellaForm
from stella.web.labels import translate_message
from stella.web.views.common import actor_of, case_role_required, not_found, refuse

#: Labels of matching.models shown through |tr (kept for makemessages).
DOMAIN_LABELS = [
    gettext_noop("Vorschlag"), gettext_noop("bestätigt"), gettext_noop("verworfen"),
    *[gettext_noop(label) for _code, label in OverrideReason.choices],
]


class NewRunForm(StellaForm):
    """District, offers (the agency's open offers), reference date and the waiting-time bonus."""

    landkreis = forms.ModelChoiceField(label=gettext_lazy("Landkreis"), queryset=Region.objects.none(),
                                       empty_label=None)
    angebote = forms.MultipleChoiceField(label=gettext_lazy("Angebote"), widget=forms.CheckboxSelectMultiple,
                                         help_text=gettext_lazy("Offene Angebote Ihrer Behörde ab heute"))
    stichtag = GermanDateField(label=gettext_lazy("Stichtag"), required=False,
                               help_text=gettext_lazy("TT.MM.JJJJ; leer = heute. Regeln und Wartezeiten an diesem Tag."))
    wartebonus = forms.IntegerField(label=gettext_lazy("Wartezeitbonus je Monat"), min_value=0, max_value=100,
                                    initial=10, help_text=gettext_lazy("Punkte je vollem Monat auf der Warteliste"))
    wartebonus_max = forms.IntegerField(label=gettext_lazy("Wartezeitbonus höchstens"), min_value=0,
                                        max_value=1000, initial=200)
    kosten = forms.IntegerField(label=gettext_lazy("Kosten ohne Platz"), min_value=0, max_value=10_000, initial=0,
                                help_text=gettext_lazy("0 = niemand muss einen Platz bekommen; höher = Plätze "
                                                       "möglichst füllen"))
    gleichartige = forms.BooleanField(label=gettext_lazy("Auch Wartende gleichartiger Angebote im Landkreis "
                                                         "berücksichtigen"), required=False, initial=True)
    error_map = {"district_id": "landkreis", "offer_ids": "angebote", "reference_date": "stichtag",
                 "waiting_bonus_per_month": "wartebonus", "waiting_bonus_max": "wartebonus_max",
                 "unassigned_cost": "kosten", "same_kind": "gleichartige"}

    def __init__(self, *args: Any, offers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        districts = {o.municipality.landkreis_id for o in offers}
        self.fields["landkreis"].queryset = Region.objects.filter(kind=RegionKind.LANDKREIS, pk__in=districts)  # type: ignore[attr-defined]
        self.fields["angebote"].choices = [
            (str(o.pk), ngettext("%(title)s – %(place)s, ab %(day)s (%(n)s Platz)",
                                 "%(title)s – %(place)s, ab %(day)s (%(n)s Plätze)", o.seats)
             % {"title": o.title, "place": o.municipality.name, "day": f"{o.starts_on:%d.%m.%Y}", "n": o.seats})
            for o in offers]


class OverrideForm(StellaForm):
    """Another offer of the run (or none) for one line, with the reason."""

    angebot = forms.IntegerField(label=gettext_lazy("Neue Zuteilung"), required=False, widget=forms.Select)
    # The reasons' German labels are in web/labels.py for makemessages; translated when the form renders.
    grund = forms.ChoiceField(label=gettext_lazy("Grund"),
                              choices=[("", "—"), *((code, gettext_lazy(label)) for code, label in OverrideReason.choices)])
    vermerk = forms.CharField(label=gettext_lazy("Vermerk"), required=False, max_length=300)
    error_map = {"offer_id": "angebot", "reason_code": "grund", "note": "vermerk"}

    def __init__(self, *args: Any, offers: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The service checks that the offer belongs to the run; the list only offers the run's offers.
        self.fields["angebot"].widget.choices = [("", _("ohne Platz")), *((o.pk, o.title) for o in offers or [])]


class DiscardForm(StellaForm):
    grund = forms.CharField(label=gettext_lazy("Begründung"), required=False, max_length=300)


@case_role_required
def runs(request: HttpRequest) -> HttpResponse:
    """The agency's runs and the form for a new one (POST proposes it and opens its page)."""
    actor = actor_of(request)
    try:
        listed = list(service.list_runs(actor=actor)[:50])
        offers = list(service.candidate_offers(actor=actor))
    except AccessDenied as exc:
        return refuse(request, exc.reason)
    form = NewRunForm(request.POST or None, offers=offers)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            c = form.cleaned_data
            params = {"waiting_bonus_per_month": c["wartebonus"], "waiting_bonus_max": c["wartebonus_max"],
                      "unassigned_cost": c["kosten"], "same_kind": c["gleichartige"]}
            try:
                run = service.propose_run(actor=actor, district_id=c["landkreis"].pk,
                                          offer_ids=[int(x) for x in c["angebote"]], reference_date=c["stichtag"],
                                          params=params)
            except InvalidInput as exc:
                form.apply_service_errors(exc)
            except AccessDenied as exc:
                return refuse(request, exc.reason)
            else:
                messages.success(request, _("Der Vorschlag ist berechnet: %(assigned)s von %(persons)s Personen "
                                            "erhalten einen Platz.") % {"assigned": run.assigned, "persons": run.persons})
                return redirect("web:allocation_run", run_id=run.pk)
        status = 422
    return render(request, "web/allocation/runs.html", {"runs": listed, "form": form, "has_offers": bool(offers)},
                  status=status)


def _page(request: HttpRequest, run_id: int, status: int = 200) -> HttpResponse:
    actor = actor_of(request)
    try:
        view = service.run_view(actor=actor, run_id=run_id)
    except NotFound as exc:
        raise not_found(exc) from exc
    except AccessDenied as exc:
        return refuse(request, exc.reason)
    run = view.run
    editable = run.state == RunState.PROPOSED
    offer_rows = [{"offer": o, **run.capacities.get(str(o.pk), {}), "now": view.seats_taken.get(o.pk, 0)}
                  for o in view.offers]
    rows = [{"line": x, "form": OverrideForm(offers=view.offers, prefix=f"z{x.pk}",
                                             initial={"angebot": str(x.offer_id or "")})}
            for x in view.lines]  # one small form per line (prefix z<id>), posted to its own URL
    context = {"view": view, "run": run, "rows": rows, "offer_rows": offer_rows, "editable": editable,
               "fairness": run.fairness, "discard_form": DiscardForm(prefix="verwerfen"),
               "reasons": [(code, label, view.overrides.get(code, 0)) for code, label in OverrideReason.choices],
               "override_total": sum(view.overrides.values())}
    return render(request, "web/allocation/run.html", context, status=status)


@case_role_required
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    return _page(request, run_id)


@require_POST
@case_role_required
def override(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """One line's change; errors come back as a message above the table (with a link to the line)."""
    actor = actor_of(request)
    run_id = int(request.POST.get("run", "0") or 0)
    form = OverrideForm(request.POST, prefix=f"z{assignment_id}")
    if form.is_valid():
        c = form.cleaned_data
        try:
            line = service.override(actor=actor, assignment_id=assignment_id,
                                    offer_id=c["angebot"], reason_code=c["grund"],
                                    note=c["vermerk"])
        except InvalidInput as exc:
            text = " ".join(translate_message(m) for ms in exc.field_errors.values() for m in ms)
            messages.error(request, _("Zeile nicht geändert: %(why)s") % {"why": text})
        except AccessDenied as exc:
            return refuse(request, exc.reason)
        except NotFound as exc:
            raise not_found(exc) from exc
        else:
            messages.success(request, _("Die Zeile wurde geändert; der Grund wird gezählt."))
            run_id = line.run_id
    else:
        messages.error(request, _("Zeile nicht geändert: %(why)s") % {
            "why": " ".join(f"{form.fields[k].label}: {e}" for k, errs in form.errors.items() for e in errs)})
    if not run_id:
        return redirect("web:allocation")
    return redirect(reverse("web:allocation_run", kwargs={"run_id": run_id}) + f"#zeile-{assignment_id}")


@require_POST
@case_role_required
def confirm(request: HttpRequest, run_id: int) -> HttpResponse:
    actor = actor_of(request)
    try:
        run = service.confirm(actor=actor, run_id=run_id)
    except (InvalidInput, Conflict) as exc:
        details = exc.field_errors.get("assignments", []) if isinstance(exc, InvalidInput) else []
        messages.error(request, " ".join([translate_message(exc.message), *details]))
        return _page(request, run_id, status=409 if isinstance(exc, Conflict) else 422)
    except AccessDenied as exc:
        return refuse(request, exc.reason)
    except NotFound as exc:
        raise not_found(exc) from exc
    messages.success(request, _("Der Lauf ist bestätigt: %(n)s Teilnahmen wurden angelegt.") % {"n": run.assigned})
    return redirect("web:allocation_run", run_id=run_id)


@require_POST
@case_role_required
def discard(request: HttpRequest, run_id: int) -> HttpResponse:
    actor = actor_of(request)
    form = DiscardForm(request.POST, prefix="verwerfen")
    reason = form.cleaned_data.get("grund", "") if form.is_valid() else ""
    try:
        service.discard(actor=actor, run_id=run_id, reason=reason)
    except InvalidInput as exc:
        messages.error(request, translate_message(exc.message))
        return _page(request, run_id, status=422)
    except AccessDenied as exc:
        return refuse(request, exc.reason)
    except NotFound as exc:
        raise not_found(exc) from exc
    messages.success(request, _("Der Vorschlag wurde verworfen; es wurde niemand angemeldet."))
    return redirect("web:allocation_run", run_id=run_id)
