"""The report service: who may run reports, validation of the request (German field errors), the audit event,
targets (team leads only, own agency) and the catalogue and units for the adapters."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from stella.audit.models import AuditEvent
from stella.core.actor import Actor
from stella.core.errors import AccessDenied, InvalidInput
from stella.reporting import cube, services
from stella.reporting.indicators import INDICATORS
from stella.reporting.models import EventKind, RefreshState, Target
from stella.reporting.report import ReportRequest

from .cubehelpers import client, event

M = date(2025, 6, 1)
TODAY = date(2025, 7, 15)


@pytest.fixture
def cells(district):
    for i in range(24):
        p = client(date(2024, 1, 1), sex="f" if i % 2 else "m", team="Team 1" if i < 12 else "Team 2")
        if i < 6:
            event(p, EventKind.INTEGRATION, date(2025, 3, 1 + i), sex=p and ("f" if i % 2 else "m"))
    cube.build(since=date(2025, 4, 1), until=M)


@pytest.fixture
def analyst(make_user):
    return Actor.for_user(make_user("JC", "analyst"))


@pytest.fixture
def lead(make_user):
    user = make_user("JC", "team_lead")
    user.team = "Team 1"
    user.save()
    return Actor.for_user(user)


def report(actor: Actor, **kw):
    return services.run_report(actor=actor, request=ReportRequest(**kw), today=TODAY)


def errors_of(exc: pytest.ExceptionInfo[InvalidInput]) -> dict[str, list[str]]:
    return exc.value.field_errors


@pytest.mark.parametrize("roles", [("analyst",), ("team_lead",), ("admin",), ("dpo",)])
def test_reporting_roles_may_run_reports(cells, make_user, roles):
    actor = Actor.for_user(make_user("LRA", *roles))
    assert report(actor, indicator="k2").month == M


def test_caseworker_is_refused_and_the_refusal_audited(cells, make_user):
    actor = Actor.for_user(make_user("JC", "caseworker"))
    with pytest.raises(AccessDenied) as exc:
        report(actor, indicator="k2")
    assert "Auswertungen dürfen nur" in exc.value.reason
    denied = AuditEvent.objects.filter(object_type="report", outcome="denied").get()
    assert denied.username == actor.username


def test_every_run_is_audited_without_person(cells, analyst):
    report(analyst, indicator="k2", district="LK-LB", breakdown="month", filter_dim="sex", filter_value="f")
    event_ = AuditEvent.objects.filter(object_type="report", outcome="allowed").get()
    assert event_.action == "read" and event_.person_id is None
    assert event_.detail == {"indicator": "k2", "month": "2025-06-01",
                             "unit": {"district": "LK-LB", "agency": "", "team": ""},
                             "filter": {"dim": "sex", "value": "f"}, "breakdown": "month",
                             "suppressed": event_.detail["suppressed"]}
    assert isinstance(event_.detail["suppressed"], int)


@pytest.mark.parametrize(("kw", "field", "message"), [
    ({"indicator": "k9"}, "indicator", "Unbekannte Kennzahl „k9“."),
    ({"district": "LK-XX"}, "district", "Unbekannter Landkreis „LK-XX“."),
    ({"agency": "JC-XX"}, "agency", "Unbekannte Behörde „JC-XX“."),
    ({"agency": "JC-LB", "team": "Team 9"}, "team", "Das Team „Team 9“ ist für die Behörde JC-LB nicht bekannt."),
    ({"team": "Team 1"}, "team", "Ein Team kann nur zusammen mit seiner Behörde gewählt werden."),
    ({"filter_dim": "religion", "filter_value": "x"}, "filter_dim", "Unbekanntes Merkmal „religion“."),
    ({"filter_dim": "sex", "filter_value": "q"}, "filter_value", "„q“ ist kein Wert des Merkmals Geschlecht."),
    ({"filter_dim": "sex"}, "filter_value", "Bitte einen Wert für den Filter angeben."),
    ({"filter_value": "f"}, "filter_dim", "Bitte das Merkmal angeben, nach dem gefiltert wird."),
    ({"filter_dim": "phase", "filter_value": "x"}, "filter_dim",
     "Die Kennzahl „Integrationsquote (K2-analog)“ kann nicht nach Phase gefiltert werden."),
    ({"breakdown": "phase"}, "breakdown",
     "Die Kennzahl „Integrationsquote (K2-analog)“ kann nicht nach Phase aufgegliedert werden."),
    ({"breakdown": "sex", "filter_dim": "sex", "filter_value": "f"}, "breakdown",
     "Aufgliederung und Filter dürfen nicht dasselbe Merkmal sein."),
    ({"breakdown": "bucket"}, "breakdown",
     "Die Aufgliederung nach Jahren seit Einreise gibt es nur für die Beschäftigungskurve."),
    ({"breakdown": "team"}, "breakdown",
     "Teams lassen sich nur innerhalb einer Behörde aufgliedern; bitte zuerst eine Behörde wählen."),
    ({"breakdown": "nonsense"}, "breakdown", "Unbekannte Aufgliederung „nonsense“."),
    ({"month": date(2013, 6, 1)}, "month", "Für Juni 2013 liegen keine Daten vor (Daten von April 2025 bis Juni 2025)."),
    ({"month": date(2025, 7, 1)}, "month", "Für Juli 2025 liegen keine Daten vor (Daten von April 2025 bis Juni 2025)."),
    ({"month": date(2025, 9, 1)}, "month", "September 2025 liegt in der Zukunft."),
    ({"trend_months": 0}, "trend_months", "Der Verlauf umfasst 1 bis 60 Monate."),
])
def test_bad_requests_get_german_field_errors(cells, analyst, kw, field, message):
    with pytest.raises(InvalidInput) as exc:
        report(analyst, **{"indicator": "k2", **kw})
    assert errors_of(exc)[field] == [message]
    assert not AuditEvent.objects.filter(object_type="report", outcome="allowed").exists()


def test_month_after_data_until_is_refused(cells, analyst):
    state = RefreshState.objects.get()
    state.data_until = date(2025, 5, 1)
    state.save()
    with pytest.raises(InvalidInput) as exc:
        report(analyst, indicator="k2", month=M)
    assert errors_of(exc)["month"] == ["Für Juni 2025 liegen keine Daten vor (Daten von April 2025 bis Mai 2025)."]
    assert report(analyst, indicator="k2").month == date(2025, 5, 1)  # default: the newest complete month


def test_no_cells_yet(analyst):
    with pytest.raises(InvalidInput) as exc:
        report(analyst, indicator="k2")
    assert "noch keine Auswertungsdaten" in errors_of(exc)["month"][0]


def test_team_lead_sets_target_shown_in_report(cells, lead, analyst):
    target = services.set_target(actor=lead, indicator="k2", year=2025, value="25,5", note="Zielvereinbarung")
    assert (target.agency, target.district, target.team, target.value) == ("JC-LB", "", "", Decimal("25.50"))
    services.set_target(actor=lead, indicator="k2", year=2025, value=27)  # newest row is in force
    services.set_target(actor=lead, indicator="k2", year=2025, value=30, team="Team 1")
    audit = AuditEvent.objects.filter(object_type="report_target").order_by("seq")
    assert [e.detail["value"] for e in audit] == ["25.50", "27.00", "30.00"]
    r = report(analyst, indicator="k2", agency="JC-LB", breakdown="team")
    assert r.total.target == Decimal("27.00")
    assert {row.key: row.target for row in r.rows} == {"Team 1": Decimal("30.00"), "Team 2": None}
    by_agency = report(analyst, indicator="k2", district="LK-LB", breakdown="agency")
    assert by_agency.rows[0].target == Decimal("27.00")  # the agency's target holds in its district
    assert by_agency.total.target is None


def test_only_team_leads_set_targets_for_their_own_agency(cells, analyst, lead):
    with pytest.raises(AccessDenied) as exc:
        services.set_target(actor=analyst, indicator="k2", year=2025, value=20)
    assert exc.value.reason == "Zielwerte dürfen nur Teamleitungen setzen."
    with pytest.raises(AccessDenied):
        services.set_target(actor=lead, indicator="k2", year=2025, value=20, agency="AA-LB")
    assert not Target.objects.exists()
    assert AuditEvent.objects.filter(object_type="report_target", outcome="denied").count() == 2


@pytest.mark.parametrize(("kw", "field"), [
    ({"indicator": "k9"}, "indicator"),
    ({"year": 2014}, "year"),
    ({"year": 2030}, "year"),
    ({"value": 101}, "value"),
    ({"value": -1}, "value"),
    ({"value": "viel"}, "value"),
    ({"indicator": "dur_counselling", "value": -5}, "value"),
    ({"district": "LK-TÜ"}, "district"),
    ({"team": "Team 9"}, "team"),
    ({"note": "x" * 301}, "note"),
])
def test_target_validation(cells, lead, kw, field):
    with pytest.raises(InvalidInput) as exc:
        services.set_target(actor=lead, **{"indicator": "k2", "year": 2025, "value": 20, **kw})
    assert field in exc.value.field_errors
    assert not Target.objects.exists()


def test_target_for_duration_may_exceed_100(cells, lead):
    t = services.set_target(actor=lead, indicator="dur_counselling", year=2025, value=120, district="LK-LB")
    assert t.value == Decimal("120.00") and t.district == "LK-LB"


def test_catalogue_and_units(cells):
    catalogue = services.indicator_catalogue()
    assert [c["code"] for c in catalogue] == [i.code for i in INDICATORS]
    k2 = catalogue[0]
    assert k2["label"] == "Stella-Fallbasis" and k2["anchors"][0]["value"] == 21.0
    assert "phase" not in k2["breakdowns"] and "sex" in k2["breakdowns"]
    seats = next(c for c in catalogue if c["code"] == "seat_occupancy")
    assert seats["breakdowns"] == ["district", "agency", "month"]
    assert services.units() == [{"code": "LK-LB", "name": "Ludwigsburg", "agencies": [
        {"code": "JC-LB", "name": "Jobcenter (SGB II) Ludwigsburg", "teams": ["Team 1", "Team 2"]}]}]
    assert services.data_status() == {"first_month": date(2025, 4, 1), "data_until": M}


def test_docs_list_every_indicator():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[4] / "docs" / "reporting.md").read_text(encoding="utf-8")
    for ind in INDICATORS:
        assert f"| `{ind.code}` | {ind.title} |" in doc, ind.code


def test_no_published_figure_rests_on_one_or_two(district, analyst):
    """Every indicator × every allowed breakdown (with and without a filter) on a random small world: no
    published count, numerator or duration case number is 1 or 2, no published rate has a denominator under 10,
    no median rests on fewer than 10 cases."""
    import random

    from stella.tests.factories import make_district

    make_district("TÜ", "Tübingen")
    rnd = random.Random(3)
    for _ in range(70):
        place = rnd.choice([("LK-LB", "JC-LB"), ("LK-LB", "AA-LB"), ("LK-TÜ", "JC-TÜ")])
        attrs = {"district": place[0], "agency": place[1], "team": rnd.choice(["Team 1", "Team 2", ""]),
                 "sex": rnd.choice("fm"), "birth_year": rnd.randint(1965, 2004),
                 "status_group": rnd.choice(["schutz", "duldung", "gestattung"]), "activated": rnd.random() < 0.4,
                 "single_parent": rnd.random() < 0.2}
        p = client(date(2023, rnd.randint(1, 12), 1), **attrs)
        ev = {k: attrs[k] for k in ("district", "agency", "team", "sex", "birth_year", "status_group",
                                    "single_parent")}
        if rnd.random() < 0.5:
            event(p, EventKind.INTEGRATION, date(2025, rnd.randint(1, 6), rnd.randint(1, 28)), flag2=True, **ev)
        if rnd.random() < 0.7:
            event(p, EventKind.COUNSELLING, date(2025, rnd.randint(1, 5), 1), days=rnd.randint(1, 90), **ev)
        for k in range(1, 3):
            event(p, EventKind.ARRIVAL_YEAR, date(2023 + k, 1, 1), bucket=k, flag=rnd.random() < 0.3 * k, **ev)
    cube.build(since=date(2025, 5, 1), until=M)
    checked = published = 0
    for ind in INDICATORS:
        for breakdown in services.allowed_breakdowns(ind.code):
            for filt in ({}, {"filter_dim": "sex", "filter_value": "f"}):
                if filt and (breakdown in ("district", "agency", "team", "sex", "age_band", "origin",
                                           "status_group", "regime", "phase", "accommodation", "level") or "sex" not in services.allowed_breakdowns(
                                               ind.code)):
                    continue
                unit = {"agency": "JC-LB"} if breakdown == "team" else {}
                r = report(analyst, indicator=ind.code, breakdown=breakdown, **filt, **unit)
                figures = [r.total.figure, *(row.figure for row in [*r.rows, *r.trend])]
                figures += [f for row in [r.total, *r.rows] for f in (row.previous_year, row.ytd) if f]
                for f in figures:
                    checked += 1
                    if f.suppressed:
                        assert f.display == "*" or f.suppressed == "no_data"
                        assert f.value is None and f.numerator is None and f.denominator is None
                        continue
                    if f.numerator is not None:
                        assert f.numerator == 0 or f.numerator >= 3, (ind.code, breakdown, f)
                    if ind.kind.value in ("rate", "curve") and f.denominator is not None:
                        assert f.denominator >= 10 or f.denominator == 0, (ind.code, breakdown, f)
                    if f.quartiles is not None:
                        assert f.numerator >= 10, (ind.code, breakdown, f)
                    published += f.value is not None
    assert checked > 300 and published > 100


@pytest.mark.django_db(transaction=True)
def test_a_report_on_stale_figures_queues_one_background_refresh(settings):
    """Reports stay current without cron: a run on figures older than the interval queues the refresh task
    (after commit), once per interval; fresh figures or a running refresh queue nothing."""
    from datetime import timedelta

    from django.core.cache import cache
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from stella.reporting.models import RefreshState

    cache.clear()
    settings.STELLA_REPORTING_REFRESH_MINUTES = 10
    queued = DBTaskResult.objects.filter(task_path__endswith="refresh_reports")
    state = RefreshState.objects.create(refreshed_at=timezone.now())
    assert services.refresh_if_stale() is False and queued.count() == 0
    state.refreshed_at = timezone.now() - timedelta(minutes=11)
    state.running_since = timezone.now()
    state.save()
    assert services.refresh_if_stale() is False  # one is running
    state.running_since = None
    state.save()
    assert services.refresh_if_stale() is True
    assert queued.count() == 1
    assert services.refresh_if_stale() is False  # once per interval
    settings.STELLA_REPORTING_REFRESH_MINUTES = 0
    cache.clear()
    assert services.refresh_if_stale() is False


@pytest.mark.django_db
def test_exports_are_audited_and_refused_to_caseworkers(analyst, make_user):
    from stella.reporting.tests.sample_reports import k2_report

    services.record_export(actor=analyst, report=k2_report(), fmt="csv")
    event = AuditEvent.objects.get(action="export")
    assert (event.object_type, event.detail["format"], event.person_id) == ("report", "csv", None)
    with pytest.raises(AccessDenied):
        services.record_export(actor=Actor.for_user(make_user("JC", "caseworker")), fmt="pdf")
    assert AuditEvent.objects.filter(action="export").count() == 1
