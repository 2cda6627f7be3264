"""Access to persons and files: builds the policy's FileContext from participations and consents,
filters query sets for an actor, and fetches single records (`access_*`) with audited refusals.

A record the actor may not see is answered like a missing one (NotFound) and the refusal is audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from stella.audit import service as audit
from stella.audit.models import AuditAction
from stella.authz.policy import (
    CASE_ROLES,
    SEARCH_ANY_KINDS,
    Action,
    Category,
    Decision,
    FileContext,
    decide,
    may_find_person,
)
from stella.cases.models import CaseFile, Consent, Participation
from stella.core.actor import Actor
from stella.core.errors import AccessDenied, NotFound
from stella.people.models import Person


def today() -> date:
    return timezone.localdate()


def file_context(actor: Actor, person_id: int, on: date | None = None) -> FileContext:
    """The actor's agency's active participation and consented categories for one person's file."""
    on = on or today()
    if actor.agency_id is None:
        return FileContext()
    roles = list(
        Participation.objects.active_on(on)
        .filter(case_file__person_id=person_id, agency_id=actor.agency_id)
        .values_list("role", flat=True)
    )
    participation = "lead" if "lead" in roles else (roles[0] if roles else None)
    consented: set[Category] = set()
    for cats in Consent.objects.valid_on(on).filter(case_file__person_id=person_id, agencies=actor.agency_id).values_list(
        "categories", flat=True
    ):
        consented.update(Category(c) for c in cats if c in Category._value2member_map_)
    return FileContext(participation=participation, consented=frozenset(consented))


def persons_for_actor(actor: Actor, on: date | None = None) -> QuerySet[Person]:
    """Persons the actor may find at all (search hits with base identity)."""
    on = on or today()
    qs = Person.objects.all()
    if not actor.roles.intersection(CASE_ROLES) or actor.agency_id is None:
        return qs.none()
    if actor.agency_kind in SEARCH_ANY_KINDS:
        return qs
    participates = Participation.objects.active_on(on).filter(case_file__person=OuterRef("pk"), agency_id=actor.agency_id)
    consents = Consent.objects.valid_on(on).filter(case_file__person=OuterRef("pk"), agencies=actor.agency_id)
    return qs.filter(Q(Exists(participates)) | Q(Exists(consents)))


def my_files(actor: Actor, on: date | None = None) -> QuerySet[Person]:
    """'Meine Fälle': persons whose file the actor's agency actively participates in."""
    on = on or today()
    if not actor.roles.intersection(CASE_ROLES) or actor.agency_id is None:
        return Person.objects.none()
    participates = Participation.objects.active_on(on).filter(case_file__person=OuterRef("pk"), agency_id=actor.agency_id)
    return Person.objects.filter(Exists(participates))


def _deny(actor: Actor, person_id: int | None, reason: str, categories: Iterable[str], action: str) -> None:
    audit.record_denied(actor, action, person_id=person_id, categories=categories, reason=reason,
                        object_type="person", object_id=person_id or "")


def access_person(actor: Actor, person_id: int, *, audit_action: str = AuditAction.READ) -> tuple[Person, FileContext]:
    """Fetch a person the actor may find, or raise NotFound (audited when it exists but is refused)."""
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise NotFound("Die Person wurde nicht gefunden.")
    ctx = file_context(actor, person_id)
    decision = may_find_person(actor, ctx)
    if not decision:
        _deny(actor, person_id, decision.reason, [Category.IDENTITY], audit_action)
        raise NotFound("Die Person wurde nicht gefunden.")
    return person, ctx


def check(actor: Actor, person_id: int, ctx: FileContext, action: Action, category: Category,
          *, hide: bool = False) -> Decision:
    """Enforce one policy decision. Refusals are audited; `hide` answers them as NotFound."""
    decision = decide(actor, action, category, ctx)
    if not decision:
        audit_action = AuditAction.READ if action is Action.READ else AuditAction.UPDATE
        _deny(actor, person_id, decision.reason, [category], audit_action)
        if hide:
            raise NotFound("Der Bereich wurde nicht gefunden.")
        raise AccessDenied(decision.reason)
    return decision


def access_case_file(actor: Actor, person_id: int, action: Action, category: Category) -> tuple[CaseFile, FileContext]:
    """The person's file, if the actor may do `action` on `category` in it (otherwise AccessDenied)."""
    person, ctx = access_person(actor, person_id)
    check(actor, person_id, ctx, action, category)
    return CaseFile.objects.get_or_create(person=person)[0], ctx
