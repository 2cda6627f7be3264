"""Web pages of the outcome reports (issue 7) against hand-built reports: overview, indicator page, drill-down,
filters with German errors, exports (audited), monthly PDF, target form, refusals. The service is replaced by a
fake that returns the shapes of report.py, so these tests check what the pages do with published and
suppressed figures; test_reports_browser.py runs the real service end to end."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from decimal import Decimal

import pypdf
import pytest
from openpyxl import load_workbook

from stella.audit.models import AuditEvent
from stella.core.errors import AccessDenied, InvalidInput
from stella.reporting.report import ReportRequest
from stella.reporting.tests import sample_reports as samples

pytestmark = pytest.mark.django_db


class FakeServices:
    """run_report / set_target as the views call them; remembers the calls."""

    def __init__(self) -> None:
        self.requests: list[ReportRequest] = []
        self.targets: list[dict] = []
        self.target_error: InvalidInput | None = None
        self.overview_calls = 0

    def run_report(self, *, actor, request: ReportRequest):
        self.requests.append(request)
        if not actor.has_role("analyst", "team_lead", "admin", "dpo"):
            raise AccessDenied("Auswertungen sind Rollen mit Auswertungsrecht vorbehalten.")
        if request.month and request.month.year < 2020:
            raise InvalidInput({"month": "Für diesen Monat liegen keine Daten vor (Daten ab 01/2024)."})
        if request.district == "LK-LB" and request.filter_value == "ukraine":
            raise InvalidInput({"filter_value": "Diese Auswahl würde einzelne Personen erkennbar machen."})
        if request.indicator == "dur_first_integration":
            return samples.duration_report()
        if request.indicator in ("count_district",):
            return samples.count_report()
        if request.indicator == "employment_by_arrival":
            return samples.curve_report()
        if request.breakdown == "team":
            return samples.team_report()
        report = samples.k2_report(district=request.district, target=Decimal("22") if request.agency else None)
        return replace(report, request=request, indicator=__import__(
            "stella.reporting.indicators", fromlist=["get"]).get(request.indicator))

    def overview(self, *, actor, month=None):
        """services.overview from this fake's run_report: the Land by district and each published district's
        trend (as the real service builds it from the same reports)."""
        from stella.reporting.services import OVERVIEW_INDICATORS, Overview, OverviewFigure

        self.overview_calls += 1
        figures = []
        for code in OVERVIEW_INDICATORS:
            land = self.run_report(actor=actor, request=ReportRequest(code, month=month, breakdown="district"))
            trends = {row.key: self.run_report(actor=actor, request=ReportRequest(
                code, month=land.month, district=row.key, breakdown="month")).trend
                for row in land.rows if not row.figure.suppressed}
            figures.append(OverviewFigure(land, trends))
        return Overview(figures[0].report.month, figures[0].report.data_until, figures)

    def record_export(self, **kwargs):
        from stella.reporting.services import record_export

        record_export(**kwargs)  # the real audit of the export

    def set_target(self, **kwargs):
        if self.target_error:
            raise self.target_error
        self.targets.append(kwargs)


@pytest.fixture
def fake(monkeypatch):
    services = FakeServices()
    monkeypatch.setattr("stella.web.views.reports._services", lambda: services)
    return services


@pytest.fixture
def analyst(make_user, login):
    return login(make_user("JC", "analyst", username="auswertung"))


@pytest.fixture
def lead_user(make_user):
    user = make_user("JC", "team_lead", username="teamleitung")
    user.team = "Team 1"
    user.save()
    return user


SMALL = re.compile(r"^\s*[12]\s*$")


def table_cells(html: str) -> list[str]:
    """Text of every td of every table (tags removed)."""
    cells = re.findall(r"<td[^>]*>(.*?)</td>", html, flags=re.S)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in cells]


def assert_no_small_counts(html: str) -> None:
    small = [c for c in table_cells(html) if SMALL.match(c)]
    assert not small, small


def test_overview_shows_key_figures_per_district_with_sparklines(fake, analyst) -> None:
    response = analyst.get("/auswertungen/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Stella-Fallbasis" in html and "keine amtliche Statistik" in html
    assert "Bezugsmonat 09/2026" in html and "Daten bis 09/2026" in html
    for title in ("Integrationsquote (K2-analog)", "Aktivierungsquote (K3E2-analog)", "Zeit bis zur ersten Integration",
                  "Übergaben innerhalb von 30 Tagen", "Personen nach Landkreis"):
        assert title in html
    assert html.count('class="sparkline"') >= 5
    assert "Ludwigsburg" in html and "weniger als 3 Personen" in html
    assert "Aus Datenschutzgründen" in html  # the "*" footnote
    assert '<th scope="col"' in html and "<caption>" in html
    assert 'href="/auswertungen/monatsbericht.pdf?month=2026-09"' in html
    assert_no_small_counts(html)
    # the suppressed districts got no request of their own (their trend would show their values)
    assert not any(r.district in ("LK-TÜ", "LK-RT") for r in fake.requests if r.indicator == "k2")
    assert any(r.district == "LK-LB" for r in fake.requests if r.indicator == "k2")


def test_overview_sparklines_show_gaps_not_zeros(fake, analyst) -> None:
    html = analyst.get("/auswertungen/").content.decode()
    k2 = html.split('id="block-k2"')[1].split("</section>")[0]
    descs = re.findall(r'<desc id="spark-k2-\d-desc">(.*?)</desc>', k2)
    # month 4 of the sample trend (12/2025) is suppressed: a gap in the district's own trend
    assert "12/2025: keine veröffentlichte Zahl" in descs[0] and "09/2026: 24,2 %" in descs[0]
    assert "Verlauf Integrationsquote (K2-analog), Ludwigsburg" in k2


def test_overview_is_one_service_call(fake, analyst) -> None:
    assert analyst.get("/auswertungen/").status_code == 200
    assert fake.overview_calls == 1


def test_overview_bad_month_is_a_german_error_without_service_call(fake, analyst) -> None:
    response = analyst.get("/auswertungen/?month=2026-13")
    assert response.status_code == 400 and "JJJJ-MM" in response.content.decode()
    assert fake.overview_calls == 0
    response = analyst.get("/auswertungen/?month=2019-01")  # the service refuses the month
    html = response.content.decode()
    assert response.status_code == 400 and "Für diesen Monat liegen keine Daten vor" in html
    assert 'class="sparkline"' not in html


def test_count_sparklines_blank_a_month_everywhere_when_one_district_misses_it() -> None:
    from stella.web.views.reports import _family_blank

    series = {"LK-LB": [Decimal(5), Decimal(6), Decimal(7)], "LK-TÜ": [Decimal(3), None, Decimal(4)],
              "LK-RT": [Decimal(9), Decimal(9), None]}
    assert _family_blank(series) == {"LK-LB": [Decimal(5), None, None], "LK-TÜ": [Decimal(3), None, None],
                                     "LK-RT": [Decimal(9), None, None]}


def test_nav_entry_for_report_roles_only(fake, analyst, make_user, login) -> None:
    assert 'href="/auswertungen/"' in analyst.get("/auswertungen/").content.decode()
    caseworker = login(make_user("JC", "caseworker", username="fall"))
    assert 'href="/auswertungen/"' not in caseworker.get("/").content.decode()


@pytest.mark.parametrize("url", ["/auswertungen/", "/auswertungen/k2/", "/auswertungen/k2/export.csv",
                                 "/auswertungen/k2/export.xlsx", "/auswertungen/monatsbericht.pdf"])
def test_caseworker_is_refused(fake, make_user, login, url) -> None:
    client = login(make_user("JC", "caseworker", username="fall"))
    response = client.get(url)
    assert response.status_code == 403
    html = response.content.decode()
    assert "Kein Zugriff" in html and "Auswertungen sehen nur" in html
    assert not fake.requests


def test_anonymous_goes_to_login(fake, client) -> None:
    response = client.get("/auswertungen/k2/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_indicator_page(fake, analyst) -> None:
    response = analyst.get("/auswertungen/k2/?breakdown=district")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Integrationsquote (K2-analog)</h1>" in html
    assert "Σ Integrationen (M-11 … M) ÷ Ø Bestand (M-12 … M-1) × 100" in html  # formula
    assert "K2 nach § 5 der Kennzahlen-Verordnung" in html and "BT-Drs. 21/3728" in html  # official + anchors
    assert 'role="img"' in html and "<title id=\"chart-trend-title\">" in html
    assert "Daten zum Diagramm" in html
    assert '<th scope="row">Ludwigsburg</th>' in html
    # drill-down: Ludwigsburg → agencies; the suppressed district has no link and says why
    assert 'href="/auswertungen/k2/?month=2026-09&amp;district=LK-LB&amp;breakdown=agency"' in html
    assert "gesperrt (*): weniger als 3 Personen" in html
    assert "/auswertungen/k2/export.csv?month=2026-09&amp;breakdown=district" in html
    assert "/auswertungen/k2/export.xlsx?" in html
    assert "Zielwert setzen" not in html  # analysts do not set targets
    assert_no_small_counts(html)
    assert fake.requests[-1] == ReportRequest("k2", breakdown="district")


def test_drill_down_stops_at_team_level_with_a_reason(fake, analyst) -> None:
    html = analyst.get("/auswertungen/k2/?district=LK-LB&agency=JC-LB&breakdown=team").content.decode()
    assert "Team ist die unterste Ebene der Auswertung." in html
    assert 'aria-label="Ebene der Auswertung"' in html
    assert 'href="/auswertungen/k2/?month=2026-09&amp;district=LK-LB&amp;breakdown=agency"' in html  # up one level


def test_filters_reach_the_service(fake, analyst) -> None:
    analyst.get("/auswertungen/k2/?month=2026-03&district=LK-LB&filter_dim=sex&filter_value=f&breakdown=agency")
    req = fake.requests[-1]
    assert (req.month.isoformat(), req.district, req.filter_dim, req.filter_value, req.breakdown) == (
        "2026-03-01", "LK-LB", "sex", "f", "agency")


@pytest.mark.parametrize(("query", "message"), [
    ("month=2026-13", "Bitte den Monat als JJJJ-MM angeben"),
    ("month=März", "Bitte den Monat als JJJJ-MM angeben"),
    ("district=LK-XX", "Unbekannter Landkreis."),
    ("filter_dim=sex", "Bitte die Ausprägung des Merkmals angeben."),
    ("filter_value=f", "Bitte das Merkmal wählen"),
    ("filter_dim=sex&filter_value=q", "Unbekannte Ausprägung. Möglich sind: f (Frauen)"),
    ("breakdown=postcode", "Unbekannte Aufgliederung."),
])
def test_bad_filters_show_german_errors_and_no_numbers(fake, analyst, query, message) -> None:
    response = analyst.get(f"/auswertungen/k2/?{query}")
    html = response.content.decode()
    assert response.status_code == 400
    assert "Bitte prüfen Sie Ihre Eingaben" in html and message in html
    assert 'id="report-table"' not in html
    assert not fake.requests


def test_service_errors_land_on_the_fields(fake, analyst) -> None:
    response = analyst.get("/auswertungen/k2/?month=2015-01")
    assert response.status_code == 400
    assert "Für diesen Monat liegen keine Daten vor" in response.content.decode()
    response = analyst.get("/auswertungen/k2/?district=LK-LB&breakdown=agency&filter_dim=origin&filter_value=ukraine")
    html = response.content.decode()
    assert response.status_code == 400 and "würde einzelne Personen erkennbar machen" in html
    assert 'id="report-table"' not in html


def test_unknown_indicator_is_404(fake, analyst) -> None:
    response = analyst.get("/auswertungen/k99/")
    assert response.status_code == 404


def test_duration_and_curve_pages(fake, analyst) -> None:
    html = analyst.get("/auswertungen/dur_first_integration/").content.decode()
    assert 'id="chart-quartiles-title"' in html and "Median (Tage)" in html and "1. Quartil (Tage)" in html
    html = analyst.get("/auswertungen/employment_by_arrival/").content.decode()
    assert "Stella gegen bundesweite Kurve" in html and "bundesweit (IAB)" in html
    assert "<td class=\"num\">7,0 %</td>" in html  # national curve, year 1
    html = analyst.get("/auswertungen/count_district/").content.decode()
    assert "Anzahl (Personen)" in html and "5.400" in html


def test_csv_export_is_audited_and_has_stars(fake, analyst) -> None:
    response = analyst.get("/auswertungen/k2/export.csv?breakdown=district")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="stella-k2-2026-09.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert next(r for r in rows if r and r[0] == "Tübingen")[1] == "*"
    event = AuditEvent.objects.filter(action="export", object_type="report").latest("seq")
    assert event.detail["format"] == "csv" and event.detail["indicator"] == "k2" and event.person_id is None


def test_xlsx_export(fake, analyst) -> None:
    response = analyst.get("/auswertungen/k2/export.xlsx?district=LK-LB")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content))["Tabelle"]
    assert ws["A2"].value == "Stella-Fallbasis"
    assert AuditEvent.objects.filter(action="export", object_type="report", detail__format="xlsx").exists()


def test_export_with_bad_filter_goes_back_with_a_message(fake, analyst) -> None:
    response = analyst.get("/auswertungen/k2/export.csv?month=13-2026", follow=True)
    html = response.content.decode()
    assert "Export nicht möglich: bitte die Filter prüfen." in html
    assert not AuditEvent.objects.filter(action="export").exists()


def test_monthly_pdf(fake, analyst) -> None:
    response = analyst.get("/auswertungen/monatsbericht.pdf?month=2026-09")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    assert "Monatsbericht September 2026" in text and "Stella-Fallbasis" in text
    assert "Integrationsquote (K2-analog)" in text and "Zeit bis zur ersten Integration" in text
    assert {r.breakdown for r in fake.requests} == {"district"}
    assert AuditEvent.objects.filter(action="export", object_id="monatsbericht").exists()


def test_monthly_pdf_bad_month(fake, analyst) -> None:
    response = analyst.get("/auswertungen/monatsbericht.pdf?month=2026-1x", follow=True)
    assert "Bitte den Monat als JJJJ-MM angeben" in response.content.decode()
    response = analyst.get("/auswertungen/monatsbericht.pdf?month=2015-01", follow=True)
    assert "Monatsbericht nicht möglich: Für diesen Monat liegen keine Daten vor" in response.content.decode()


def test_team_lead_sets_a_target(fake, lead_user, login) -> None:
    client = login(lead_user)
    html = client.get("/auswertungen/k2/").content.decode()
    assert "Zielwert setzen" in html and "eigenes Team (Team 1)" in html
    response = client.post("/auswertungen/k2/ziel/", {"year": "2026", "value": "22,5", "unit": "team", "note": ""},
                           follow=True)
    assert response.status_code == 200
    assert fake.targets == [{"actor": fake.targets[0]["actor"], "indicator": "k2", "year": 2026,
                             "value": Decimal("22.5"), "agency": "JC-LB", "team": "Team 1", "note": ""}]
    assert "Zielwert 22,5 für 2026 gespeichert (Team 1)." in response.content.decode()


def test_target_shows_as_target_vs_actual(fake, lead_user, login) -> None:
    html = login(lead_user).get("/auswertungen/k2/?agency=JC-LB&breakdown=district").content.decode()
    assert "Zielwert (%)" in html and "Ist minus Ziel" in html and "+2,2" in html  # 24,2 − 22,0


@pytest.mark.parametrize(("data", "message"), [
    ({"year": "2026", "value": "viel", "unit": "agency"}, "Bitte eine Zahl angeben"),
    ({"year": "1999", "value": "20", "unit": "agency"}, "Das Jahr muss 2015 oder später sein."),
    ({"year": "2026", "value": "-3", "unit": "agency"}, "Der Zielwert darf nicht negativ sein."),
    ({"year": "2026", "value": "20", "unit": "team-9"}, "Bitte eine gültige Auswahl treffen."),
])
def test_target_form_errors(fake, lead_user, login, data, message) -> None:
    response = login(lead_user).post("/auswertungen/k2/ziel/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not fake.targets


def test_target_service_error_and_refusals(fake, lead_user, login, analyst) -> None:
    fake.target_error = InvalidInput({"value": "Eine Quote liegt zwischen 0 und 100 %."})
    response = login(lead_user).post("/auswertungen/k2/ziel/", {"year": "2026", "value": "120", "unit": "agency"})
    assert response.status_code == 400 and "Eine Quote liegt zwischen 0 und 100 %." in response.content.decode()
    response = analyst.post("/auswertungen/k2/ziel/", {"year": "2026", "value": "20", "unit": "agency"})
    assert response.status_code == 403 and "Zielwerte setzen nur Teamleitungen" in response.content.decode()
    assert login(lead_user).get("/auswertungen/k2/ziel/").status_code == 405


def test_english_ui(fake, analyst) -> None:
    analyst.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = analyst.get("/auswertungen/k2/").content.decode()
    assert ">Reports</a>" in html and "Table as CSV" in html and "Chart data: trend" in html
    assert "Stella-Fallbasis" in html  # the label stays
    response = analyst.get("/auswertungen/k2/?month=2026-13")
    assert "Please enter the month as YYYY-MM" in response.content.decode()


# --- with the real service and cube ------------------------------------------------------------------------------


@pytest.fixture
def world(district):
    from stella.web.tests.report_world import build_world

    build_world()


def test_real_service_pages_never_show_a_count_below_3(world, analyst) -> None:
    html = analyst.get("/auswertungen/").content.decode()
    assert "Bezugsmonat 09/2026" in html and "Ludwigsburg" in html and "Tübingen" in html
    assert_no_small_counts(html)
    pages = ["/auswertungen/k2/?breakdown=district", "/auswertungen/k2/?district=LK-LB&breakdown=agency",
             "/auswertungen/k2/?district=LK-LB&agency=JC-LB&breakdown=team", "/auswertungen/activation/",
             "/auswertungen/count_district/", "/auswertungen/dur_counselling/"]
    for url in pages:
        response = analyst.get(url)
        assert response.status_code == 200, (url, response.content.decode()[:3000])
        assert_no_small_counts(response.content.decode())
    html = analyst.get("/auswertungen/k2/?breakdown=district").content.decode()
    assert 'href="/auswertungen/k2/?month=2026-09&amp;district=LK-LB&amp;breakdown=agency"' in html
    html = analyst.get("/auswertungen/k2/?district=LK-LB&breakdown=agency").content.decode()
    assert ('href="/auswertungen/k2/?month=2026-09&amp;district=LK-LB&amp;agency=JC-LB&amp;breakdown=team">'
            "Jobcenter (SGB II) Ludwigsburg nach Team</a>") in html
    html = analyst.get("/auswertungen/k2/?district=LK-LB&agency=JC-LB&breakdown=team").content.decode()
    assert "Team ist die unterste Ebene der Auswertung." in html


def test_real_service_errors(world, analyst) -> None:
    response = analyst.get("/auswertungen/k2/?month=2019-01")
    assert response.status_code == 400 and "Für Januar 2019 liegen keine Daten vor" in response.content.decode()
    response = analyst.get("/auswertungen/k2/?agency=JC-LB&team=Team 9")
    assert response.status_code == 400 and "nicht bekannt" in response.content.decode()


def test_real_target_round_trip(world, lead_user, login) -> None:
    client = login(lead_user)
    response = client.post("/auswertungen/k2/ziel/", {"year": "2026", "value": "30", "unit": "agency"}, follow=True)
    html = response.content.decode()
    assert "Zielwert 30,0 für 2026 gespeichert (JC-LB)." in html
    assert "Zielwert (%)" in html and "30,0" in html
    response = client.post("/auswertungen/k2/ziel/", {"year": "2026", "value": "130", "unit": "agency"})
    assert response.status_code == 400 and "zwischen 0 und 100" in response.content.decode()


TODAY = __import__("datetime").date(2026, 10, 15)


def test_overview_service_equals_run_report_figure_for_figure(world, make_user) -> None:
    """services.overview gives, for every key figure, the same Land report (rows, "*" decisions, previous year,
    trend, notes) as run_report and for every published district the same trend as the district's own report –
    in one call with one audit event; districts hidden in the Land table get no trend."""
    from stella.core.actor import Actor
    from stella.reporting import services
    from stella.reporting.models import Target

    user = make_user("JC", "analyst", username="vergleich")
    Target.objects.create(indicator="k2", year=2026, district="LK-LB", value=Decimal("12.50"), set_by=user)
    actor = Actor.for_user(user)
    before = AuditEvent.objects.count()
    result = services.overview(actor=actor, today=TODAY)
    events = list(AuditEvent.objects.order_by("seq")[before:])
    assert [(e.action, e.object_type, e.object_id) for e in events] == [("read", "report", "overview")]
    assert events[0].detail["indicators"] == list(services.OVERVIEW_INDICATORS)
    assert events[0].detail["month"] == "2026-09-01"
    assert "person" not in str(events[0].detail)
    assert result.month.isoformat() == "2026-09-01" and result.data_until is not None
    assert [f.report.indicator.code for f in result.figures] == list(services.OVERVIEW_INDICATORS)

    stars = published = 0
    for fig in result.figures:
        code = fig.report.indicator.code
        land = services.run_report(actor=actor, request=ReportRequest(code, month=result.month,
                                                                      breakdown="district"), today=TODAY)
        # the same report, without the drill-down links (the overview links to the indicator pages instead)
        assert fig.report == replace(land, rows=[replace(r, drill=None) for r in land.rows]), code
        hidden = {r.key for r in land.rows if r.figure.suppressed}
        stars += sum(1 for r in land.rows if r.figure.display == "*")
        assert set(fig.trends) == {r.key for r in land.rows} - hidden, code
        for district, trend in fig.trends.items():
            own = services.run_report(actor=actor, request=ReportRequest(
                code, month=result.month, district=district, breakdown="month"), today=TODAY)
            assert trend == own.trend, (code, district)
            stars += sum(1 for r in trend if r.figure.display == "*")
            published += len(trend)
    assert stars > 0 and published > 0  # the world has hidden cells: the "*" decisions were compared too
    lb = next(f for f in result.figures if f.report.indicator.code == "k2").trends["LK-LB"]
    assert lb[-1].target == Decimal("12.50")


def test_overview_is_cached_until_cells_or_targets_change_and_every_run_is_audited(world, make_user) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from stella.core.actor import Actor
    from stella.reporting import cube, services
    from stella.reporting.models import Target

    user = make_user("JC", "analyst", username="cache")
    actor = Actor.for_user(user)
    before = AuditEvent.objects.count()
    first = services.overview(actor=actor, today=TODAY)
    with CaptureQueriesContext(connection) as reads:
        again = services.overview(actor=actor, today=TODAY)
    assert again == first
    assert not [q for q in reads.captured_queries if "reporting_cell" in q["sql"]]  # no cell read
    assert AuditEvent.objects.count() == before + 2  # but audited each time

    def k2_lb_target(result: services.Overview) -> Decimal | None:
        return next(f for f in result.figures if f.report.indicator.code == "k2").trends["LK-LB"][-1].target

    assert k2_lb_target(again) is None
    Target.objects.create(indicator="k2", year=2026, district="LK-LB", value=Decimal("14.00"), set_by=user)
    assert k2_lb_target(services.overview(actor=actor, today=TODAY)) == Decimal("14.00")  # a new target

    before_build = services.overview(actor=actor, today=TODAY)
    cube.build(since=before_build.month, until=before_build.month)  # raises cells_version
    with CaptureQueriesContext(connection) as reads:
        rebuilt = services.overview(actor=actor, today=TODAY)
    assert [q for q in reads.captured_queries if "reporting_cell" in q["sql"]]  # computed anew from the cells
    assert rebuilt == before_build  # (the same cells again)


def test_overview_service_refuses_caseworkers_and_bad_months(world, make_user) -> None:
    from stella.core.actor import Actor
    from stella.reporting import services

    caseworker = Actor.for_user(make_user("JC", "caseworker", username="fall2"))
    before = AuditEvent.objects.count()
    with pytest.raises(AccessDenied):
        services.overview(actor=caseworker, today=TODAY)
    denied = list(AuditEvent.objects.order_by("seq")[before:])
    assert len(denied) == 1 and denied[0].detail.get("indicator") == "overview"
    analyst_actor = Actor.for_user(make_user("JC", "analyst", username="a2"))
    before = AuditEvent.objects.count()
    with pytest.raises(InvalidInput) as exc:
        services.overview(actor=analyst_actor, month=__import__("datetime").date(2019, 1, 1), today=TODAY)
    assert "Für Januar 2019 liegen keine Daten vor" in str(exc.value.field_errors)
    assert AuditEvent.objects.count() == before


def test_real_overview_page_bad_month(world, analyst) -> None:
    response = analyst.get("/auswertungen/?month=2019-01")
    assert response.status_code == 400
    assert "Für Januar 2019 liegen keine Daten vor" in response.content.decode()
