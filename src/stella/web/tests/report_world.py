"""A small reporting world for the web tests with the real service: facts for two pilot districts, the cube
built for 13 months. Ludwigsburg: 42 Jobcenter clients in four teams (Team 3 has only 4 persons) and 12
Agentur clients; Tübingen: 3 clients with one integration (a district below the confidentiality limit);
Reutlingen 14 and Ortenaukreis 11 clients (one of them hides Tübingen by secondary suppression)."""

from __future__ import annotations

from datetime import date

from stella.reporting import cube
from stella.reporting.models import EventKind
from stella.reporting.tests.cubehelpers import client, event
from stella.tests.factories import make_district

MONTH = date(2026, 9, 1)
FIRST = date(2025, 9, 1)
#: (district, agency, team, clients, integrations, activated)
UNITS = (
    ("LK-LB", "JC-LB", "Team 1", 15, 5, 6),
    ("LK-LB", "JC-LB", "Team 2", 12, 4, 5),
    ("LK-LB", "JC-LB", "Team 3", 4, 1, 1),
    ("LK-LB", "JC-LB", "Team 4", 11, 3, 4),
    ("LK-LB", "AA-LB", "Vermittlung", 12, 3, 4),
    ("LK-TUE", "JC-TUE", "Team A", 3, 1, 1),
    ("LK-RT", "JC-RT", "Team A", 14, 4, 5),
    ("LK-OG", "JC-OG", "Team A", 11, 3, 4),
)
INTEGRATION_DAYS = (date(2025, 11, 12), date(2026, 1, 20), date(2026, 3, 3), date(2026, 5, 18), date(2026, 8, 4))


def build_world() -> None:
    make_district("TUE", "Tübingen")
    make_district("RT", "Reutlingen")
    make_district("OG", "Ortenaukreis")
    n = 0
    for district, agency, team, clients, integrations, activated in UNITS:
        for i in range(clients):
            n += 1
            attrs = {"district": district, "agency": agency, "team": team, "sex": "f" if n % 2 else "m",
                     "regime": "sgb2" if agency.startswith("JC") else "sgb3"}
            p = client(date(2024, 6, 1), activated=i < activated, **attrs)
            if i < integrations:
                event(p, EventKind.INTEGRATION, INTEGRATION_DAYS[i % len(INTEGRATION_DAYS)],
                      **{k: attrs[k] for k in ("district", "agency", "team", "sex", "regime")})
            if i < 6:
                event(p, EventKind.COUNSELLING, date(2026, 2, 1 + i), days=20 + 7 * i,
                      **{k: attrs[k] for k in ("district", "agency", "team", "sex", "regime")})
    cube.build(since=FIRST, until=MONTH)
