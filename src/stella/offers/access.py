"""Who may do what with offers, enrolments and placements, and the one rule the general policy lacks.

* **Offers** are not personal data. Anyone with a case role may list and read them. Caseworkers and team
  leads of the public bodies that place people (AA, JC, LRA, STADT) create offers, which their agency then
  owns; only the owning agency changes, closes or cancels an offer.
* **Enrolments and placements** are personal data of the category "Vermittlung" (`Category.PLACEMENT`).
  For agencies the general policy decides (`authz.policy.decide`: role, participation, legal basis or consent).
* **Kursträger (§8 IntV).** A course provider has no participation in the file and no legal basis for the
  category "Vermittlung", yet it must run its courses: it sees the enrolments of the offers whose
  `provider_agency` is its own agency and records attendance, completion (with the result) and drop-outs for
  them — nothing else: no other offer's enrolments, no waiting-list admissions, no placements, no file. This is
  the extra rule below (`provider_decision`); every refusal is audited like the policy's.
"""

from __future__ import annotations

from enum import StrEnum

from stella.agencies.models import AgencyKind, Role
from stella.audit import service as audit
from stella.audit.models import AuditAction
from stella.authz.policy import CASE_ROLES, ROLE_GRANTS, Action, Category, Decision
from stella.cases.access import access_person, check
from stella.core.actor import Actor
from stella.core.errors import AccessDenied, NotFound
from stella.offers.models import Enrolment, Offer

#: Agency kinds whose caseworkers and team leads create and manage offers.
OFFER_AGENCY_KINDS = frozenset({AgencyKind.AA, AgencyKind.JC, AgencyKind.LRA, AgencyKind.STADT})
OFFER_ROLES = frozenset({Role.CASEWORKER, Role.TEAM_LEAD})
#: Legal basis of the course provider's access to the enrolments of its own courses.
PROVIDER_BASIS = "§8 IntV (Teilnahme am Kurs, Anwesenheit und Kursergebnis)"


class Act(StrEnum):
    """What is done with an enrolment (the provider may do only some of it)."""

    READ = "read"
    REQUEST = "request"
    ADMIT = "admit"
    ATTENDANCE = "attendance"
    COMPLETE = "complete"
    DROP = "drop"
    WITHDRAW = "withdraw"


#: What a Kursträger may do with the enrolments of its own offers.
PROVIDER_ACTS = frozenset({Act.READ, Act.ATTENDANCE, Act.COMPLETE, Act.DROP})


def is_provider(actor: Actor) -> bool:
    return actor.agency_kind == AgencyKind.KURSTRAEGER


def _deny(actor: Actor, reason: str, *, person_id: int | None = None, object_type: str = "offer",
          object_id: object = "", action: str = AuditAction.UPDATE) -> None:
    audit.record_denied(actor, action, person_id=person_id, reason=reason, object_type=object_type,
                        object_id=object_id, categories=[Category.PLACEMENT] if person_id else [])


# --- offers ---------------------------------------------------------------------------------------------------

def may_list_offers(actor: Actor) -> Decision:
    if actor.agency_id is None or not actor.roles.intersection(CASE_ROLES):
        return Decision(False, "Ihre Rolle hat keinen Zugriff auf Angebote.")
    return Decision(True, "Angebote sind keine Personendaten.")


def may_manage_offers(actor: Actor, offer: Offer | None = None) -> Decision:
    """Create offers (offer None) or change, close or cancel one."""
    if actor.agency_kind not in OFFER_AGENCY_KINDS or not actor.roles.intersection(OFFER_ROLES):
        return Decision(False, "Angebote legen Fallbearbeitung und Teamleitung von Agentur für Arbeit, Jobcenter, "
                               "Landratsamt und Stadt an.")
    if offer is not None and offer.owner_id != actor.agency_id:
        return Decision(False, "Nur die Behörde, die das Angebot verwaltet, darf es ändern.")
    return Decision(True, "Angebot der eigenen Behörde")


def require_list(actor: Actor) -> None:
    decision = may_list_offers(actor)
    if not decision:
        _deny(actor, decision.reason, action=AuditAction.READ)
        raise AccessDenied(decision.reason)


def require_manage(actor: Actor, offer: Offer | None = None) -> None:
    decision = may_manage_offers(actor, offer)
    if not decision:
        _deny(actor, decision.reason, object_id=offer.pk if offer else "")
        raise AccessDenied(decision.reason)


# --- enrolments -----------------------------------------------------------------------------------------------

def _role_allows(actor: Actor, action: Action) -> bool:
    return any(Category.PLACEMENT in ROLE_GRANTS.get(role, {}).get(action, frozenset()) for role in actor.roles)


NOT_OWN_OFFER = "Ein Kursträger sieht nur die Teilnahmen an seinen eigenen Angeboten."


def provider_sees(actor: Actor, offer: Offer) -> bool:
    return offer.provider_agency_id is not None and offer.provider_agency_id == actor.agency_id


def provider_decision(actor: Actor, offer: Offer, act: Act) -> Decision:
    """The Kursträger rule (§8 IntV): only enrolments of its own offers, only reading, attendance, result and
    drop-out, and only in a role that may read (or write) the category "Vermittlung"."""
    if not provider_sees(actor, offer):
        return Decision(False, NOT_OWN_OFFER)
    if act not in PROVIDER_ACTS:
        return Decision(False, "Ein Kursträger erfasst Anwesenheit, Abschluss und Abbruch; über Anmeldung und "
                               "Aufnahme entscheidet die vermittelnde Behörde.")
    action = Action.READ if act is Act.READ else Action.WRITE
    if not _role_allows(actor, action):
        verb = "lesen" if action is Action.READ else "bearbeiten"
        return Decision(False, f"Ihre Rolle darf den Bereich „Vermittlung“ nicht {verb}.")
    return Decision(True, "Kursträger des Angebots", PROVIDER_BASIS)


def access_enrolment(actor: Actor, enrolment_id: int, act: Act) -> tuple[Enrolment, Decision]:
    """Fetch an enrolment for `act`, or NotFound (not visible) / AccessDenied (visible, act refused); audited.

    Agencies: the policy on the person's file, category "Vermittlung". Kursträger: `provider_decision`."""
    enrolment = (Enrolment.objects.select_related("offer", "offer__municipality", "person", "agency")
                 .filter(pk=enrolment_id).first())
    if enrolment is None:
        raise NotFound("Die Teilnahme wurde nicht gefunden.")
    action = Action.READ if act is Act.READ else Action.WRITE
    if is_provider(actor):
        decision = provider_decision(actor, enrolment.offer, act)
        if not decision:
            audit_action = AuditAction.READ if action is Action.READ else AuditAction.UPDATE
            _deny(actor, decision.reason, person_id=enrolment.person_id, object_type="enrolment",
                  object_id=enrolment.pk, action=audit_action)
            if not provider_sees(actor, enrolment.offer):
                raise NotFound("Die Teilnahme wurde nicht gefunden.")
            raise AccessDenied(decision.reason)
        return enrolment, decision
    try:
        _, ctx = access_person(actor, enrolment.person_id)
    except NotFound as exc:
        raise NotFound("Die Teilnahme wurde nicht gefunden.") from exc
    # Not allowed to read the placement category: the enrolment is answered like a missing one.
    decision = check(actor, enrolment.person_id, ctx, Action.READ, Category.PLACEMENT, hide=True)
    if action is Action.WRITE:
        decision = check(actor, enrolment.person_id, ctx, Action.WRITE, Category.PLACEMENT)
    return enrolment, decision


def access_person_placement(actor: Actor, person_id: int, action: Action) -> Decision:
    """The policy on a person's file for the category "Vermittlung" (Kursträger: no access to the file)."""
    _, ctx = access_person(actor, person_id, audit_action=AuditAction.READ if action is Action.READ
                           else AuditAction.UPDATE)
    return check(actor, person_id, ctx, action, Category.PLACEMENT)


__all__ = ["OFFER_AGENCY_KINDS", "OFFER_ROLES", "PROVIDER_ACTS", "PROVIDER_BASIS", "Act", "access_enrolment",
           "access_person_placement", "is_provider", "provider_sees", "may_list_offers", "may_manage_offers", "provider_decision",
           "require_list", "require_manage"]
