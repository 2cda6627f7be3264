"""Playwright: an analyst walks through the outcome reports in Chromium (issue 7) – the pilot-district overview,
the K2 page, a district filter, the drill-down to agency and team until the confidentiality limit, the CSV
export – and on every page no table cell shows a count of 1 or 2. A caseworker gets the refusal page; bad
filters get German errors. Run with `pytest -m browser`; without /usr/bin/chromium the tests are skipped
(failed when CI=true)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from stella.web.tests.report_world import build_world
from stella.web.tests.test_browser import A11Y_JS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Runs in the page: every table cell (td) whose whole text is an integer count of 1 or 2 (also "1.0"-style
#: thousands notation is not a small count); the issue demands that no page shows such a cell.
SMALL_CELLS_JS = """
() => [...document.querySelectorAll('table td')]
  .map(td => td.innerText.trim())
  .filter(t => /^[0-9][0-9.]*$/.test(t) && ['1', '2'].includes(t.replace(/\\./g, '')))
"""


def no_small_counts(page) -> None:
    assert page.locator("table").count() > 0, page.url
    assert page.evaluate(SMALL_CELLS_JS) == [], page.url


def accessible(page) -> None:
    assert page.evaluate(A11Y_JS) == [], page.url


@pytest.fixture
def world(make_user):
    make_user("JC", "analyst", username="auswertung")
    make_user("JC", "caseworker", username="jc-fall")
    build_world()


def test_analyst_overview_drill_down_and_export(page, live_server, world, tmp_path: Path) -> None:
    base = live_server.url
    log_in(page, base, "auswertung")

    # 1. Overview: the key figures per pilot district, label, data as of, sparklines with text alternatives.
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Auswertungen").click()
    page.wait_for_url(f"{base}/auswertungen/")
    page.get_by_role("heading", level=1, name="Auswertungen: Pilotkreise im Überblick").wait_for()
    assert "Stella-Fallbasis" in page.inner_text("main") and "Daten bis 09/2026" in page.inner_text("main")
    expect(page.get_by_role("img", name="Verlauf Integrationsquote (K2-analog), Ludwigsburg")).to_have_count(1)
    no_small_counts(page)
    accessible(page)

    # 2. The K2 page: definition, chart with its data table, the table.
    page.get_by_role("link", name="Integrationsquote (K2-analog)", exact=True).first.click()
    page.get_by_role("heading", level=1, name="Integrationsquote (K2-analog)").wait_for()
    expect(page.get_by_role("img", name="Integrationsquote (K2-analog) im Verlauf")).to_have_count(1)
    expect(page.get_by_role("table", name="Daten zum Diagramm: Verlauf (Summe der Auswahl)")).to_have_count(1)
    no_small_counts(page)
    accessible(page)

    # 3. Filter by district, broken down by agency.
    page.get_by_label("Landkreis", exact=True).select_option("LK-LB")
    page.get_by_label("Aufgliedern nach").select_option("agency")
    page.get_by_role("button", name="Anzeigen").click()
    page.wait_for_url("**district=LK-LB**")
    table = page.locator("#report-table")
    expect(table.get_by_role("rowheader", name="Jobcenter (SGB II) Ludwigsburg")).to_have_count(1)
    no_small_counts(page)
    accessible(page)

    # 4. Drill down to the Jobcenter's teams; Team 3 is below the limit ("*" with the reason), and the team
    #    level is the last one (the page says so instead of offering a link).
    table.get_by_role("link", name="Jobcenter (SGB II) Ludwigsburg nach Team").click()
    page.wait_for_url("**breakdown=team**")
    table = page.locator("#report-table")
    team3 = table.get_by_role("row", name="Team 3")
    assert team3.locator("td").first.inner_text().strip() == "*"
    expect(team3).to_contain_text(re.compile("weniger als 3|Bezugsgröße"))
    assert table.get_by_text("Team ist die unterste Ebene der Auswertung.").count() >= 1
    expect(table.get_by_role("link", name="nach")).to_have_count(0)
    assert "Aus Datenschutzgründen" in page.inner_text("#star-note")
    crumbs = page.get_by_role("navigation", name="Ebene der Auswertung")
    expect(crumbs.get_by_role("link", name="Ludwigsburg")).to_have_count(1)
    expect(crumbs.get_by_role("link", name="alle Pilotkreise")).to_have_count(1)
    no_small_counts(page)
    accessible(page)

    # 5. Export the team table as CSV: the same "*", the label, no small count.
    with page.expect_download() as info:
        page.get_by_role("link", name="Tabelle als CSV").click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    assert info.value.suggested_filename == "stella-k2-2026-09-LK-LB.csv"
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    team_row = next(r for r in rows if r and r[0] == "Team 3")
    assert team_row[1] == "*"
    assert any(r and r[0].startswith("Stella-Fallbasis") for r in rows)
    counts = [c for r in rows[1:] if len(r) > 1 for c in r[1:-1]]
    assert not [c for c in counts if c in ("1", "2")], counts


def test_caseworker_refused_and_bad_filters_in_german(page, live_server, world) -> None:
    base = live_server.url
    log_in(page, base, "jc-fall")
    expect(page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Auswertungen")).to_have_count(0)
    response = page.goto(f"{base}/auswertungen/k2/")
    assert response.status == 403
    assert "Kein Zugriff" in page.inner_text("main") and "Auswertungen sehen nur" in page.inner_text("main")
    page.get_by_role("button", name="Abmelden").click()

    log_in(page, base, "auswertung")
    page.goto(f"{base}/auswertungen/k2/")
    page.get_by_label("Bezugsmonat").fill("13/2026")
    breakdown = page.get_by_label("Aufgliedern nach")
    breakdown.select_option("district")
    page.get_by_label("Nur Personen mit Merkmal").select_option("sex")
    # a filter allows no organisational or second demographic breakdown: those options are disabled, and the
    # chosen one falls back to the indicator's default
    for refused in ("district", "agency", "team", "age_band"):
        expect(breakdown.locator(f'option[value="{refused}"]')).to_be_disabled()
    expect(breakdown.locator('option[value="month"]')).to_be_enabled()
    expect(breakdown).to_have_value("")
    page.get_by_label("Nur Personen mit Merkmal").select_option("")
    expect(breakdown.locator('option[value="district"]')).to_be_enabled()
    page.get_by_label("Nur Personen mit Merkmal").select_option("sex")
    page.get_by_role("button", name="Anzeigen").click()
    summary = page.get_by_role("alert").filter(has=page.get_by_role("heading", name="Bitte prüfen Sie Ihre Eingaben"))
    summary.wait_for()
    text = summary.inner_text()
    assert "Bitte den Monat als JJJJ-MM angeben" in text and "Bitte die Ausprägung des Merkmals angeben." in text
    expect(page.locator("#report-table")).to_have_count(0)
    accessible(page)

    # a period outside the data: the service's message on the field, never a number
    page.goto(f"{base}/auswertungen/k2/?month=2019-01")
    assert "Für Januar 2019 liegen keine Daten vor" in page.inner_text("main")
    expect(page.locator("#report-table")).to_have_count(0)
