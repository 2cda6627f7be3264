"""Domain errors raised by services; the API and the web UI map them to the same messages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class DomainError(Exception):
    """Base class: a request that cannot be carried out, with a message fit for the user."""

    status = 400
    title = "Ungültige Anfrage"

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class NotFound(DomainError):
    """The record does not exist, or the actor may not know that it exists (policy: same answer)."""

    status = 404
    title = "Nicht gefunden"

    def __init__(self, message: str = "Der Datensatz wurde nicht gefunden.") -> None:
        super().__init__(message, code="not_found")


class AccessDenied(DomainError):
    """The actor may not perform the action; `reason` explains which rule refused it."""

    status = 403
    title = "Kein Zugriff"

    def __init__(self, reason: str) -> None:
        super().__init__(reason, code="forbidden")
        self.reason = reason


class InvalidInput(DomainError):
    """Input failed validation; `field_errors` maps field names to German messages."""

    status = 422
    title = "Ungültige Eingabe"

    def __init__(self, field_errors: Mapping[str, Sequence[str] | str], message: str | None = None) -> None:
        self.field_errors: dict[str, list[str]] = {
            k: [v] if isinstance(v, str) else list(v) for k, v in field_errors.items()
        }
        first = next(iter(self.field_errors.values()), ["Ungültige Eingabe."])[0]
        super().__init__(message or first, code="invalid")


class Conflict(DomainError):
    """An edit was based on a stale version; nothing was written. `changes` says what changed since."""

    status = 409
    title = "Bearbeitungskonflikt"

    def __init__(self, message: str, *, current_version: int, changes: Sequence[Mapping[str, Any]] = ()) -> None:
        super().__init__(message, code="conflict")
        self.current_version = current_version
        self.changes = list(changes)
