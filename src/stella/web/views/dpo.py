"""The data-protection officer's views: audit trail per person and per user, chain verification,
and the GDPR Art. 15 export of one person's data and access log.
"""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from stella.audit import service as audit
from stella.audit.models import AuditAction, AuditEvent
from stella.authz.policy import Category
from stella.cases.services import export_person
from stella.core.errors import NotFound
from stella.linkage.merge import audit_person_ids
from stella.web.forms import AuditFilterForm
from stella.web.labels import tr, translate_message
from stella.web.views.common import actor_of, dpo_required

PAGE_SIZE = 50


@dpo_required
def audit_log(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.all().order_by("-seq")
    filters: dict[str, str] = {}
    person_id = None
    if form.is_bound and form.is_valid():
        c = form.cleaned_data
        if c["username"]:
            events = events.filter(username=c["username"].strip())
            filters["username"] = c["username"].strip()
        if c["person"]:
            person_id = c["person"]
            # records merged into this person keep their own events (append-only): show them here too
            events = events.filter(person_id__in=audit_person_ids(person_id))
            filters["person"] = str(person_id)
        tz = timezone.get_current_timezone()
        if c["date_from"]:
            events = events.filter(occurred_at__gte=datetime.combine(c["date_from"], time.min, tzinfo=tz))
            filters["date_from"] = c["date_from"].isoformat()
        if c["date_to"]:
            end = datetime.combine(c["date_to"] + timedelta(days=1), time.min, tzinfo=tz)
            events = events.filter(occurred_at__lt=end)
            filters["date_to"] = c["date_to"].isoformat()
        if c["action"]:
            events = events.filter(action=c["action"])
            filters["action"] = c["action"]
        if c["outcome"]:
            events = events.filter(outcome=c["outcome"])
            filters["outcome"] = c["outcome"]
    elif form.is_bound:
        events = events.none()
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("seite"))
    # Reading the trail is itself recorded: who looked at whose access log.
    audit.record(actor, AuditAction.READ, person_id=person_id, object_type="audit_log",
                 detail={"filters": filters, "page": page.number})
    rows = [{
        "event": e,
        "action_label": tr(e.get_action_display()),
        "outcome_label": tr(e.get_outcome_display()),
        "categories": [tr(Category(c).label) for c in e.categories if c in Category._value2member_map_],
        "reason": translate_message(e.reason),
    } for e in page.object_list]
    query = request.GET.copy()
    query.pop("seite", None)
    return render(request, "web/dpo/audit.html", {"form": form, "page": page, "rows": rows, "person_id": person_id,
                                                  "query": query.urlencode()})


def _back(request: HttpRequest) -> str:
    params = {k: request.POST[k] for k in ("username", "person") if request.POST.get(k)}
    return reverse("web:audit") + (f"?{urlencode(params)}" if params else "")


@require_POST
@dpo_required
def verify(request: HttpRequest) -> HttpResponse:
    result = audit.verify_chain()
    if result.ok:
        messages.success(request, _("Protokollkette geprüft: %(n)s Einträge, keine Veränderung gefunden.")
                         % {"n": result.checked})
    else:
        messages.error(request, _("Protokollkette geprüft: %(n)s Einträge, %(p)s Abweichung(en): %(list)s")
                       % {"n": result.checked, "p": len(result.problems), "list": " ".join(result.problems[:20])})
    return redirect(_back(request))


@require_POST
@dpo_required
def export(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    raw = (request.POST.get("person") or "").strip()
    if not raw.isdigit():
        messages.error(request, _("Bitte eine Personen-Nr. angeben."))
        return redirect(_back(request))
    person_id = int(raw)
    try:
        data = export_person(actor=actor, person_id=person_id)
    except NotFound as exc:
        messages.error(request, translate_message(exc.message))
        return redirect(_back(request))
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="auskunft-person-{person_id}-{stamp}.json"'
    response["Cache-Control"] = "private, no-store"
    return response
