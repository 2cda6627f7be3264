"""Playwright tests in Debian's Chromium: the flows a caseworker uses, the DPO's view of them,
a refusal for another agency, keyboard-only login, and an accessibility smoke check.

Run with `pytest -m browser`; without /usr/bin/chromium they are skipped (failed when CI=true).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from stella.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: A screenshot of the person file for a human look at the layout (in /tmp on Linux).
SCREENSHOT = str(Path(tempfile.gettempdir()) / "stella-person-file.png")

#: Runs in the page: what a machine can see of WCAG basics (labels, language, headings, names).
A11Y_JS = """
() => {
  const problems = [];
  const lang = document.documentElement.getAttribute('lang');
  if (!lang) problems.push('html without lang');
  const h1 = document.querySelectorAll('h1').length;
  if (h1 !== 1) problems.push(`${h1} h1 elements`);
  if (document.querySelectorAll('main').length !== 1) problems.push('not exactly one main landmark');
  if (!document.querySelector('a.skip-link[href="#inhalt"]') || !document.getElementById('inhalt'))
    problems.push('skip link or its target missing');
  for (const el of document.querySelectorAll('input, select, textarea')) {
    const type = (el.getAttribute('type') || '').toLowerCase();
    if (['hidden', 'submit', 'button', 'reset'].includes(type)) continue;
    if (el.getAttribute('aria-hidden') === 'true') continue;
    const named = (el.labels && el.labels.length) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
    if (!named) problems.push(`control without label: ${el.name || el.id}`);
  }
  for (const el of document.querySelectorAll('button, a[href]')) {
    if (el.getAttribute('aria-hidden') === 'true') continue;
    const name = (el.innerText || el.getAttribute('aria-label') || '').trim();
    if (!name) problems.push(`${el.tagName.toLowerCase()} without accessible name`);
  }
  for (const img of document.querySelectorAll('img')) {
    if (!img.hasAttribute('alt')) problems.push('img without alt');
  }
  const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
  const dupes = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (dupes.length) problems.push(`duplicate ids: ${dupes}`);
  for (const el of document.querySelectorAll('[aria-describedby]')) {
    for (const ref of el.getAttribute('aria-describedby').split(/\\s+/)) {
      if (ref && !document.getElementById(ref)) problems.push(`aria-describedby -> missing ${ref}`);
    }
  }
  return problems;
}
"""


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(f"{base}/")


def log_out(page) -> None:
    page.get_by_role("button", name="Abmelden").click()
    page.wait_for_url(re.compile(r".*/login/$"))


def test_caseworker_flow_audit_and_refusal(page, live_server, jc, person, make_user) -> None:
    base = live_server.url
    make_user("LRA", "dpo", username="dsb")
    make_user("ABH", "caseworker", username="abh-fall")
    make_user("KT", "caseworker", username="kurs-fall")

    # 1. A Jobcenter caseworker logs in and finds the person by another spelling of the name.
    log_in(page, base, "jc-fall")
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Personensuche").click()
    page.get_by_label("Name").fill("Muhammad Alhasan")
    page.get_by_role("button", name="Suchen").click()
    expect(page.get_by_role("heading", name="1 Treffer")).to_be_visible()
    page.get_by_role("link", name="Al-Hassan, Mohammed").click()

    # 2. The file opens: header with the Arabic name right-to-left, tabs, timeline.
    page.wait_for_url(f"{base}/personen/{person.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Al-Hassan, Mohammed")
    arabic = page.locator("bdi[dir=rtl]").first
    expect(arabic).to_have_text("الحسن، محمد")
    assert arabic.evaluate("el => getComputedStyle(el).direction") == "rtl"
    expect(page.locator('.tabs a[aria-current="page"]')).to_have_text("Übersicht")

    # 3. A note is added and shows in the timeline.
    page.get_by_role("link", name="Vermerk hinzufügen").click()
    page.get_by_label("Betreff").fill("Beratung zur Ausbildung")
    page.get_by_label("Text", exact=True).fill("Interesse an einer Ausbildung als Elektroniker.")
    page.get_by_role("button", name="Eintrag speichern").click()
    page.wait_for_url(re.compile(rf".*/personen/{person.pk}/#eintrag-\d+$"))
    entry = page.locator("article.entry", has_text="Beratung zur Ausbildung")
    expect(entry).to_be_visible()
    expect(entry).to_contain_text("Interesse an einer Ausbildung als Elektroniker.")
    assert page.get_by_role("status").inner_text().startswith("Der Eintrag „Beratung zur Ausbildung“")

    # 4. The health tab is refused with the reason, never the data.
    page.get_by_role("link", name="Gesundheit (kein Zugriff)").click()
    refusal = page.locator(".refusal")
    expect(refusal).to_contain_text("Kein Zugriff:")
    expect(refusal).to_contain_text("„Gesundheit“")
    page.screenshot(path=SCREENSHOT.replace(".png", "-refused.png"), full_page=True)
    page.goto(f"{base}/personen/{person.pk}/")
    page.screenshot(path=SCREENSHOT, full_page=True)
    log_out(page)

    # 5. The data-protection officer sees that read in the audit trail of the person.
    log_in(page, base, "dsb")
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Protokoll").click()
    page.get_by_label("Personen-Nr.").fill(str(person.pk))
    page.get_by_role("button", name="Anzeigen").click()
    rows = page.locator("table tbody tr", has_text="jc-fall")
    assert rows.filter(has_text="Lesen").count() >= 1
    expect(rows.filter(has_text="Anlegen").filter(has_text="entry")).to_have_count(1)
    assert page.locator("table tbody tr", has_text="verweigert").filter(has_text="Gesundheit").count() >= 1
    page.get_by_role("button", name="Protokollkette prüfen").click()
    expect(page.get_by_role("status")).to_contain_text("keine Veränderung gefunden")
    log_out(page)

    # 6. Another agency: the foreigners' authority finds the person but may read no section …
    log_in(page, base, "abh-fall")
    page.goto(f"{base}/personen/{person.pk}/bereich/identity/")
    refusal = page.locator(".refusal")
    expect(refusal).to_contain_text("Kein Zugriff:")
    expect(refusal).to_contain_text("nicht beteiligt")
    expect(page.get_by_text("123456789012")).to_have_count(0)
    log_out(page)

    # … and the course provider does not even learn that the person exists.
    log_in(page, base, "kurs-fall")
    response = page.goto(f"{base}/personen/{person.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Nicht gefunden")
    expect(page.get_by_text("Al-Hassan")).to_have_count(0)


def test_keyboard_only_login(page, live_server, jc) -> None:
    base = live_server.url
    page.goto(f"{base}/login/")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent.trim()")
    assert focused == "Zum Inhalt springen"  # the skip link comes first and is visible on focus
    assert page.locator(".skip-link").evaluate("el => el.getBoundingClientRect().top >= 0")
    page.keyboard.press("Enter")
    for _ in range(10):
        if page.evaluate("() => document.activeElement.id") == "id_username":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "id_username"
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # focus is visible
    page.keyboard.type("jc-fall")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "id_password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Meine Fälle")


def test_keyboard_login_error_moves_focus_to_summary(page, live_server, jc) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Benutzername").fill("jc-fall")
    page.get_by_label("Passwort").fill("falsch")
    page.keyboard.press("Enter")
    page.wait_for_selector(".error-summary")
    assert page.evaluate("() => document.activeElement.classList.contains('error-summary')")


def test_accessibility_smoke(page, live_server, jc, person, health_note) -> None:
    base = live_server.url
    page.goto(f"{base}/login/")
    assert page.evaluate(A11Y_JS) == []
    log_in(page, base, "jc-fall")
    for path in ["/", "/suche/?name=Hassan", "/suche/?name=", "/personen/neu/", f"/personen/{person.pk}/",
                 f"/personen/{person.pk}/bereich/identity/", f"/personen/{person.pk}/bereich/health/",
                 f"/personen/{person.pk}/vermerk/neu/", f"/personen/{person.pk}/stammdaten/",
                 f"/personen/{person.pk}/einwilligungen/", f"/personen/{person.pk}/einwilligungen/neu/",
                 f"/personen/{person.pk}/beteiligungen/"]:
        page.goto(base + path)
        assert page.evaluate(A11Y_JS) == [], path
        assert page.evaluate("() => document.documentElement.lang") == "de"
    # Errors: the summary links to the field and the field says it is invalid.
    page.goto(f"{base}/personen/neu/")
    page.get_by_label("Geburtsdatum", exact=False).first.fill("31.02.1990")
    page.get_by_role("button", name="Person registrieren").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    assert page.evaluate("() => document.activeElement.classList.contains('error-summary')")
    summary.get_by_role("link", name=re.compile("Geburtsdatum")).click()
    expect(page.locator("#id_birth_date")).to_have_attribute("aria-invalid", "true")
    assert "id_birth_date_error" in page.locator("#id_birth_date").get_attribute("aria-describedby")


def test_works_without_javascript(browser, live_server, jc, person) -> None:
    context = browser.new_context(java_script_enabled=False, locale="de-DE")
    page = context.new_page()
    try:
        base = live_server.url
        log_in(page, base, "jc-fall")
        page.goto(f"{base}/suche/?name=Alhasan")
        page.get_by_role("link", name="Al-Hassan, Mohammed").click()
        page.get_by_role("link", name="Vermerk hinzufügen").click()
        page.get_by_label("Betreff").fill("Ohne JavaScript")
        page.get_by_role("button", name="Eintrag speichern").click()
        expect(page.locator("article.entry", has_text="Ohne JavaScript")).to_be_visible()
        page.get_by_role("button", name="English").click()
        assert page.evaluate("() => document.documentElement.lang") == "en"
        expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    finally:
        context.close()
