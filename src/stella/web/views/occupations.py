"""The occupation picker's server side: a search page over the KldB 2010 (`/berufe/?q=`, also the picker's
fallback without JavaScript), the mapping of a job title in another language to KldB candidates on the same
page, and the JSON endpoint the picker's script asks while the user types (`/berufe/suche?q=`).

The classification is no personal data: nothing here is audited. Every page needs a role that works on files.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from stella.competences import occupations, titles
from stella.core.errors import AccessDenied, InvalidInput
from stella.web.forms import StellaForm
from stella.web.labels import translate_message
from stella.web.views.common import actor_of, case_role_required

JSON_LIMIT = 10
PAGE_LIMIT = 50

#: Messages of competences.occupations / titles shown through translate_message (kept for makemessages).
SERVICE_MESSAGES = [
    gettext_noop("Die Berufssuche steht nur Rollen zur Verfügung, die mit Fallakten arbeiten."),
    gettext_noop("Bitte eine Berufsbezeichnung angeben."),
    gettext_noop("Helfer"), gettext_noop("Fachkraft"), gettext_noop("Spezialist"), gettext_noop("Experte"),
    gettext_noop("Titel"), gettext_noop("Kurztitel"), gettext_noop("Berufsbezeichnung"), gettext_noop("Tätigkeiten"),
    gettext_noop("Schlüssel"),
]

LANGUAGE_CHOICES = [("", gettext_lazy("unbekannt")), ("ar", gettext_lazy("Arabisch")),
                    ("fa", gettext_lazy("Persisch (Farsi)")), ("prs", gettext_lazy("Dari")),
                    ("ti", gettext_lazy("Tigrinya")), ("en", gettext_lazy("Englisch")),
                    ("uk", gettext_lazy("Ukrainisch")), ("de", gettext_lazy("Deutsch"))]


class OccupationSearchForm(StellaForm):
    q = forms.CharField(label=gettext_lazy("Beruf oder Tätigkeit"), required=False, max_length=200,
                        help_text=gettext_lazy("Deutsch, z. B. „Bäcker“, „Pflege“ oder der Anfang eines Schlüssels "
                                               "wie „293“."),
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))


class TitleForm(StellaForm):
    titel = forms.CharField(label=gettext_lazy("Berufsbezeichnung in einer anderen Sprache"), required=False,
                            max_length=titles.MAX_TITLE,
                            help_text=gettext_lazy("Wie die Person sie nennt, in jeder Schrift, z. B. „خياط“, "
                                                   "„водій таксі“ oder „electrician“."),
                            widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"}))
    sprache = forms.ChoiceField(label=gettext_lazy("Sprache"), required=False, choices=LANGUAGE_CHOICES)
    error_map = {"title": "titel", "language": "sprache"}


@case_role_required
def search_page(request: HttpRequest) -> HttpResponse:
    """`/berufe/?q=…` lists occupations server-side; `?titel=…&sprache=…` lists KldB candidates for a title."""
    search_form = OccupationSearchForm(request.GET if "q" in request.GET else None)
    title_form = TitleForm(request.GET if "titel" in request.GET else None)
    hits: list[Any] | None = None
    candidates: list[titles.Candidate] | None = None
    if search_form.is_bound and search_form.is_valid() and search_form.cleaned_data["q"].strip():
        hits = occupations.search(search_form.cleaned_data["q"], limit=PAGE_LIMIT)
    if title_form.is_bound and title_form.is_valid():
        try:
            candidates = titles.suggest(title_form.cleaned_data["titel"], title_form.cleaned_data["sprache"] or None)
        except InvalidInput as exc:
            title_form.apply_service_errors(exc)
    return render(request, "web/occupations/search.html", {
        "search_form": search_form, "title_form": title_form, "hits": hits, "candidates": candidates,
        "version": occupations.version_name(), "focus_results": hits is not None or candidates is not None,
    })


@login_required
def search_json(request: HttpRequest) -> JsonResponse:
    """`/berufe/suche?q=…` → {"version", "results": [{code, title, short_title, skill_level, example, label}]}."""
    try:
        occupations.require_case_role(actor_of(request))
    except AccessDenied as exc:
        return JsonResponse({"error": translate_message(exc.reason)}, status=403)
    query = request.GET.get("q", "")[:200]
    results = []
    for hit in occupations.search(query, limit=JSON_LIMIT):
        skill = _(hit.skill_level) if hit.skill_level else ""
        name = hit.example or hit.short_title or hit.title
        results.append({"code": hit.code, "title": hit.title, "short_title": hit.short_title,
                        "skill_level": skill, "example": hit.example,
                        "label": f"{hit.code} – {name}" + (f" ({skill})" if skill else "")})
    return JsonResponse({"version": occupations.version_name(), "results": results},
                        json_dumps_params={"ensure_ascii": False})
