"""Writing and verifying the audit trail. `record()` joins the caller's transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from stella.audit.models import AuditAction, AuditEvent, AuditHead, Outcome
from stella.authz.policy import can_read_audit
from stella.core.actor import Actor
from stella.core.errors import AccessDenied

GENESIS = "0" * 64


def record(
    actor: Actor,
    action: str,
    *,
    person_id: int | None = None,
    categories: Iterable[str] = (),
    outcome: str = Outcome.ALLOWED,
    reason: str = "",
    object_type: str = "",
    object_id: object = "",
    detail: dict[str, Any] | None = None,
    purpose: str | None = None,
) -> AuditEvent:
    """Append one event to the chain. Runs inside the caller's transaction (or its own)."""
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
        event = AuditEvent(
            seq=head.last_seq + 1,
            occurred_at=timezone.now(),
            user_id=actor.user_id,
            username=actor.username,
            agency_code=actor.agency_code,
            person_id=person_id,
            categories=sorted(set(categories)),
            action=action,
            purpose=(actor.purpose if purpose is None else purpose)[:200],
            outcome=outcome,
            reason=reason[:500],
            object_type=object_type,
            object_id=str(object_id) if object_id not in (None, "") else "",
            detail=detail or {},
            prev_hash=head.last_hash,
        )
        event.hash = event.compute_hash()
        event.save()
        head.last_seq, head.last_hash = event.seq, event.hash
        head.save(update_fields=["last_seq", "last_hash"])
    return event


@dataclass(frozen=True)
class Entry:
    """One event of `record_many()`: what `record()` takes besides the actor and the action."""

    person_id: int | None = None
    categories: tuple[str, ...] = ()
    object_type: str = ""
    object_id: object = ""
    detail: dict[str, Any] | None = None
    outcome: str = Outcome.ALLOWED
    reason: str = ""


def record_many(actor: Actor, action: str, entries: Iterable[Entry], *, purpose: str | None = None) -> int:
    """Append many events of one actor and action in one insert, chained exactly like `record()`.

    For set-based jobs (bulk hand-over): one event per person keeps every person's trail complete
    without one round trip per event. Holds the chain head's lock until the caller's transaction ends.
    """
    batch = list(entries)
    if not batch:
        return 0
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
        now = timezone.now()
        seq, prev = head.last_seq, head.last_hash
        events = []
        for e in batch:
            seq += 1
            event = AuditEvent(
                seq=seq, occurred_at=now, user_id=actor.user_id, username=actor.username,
                agency_code=actor.agency_code, person_id=e.person_id, categories=sorted(set(e.categories)),
                action=action, purpose=(actor.purpose if purpose is None else purpose)[:200], outcome=e.outcome,
                reason=e.reason[:500], object_type=e.object_type,
                object_id=str(e.object_id) if e.object_id not in (None, "") else "", detail=e.detail or {},
                prev_hash=prev,
            )
            event.hash = prev = event.compute_hash()
            events.append(event)
        _insert(events)
        head.last_seq, head.last_hash = seq, prev
        head.save(update_fields=["last_seq", "last_hash"])
    return len(events)


def _insert(events: list[AuditEvent]) -> None:
    """PostgreSQL: COPY (quoting thousands of parameters in Python costs more than the insert itself)."""
    if connection.vendor != "postgresql":
        AuditEvent.objects.bulk_create(events, batch_size=2000)
        return
    fields = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]
    json_fields = {f.attname for f in fields if f.get_internal_type() == "JSONField"}
    q = connection.ops.quote_name
    sql = f"COPY {q(AuditEvent._meta.db_table)} ({', '.join(q(f.column) for f in fields)}) FROM STDIN"
    with connection.cursor() as cur, cur.cursor.copy(sql) as copy:
        for e in events:
            copy.write_row([json.dumps(getattr(e, f.attname), ensure_ascii=False) if f.attname in json_fields
                            else getattr(e, f.attname) for f in fields])


def record_read(actor: Actor, *, person_id: int | None, categories: Iterable[str], **kwargs: Any) -> AuditEvent:
    return record(actor, AuditAction.READ, person_id=person_id, categories=categories, **kwargs)


def record_denied(actor: Actor, action: str, *, reason: str, **kwargs: Any) -> AuditEvent:
    """Audit a refusal in its own transaction so that it survives the error that follows."""
    return record(actor, action, outcome=Outcome.DENIED, reason=reason, **kwargs)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    problems: list[str]


def verify_chain(batch_size: int = 5000) -> VerifyResult:
    """Recompute every hash; report altered, reordered, removed or appended-around entries."""
    problems: list[str] = []
    expected_seq = 1
    prev_hash = GENESIS
    checked = 0
    last_seq = 0
    while True:
        batch = list(AuditEvent.objects.filter(seq__gt=last_seq).order_by("seq")[:batch_size])
        if not batch:
            break
        for event in batch:
            if event.seq != expected_seq:
                problems.append(f"Lücke: Eintrag {expected_seq} bis {event.seq - 1} fehlt.")
            if event.prev_hash != prev_hash:
                problems.append(f"Eintrag {event.seq}: Verkettung gebrochen (vorheriger Hash passt nicht).")
            if event.compute_hash() != event.hash:
                problems.append(f"Eintrag {event.seq}: Inhalt verändert (Hash passt nicht).")
            prev_hash = event.hash
            expected_seq = event.seq + 1
            checked += 1
        last_seq = batch[-1].seq
    head = AuditHead.objects.filter(id=1).first()
    if head is not None and (head.last_seq != expected_seq - 1 or (checked and head.last_hash != prev_hash)):
        problems.append(
            f"Ende der Kette: erwartet Eintrag {head.last_seq}, gefunden {expected_seq - 1} (Einträge entfernt?)."
        )
    return VerifyResult(ok=not problems, checked=checked, problems=problems)


def _require_dpo(actor: Actor, what: str) -> None:
    if not can_read_audit(actor):
        reason = "Nur Datenschutzbeauftragte sehen das Protokoll."
        record_denied(actor, AuditAction.READ, reason=reason, object_type=what)
        raise AccessDenied(reason)


def trail(*, actor: Actor, person_id: int | None = None, user_id: int | None = None,
          username: str = "", merged_person_ids: Iterable[int] = ()) -> QuerySet[AuditEvent]:
    """The audit trail for the data-protection officer, per person and/or user, newest first.

    `merged_person_ids`: records currently merged into the person (their events belong to its trail;
    audit events are never re-pointed). Looking at it is itself audited; anyone else is refused.
    """
    _require_dpo(actor, "audit")
    qs = AuditEvent.objects.all()
    if person_id is not None:
        qs = qs.filter(person_id__in={person_id, *merged_person_ids})
    if user_id is not None:
        qs = qs.filter(user_id=user_id)
    if username:
        qs = qs.filter(username=username)
    record_read(actor, person_id=person_id, categories=[], object_type="audit",
                detail={"user_id": user_id, "username": username})
    return qs.order_by("-seq")


def verify_for(*, actor: Actor) -> VerifyResult:
    """`verify_chain()` on behalf of the data-protection officer (audited, with its result)."""
    _require_dpo(actor, "audit_chain")
    result = verify_chain()
    record(actor, AuditAction.READ, object_type="audit_chain",
           detail={"ok": result.ok, "checked": result.checked, "problems": len(result.problems)})
    return result


__all__ = ["AuditAction", "Entry", "Outcome", "record", "record_denied", "record_many", "record_read", "trail", "verify_chain", "verify_for",
           "VerifyResult"]
