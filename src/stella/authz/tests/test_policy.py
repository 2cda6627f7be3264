"""The policy table: key promises of docs/access-control.md, checked on the pure decide()."""

import pytest

from stella.agencies.models import AgencyKind, Role
from stella.authz.policy import (
    LEGAL_BASIS,
    ROLE_GRANTS,
    Action,
    Category,
    FileContext,
    decide,
    may_find_person,
    readable_categories,
)
from stella.core.actor import Actor

PARTICIPATING = FileContext(participation="contributing")


def actor(kind: str, *roles: str) -> Actor:
    return Actor(1, "u", 1, f"{kind}-X", kind, frozenset(roles))


@pytest.mark.parametrize("kind", [AgencyKind.JC, AgencyKind.AA, AgencyKind.STADT, AgencyKind.ABH, AgencyKind.KURSTRAEGER])
def test_health_never_without_consent_except_lra(kind):
    assert not decide(actor(kind, "caseworker"), Action.READ, Category.HEALTH, PARTICIPATING)
    with_consent = FileContext(participation="contributing", consented=frozenset({Category.HEALTH}))
    assert decide(actor(kind, "caseworker"), Action.READ, Category.HEALTH, with_consent)


def test_lra_reads_health_on_its_asylblg_basis():
    d = decide(actor(AgencyKind.LRA, "benefits"), Action.READ, Category.HEALTH, PARTICIPATING)
    assert d and "AsylbLG" in d.basis


@pytest.mark.parametrize("role", [Role.ANALYST, Role.ADMIN, Role.DPO])
@pytest.mark.parametrize("category", list(Category))
def test_non_case_roles_never_see_persons(role, category):
    a = actor(AgencyKind.JC, role)
    everything = FileContext(participation="lead", consented=frozenset(Category))
    assert not decide(a, Action.READ, category, everything)
    assert not may_find_person(a, everything)


def test_no_participation_no_consent_no_access():
    d = decide(actor(AgencyKind.JC, "caseworker"), Action.READ, Category.IDENTITY, FileContext())
    assert not d and "nicht beteiligt" in d.reason


def test_kurstraeger_finds_only_its_own_participants():
    kt = actor(AgencyKind.KURSTRAEGER, "caseworker")
    assert not may_find_person(kt, FileContext())
    assert may_find_person(kt, PARTICIPATING)
    assert readable_categories(kt, PARTICIPATING) == [Category.IDENTITY, Category.COMPETENCES]


def test_public_bodies_may_find_anyone_for_duplicate_checks():
    for kind in (AgencyKind.JC, AgencyKind.AA, AgencyKind.LRA, AgencyKind.STADT, AgencyKind.ABH):
        assert may_find_person(actor(kind, "registration"), FileContext())
    assert not may_find_person(actor(AgencyKind.MIGRATIONSBERATUNG, "caseworker"), FileContext())


def test_consent_gives_read_but_never_write():
    ctx = FileContext(participation=None, consented=frozenset({Category.COUNSELLING}))
    mb = actor(AgencyKind.MIGRATIONSBERATUNG, "caseworker")
    assert decide(mb, Action.READ, Category.COUNSELLING, ctx)
    assert not decide(mb, Action.WRITE, Category.COUNSELLING, ctx)
    assert not decide(mb, Action.READ, Category.IDENTITY, ctx)


def test_role_limits_apply_within_the_agency_basis():
    reg = actor(AgencyKind.JC, "registration")
    assert decide(reg, Action.WRITE, Category.IDENTITY, PARTICIPATING)
    assert not decide(reg, Action.READ, Category.COUNSELLING, PARTICIPATING)
    assert not decide(actor(AgencyKind.JC, "caseworker"), Action.WRITE, Category.BENEFITS, PARTICIPATING)
    assert decide(actor(AgencyKind.JC, "benefits"), Action.WRITE, Category.BENEFITS, PARTICIPATING)


def test_every_decision_explains_itself():
    for kind in AgencyKind:
        for role in Role:
            for category in Category:
                for action in Action:
                    for ctx in (FileContext(), PARTICIPATING):
                        d = decide(actor(kind, role), action, category, ctx)
                        assert d.reason
                        assert not d.allowed or d.basis


def test_tables_cover_every_kind_and_role():
    assert set(LEGAL_BASIS) == set(AgencyKind.values)
    assert set(ROLE_GRANTS) == set(Role.values)


def test_documented_matrix_matches_the_policy():
    from pathlib import Path

    from stella.authz.matrix import render

    doc = Path(__file__).resolve().parents[4] / "docs" / "access-control.md"
    assert render() in doc.read_text(encoding="utf-8"), "run `stella access-matrix` and paste it into the doc"
