"""The audit trail for the data-protection officer: events per person or user, chain verification
and the GDPR Art. 15 export. Everyone else is refused (and the refusal is audited)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from stella.api.auth import actor
from stella.api.schemas import AuditEventOut, AuditQuery, Page, VerifyOut, paginate
from stella.audit import service as audit
from stella.cases import services as cases
from stella.cases.sections import audit_dict
from stella.linkage.merge import audit_person_ids

router = Router(tags=["Datenschutz"])


@router.get("/audit/events", response=Page[AuditEventOut], summary="Protokoll")
def events(request: HttpRequest, query: Query[AuditQuery]) -> Any:
    """Newest first; filter by person (`person_id`, including records merged into it) and/or user
    (`user_id`, `username`)."""
    merged = audit_person_ids(query.person_id)[1:] if query.person_id is not None else []
    qs = audit.trail(actor=actor(request), person_id=query.person_id, user_id=query.user_id,
                     username=query.username, merged_person_ids=merged)
    return paginate(qs, query, audit_dict)


@router.get("/audit/verify", response=VerifyOut, summary="Protokollkette prüfen")
def verify(request: HttpRequest) -> Any:
    """Recompute the hash chain; `problems` names altered, removed or reordered entries."""
    return audit.verify_for(actor=actor(request))


@router.get("/persons/{int:person_id}/export", response=dict[str, Any], summary="Auskunft nach Art. 15 DSGVO")
def export(request: HttpRequest, person_id: int) -> Any:
    """All data of the person and who accessed it, as JSON (404 for anyone but the DPO)."""
    return cases.export_person(actor=actor(request), person_id=person_id)
