"""The caller's own in-app notifications: list, unread count, mark read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from stella.api.auth import actor
from stella.api.schemas import Page, PageQuery, paginate
from stella.journey import notifications as service

router = Router(tags=["Benachrichtigungen"])


class NotificationOut(Schema):
    id: int
    kind: str
    text: str
    link: str
    created_at: datetime
    read_at: datetime | None


class NotificationQuery(PageQuery):
    unread: bool = Field(False, description="Nur ungelesene")


class UnreadOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int


@router.get("", response=Page[NotificationOut], summary="Benachrichtigungen")
def list_notifications(request: HttpRequest, query: Query[NotificationQuery]) -> Any:
    """Newest first. The texts name the matter (a task, a hand-over), never personal data of a person."""
    return paginate(service.notifications_for(actor=actor(request), unread_only=query.unread), query, lambda n: n)


@router.get("/unread", response=UnreadOut, summary="Anzahl ungelesener Benachrichtigungen")
def unread(request: HttpRequest) -> Any:
    return {"unread": service.unread_count(actor=actor(request))}


@router.post("/{int:notification_id}/read", response=NotificationOut, summary="Als gelesen markieren")
def mark_read(request: HttpRequest, notification_id: int) -> Any:
    return service.mark_read(actor=actor(request), notification_id=notification_id)


@router.post("/read-all", response=MarkedOut, summary="Alle als gelesen markieren")
def mark_all_read(request: HttpRequest) -> Any:
    return {"marked": service.mark_all_read(actor=actor(request))}
