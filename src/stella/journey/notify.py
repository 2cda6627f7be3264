"""Notifications: one in-app row per recipient, and an e-mail through Django's mail backend after commit.

`notify(users, kind, text, link)` is the one entry point (hand-overs, tasks, …). Texts name the matter
and a link, never personal data of the person concerned: e-mail leaves the platform.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from stella.journey.models import Notification

if TYPE_CHECKING:
    from stella.accounts.models import User

SUBJECT_PREFIX = "[Stella] "


def notify(users: Iterable[User | int], kind: str, text: str, link: str = "") -> list[Notification]:
    """Create an in-app notification for each distinct active user (objects or ids) and e-mail those
    with an address.

    Joins the caller's transaction; the e-mails go out only after it commits, and a failing mail server
    never undoes the notification.
    """
    given = list(users)
    ids = {u for u in given if isinstance(u, int)}
    recipients: dict[int, User] = {u.pk: u for u in given if not isinstance(u, int)}
    if ids - set(recipients):
        recipients.update({u.pk: u for u in get_user_model().objects.filter(pk__in=ids - set(recipients))})
    active = [u for u in recipients.values() if u.is_active]
    rows = Notification.objects.bulk_create(
        [Notification(user_id=u.pk, kind=kind[:20], text=text[:300], link=link[:200]) for u in active])
    addresses = sorted({u.email for u in active if u.email})
    if addresses:
        body = f"{text}\n\n{link}\n" if link else f"{text}\n"
        sender = getattr(settings, "DEFAULT_FROM_EMAIL", None)
        messages = [(SUBJECT_PREFIX + text[:120], body, sender, [a]) for a in addresses]
        transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=True))
    return rows


def mark_link_read(user_id: int, link: str) -> int:
    """Mark the user's unread notifications that point at `link` as read (opening the page reads them)."""
    return (Notification.objects.filter(user_id=user_id, link=link, read_at__isnull=True)
            .update(read_at=timezone.now()))


__all__ = ["mark_link_read", "notify"]
