"""Permission matrix over the REST API: every person-data endpoint × role × agency kind (× data
category where the endpoint has one), for a file with participations and consents and for a file the
actors do not take part in.

The expected answer comes from the policy (`authz.policy.may_find_person` / `decide`) applied to the
file context written down in CONTEXTS; the test asserts that the API enforces exactly that:
allowed → 2xx, refused → 404 (the person or a hidden section looks missing) or 403 (a visible
file, but the action is not permitted). Fixtures are built once per module; every test runs in its own
savepoint, so writes made by one test never leak into another.
"""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client

from stella.accounts.models import RoleAssignment, User
from stella.accounts.services import issue_token
from stella.agencies.models import Agency, AgencyKind, Role
from stella.authz.policy import Action, Category, FileContext, decide, may_find_person
from stella.cases import services as cases
from stella.cases.access import file_context
from stella.cases.models import CaseFile, Participation
from stella.core.actor import Actor
from stella.people.models import Person
from stella.tests.factories import AgencyFactory, RegionFactory, make_district, register

H, C = Category.HEALTH, Category.COUNSELLING
#: The file context of each agency kind for the two persons of the scenario (see `world`).
CONTEXTS: dict[str, dict[str, FileContext]] = {
    "shared": {
        AgencyKind.JC: FileContext("lead", frozenset({H})),
        AgencyKind.LRA: FileContext("contributing"),
        AgencyKind.KURSTRAEGER: FileContext("contributing"),
        AgencyKind.AA: FileContext(None, frozenset({H, C})),
        AgencyKind.MIGRATIONSBERATUNG: FileContext(None, frozenset({Category.COMPETENCES})),
    },
    "abh_only": {AgencyKind.ABH: FileContext("lead")},
}
PDF = b"%PDF-1.4\n% Matrix\n"


@dataclass(frozen=True)
class Caller:
    kind: str
    role: str
    actor: Actor
    client: Client
    headers: dict[str, str]

    def request(self, method: str, path: str, body: Any = None) -> Any:
        url = "/api/v1" + path
        if method == "get":
            return self.client.get(url, body or {}, headers=self.headers)
        if method == "upload":
            return self.client.post(url, body, headers=self.headers)
        return getattr(self.client, method)(url, json.dumps(body), content_type="application/json",
                                            headers=self.headers)


@dataclass(frozen=True)
class World:
    callers: list[Caller]
    persons: dict[str, Person]
    lead: Caller  # the JC caseworker whose agency leads the shared file
    outsider: Agency  # receives test consents without changing any caller's context

    def cases(self) -> Iterator[tuple[Caller, str, Person, FileContext]]:
        for caller, (label, person) in itertools.product(self.callers, self.persons.items()):
            yield caller, label, person, CONTEXTS[label].get(caller.kind, FileContext())


def _caller(agency: Agency, role: str) -> Caller:
    user = User(username=f"matrix-{agency.code}-{role}".lower(), agency=agency)
    user.set_unusable_password()  # tokens only: no slow password hashing for 49 users
    user.save()
    RoleAssignment.objects.create(user=user, role=role)
    _, raw = issue_token(user=user)
    return Caller(agency.kind, role, Actor.for_user(user), Client(), {"Authorization": f"Bearer {raw}"})


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """One district, one caller per agency kind × role, and two persons:
    `shared` (JC lead, LRA and Kursträger contributing, consents for JC, AA and Migrationsberatung)
    and `abh_only` (only the Ausländerbehörde takes part)."""
    with django_db_blocker.unblock(), transaction.atomic():
        district = make_district("MX", "Matrixkreis")
        outsider = AgencyFactory(kind=AgencyKind.MIGRATIONSBERATUNG, code="MB-OUT",
                                 landkreis=RegionFactory(code="LK-OUT", name="Anderswo"))
        callers = [_caller(district[kind], role) for kind in AgencyKind for role in Role]
        by = {(c.kind, c.role): c for c in callers}
        jc, lra = by[AgencyKind.JC, Role.CASEWORKER], by[AgencyKind.LRA, Role.CASEWORKER]
        shared = register(User.objects.get(pk=jc.actor.user_id), family="Matrix", given="Amani")
        abh_only = register(User.objects.get(pk=by[AgencyKind.ABH, Role.REGISTRATION].actor.user_id),
                            family="Matrix", given="Bilal")
        cases.add_participation(actor=lra.actor, person_id=shared.pk, role="contributing", legal_basis="§1 AsylbLG")
        # A course enrolment has no service yet: the Kursträger's participation is set up directly.
        Participation.objects.create(case_file=CaseFile.objects.get(person=shared), agency=district[AgencyKind.KURSTRAEGER],
                                     role="contributing", since=date(2024, 1, 1), legal_basis="§8 IntV")
        for categories, kind in (([H], AgencyKind.JC), ([H, C], AgencyKind.AA),
                                 ([Category.COMPETENCES], AgencyKind.MIGRATIONSBERATUNG)):
            cases.record_consent(actor=jc.actor, person_id=shared.pk, categories=categories,
                                 agency_ids=[district[kind].pk], purpose="Matrix", valid_from=date(2024, 1, 1))
        yield World(callers, {"shared": shared, "abh_only": abh_only}, jc, outsider)
        transaction.set_rollback(True)


@pytest.fixture(scope="module", autouse=True)
def _quiet_refusals() -> Iterator[None]:
    """Thousands of intended 403/404 answers: keep Django from logging each one."""
    logger = logging.getLogger("django.request")
    level, logger.level = logger.level, logging.ERROR
    yield
    logger.setLevel(level)


def expected(caller: Caller, ctx: FileContext, action: Action | None = None, category: Category | None = None,
             *, ok: int = 200, hide: bool = False) -> int:
    """The status the policy asks for."""
    if not may_find_person(caller.actor, ctx):
        return 404
    if category is None or decide(caller.actor, action or Action.READ, category, ctx):
        return ok
    return 404 if hide else 403


def walk(world: World, call: Callable[[Caller, Person], Any], want: Callable[[Caller, FileContext], int]) -> None:
    """Run `call` for every caller and person; collect every deviation from the policy, and make sure
    both outcomes occur."""
    wrong, outcomes = [], set()
    for caller, label, person, ctx in world.cases():
        status, wanted = call(caller, person).status_code, want(caller, ctx)
        outcomes.add(wanted < 400)
        if status != wanted:
            wrong.append(f"{caller.kind}/{caller.role} on {label}: {status}, policy says {wanted}")
    assert not wrong, "\n".join(wrong)
    assert outcomes == {True, False}, "the matrix must contain allowed and refused cases"


def test_scenario_contexts_are_what_the_matrix_assumes(world, db):
    for caller, _label, person, ctx in world.cases():
        assert file_context(caller.actor, person.pk) == ctx


def test_search(world, db):
    wrong, found_any, missed_any = [], False, False
    for caller in world.callers:
        hits = {p["id"] for p in caller.request("get", "/persons", {"name": "Matrix"}).json()["items"]}
        want = {p.pk for label, p in world.persons.items()
                if may_find_person(caller.actor, CONTEXTS[label].get(caller.kind, FileContext()))}
        found_any, missed_any = found_any or bool(want), missed_any or len(want) < len(world.persons)
        if hits != want:
            wrong.append(f"{caller.kind}/{caller.role}: {sorted(hits)} != {sorted(want)}")
    assert not wrong, "\n".join(wrong)
    assert found_any and missed_any


@pytest.mark.parametrize("suffix", ["", "/timeline", "/consents", "/participations"])
def test_file_reads(world, db, suffix):
    walk(world, lambda c, p: c.request("get", f"/persons/{p.pk}{suffix}"), lambda c, ctx: expected(c, ctx))


@pytest.mark.parametrize("category", list(Category))
def test_section_reads(world, db, category):
    walk(world, lambda c, p: c.request("get", f"/persons/{p.pk}/sections/{category}"),
         lambda c, ctx: expected(c, ctx, Action.READ, category, hide=True))


@pytest.mark.parametrize("category", list(Category))
def test_attachment_downloads(world, db, category):
    ids = {}
    for label, person in world.persons.items():
        # Written by an agency with the right to write the category into this file.
        writer = next((c for c in world.callers
                       if decide(c.actor, Action.WRITE, category, CONTEXTS[label].get(c.kind, FileContext()))), None)
        if writer is None:
            continue
        response = writer.request("upload", f"/persons/{person.pk}/timeline/upload", {
            "category": category, "title": "Anhang", "files": [SimpleUploadedFile("a.pdf", PDF)]})
        assert response.status_code == 201, response.content
        ids[person.pk] = response.json()["attachments"][0]["id"]
    world_with_files = World(world.callers, {k: p for k, p in world.persons.items() if p.pk in ids},
                             world.lead, world.outsider)
    walk(world_with_files, lambda c, p: c.request("get", f"/persons/{p.pk}/attachments/{ids[p.pk]}"),
         lambda c, ctx: expected(c, ctx, Action.READ, category, hide=True))


@pytest.mark.parametrize("category", list(Category))
def test_timeline_writes(world, db, category):
    walk(world, lambda c, p: c.request("post", f"/persons/{p.pk}/timeline", {"category": category, "title": "Vermerk"}),
         lambda c, ctx: expected(c, ctx, Action.WRITE, category, ok=201))


def test_person_edits(world, db):
    def patch(caller: Caller, person: Person) -> Any:
        version = Person.objects.values_list("version", flat=True).get(pk=person.pk)
        return caller.request("patch", f"/persons/{person.pk}", {"version": version, "birth_place": caller.role})

    walk(world, patch, lambda c, ctx: expected(c, ctx, Action.WRITE, Category.IDENTITY))


ADDRESS_DAYS = itertools.count()
SUB_RECORDS: list[tuple[str, Category, Callable[[], dict[str, Any]]]] = [
    ("names", Category.IDENTITY, lambda: {"family_name": "Matriks", "kind": "alias"}),
    ("contacts", Category.IDENTITY, lambda: {"kind": "phone", "value": "+49 711 000000"}),
    ("languages", Category.COMPETENCES, lambda: {"language": "ar", "level": "MT"}),
    ("addresses", Category.RESIDENCE, lambda: {
        "municipality": "Matrixstadt", "valid_from": (date(2000, 1, 1) + timedelta(days=next(ADDRESS_DAYS))).isoformat()}),
    ("documents", Category.RESIDENCE, lambda: {"kind": "duldung", "number": "D123"}),
]


@pytest.mark.parametrize("path, category, payload", SUB_RECORDS, ids=[s[0] for s in SUB_RECORDS])
def test_sub_record_writes(world, db, path, category, payload):
    walk(world, lambda c, p: c.request("post", f"/persons/{p.pk}/{path}", payload()),
         lambda c, ctx: expected(c, ctx, Action.WRITE, category, ok=201))


def test_consent_records(world, db):
    """Only case roles of participating agencies record consents (not a per-category decision)."""
    def want(caller: Caller, ctx: FileContext) -> int:
        if not may_find_person(caller.actor, ctx):
            return 404
        return 201 if ctx.participation is not None else 403

    walk(world, lambda c, p: c.request("post", f"/persons/{p.pk}/consents", {
        "categories": ["health"], "agencies": [world.outsider.code], "purpose": "Matrix", "valid_from": "2024-01-01"}),
        want)
