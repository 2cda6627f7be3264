"""The "Verlauf" tab: legal-status history (record, correct) and the derived journey timeline
(status, accommodation, phase, benefit regime and lead agencies over time)."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stella.authz.policy import Action, Category, decide
from stella.core.errors import AccessDenied, InvalidInput, NotFound
from stella.journey import services as journey
from stella.journey.models import DecisionOutcome, EventKind, StatusEvent
from stella.web.forms import GermanDateField, StellaForm, _choices
from stella.web.labels import translate_message
from stella.web.views.common import actor_of, not_found
from stella.web.views.files import _frame, _open


class StatusEventForm(StellaForm):
    kind = forms.ChoiceField(label=gettext_lazy("Ereignis"), choices=())
    effective_date = GermanDateField(label=gettext_lazy("Wirksam am"), help_text=gettext_lazy("TT.MM.JJJJ"))
    outcome = forms.ChoiceField(label=gettext_lazy("Ergebnis (nur BAMF-Entscheidung)"), choices=(), required=False)
    note = forms.CharField(label=gettext_lazy("Anmerkung"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _choices(EventKind)
        self.fields["outcome"].choices = _choices(DecisionOutcome, blank="–")


class StatusCorrectionForm(StellaForm):
    error_map: ClassVar[dict[str, str]] = {"event_id": "void"}
    void = forms.BooleanField(label=gettext_lazy("Ereignis ersatzlos aufheben"), required=False)
    effective_date = GermanDateField(label=gettext_lazy("Richtiges Datum"), required=False,
                                     help_text=gettext_lazy("TT.MM.JJJJ; leer = unverändert"))
    outcome = forms.ChoiceField(label=gettext_lazy("Richtiges Ergebnis"), choices=(), required=False)
    reason = forms.CharField(label=gettext_lazy("Grund der Berichtigung"), max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = _choices(DecisionOutcome, blank=_("unverändert"))


def _journey_page(request: HttpRequest, pk: int, *, form: StatusEventForm | None = None,
                  correction: tuple[StatusEvent, StatusCorrectionForm] | None = None, status: int = 200) -> HttpResponse:
    actor = actor_of(request)
    ov = _open(actor, pk)
    context = _frame(request, ov, "journey")
    try:
        data = journey.journey(actor=actor, person_id=pk)
    except AccessDenied as exc:
        context["refusal"] = translate_message(exc.reason)
        return render(request, "web/person/journey.html", context, status=403)
    may_write = decide(actor, Action.WRITE, Category.RESIDENCE, ov.context).allowed
    context.update(data=data, may_write=may_write, form=form or (StatusEventForm() if may_write else None),
                   correction=correction)
    return render(request, "web/person/journey.html", context, status=status)


@login_required
def journey_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _journey_page(request, pk)


@login_required
def add_status_event(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("web:journey", pk=pk)
    form = StatusEventForm(request.POST)
    if form.is_valid():
        c = form.cleaned_data
        try:
            journey.record_status_event(actor=actor_of(request), person_id=pk, kind=c["kind"],
                                        effective_date=c["effective_date"], outcome=c["outcome"] or "",
                                        note=c["note"])
        except InvalidInput as exc:
            form.apply_service_errors(exc)
        except AccessDenied as exc:
            form.add_error(None, _("Kein Zugriff: %(reason)s") % {"reason": translate_message(exc.reason)})
        except NotFound as exc:
            raise not_found(exc) from exc
        else:
            messages.success(request, _("Das Statusereignis wurde erfasst."))
            return redirect("web:journey", pk=pk)
    return _journey_page(request, pk, form=form, status=422)


@login_required
def correct_status_event(request: HttpRequest, pk: int, event_id: int) -> HttpResponse:
    event = StatusEvent.objects.filter(pk=event_id, person_id=pk).first()
    if event is None:
        raise not_found(NotFound(_("Das Statusereignis wurde nicht gefunden.")))
    form = StatusCorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            journey.correct_status_event(actor=actor_of(request), person_id=pk, event_id=event_id,
                                         reason=c["reason"], effective_date=c["effective_date"],
                                         outcome=c["outcome"] or None, void=c["void"])
        except InvalidInput as exc:
            form.apply_service_errors(exc)
        except AccessDenied as exc:
            form.add_error(None, _("Kein Zugriff: %(reason)s") % {"reason": translate_message(exc.reason)})
        except NotFound as exc:
            raise not_found(exc) from exc
        else:
            messages.success(request, _("Die Berichtigung wurde erfasst; das ursprüngliche Ereignis bleibt sichtbar."))
            return redirect("web:journey", pk=pk)
    status = 422 if request.method == "POST" else 200
    return _journey_page(request, pk, correction=(event, form), status=status)
