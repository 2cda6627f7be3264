"""The user's own in-app notifications: list, count unread, mark read (one or all).

A notification belongs to exactly one user; nobody else sees it (another user's id answers 404).
Notification texts carry no personal data of persons (see `notify.py`), so listing them is not an
audited read; the pages they link to are.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from stella.core.actor import Actor
from stella.core.errors import NotFound
from stella.journey.models import Notification


def notifications_for(*, actor: Actor, unread_only: bool = False) -> QuerySet[Notification]:
    """The actor's notifications, newest first."""
    if actor.user_id is None:
        return Notification.objects.none()
    qs = Notification.objects.filter(user_id=actor.user_id)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def unread_count(*, actor: Actor) -> int:
    if actor.user_id is None:
        return 0
    return Notification.objects.filter(user_id=actor.user_id, read_at__isnull=True).count()


def mark_read(*, actor: Actor, notification_id: int) -> Notification:
    """Mark one of the actor's notifications read (idempotent)."""
    with transaction.atomic():
        note = (Notification.objects.select_for_update()
                .filter(pk=notification_id, user_id=actor.user_id).first() if actor.user_id else None)
        if note is None:
            raise NotFound("Die Benachrichtigung wurde nicht gefunden.")
        if note.read_at is None:
            note.read_at = timezone.now()
            note.save(update_fields=["read_at"])
    return note


def mark_all_read(*, actor: Actor) -> int:
    """Mark all of the actor's unread notifications read; returns how many."""
    if actor.user_id is None:
        return 0
    return Notification.objects.filter(user_id=actor.user_id, read_at__isnull=True).update(read_at=timezone.now())


__all__ = ["mark_all_read", "mark_read", "notifications_for", "unread_count"]
