"""/api/v1/reports: catalogue, units, one report per indicator (shape, suppression as null + "*", problem
details for bad input, 401/403, one audit event per run), targets; OpenAPI lists the endpoints."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from stella.api import reports
from stella.api.tests.conftest import fields, problem
from stella.audit.models import AuditEvent
from stella.reporting import cube, indicators
from stella.reporting.models import EventKind, Target
from stella.reporting.tests import sample_reports
from stella.reporting.tests.cubehelpers import client, event

FIGURE_KEYS = {"display", "value", "numerator", "denominator", "quartiles", "suppressed", "reason"}
ROW_KEYS = {"key", "label", "figure", "previous_year", "ytd", "target", "drill"}


@pytest.fixture
def analyst(make_user):
    return make_user("JC", "analyst", username="jc-analyst")


@pytest.fixture
def caseworker(make_user):
    return make_user("JC", "caseworker", username="jc-anna")


@pytest.fixture
def team_lead(make_user):
    return make_user("JC", "team_lead", username="jc-lead")


def walk_figures(body: dict[str, Any]):
    """Every figure object of a report answer (rows, total, trend; with previous year and ytd)."""
    for row in [*body["rows"], body["total"], *body["trend"]]:
        for key in ("figure", "previous_year", "ytd"):
            if row[key] is not None:
                yield row[key]


# --- without the cube: the adapter's own checks ------------------------------------------------------------

def test_unauthenticated_is_401(db, anonymous):
    for path in ("/reports/indicators", "/reports/units", "/reports/k2"):
        body = problem(anonymous.get(path), 401)
        assert "Bearer" in body["detail"]
    problem(anonymous.post("/reports/targets", {"indicator": "k2", "year": 2026, "value": "20"}), 401)


@pytest.mark.parametrize(("params", "field", "text"), [
    ({"month": "2025-6"}, "month", "JJJJ-MM"),
    ({"month": "2025-13"}, "month", "JJJJ-MM"),
    ({"month": "Juni 2025"}, "month", "JJJJ-MM"),
    ({"distrikt": "LK-LB"}, "distrikt", "Unbekannter Parameter"),
    ({"breakdown": "x" * 21}, "breakdown", "Zu lang"),
])
def test_bad_query_is_422_before_the_service(as_user, analyst, params, field, text, monkeypatch):
    monkeypatch.setattr(reports.reporting, "run_report", lambda **kw: pytest.fail("service called"))
    body = problem(as_user(analyst).get("/reports/k2", **params), 422)
    assert fields(body) == {field}
    assert text in body["errors"][0]["message"]


def test_month_parsing():
    assert reports.parse_month("2025-06") == date(2025, 6, 1)
    assert reports.parse_month("2025-00") is None
    assert reports.parse_month("2025-06-01") is None


def test_openapi_lists_the_report_endpoints(db, anonymous):
    spec = anonymous.get("/openapi.json").json()
    paths = spec["paths"]
    assert "get" in paths["/api/v1/reports/indicators"]
    assert "get" in paths["/api/v1/reports/units"]
    assert "post" in paths["/api/v1/reports/targets"]
    report = paths["/api/v1/reports/{indicator}"]["get"]
    names = {p["name"] for p in report["parameters"]}
    assert {"indicator", "month", "district", "agency", "team", "filter_dim", "filter_value", "breakdown"} <= names
    assert {"401", "403", "422"} <= set(report["responses"])
    assert report["tags"] == ["Auswertungen"]


# --- shaping a report (the service replaced by a hand-built one) --------------------------------------------

def test_suppressed_figures_carry_no_number(as_user, analyst, monkeypatch):
    seen = {}

    def fake(*, actor, request):
        seen["request"] = request
        return sample_reports.k2_report(target=Decimal("22.5"))

    monkeypatch.setattr(reports.reporting, "run_report", fake)
    response = as_user(analyst).get("/reports/k2", month="2026-09", breakdown="district", filter_dim="sex",
                                    filter_value="f")
    assert response.status_code == 200, response.content
    body = response.json()
    req = seen["request"]
    assert (req.indicator, req.month, req.breakdown, req.filter_dim, req.filter_value) == (
        "k2", date(2026, 9, 1), "district", "sex", "f")
    assert body["label"] == "Stella-Fallbasis" and "keine amtliche Statistik" in body["label_note"]
    assert body["month"] == "2026-09" and body["data_until"] == "2026-09"
    assert body["indicator"]["code"] == "k2" and body["indicator"]["anchors"][0]["value"] == 21.0
    assert body["breakdown"] == "district" and body["breakdown_label"] == "Landkreis"
    for row in body["rows"]:
        assert set(row) == ROW_KEYS
    by_key = {r["key"]: r for r in body["rows"]}
    lb = by_key["LK-LB"]
    assert lb["figure"] == {"display": "24,2 %", "value": 24.2, "numerator": 34, "denominator": 140.5,
                            "quartiles": None, "suppressed": "", "reason": ""}
    assert lb["drill"] == {"district": "LK-LB", "breakdown": "agency"} and lb["target"] == 22.5
    for key, kind in (("LK-TÜ", "primary"), ("LK-RT", "secondary")):
        fig = by_key[key]["figure"]
        assert fig["display"] == "*" and fig["suppressed"] == kind and fig["reason"]
        assert fig["value"] is fig["numerator"] is fig["denominator"] is fig["quartiles"] is None
        assert by_key[key]["drill"] is None
    assert body["total"]["figure"]["numerator"] == 61
    assert len(body["trend"]) == 13 and body["trend"][3]["figure"]["display"] == "*"
    for fig in walk_figures(body):
        assert set(fig) == FIGURE_KEYS
        if fig["suppressed"]:
            assert fig["display"] == "*" and fig["value"] is None and fig["numerator"] is None


def test_a_leaky_suppressed_figure_is_still_published_without_numbers(as_user, analyst, monkeypatch):
    """Defence in depth: whatever a service leaves in a suppressed figure, the API sends no number."""
    from stella.reporting.report import Figure, Row

    report = sample_reports.team_report()
    leaky = Figure(display="2", value=Decimal(2), numerator=2, denominator=Decimal(9), suppressed="primary",
                   reason="weniger als 3 Personen")
    report.rows[1] = Row("Team 2", "Team 2", leaky)
    monkeypatch.setattr(reports.reporting, "run_report", lambda *, actor, request: report)
    body = as_user(analyst).get("/reports/k2", breakdown="team").json()
    fig = body["rows"][1]["figure"]
    assert fig == {"display": "*", "value": None, "numerator": None, "denominator": None, "quartiles": None,
                   "suppressed": "primary", "reason": "weniger als 3 Personen"}


def test_duration_report_has_quartiles(as_user, analyst, monkeypatch):
    monkeypatch.setattr(reports.reporting, "run_report", lambda *, actor, request: sample_reports.duration_report())
    body = as_user(analyst).get("/reports/dur_first_integration").json()
    assert body["total"]["figure"]["quartiles"] == [210.0, 410.0, 690.0]
    assert body["indicator"]["kind"] == "duration" and body["indicator"]["unit"] == "Tage"


def test_curve_report_has_the_reference_curve(as_user, analyst, monkeypatch):
    monkeypatch.setattr(reports.reporting, "run_report", lambda *, actor, request: sample_reports.curve_report())
    body = as_user(analyst).get("/reports/employment_by_arrival").json()
    assert body["indicator"]["reference"]["5"] == 50.0
    assert body["indicator"]["reference_label"].startswith("Geflüchtete in Deutschland")


def test_every_indicator_is_addressable(as_user, analyst, monkeypatch):
    asked = []
    monkeypatch.setattr(reports.reporting, "run_report",
                        lambda *, actor, request: asked.append(request.indicator) or sample_reports.count_report())
    api = as_user(analyst)
    for ind in indicators.INDICATORS:
        assert api.get(f"/reports/{ind.code}").status_code == 200
    assert asked == [i.code for i in indicators.INDICATORS]


# --- with the cube: hand-built facts, real cells, the real service -----------------------------------------

M = date(2025, 6, 1)
WOMEN = (date(2024, 8, 15), date(2024, 11, 10), date(2025, 2, 3), date(2025, 5, 20))
MEN = (date(2024, 7, 1), date(2025, 1, 15), date(2025, 6, 30))


@pytest.fixture
def world(district):
    """30 clients of JC-LB since 2023 (15 women, 15 men) with 7 integrations, plus 2 clients of sex "x" with one
    integration (a group below the limits); cells for June 2024 … June 2025."""
    people = [client(date(2023, 1, 1), sex="f" if i % 2 == 0 else "m", team="Team 1" if i < 15 else "Team 2")
              for i in range(30)]
    for p, on in zip(people[0::2], WOMEN, strict=False):
        event(p, EventKind.INTEGRATION, on, sex="f")
    for p, on in zip(people[1::2], MEN, strict=False):
        event(p, EventKind.INTEGRATION, on, sex="m")
    few = [client(date(2023, 1, 1), sex="x", team="Team 1") for _ in range(2)]
    event(few[0], EventKind.INTEGRATION, date(2025, 3, 3), sex="x")
    cube.build(since=date(2024, 6, 1), until=M)
    return people + few


def report_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type="report").order_by("seq"))


def test_report_from_the_cube_with_suppression_and_audit(as_user, analyst, world):
    api = as_user(analyst, purpose="Quartalsbericht")
    before = len(report_events())
    response = api.get("/reports/k2", month="2025-06", breakdown="sex")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["label"] == "Stella-Fallbasis" and body["month"] == "2025-06" and body["data_until"] == "2025-06"
    assert body["breakdown"] == "sex" and body["indicator"]["code"] == "k2"
    assert "sex" in body["indicator"]["breakdowns"]
    rows = {r["key"]: r for r in body["rows"]}
    assert [rows[k]["label"] for k in ("f", "m", "x")] == ["Frauen", "Männer", "divers"]
    assert rows["m"]["figure"] == {"display": "20,0 %", "value": 20.0, "numerator": 3, "denominator": 15.0,
                                   "quartiles": None, "suppressed": "", "reason": ""}
    # 8 integrations ÷ 32 average caseload: the total is published …
    assert (body["total"]["figure"]["numerator"], body["total"]["figure"]["denominator"]) == (8, 32.0)
    # … so the two persons of sex "x" (primary) need a second hidden row, or total − men would reveal them
    x, f = rows["x"]["figure"], rows["f"]["figure"]
    assert (x["display"], x["suppressed"], x["reason"]) == ("*", "primary", "weniger als 3 Personen")
    assert (f["display"], f["suppressed"]) == ("*", "secondary") and f["reason"]
    assert x["value"] is x["numerator"] is x["denominator"] is f["numerator"] is f["denominator"] is None
    for fig in walk_figures(body):
        assert set(fig) == FIGURE_KEYS
        if fig["suppressed"]:
            assert fig["display"] == "*" and fig["value"] is None and fig["numerator"] is None
            assert fig["denominator"] is None and fig["quartiles"] is None
    events = report_events()
    assert len(events) == before + 1
    event_ = events[-1]
    assert event_.action == "read" and event_.person_id is None and event_.purpose == "Quartalsbericht"
    assert event_.detail["indicator"] == "k2" and event_.detail["breakdown"] == "sex"
    assert event_.detail["suppressed"] >= 1
    api.get("/reports/k2", month="2025-06", district="LK-LB", breakdown="agency")
    assert len(report_events()) == before + 2


def test_drill_down_by_team(as_user, analyst, world):
    body = as_user(analyst).get("/reports/k2", month="2025-06", district="LK-LB", agency="JC-LB",
                                breakdown="team").json()
    assert body["request"] == {"district": "LK-LB", "agency": "JC-LB", "team": "", "filter_dim": "",
                               "filter_value": "", "breakdown": "team"}
    assert {r["key"] for r in body["rows"]} == {"Team 1", "Team 2"}


@pytest.mark.parametrize(("params", "field"), [
    ({"indicator": "k99"}, "indicator"),
    ({"district": "LK-XX"}, "district"),
    ({"agency": "JC-XX"}, "agency"),
    ({"month": "2019-01"}, "month"),
    ({"month": "2099-01"}, "month"),
    ({"filter_dim": "sex", "filter_value": "f", "breakdown": "sex"}, "breakdown"),
    ({"filter_dim": "religion", "filter_value": "x", "breakdown": "district"}, "filter_dim"),
    ({"breakdown": "religion"}, "breakdown"),
])
def test_bad_request_is_422_from_the_service_and_not_audited(as_user, analyst, world, params, field):
    code = params.pop("indicator", "k2")
    before = len(report_events())
    body = problem(as_user(analyst).get(f"/reports/{code}", **{"month": "2025-06", **params}), 422)
    assert fields(body) == {field}
    assert body["errors"][0]["message"] and body["detail"] == body["errors"][0]["message"]
    assert len(report_events()) == before


def test_caseworker_is_refused_with_403(as_user, caseworker, world):
    api = as_user(caseworker)
    body = problem(api.get("/reports/k2", month="2025-06"), 403)
    assert "Auswertung" in body["detail"]
    assert AuditEvent.objects.filter(object_type="report", outcome="denied", user_id=caseworker.pk).count() == 1
    problem(api.get("/reports/indicators"), 403)
    problem(api.get("/reports/units"), 403)


def test_catalogue_and_units(as_user, analyst, world):
    api = as_user(analyst)
    cat = api.get("/reports/indicators").json()
    assert [i["code"] for i in cat["indicators"]] == [i.code for i in indicators.INDICATORS]
    k2 = next(i for i in cat["indicators"] if i["code"] == "k2")
    assert k2["kind"] == "rate" and k2["anchors"][0]["source"] and "sex" in k2["breakdowns"]
    assert cat["label"] == "Stella-Fallbasis" and cat["filter_dims"]["sex"] == "Geschlecht"
    assert cat["filter_values"]["sex"]["f"] == "Frauen"
    units = api.get("/reports/units").json()
    lb = next(d for d in units["districts"] if d["code"] == "LK-LB")
    jc = next(a for a in lb["agencies"] if a["code"] == "JC-LB")
    assert set(jc["teams"]) == {"Team 1", "Team 2"}


def test_team_lead_sets_a_target(as_user, team_lead, world):
    api = as_user(team_lead)
    response = api.post("/reports/targets", {"indicator": "k2", "year": 2026, "team": "Team 1", "value": 24.5,
                                             "note": "Zielvereinbarung"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["indicator"], body["agency"], body["team"], body["value"], body["set_by"]) == (
        "k2", "JC-LB", "Team 1", 24.5, "jc-lead")
    assert Target.objects.get(pk=body["id"]).value == Decimal("24.50")
    assert AuditEvent.objects.filter(object_type="report_target", object_id=str(body["id"])).exists()


@pytest.mark.parametrize(("payload", "field"), [
    ({"indicator": "k2", "year": 2026, "value": 150}, "value"),
    ({"indicator": "k2", "year": 2026, "value": "viel"}, "value"),
    ({"indicator": "k99", "year": 2026, "value": 10}, "indicator"),
    ({"indicator": "k2", "year": 1990, "value": 10}, "year"),
    ({"indicator": "k2", "year": 2026, "value": 10, "team": "Team 9"}, "team"),
    ({"indicator": "k2", "year": 2026, "value": 10, "colour": "rot"}, "colour"),
    ({"indicator": "k2", "year": 2026}, "value"),
])
def test_bad_target_is_422_and_nothing_stored(as_user, team_lead, world, payload, field):
    body = problem(as_user(team_lead).post("/reports/targets", payload), 422)
    assert field in fields(body)
    assert not Target.objects.exists()


def test_targets_only_for_team_leads_of_their_own_agency(as_user, analyst, team_lead, world):
    problem(as_user(analyst).post("/reports/targets", {"indicator": "k2", "year": 2026, "value": 20}), 403)
    body = problem(as_user(team_lead).post("/reports/targets", {"indicator": "k2", "year": 2026, "value": 20,
                                                                 "agency": "AA-LB"}), 403)
    assert "eigene Behörde" in body["detail"]
    assert not Target.objects.exists()
