"""Matching in the web UI: "Passende Angebote" of a person (a page of the file) and "Passende Personen" of an
offer, each entry with its per-criterion explanation in a details element, plus the explanation of one pair
("Warum (nicht)?"). Filters are a GET form (a read that can be bookmarked); the services in
`matching.lists` check access, apply the hard rules, score and audit.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy, pgettext

from stella.core.errors import AccessDenied, InvalidInput, NotFound
from stella.matching import lists
from stella.matching.eligibility import RULE_LABELS
from stella.matching.score import CRITERIA, MAX_TOTAL, SCORE_VERSION
from stella.offers.models import OfferKind
from stella.web.forms import GermanDateField, StellaForm
from stella.web.views.common import actor_of, case_role_required, not_found, refuse
from stella.web.views.files import _frame, _open

LIMITS = (20, 50, 100, 200)


class MatchFilterForm(StellaForm):
    """Stichtag, kind (for a person's list), how many, and whether to show what does not fit."""

    stichtag = GermanDateField(label=gettext_lazy("Stichtag"), required=False,
                               help_text=gettext_lazy("TT.MM.JJJJ; leer = heute. Angebote ab diesem Tag."))
    art = forms.ChoiceField(label=gettext_lazy("Art"), required=False,
                            # the kinds' German labels are in web/labels.py for makemessages
                            choices=[("", gettext_lazy("alle Arten")),
                                     *((kind, gettext_lazy(label)) for kind, label in OfferKind.choices)])
    anzahl = forms.TypedChoiceField(label=gettext_lazy("Anzahl"), required=False, coerce=int, empty_value=None,
                                    choices=[(n, str(n)) for n in LIMITS], initial=50)
    ungeeignete = forms.BooleanField(label=gettext_lazy("Auch ungeeignete zeigen (mit der verletzten Regel)"),
                                     required=False)
    error_map = {"kind": "art", "limit": "anzahl", "reference_date": "stichtag"}

    def __init__(self, *args: Any, with_kind: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_kind:
            del self.fields["art"]


def _criteria() -> list[dict[str, Any]]:
    return [{"code": code, "label": label, "max": points} for code, label, points in CRITERIA]


def _common(**extra: Any) -> dict[str, Any]:
    return {"criteria": _criteria(), "max_total": MAX_TOTAL, "score_version": SCORE_VERSION,
            "rule_labels": RULE_LABELS, **extra}


@login_required
def person_matches(request: HttpRequest, pk: int) -> HttpResponse:
    """"Passende Angebote": the person's ranked eligible offers (and on request the ineligible ones)."""
    actor = actor_of(request)
    overview = _open(actor, pk)
    form = MatchFilterForm(request.GET or None)
    result = None
    refused = ""
    if not request.GET or form.is_valid():
        data = form.cleaned_data if request.GET else {}
        try:
            result = lists.offers_for_person(actor=actor, person_id=pk, on=data.get("stichtag"),
                                             kind=data.get("art") or None, limit=data.get("anzahl") or 50,
                                             include_ineligible=bool(data.get("ungeeignete")))
        except InvalidInput as exc:
            form.apply_service_errors(exc)
        except AccessDenied as exc:
            refused = exc.reason
        except NotFound as exc:
            raise not_found(exc) from exc
    context = _frame(request, overview, "matching", form=form, result=result, refused=refused, **_common())
    return render(request, "web/matching/person_matches.html", context, status=403 if refused else 200)


@case_role_required
def offer_matches(request: HttpRequest, offer_id: int) -> HttpResponse:
    """"Passende Personen": ranked eligible persons among the files the agency may read."""
    actor = actor_of(request)
    form = MatchFilterForm(request.GET or None, with_kind=False)
    result = None
    if not request.GET or form.is_valid():
        data = form.cleaned_data if request.GET else {}
        try:
            result = lists.persons_for_offer(actor=actor, offer_id=offer_id, on=data.get("stichtag"),
                                             limit=data.get("anzahl") or 50,
                                             include_ineligible=bool(data.get("ungeeignete")))
        except InvalidInput as exc:
            form.apply_service_errors(exc)
        except AccessDenied as exc:
            return refuse(request, exc.reason)
        except NotFound as exc:
            raise not_found(exc) from exc
    return render(request, "web/matching/offer_matches.html", {"form": form, "result": result,
                                                                "offer_id": offer_id, **_common()})


@login_required
def explanation(request: HttpRequest, pk: int, offer_id: int) -> HttpResponse:
    """One pair: why it fits (score by criterion) or why not (rule failed, or seats went to better fits)."""
    actor = actor_of(request)
    overview = _open(actor, pk)
    form = MatchFilterForm(request.GET or None, with_kind=False)
    got = None
    refused = ""
    if not request.GET or form.is_valid():
        on = form.cleaned_data.get("stichtag") if request.GET else None
        try:
            got = lists.why_not(actor=actor, person_id=pk, offer_id=offer_id, on=on)
        except AccessDenied as exc:
            refused = exc.reason
        except NotFound as exc:
            raise not_found(exc) from exc
    title = pgettext("Punktzahl", "Begründung")
    context = _frame(request, overview, "matching", form=form, why=got, refused=refused, title=title, **_common())
    return render(request, "web/matching/explanation.html", context, status=403 if refused else 200)
