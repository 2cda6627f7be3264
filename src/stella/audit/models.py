"""Append-only, hash-chained audit trail of every read and write of personal data."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import models
from django.utils import timezone


class AuditAction(models.TextChoices):
    READ = "read", "Lesen"
    SEARCH = "search", "Suche"
    CREATE = "create", "Anlegen"
    UPDATE = "update", "Ändern"
    CORRECT = "correct", "Berichtigen"
    REVOKE = "revoke", "Widerrufen"
    EXPORT = "export", "Export"
    LOGIN = "login", "Anmeldung"
    LOGIN_FAILED = "login_failed", "Fehlgeschlagene Anmeldung"
    LOGOUT = "logout", "Abmeldung"
    TOKEN = "token", "API-Token"
    ADMIN = "admin", "Verwaltung"


class Outcome(models.TextChoices):
    ALLOWED = "allowed", "erlaubt"
    DENIED = "denied", "verweigert"


class AppendOnlyQuerySet(models.QuerySet["AuditEvent"]):
    """Blocks bulk updates and deletes, which would bypass the chain."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("Das Protokoll ist unveränderlich (append-only).")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Das Protokoll ist unveränderlich (append-only).")


class AuditEvent(models.Model):
    """One audited act. `hash` covers the fields and the previous event's hash."""

    seq = models.BigIntegerField("laufende Nummer", unique=True, help_text="Lückenlose Folge ab 1")
    occurred_at = models.DateTimeField("Zeitpunkt", default=timezone.now, db_index=True)
    user_id = models.BigIntegerField("Benutzer-ID", null=True, blank=True, db_index=True)
    username = models.CharField("Benutzername", max_length=150)
    agency_code = models.CharField("Behörde", max_length=30, blank=True)
    person_id = models.BigIntegerField("Person", null=True, blank=True, db_index=True,
                                       help_text="ID der betroffenen Person (bleibt nach Zusammenführung erhalten)")
    categories = models.JSONField("Datenkategorien", default=list)
    action = models.CharField("Aktion", max_length=20, choices=AuditAction.choices)
    purpose = models.CharField("Zweck", max_length=200, blank=True)
    outcome = models.CharField("Ergebnis", max_length=10, choices=Outcome.choices, default=Outcome.ALLOWED)
    reason = models.CharField("Begründung", max_length=500, blank=True)
    object_type = models.CharField("Objektart", max_length=50, blank=True)
    object_id = models.CharField("Objekt-ID", max_length=64, blank=True)
    detail = models.JSONField("Einzelheiten", default=dict, blank=True)
    prev_hash = models.CharField("vorheriger Hash", max_length=64)
    hash = models.CharField("Hash", max_length=64, unique=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "Protokolleintrag"
        verbose_name_plural = "Protokolleinträge"
        ordering = ["seq"]
        indexes = [models.Index(fields=["person_id", "seq"]), models.Index(fields=["user_id", "seq"])]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Protokolleinträge können nicht geändert werden.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Protokolleinträge können nicht gelöscht werden.")

    def payload(self) -> dict[str, Any]:
        """The canonical content the hash covers."""
        return {
            "seq": self.seq,
            "occurred_at": self.occurred_at.isoformat(),
            "user_id": self.user_id,
            "username": self.username,
            "agency_code": self.agency_code,
            "person_id": self.person_id,
            "categories": list(self.categories),
            "action": self.action,
            "purpose": self.purpose,
            "outcome": self.outcome,
            "reason": self.reason,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "detail": self.detail,
        }

    def compute_hash(self) -> str:
        body = json.dumps(self.payload(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256((self.prev_hash + body).encode()).hexdigest()


class AuditHead(models.Model):
    """Single row holding the chain's last sequence number and hash; locked to serialise appends."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField("letzte Nummer", default=0)
    last_hash = models.CharField("letzter Hash", max_length=64, default="0" * 64)

    class Meta:
        verbose_name = "Protokollkopf"
        verbose_name_plural = "Protokollkopf"
