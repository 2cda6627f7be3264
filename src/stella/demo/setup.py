"""Regions, agencies and demo users of the four pilot districts (idempotent: get-or-create by code)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from stella.accounts.models import User
from stella.accounts.services import create_user
from stella.agencies.models import (
    Agency,
    AgencyKind,
    Function,
    Municipality,
    Region,
    RegionKind,
    Responsibility,
    Role,
)
from stella.core.actor import Actor
from stella.demo.catalog import BEZIRKE, DISTRICTS, STAFF_FIRST, STAFF_LAST, TEAMS

#: The one password of every demo account (documented in README; demo data only).
DEMO_PASSWORD = "stella-demo"  # noqa: S105 – a documented demo credential, refused without debug mode
SYSTEM = Actor.system("Demodaten")

#: The district whose agencies hold the documented demo users (one per role × agency kind).
HOME_DISTRICT = "LB"
#: Agency kinds in the order of AgencyKind, as used in user names (aa, jc, lra, stadt, abh, kt, mb).
KINDS: tuple[str, ...] = tuple(k.value for k in AgencyKind)
ROLES: tuple[str, ...] = tuple(r.value for r in Role)


@dataclass(frozen=True)
class AgencySpec:
    code: str
    kind: str
    name: str
    landkreis: str  # region code LK-…
    bezirk: str  # region code AB-…


def agency_specs() -> list[AgencySpec]:
    """All agencies of the pilot: per district JC, LRA, ABH, Stadt, Kursträger, Migrationsberatung; 3 AAs."""
    specs: list[AgencySpec] = []
    for bezirk, name in BEZIRKE.items():
        specs.append(AgencySpec(f"AA-{bezirk}", AgencyKind.AA, f"Agentur für Arbeit {name}", f"LK-{bezirk}",
                                f"AB-{bezirk}"))
    for d in DISTRICTS:
        lk, ab = f"LK-{d.code}", f"AB-{d.bezirk}"
        lra = "Landratsamt Ortenaukreis" if d.code == "OG" else f"Landratsamt {d.landkreis}"
        specs += [
            AgencySpec(f"JC-{d.code}", AgencyKind.JC, d.jc_name, lk, ab),
            AgencySpec(f"LRA-{d.code}", AgencyKind.LRA, lra, lk, ab),
            AgencySpec(f"ABH-{d.code}", AgencyKind.ABH, f"Ausländerbehörde – {lra}", lk, ab),
            AgencySpec(f"STADT-{d.code}", AgencyKind.STADT, d.city, lk, ab),
            AgencySpec(f"KT-{d.code}", AgencyKind.KURSTRAEGER, d.kt_name, lk, ab),
            AgencySpec(f"MB-{d.code}", AgencyKind.MIGRATIONSBERATUNG, d.mb_name, lk, ab),
        ]
    return specs


def agency_code(kind: str, district: str) -> str:
    """The code of the agency of `kind` responsible for `district` (AA: the Agenturbezirk's agency)."""
    if kind == AgencyKind.AA:
        return f"AA-{next(d.bezirk for d in DISTRICTS if d.code == district)}"
    return f"{kind}-{district}"


def ensure_agencies() -> dict[str, Agency]:
    """Create missing regions and agencies; existing ones (same code) are left as they are."""
    with transaction.atomic():
        regions: dict[str, Region] = {}
        for d in DISTRICTS:
            regions[f"LK-{d.code}"], _ = Region.objects.get_or_create(
                code=f"LK-{d.code}", defaults={"kind": RegionKind.LANDKREIS, "name": d.landkreis})
        for code, name in BEZIRKE.items():
            regions[f"AB-{code}"], _ = Region.objects.get_or_create(
                code=f"AB-{code}", defaults={"kind": RegionKind.AGENTURBEZIRK, "name": name})
        agencies: dict[str, Agency] = {}
        for s in agency_specs():
            agencies[s.code], _ = Agency.objects.get_or_create(
                code=s.code, defaults={"kind": s.kind, "name": s.name, "landkreis": regions[s.landkreis],
                                       "agenturbezirk": regions[s.bezirk]})
        ensure_responsibilities(regions, agencies)
    return agencies


def ensure_responsibilities(regions: dict[str, Region], agencies: dict[str, Agency]) -> None:
    """The regional responsibility table: which agency serves each municipality for each function.

    Landratsamt: AsylbLG and provisional accommodation; Ausländerbehörde: residence; Jobcenter: SGB II;
    Agentur für Arbeit: SGB III; the city: follow-up accommodation in its own municipality (elsewhere the
    Gemeinde itself, which has no agency in the pilot).
    """
    for d in DISTRICTS:
        per_function = {
            Function.BENEFITS_ASYLBLG: f"LRA-{d.code}", Function.ACCOMMODATION_VU: f"LRA-{d.code}",
            Function.RESIDENCE: f"ABH-{d.code}", Function.BENEFITS_SGB2: f"JC-{d.code}",
            Function.LABOUR_SGB2: f"JC-{d.code}", Function.LABOUR_SGB3: agency_code(AgencyKind.AA, d.code),
        }
        for name, _postcodes, _weight in d.municipalities:
            municipality, _ = Municipality.objects.get_or_create(landkreis=regions[f"LK-{d.code}"], name=name)
            functions = dict(per_function)
            if name == d.city_municipality:
                functions[Function.ACCOMMODATION_AU] = f"STADT-{d.code}"
            for function, code in functions.items():
                Responsibility.objects.get_or_create(municipality=municipality, function=function,
                                                     defaults={"agency": agencies[code]})


def demo_username(kind: str, role: str, district: str = HOME_DISTRICT) -> str:
    """`jc.caseworker` in the home district; `jc-og.caseworker` (agency code) for colleagues elsewhere."""
    if district == HOME_DISTRICT:
        return f"{kind.lower()}.{role}"
    return f"{agency_code(kind, district).lower()}.{role}"


def demo_accounts() -> list[tuple[str, str, str]]:
    """(username, agency code, role) of every demo account.

    The documented accounts: one per role × agency kind in Ludwigsburg (`jc.caseworker`, `lra.benefits`…).
    Colleagues at the agencies of the other districts (a caseworker each, plus a benefits officer at the
    Jobcenter and the Landratsamt, e.g. `jc-og.caseworker`, `lra-tue.benefits`) author the timeline entries
    of persons there, so that files in Reutlingen are not all written from Ludwigsburg.
    """
    accounts = [(demo_username(k, r), agency_code(k, HOME_DISTRICT), r) for k in KINDS for r in ROLES]
    home_codes = {agency_code(k, HOME_DISTRICT) for k in KINDS}
    for d in DISTRICTS:
        for k in KINDS:
            code = agency_code(k, d.code)
            if code in home_codes:
                continue
            roles = [Role.CASEWORKER, Role.BENEFITS] if k in (AgencyKind.JC, AgencyKind.LRA) else [Role.CASEWORKER]
            accounts += [(demo_username(k, r, d.code), code, r) for r in roles]
    return list(dict.fromkeys(accounts))


def staff_ids() -> dict[tuple[str, str], int]:
    """(agency code, role) → user id of the demo accounts that exist."""
    wanted = {a[0]: (a[1], a[2]) for a in demo_accounts()}
    return {wanted[u]: pk for u, pk in User.objects.filter(username__in=wanted).values_list("username", "pk")}


#: Roles whose demo accounts work in a team ("Team 1", the team that leads most demo files).
TEAM_ROLES = frozenset({Role.REGISTRATION, Role.CASEWORKER, Role.BENEFITS, Role.TEAM_LEAD})


def demo_team(role: str) -> str:
    """The team of a demo account: the first of `TEAMS` for case work and team leads, none otherwise."""
    return TEAMS[0][0] if role in TEAM_ROLES else ""


def ensure_users() -> dict[str, User]:
    """Create missing demo accounts through the account service; existing user names are kept."""
    existing = {u.username: u for u in User.objects.filter(username__in=[a[0] for a in demo_accounts()])}
    for i, (username, code, role) in enumerate(demo_accounts()):
        if username in existing:
            continue
        existing[username] = create_user(
            actor=SYSTEM, username=username, password=DEMO_PASSWORD, agency_code=code, roles=[role],
            first_name=STAFF_FIRST[i % len(STAFF_FIRST)], last_name=STAFF_LAST[(i * 7) % len(STAFF_LAST)],
            email=f"{username}@demo.example.org", team=demo_team(role), validate_password=False,
        )
    return existing
