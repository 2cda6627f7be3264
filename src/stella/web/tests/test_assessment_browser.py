"""Playwright: a caseworker opens the Rechtliche Einschätzung, picks a Stichtag, opens "Angaben anpassen"
(a plain <details>, no JavaScript of ours) and sets a status. Run with `pytest -m browser`."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from stella.journey.tests.assessment_fixtures import syrian_asylum_seeker
from stella.web.tests.test_browser import A11Y_JS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_assessment_with_date_and_own_input(page, live_server, jc) -> None:
    person = syrian_asylum_seeker(jc)
    base = live_server.url
    log_in(page, base, "jc-fall")
    page.goto(f"{base}/personen/{person.pk}/")
    page.get_by_role("link", name="Rechtliche Einschätzung").click()
    page.get_by_role("textbox", name="Stichtag").fill("01.03.2016")
    page.get_by_role("button", name="Einschätzen").click()
    page.get_by_role("heading", name="Einschätzung zum 01.03.2016").wait_for()
    employment = page.locator("#antwort-employment")
    expect(employment).to_contain_text("Erlaubnis der Ausländerbehörde und Zustimmung der BA nötig")
    assert page.evaluate(A11Y_JS) == []

    status = page.get_by_label("Aufenthaltsstatus")
    expect(status).to_be_hidden()  # inside the closed <details>
    page.get_by_text("Angaben anpassen", exact=True).first.click()
    status.select_option("ae_25_2")
    page.get_by_role("button", name="Einschätzen").click()
    page.get_by_role("heading", name="Einschätzung zum 01.03.2016").wait_for()
    expect(page.locator("#antwort-employment")).to_contain_text("Erwerbstätigkeit erlaubt, keine Erlaubnis nötig")
    expect(page.locator(".assessment-inputs")).to_contain_text("Angabe der Fachkraft")
    expect(page.get_by_label("Aufenthaltsstatus")).to_be_visible()  # the adjustments stay open when used
