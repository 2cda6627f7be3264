"""`{% notification_bell %}`: the link to the user's notifications with the number of unread ones."""

from __future__ import annotations

from typing import Any

from django import template

from stella.journey.notifications import unread_count

register = template.Library()


@register.inclusion_tag("web/tasks/_bell.html", takes_context=True)
def notification_bell(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return {"show": False, "unread": 0}
    from stella.web.views.common import actor_of

    return {"show": True, "unread": unread_count(actor=actor_of(request))}
