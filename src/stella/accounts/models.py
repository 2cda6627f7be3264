"""Users (each belongs to one agency and holds roles) and hashed, revocable API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from stella.agencies.models import Agency, Role


class User(AbstractUser):
    """A person working at one partner agency."""

    agency = models.ForeignKey(
        Agency, verbose_name="Behörde", on_delete=models.PROTECT, null=True, blank=True, related_name="users",
        help_text="Die Behörde, für die der Benutzer arbeitet (leer nur für Systemkonten).",
    )
    team = models.CharField("Team", max_length=80, blank=True, help_text="Team innerhalb der Behörde")

    class Meta:
        verbose_name = "Benutzer"
        verbose_name_plural = "Benutzer"
        ordering = ["username"]

    def role_codes(self) -> list[str]:
        cache = getattr(self, "_role_cache", None)
        if cache is None:
            cache = sorted(self.role_assignments.values_list("role", flat=True)) if self.pk else []
            self._role_cache = cache
        return list(cache)

    def role_labels(self) -> list[str]:
        return [Role(code).label for code in self.role_codes()]


class RoleAssignment(models.Model):
    """One role of one user."""

    user = models.ForeignKey(User, verbose_name="Benutzer", on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField("Rolle", max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = "Rollenzuweisung"
        verbose_name_plural = "Rollenzuweisungen"
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="unique_user_role")]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 is stored, the raw value is shown once."""

    user = models.ForeignKey(User, verbose_name="Benutzer", on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField("Hash", max_length=64, unique=True, help_text="SHA-256 des Tokens")
    prefix = models.CharField("Präfix", max_length=8, help_text="Die ersten Zeichen zur Wiedererkennung")
    created_at = models.DateTimeField("erstellt", default=timezone.now)
    expires_at = models.DateTimeField("läuft ab")
    revoked_at = models.DateTimeField("widerrufen", null=True, blank=True)

    class Meta:
        verbose_name = "API-Token"
        verbose_name_plural = "API-Tokens"

    @classmethod
    def issue(cls, user: User) -> tuple[ApiToken, str]:
        raw = secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, key_hash=hash_token(raw), prefix=raw[:8],
            expires_at=timezone.now() + timedelta(hours=settings.API_TOKEN_TTL_HOURS),
        )
        return token, raw

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
