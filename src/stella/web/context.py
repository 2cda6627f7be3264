"""Template context for every page: navigation by role, the user's agency and roles."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from stella.agencies.models import Role
from stella.authz.policy import CASE_ROLES, can_create_person, can_manage_users, can_read_audit
from stella.linkage.review import may_review
from stella.matching.allocation import may_plan
from stella.web.labels import tr


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    from stella.web.views.common import actor_of

    actor = actor_of(request)
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match else ""
    items: list[dict[str, Any]] = []

    def add(view: str, label: str) -> None:
        items.append({"url": reverse(view), "label": label, "current": current == view})

    if actor.roles.intersection(CASE_ROLES):
        add("web:home", _("Meine Fälle"))
        add("web:search", _("Personensuche"))
        add("web:handovers", _("Übergaben"))
        add("web:tasks", _("Meine Aufgaben"))
        add("web:appointments", _("Termine"))
        add("web:offers", _("Angebote"))
        if may_plan(actor):
            add("web:allocation", _("Zuteilung"))
        if may_review(actor):
            add("web:duplicates", _("Dubletten"))
        if actor.has_role(Role.TEAM_LEAD):
            add("web:tasks_team", _("Aufgaben des Teams"))
    if can_create_person(actor):
        add("web:register", _("Person registrieren"))
    if actor.has_role(Role.ANALYST, Role.TEAM_LEAD, Role.ADMIN, Role.DPO):
        add("web:reports", _("Auswertungen"))
    if can_read_audit(actor):
        add("web:audit", _("Protokoll"))
    if can_manage_users(actor):
        add("web:users", _("Benutzerverwaltung"))
    agency = getattr(user, "agency", None)
    return {
        "nav_items": items,
        "account": {
            "name": user.get_full_name() or user.get_username(),
            "username": user.get_username(),
            "agency": agency.name if agency else _("keine Behörde"),
            "roles": [tr(label) for label in user.role_labels()],
        },
    }
