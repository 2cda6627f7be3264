"""The one access policy: may this actor do this action on this data category of this file, and why.

The policy is data (two tables below) plus one pure function, `decide()`. It knows nothing about
the database: callers pass a `FileContext` with the actor's agency participation and consents.
`docs/access-control.md` renders these tables as the documented matrix; a test keeps both in step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from stella.agencies.models import AgencyKind, Role
from stella.core.actor import Actor


class Category(StrEnum):
    """Data categories: the unit of access control."""

    IDENTITY = "identity"
    RESIDENCE = "residence"
    BENEFITS = "benefits"
    HEALTH = "health"
    COMPETENCES = "competences"
    PLACEMENT = "placement"
    COUNSELLING = "counselling"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS: dict[Category, str] = {
    Category.IDENTITY: "Identität",
    Category.RESIDENCE: "Aufenthalt",
    Category.BENEFITS: "Leistungen",
    Category.HEALTH: "Gesundheit",
    Category.COMPETENCES: "Kompetenzen",
    Category.PLACEMENT: "Vermittlung",
    Category.COUNSELLING: "Beratungsvermerke",
}


class Action(StrEnum):
    READ = "read"
    WRITE = "write"


C = Category
K = AgencyKind

#: Categories an agency kind may process on a legal basis (no consent needed), with that basis.
LEGAL_BASIS: dict[str, dict[Category, str]] = {
    K.AA: {
        C.IDENTITY: "§67a SGB X i. V. m. §35 SGB III",
        C.RESIDENCE: "§39a SGB III, §61 AsylG",
        C.COMPETENCES: "§37 SGB III (Potenzialanalyse)",
        C.PLACEMENT: "§35 SGB III",
        C.COUNSELLING: "§29 SGB III",
    },
    K.JC: {
        C.IDENTITY: "§50 SGB II, §67a SGB X",
        C.RESIDENCE: "§7 Abs. 1 SGB II",
        C.BENEFITS: "§§19 ff. SGB II",
        C.COMPETENCES: "§15 SGB II (Potenzialanalyse)",
        C.PLACEMENT: "§16 SGB II",
        C.COUNSELLING: "§14 SGB II",
    },
    K.LRA: {
        C.IDENTITY: "§67a SGB X, §9 AsylbLG",
        C.RESIDENCE: "§1 AsylbLG, FlüAG BW",
        C.BENEFITS: "§§2, 3 AsylbLG",
        C.HEALTH: "§§4, 6 AsylbLG",
        C.COMPETENCES: "§5a AsylbLG (Arbeitsgelegenheiten)",
        C.COUNSELLING: "§12 FlüAG BW (Flüchtlingssozialarbeit)",
    },
    K.STADT: {
        C.IDENTITY: "§18 FlüAG BW",
        C.RESIDENCE: "§18 FlüAG BW (Anschlussunterbringung)",
        C.COMPETENCES: "Integrationsmanagement (Pakt für Integration BW)",
        C.COUNSELLING: "Integrationsmanagement (Pakt für Integration BW)",
    },
    K.ABH: {
        C.IDENTITY: "§86 AufenthG",
        C.RESIDENCE: "§§71, 86 AufenthG",
    },
    K.KURSTRAEGER: {
        C.IDENTITY: "§8 IntV (Teilnahme am Kurs)",
        C.COMPETENCES: "§8 IntV (Kursergebnisse)",
    },
    K.MIGRATIONSBERATUNG: {},
}

#: Which actions each role may take on which categories (further limited by LEGAL_BASIS/consent).
ALL = frozenset(Category)
ROLE_GRANTS: dict[str, dict[Action, frozenset[Category]]] = {
    Role.REGISTRATION: {Action.READ: frozenset({C.IDENTITY, C.RESIDENCE}),
                        Action.WRITE: frozenset({C.IDENTITY, C.RESIDENCE})},
    Role.CASEWORKER: {Action.READ: ALL, Action.WRITE: ALL - {C.BENEFITS}},
    Role.BENEFITS: {Action.READ: frozenset({C.IDENTITY, C.RESIDENCE, C.BENEFITS, C.HEALTH, C.COUNSELLING}),
                    Action.WRITE: frozenset({C.BENEFITS, C.HEALTH, C.COUNSELLING})},
    Role.TEAM_LEAD: {Action.READ: ALL, Action.WRITE: frozenset({C.COUNSELLING})},
    Role.ANALYST: {},
    Role.DPO: {},
    Role.ADMIN: {},
}

#: Roles that work on individual files at all.
CASE_ROLES = frozenset({Role.REGISTRATION, Role.CASEWORKER, Role.BENEFITS, Role.TEAM_LEAD})
#: Public bodies may find any person (base identity only) to avoid double registration.
SEARCH_ANY_KINDS = frozenset({K.AA, K.JC, K.LRA, K.STADT, K.ABH})


@dataclass(frozen=True)
class FileContext:
    """What the policy needs to know about the actor's agency and one person's file."""

    participation: str | None = None  # "lead", "contributing" or None (no active participation)
    consented: frozenset[Category] = field(default_factory=frozenset)  # valid consent for actor's agency


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    basis: str = ""

    def __bool__(self) -> bool:
        return self.allowed


def _role_allows(actor: Actor, action: Action, category: Category) -> bool:
    return any(category in ROLE_GRANTS.get(role, {}).get(action, frozenset()) for role in actor.roles)


def decide(actor: Actor, action: Action, category: Category, ctx: FileContext) -> Decision:
    """Decide one (actor, action, category, file) question and say why."""
    label = category.label
    if not actor.roles.intersection(CASE_ROLES):
        return Decision(False, "Ihre Rolle hat keinen Zugriff auf Personendaten.")
    if not _role_allows(actor, action, category):
        verb = "lesen" if action is Action.READ else "bearbeiten"
        return Decision(False, f"Ihre Rolle darf den Bereich „{label}“ nicht {verb}.")
    consent = category in ctx.consented
    if ctx.participation is None and not ctx.consented:
        return Decision(False, "Ihre Behörde ist an dieser Fallakte nicht beteiligt und hat keine Einwilligung.")
    basis = LEGAL_BASIS.get(actor.agency_kind, {}).get(category)
    if basis and ctx.participation is not None:
        return Decision(True, f"Beteiligung ({ctx.participation}) und Rechtsgrundlage", basis)
    if consent and action is Action.READ:
        return Decision(True, "Einwilligung der Person", "Art. 6 Abs. 1 lit. a, Art. 9 Abs. 2 lit. a DSGVO; §67b SGB X")
    if consent:
        return Decision(False, f"Die Einwilligung erlaubt nur das Lesen des Bereichs „{label}“.")
    return Decision(
        False,
        f"Für den Bereich „{label}“ fehlt Ihrer Behörde eine Rechtsgrundlage oder eine gültige Einwilligung.",
    )


def may_find_person(actor: Actor, ctx: FileContext) -> Decision:
    """May the actor learn that the person exists (search hit, base identity)?"""
    if not actor.roles.intersection(CASE_ROLES):
        return Decision(False, "Ihre Rolle hat keinen Zugriff auf Personendaten.")
    if actor.agency_kind in SEARCH_ANY_KINDS:
        return Decision(True, "Öffentliche Stelle: Suche zur Vermeidung von Doppelerfassungen", "§67a SGB X")
    if ctx.participation is not None or ctx.consented:
        return Decision(True, "Beteiligung oder Einwilligung")
    return Decision(False, "Ihre Behörde sieht nur Personen, an deren Fallakte sie beteiligt ist.")


def readable_categories(actor: Actor, ctx: FileContext) -> list[Category]:
    return [c for c in Category if decide(actor, Action.READ, c, ctx).allowed]


def can_manage_users(actor: Actor) -> bool:
    return actor.has_role(Role.ADMIN)


def can_read_audit(actor: Actor) -> bool:
    return actor.has_role(Role.DPO)


def can_create_person(actor: Actor) -> bool:
    return actor.has_role(Role.REGISTRATION, Role.CASEWORKER) and actor.agency_kind in SEARCH_ANY_KINDS
