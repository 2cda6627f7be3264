"""Person search (spelling-tolerant) and registration with the duplicate warning."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from stella.authz.policy import can_create_person
from stella.core.errors import AccessDenied, InvalidInput
from stella.linkage.online import check_person, record_candidates, record_for_registration
from stella.people.names import name_keys
from stella.people.services import capped_count, register_person, search_persons
from stella.web.forms import RegisterForm, SearchForm
from stella.web.views.common import actor_of, case_role_required, refuse

PAGE_SIZE = 25


class CappedPaginator(Paginator):
    """Counts at most SEARCH_COUNT_CAP hits; `exact` tells the template to say "more than"."""

    @cached_property
    def count(self) -> int:
        n, self.exact = capped_count(self.object_list)
        return n


@case_role_required
def search(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    submitted = any(k in request.GET for k in ("name", "birth_date", "identifier"))
    form = SearchForm(request.GET if submitted else None)
    page = None
    if submitted and form.is_valid():
        c = form.cleaned_data
        try:
            results = search_persons(actor, name=c["name"].strip(), birth_date=c["birth_date"],
                                     identifier=c["identifier"].strip())
        except InvalidInput as exc:
            form.apply_service_errors(exc)
        else:
            results = results.prefetch_related("names", "nationalities")
            page = CappedPaginator(results, PAGE_SIZE).get_page(request.GET.get("seite"))
    query = request.GET.copy()
    query.pop("seite", None)
    return render(request, "web/search.html", {
        "form": form, "page": page, "submitted": submitted, "query": query.urlencode(),
        "may_register": can_create_person(actor),
    })


def _dup_token(form: RegisterForm, ids: list[int]) -> str:
    """Identifies the warning the user confirmed: same name keys, birth year and similar persons."""
    c = form.cleaned_data
    keys = name_keys(c.get("given_names", ""), c.get("family_name", ""))
    birth = c.get("birth_date")
    raw = "|".join([",".join(sorted(keys)), str(birth.year if birth else ""), ",".join(map(str, ids))])
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


@case_role_required
def register(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    if not can_create_person(actor):
        return refuse(request, _("Ihre Rolle oder Behörde darf keine Personen registrieren."))
    similar: list = []
    if request.method == "POST":
        form = RegisterForm(request.POST)
        if form.is_valid():
            # The duplicate check of issue 6 (name keys + Splink model, evidence per field, audited).
            check = check_person(actor=actor, record=record_for_registration(form.person_in()))
            similar = check.hits
            token = _dup_token(form, check.person_ids)
            confirmed = request.POST.get("confirm") == "1" and form.cleaned_data.get("dup_token") == token
            if similar and not confirmed:
                # Show the warning with the form kept as typed; "Trotzdem anlegen" sends the token back.
                data = request.POST.copy()
                data["dup_token"] = token
                form = RegisterForm(data)
                form.is_valid()
            else:
                try:
                    person = register_person(actor=actor, data=form.person_in())
                    # Overridden warnings still reach the review queue (docs/linkage-review.md).
                    record_candidates(actor=actor, person_id=person.pk, pairs=check.pairs)
                except InvalidInput as exc:
                    form.apply_service_errors(exc)
                    similar = []
                except AccessDenied as exc:
                    return refuse(request, exc.reason)
                else:
                    messages.success(request, _("Die Person wurde registriert."))
                    return redirect("web:person", pk=person.pk)
    else:
        form = RegisterForm()
    return render(request, "web/register.html", {"form": form, "similar": similar})
