"""'Meine Fälle': the files the user's agency participates in, newest activity first."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F, Max
from django.db.models.functions import Coalesce, Greatest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from stella.authz.policy import CASE_ROLES
from stella.cases.services import my_cases
from stella.web.views.common import actor_of

PAGE_SIZE = 25


@login_required
def home(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    context: dict[str, object] = {"case_role": bool(actor.roles.intersection(CASE_ROLES))}
    if context["case_role"]:
        persons = (
            my_cases(actor=actor)
            .annotate(last_activity=Greatest(Coalesce(Max("case_file__entries__created_at"), F("updated_at")),
                                             F("updated_at")))
            .order_by("-last_activity", "-pk")
            .prefetch_related("names", "nationalities")
        )
        context["page"] = Paginator(persons, PAGE_SIZE).get_page(request.GET.get("seite"))
    return render(request, "web/home.html", context)
