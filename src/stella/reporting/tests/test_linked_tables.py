"""Linked tables: a number hidden in one report is hidden in every report (issue 7 §3, secondary suppression
across tables). The web helper's example (Land by district hides Reutlingen to protect Tübingen; Reutlingen's own
report must not publish its total), the same at agency and team level and per trend month, a demographic filter
(the cell is a row of "unit by sex"), the refusal of filter + org breakdown, and a property over random small
worlds (with one agency serving two districts): no value hidden anywhere is determined by the union of every
figure every report publishes."""

from __future__ import annotations

import math
from datetime import date
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, Phase, assume, example, given, settings
from hypothesis import strategies as st

from stella.core.errors import InvalidInput
from stella.reporting import cube, query
from stella.reporting.report import Figure, Report, ReportRequest

from .cubehelpers import client

M = date(2025, 6, 1)
MAY = date(2025, 5, 1)
TODAY = date(2025, 7, 15)
LINKED = "in der übergeordneten Aufgliederung verdeckt"


def run(**kw) -> Report:
    return query.answer(query.resolve(ReportRequest(**kw), today=TODAY))


def clients(n: int, district: str, agency: str, team: str = "Team 1", *, sex: str = "f",
            until: date | None = None) -> None:
    for _ in range(n):
        client(date(2024, 1, 1), until, district=district, agency=agency, team=team, sex=sex)


def figures(report: Report) -> list[Figure]:
    out = [report.total.figure, *(r.figure for r in report.rows), *(r.figure for r in report.trend)]
    return out + [f for r in [report.total, *report.rows] for f in (r.previous_year, r.ytd) if f is not None]


@pytest.fixture
def four(db):
    from stella.tests.factories import make_district

    return {code: make_district(code, name) for code, name in (
        ("LB", "Ludwigsburg"), ("OG", "Ortenaukreis"), ("RT", "Reutlingen"), ("TÜ", "Tübingen"))}


@pytest.fixture
def rt_world(four):
    """June: LB 10, OG 10, RT 6 (JC 3 + AA 3), TÜ 2 – Land by district hides TÜ (2 persons) and RT (so that
    TÜ = Land − LB − OG − RT cannot be computed). May: TÜ had 3 more clients, nothing hidden."""
    clients(10, "LK-LB", "JC-LB")
    clients(10, "LK-OG", "JC-OG")
    clients(3, "LK-RT", "JC-RT")
    clients(3, "LK-RT", "AA-RT", "Team 2")
    clients(2, "LK-TÜ", "JC-TÜ")
    clients(3, "LK-TÜ", "JC-TÜ", until=date(2025, 5, 31))
    cube.build(since=MAY, until=M)


def test_the_web_helpers_example_district_hidden_above_hides_its_own_report(rt_world):
    land = run(indicator="count_district", month=M)
    rows = {r.key: r.figure for r in land.rows}
    assert rows["LK-TÜ"].suppressed == "primary" and rows["LK-RT"].suppressed == "secondary"
    assert (rows["LK-LB"].display, rows["LK-OG"].display, land.total.figure.display) == ("10", "10", "28")
    rt = run(indicator="count_district", month=M, district="LK-RT", trend_months=2)
    assert rt.breakdown == "agency" and [r.key for r in rt.rows] == ["AA-RT", "JC-RT"]
    for f in [rt.total.figure, *(r.figure for r in rt.rows)]:
        assert (f.display, f.suppressed, f.reason, f.value, f.numerator) == ("*", "secondary", LINKED, None, None)
    assert all(r.drill is None for r in rt.rows)
    # the trend: May was published in Land by district (all four shown), June is not
    assert [(r.key, r.figure.display) for r in rt.trend] == [("2025-05-01", "6"), ("2025-06-01", "*")]
    assert any(LINKED in n for n in rt.notes)
    # the overview's district trends get the same figures (query.unit_trend)
    from stella.reporting.indicators import get

    trends = query.unit_trend(get("count_district"), [query.Unit("LK-RT"), query.Unit("LK-LB")], [MAY, M])
    assert [f.display for f in trends[query.Unit("LK-RT")]] == ["6", "*"]
    assert [f.display for f in trends[query.Unit("LK-LB")]] == ["10", "10"]
    # and below: the agencies of RT, its teams, the agency on its own, a filter on RT
    for kw in ({"district": "LK-RT", "agency": "JC-RT"}, {"district": "LK-RT", "agency": "AA-RT", "team": "Team 2"},
               {"agency": "JC-RT"}, {"agency": "AA-RT", "team": "Team 2"},
               {"district": "LK-RT", "filter_dim": "sex", "filter_value": "f"},
               {"district": "LK-RT", "breakdown": "sex"}):
        report = run(indicator="count_district", month=M, trend_months=1, **kw)  # May was published
        assert all(f.suppressed for f in figures(report) if f.suppressed != "no_data"), kw
        assert all(f.value is None for f in figures(report)), kw
    tue = run(indicator="count_district", month=M, district="LK-TÜ")
    assert tue.total.figure.suppressed == "primary"
    assert {r.figure.reason for r in tue.rows} == {"Gesamtwert zu klein für eine Aufgliederung"}


def test_a_rate_district_hidden_above_hides_its_own_report(four):
    """K2 as in the report by the web helper: Tübingen below 3 persons, Reutlingen hidden to protect it."""
    from stella.reporting.models import EventKind

    from .cubehelpers import event

    def group(n: int, integrated: int, district: str, agency: str) -> None:
        for i in range(n):
            p = client(date(2023, 1, 1), district=district, agency=agency)
            if i < integrated:
                event(p, EventKind.INTEGRATION, date(2025, 3, 1), district=district, agency=agency)

    group(20, 5, "LK-LB", "JC-LB")
    group(20, 6, "LK-OG", "JC-OG")
    group(14, 4, "LK-RT", "JC-RT")
    group(12, 2, "LK-TÜ", "JC-TÜ")
    cube.build(since=M, until=M)
    land = run(indicator="k2", month=M, breakdown="district")
    rows = {r.key: r.figure for r in land.rows}
    assert rows["LK-TÜ"].suppressed == "primary" and rows["LK-RT"].display == "*"
    rt = run(indicator="k2", month=M, district="LK-RT")
    assert rt.total.figure.display == "*" and rt.total.ytd.display == "*"
    assert rt.total.figure.reason == LINKED and rt.trend[-1].figure.display == "*"
    assert all(f.value is None and f.numerator is None and f.denominator is None for f in figures(rt))


def test_agency_and_team_hidden_above(four):
    clients(10, "LK-LB", "JC-LB", "Team 1")
    clients(10, "LK-LB", "JC-LB", "Team 2")
    clients(6, "LK-LB", "AA-LB")
    clients(2, "LK-LB", "LRA-LB")
    clients(6, "LK-OG", "JC-OG", "Team 1")
    clients(4, "LK-OG", "JC-OG", "Team 2")
    clients(1, "LK-OG", "JC-OG", "Team 3")
    cube.build(since=M, until=M)
    lb = run(indicator="count_district", month=M, district="LK-LB")
    agencies = {r.key: r.figure.suppressed for r in lb.rows}
    assert agencies == {"JC-LB": "", "AA-LB": "secondary", "LRA-LB": "primary"}
    assert lb.total.figure.display == "28"
    assert next(r for r in lb.rows if r.key == "JC-LB").drill is not None
    for kw in ({"district": "LK-LB", "agency": "AA-LB"}, {"agency": "AA-LB"}, {"agency": "AA-LB", "team": "Team 1"},
               {"district": "LK-LB", "agency": "AA-LB", "breakdown": "sex"}):
        report = run(indicator="count_district", month=M, **kw)
        assert report.total.figure.display == "*", kw
        assert all(f.value is None for f in figures(report)), kw
    # the agency on its own: Land by agency publishes what the district tree publishes
    by_agency = {r.key: r.figure.display for r in run(indicator="count_district", month=M, breakdown="agency").rows}
    assert by_agency["JC-LB"] == "20" and by_agency["AA-LB"] == "*" and by_agency["LRA-LB"] == "*"
    # team level: OG's JC by team hides Team 3 (1 person) and Team 2
    teams = run(indicator="count_district", month=M, district="LK-OG", agency="JC-OG")
    assert {r.key: r.figure.suppressed for r in teams.rows} == {"Team 1": "", "Team 2": "secondary",
                                                               "Team 3": "primary"}
    assert teams.total.figure.display == "11"  # fixed as published above: rows hidden instead
    for kw in ({"district": "LK-OG", "agency": "JC-OG", "team": "Team 2"}, {"agency": "JC-OG", "team": "Team 2"}):
        report = run(indicator="count_district", month=M, **kw)
        assert report.total.figure.display == "*" and report.total.figure.reason == LINKED, kw


def test_filter_on_a_unit_follows_the_units_table_by_that_dim(four):
    clients(12, "LK-LB", "JC-LB", sex="m")
    clients(2, "LK-LB", "JC-LB", sex="f")
    clients(10, "LK-OG", "JC-OG", sex="f")
    clients(10, "LK-OG", "JC-OG", sex="m")
    cube.build(since=M, until=M)
    by_sex = run(indicator="count_district", month=M, district="LK-LB", breakdown="sex")
    assert {r.key: r.figure.suppressed for r in by_sex.rows} == {"f": "primary", "m": "secondary"}
    assert by_sex.total.figure.display == "14"  # published in Land by district: the rows are hidden instead
    for value in ("f", "m"):
        for kw in ({"district": "LK-LB"}, {"district": "LK-LB", "agency": "JC-LB"}, {"agency": "JC-LB"}):
            report = run(indicator="count_district", month=M, filter_dim="sex", filter_value=value, **kw)
            assert report.breakdown == "month"
            assert report.total.figure.display == "*" and report.trend[-1].figure.display == "*", (value, kw)
    # the cross-table districts × sex: Land f = 12 is published, so OG f = 10 would give LB f = 2 – hidden too
    land_f = run(indicator="count_district", month=M, filter_dim="sex", filter_value="f")
    assert land_f.total.figure.display == "12"
    og = run(indicator="count_district", month=M, district="LK-OG", breakdown="sex")
    assert og.total.figure.display == "20" and [r.figure.display for r in og.rows] == ["*", "*"]
    og_f = run(indicator="count_district", month=M, district="LK-OG", filter_dim="sex", filter_value="f")
    assert og_f.total.figure.display == "*"


FILTER_REFUSAL = ("Eine Aufgliederung nach Landkreis, Behörde oder Team ist mit einem Filter nach Geschlecht nicht "
                  "möglich (statistische Geheimhaltung: sonst ließen sich verdeckte Werte anderer Tabellen "
                  "errechnen). Bitte die Einheit wählen und nach Geschlecht aufgliedern.")


@pytest.mark.parametrize("kw", [{"breakdown": "district"}, {"breakdown": "agency"},
                                {"district": "LK-LB", "breakdown": "agency"},
                                {"agency": "JC-LB", "breakdown": "team"}])
def test_filter_with_org_breakdown_is_refused(rt_world, kw):
    with pytest.raises(InvalidInput) as exc:
        run(indicator="count_district", month=M, filter_dim="sex", filter_value="f", **kw)
    assert exc.value.field_errors == {"breakdown": [FILTER_REFUSAL]}


def test_filter_with_month_or_default_breakdown_stays_allowed(rt_world):
    assert run(indicator="count_district", month=M, filter_dim="sex", filter_value="f").breakdown == "month"
    assert run(indicator="k2", month=M, filter_dim="sex", filter_value="f", breakdown="month").breakdown == "month"
    with pytest.raises(InvalidInput) as exc:  # filter + another demographic breakdown: the message as before
        run(indicator="k2", month=M, filter_dim="sex", filter_value="f", breakdown="age_band")
    assert "zusammen mit einem Filter nicht möglich" in exc.value.field_errors["breakdown"][0]


def test_filter_with_org_breakdown_via_service_api_and_web(four, rt_world):
    from django.test import Client

    from stella.api.tests.conftest import ApiClient, fields, problem, token_for
    from stella.core.actor import Actor
    from stella.reporting import services
    from stella.tests.factories import make_user

    user = make_user(four["LB"], "JC", "analyst")
    with pytest.raises(InvalidInput) as exc:
        services.run_report(actor=Actor.for_user(user), request=ReportRequest(
            indicator="count_district", month=M, breakdown="district", filter_dim="sex", filter_value="f"))
    assert exc.value.field_errors == {"breakdown": [FILTER_REFUSAL]}
    body = problem(ApiClient(token_for(user)).get("/reports/count_district", month="2025-06", breakdown="district",
                                                  filter_dim="sex", filter_value="f"), 422)
    assert fields(body) == {"breakdown"} and body["errors"][0]["message"] == FILTER_REFUSAL
    web = Client()
    web.force_login(user)
    response = web.get("/auswertungen/count_district/?month=2025-06&breakdown=district&filter_dim=sex"
                          "&filter_value=f")
    html = response.content.decode()
    assert response.status_code == 400 and "mit einem Filter nach Geschlecht nicht möglich" in html
    assert 'id="report-table"' not in html


# --- property: the union of every published figure discloses no hidden value -----------------------------------

DISTRICTS = ("LB", "OG", "RT")
AGENCIES = ("JC", "AA", "LRA")


def agency_code(agency: str, district: str) -> str:
    """One Agentur für Arbeit serves two districts (as AA Reutlingen serves Reutlingen and Tübingen): its reports
    by district and its teams span both district trees."""
    return "AA-RT" if agency == "AA" and district in ("OG", "RT") else f"{agency}-{district}"

worlds = st.lists(  # per district: per agency: per team: (women, men)
    st.lists(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=1, max_size=2),
             min_size=1, max_size=3),
    min_size=2, max_size=3)


def _build(world) -> list[tuple[str, str, str, str]]:
    from stella.people.models import Person
    from stella.reporting.models import Cell, FactSpan, PersonFact

    Cell.objects.all().delete()
    FactSpan.objects.all().delete()
    PersonFact.objects.all().delete()
    Person.objects.all().delete()
    atoms = []
    for d, agencies in zip(DISTRICTS, world, strict=False):
        for a, teams in zip(AGENCIES, agencies, strict=False):
            for t, (women, men) in enumerate(teams, start=1):
                for sex, n in (("f", women), ("m", men)):
                    clients(n, f"LK-{d}", agency_code(a, d), f"Team {t}", sex=sex)
                if women + men:  # a team with persons is seen (a row); each of its cells may be empty
                    atoms += [(f"LK-{d}", agency_code(a, d), f"Team {t}", sex) for sex in "fm"]
    cube.build(since=M, until=M)
    return atoms


def _requests(atoms) -> list[dict[str, str]]:
    """Every report the UI can ask for: every unit × (next org level | sex | month) and × sex filter (month)."""
    units = {("", "", "")}
    for x, a, t, _ in atoms:
        units |= {(x, "", ""), (x, a, ""), (x, a, t), ("", a, ""), ("", a, t)}
    out = []
    for x, a, t in sorted(units):
        unit = {"district": x, "agency": a, "team": t}
        org = ["district", "agency"] if not (x or a) else ["agency"] if x and not a else \
            ["team", *([] if x else ["district"])] if a and not t else []
        for breakdown in [*org, "sex", "month"]:
            out.append({**unit, "breakdown": breakdown})
        for value in ("f", "m"):
            out.append({**unit, "breakdown": "month", "filter_dim": "sex", "filter_value": value})
    return out


def _cells_of(report: Report, req: dict[str, str]) -> list[tuple[tuple[str, str, str, str], Figure]]:
    """(district, agency, team, sex) of each figure (‘’ = all) with the figure."""
    unit = (req["district"], req["agency"], req["team"], req.get("filter_value", ""))
    out = [(unit, report.total.figure), *((unit, r.figure) for r in report.trend)]
    for r in report.rows:
        if report.breakdown in ("district", "agency", "team"):
            key = dict(zip(("district", "agency", "team"), unit[:3], strict=True))
            key[report.breakdown] = r.key
            out.append(((key["district"], key["agency"], key["team"], unit[3]), r.figure))
        elif report.breakdown == "sex":
            out.append(((*unit[:3], r.key), r.figure))
    return out


def _determined(atoms, published: dict, hidden: set) -> list:
    """Hidden cells whose value the attacker pins down from every published cell (exact LP bounds over
    non-negative atoms; a single integer in [min, max] = disclosed). A hidden cell pinned to 0 is not counted:
    it reveals no one (zeros are published anyway; a primary "*" is at least 1, so it can never be pinned to 0) –
    across linked reports Stella guarantees that no hidden count of one or more persons can be computed."""
    import numpy as np
    from scipy.optimize import linprog

    def row(cell):
        return np.array([1.0 if all(c in ("", v) for c, v in zip(cell, atom, strict=True)) else 0.0
                         for atom in atoms])

    a_eq = np.array([row(c) for c in published]) if published else None
    b_eq = np.array([float(v) for v in published.values()]) if published else None
    bad = []
    for cell in sorted(hidden):
        c = row(cell)
        lo = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        hi = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        assert lo.status == 0 and hi.status == 0, (cell, lo.message, hi.message)
        low, high = Fraction(lo.fun).limit_denominator(1000), -Fraction(hi.fun).limit_denominator(1000)
        if math.floor(high) == math.ceil(low) and high > 0:
            bad.append((cell, low, high))
    return bad


@settings(max_examples=6, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate], suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(world=worlds)
@example(world=[[[(4, 4)], [(1, 0)]], [[(3, 3)], [(2, 2), (0, 1)]], [[(4, 0)], [(3, 0)], [(0, 2)]]])
@example(world=[[[(2, 2)]], [[(0, 0)], [(1, 3)]], [[(1, 1)], [(4, 4)]]])
def test_no_hidden_value_is_determined_by_all_reports_together(four, world):
    assume(any(n for agencies in world for teams in agencies for cell in teams for n in cell))
    atoms = _build(world)
    published: dict[tuple[str, str, str, str], int] = {}
    hidden: set[tuple[str, str, str, str]] = set()
    for req in _requests(atoms):
        report = query.answer(query.resolve(ReportRequest(indicator="count_district", month=M, trend_months=1,
                                                          **req), today=TODAY))
        for cell, figure in _cells_of(report, req):
            if figure.suppressed in ("primary", "secondary", "denominator"):
                hidden.add(cell)
            elif figure.suppressed == "no_data":
                published[cell] = 0
            else:
                assert figure.numerator is not None
                assert published.setdefault(cell, figure.numerator) == figure.numerator
    assert not hidden & set(published), "one report hides what another publishes"
    assert not _determined(sorted(set(atoms)), published, hidden)


def test_property_attacker_finds_the_single_table_leak():
    """The attacker of the property test is strong enough: the leak of the web helper's example (RT and TÜ
    hidden in Land by district, RT published on its own) is found."""
    atoms = [(f"LK-{d}", f"JC-{d}", "Team 1", "f") for d in ("LB", "OG", "RT", "TÜ")]
    published = {("", "", "", ""): 28, ("LK-LB", "", "", ""): 10, ("LK-OG", "", "", ""): 10,
                 ("LK-RT", "", "", ""): 6}
    assert [c for c, *_ in _determined(atoms, published, {("LK-TÜ", "", "", "")})] == [("LK-TÜ", "", "", "")]
    del published[("LK-RT", "", "", "")]
    assert _determined(atoms, published, {("LK-TÜ", "", "", ""), ("LK-RT", "", "", "")}) == []


def test_request_list_covers_every_unit():
    atoms = [("LK-LB", "JC-LB", "Team 1", "f"), ("LK-LB", "JC-LB", "Team 2", "m")]
    reqs = _requests(atoms)
    units = {(r["district"], r["agency"], r["team"]) for r in reqs}
    assert units == {("", "", ""), ("LK-LB", "", ""), ("LK-LB", "JC-LB", ""), ("LK-LB", "JC-LB", "Team 1"),
                     ("LK-LB", "JC-LB", "Team 2"), ("", "JC-LB", ""), ("", "JC-LB", "Team 1"),
                     ("", "JC-LB", "Team 2")}
    assert len(reqs) == len({tuple(sorted(r.items())) for r in reqs})
