"""Shared pytest fixtures: agencies of one pilot district, users per role, a helper to act as them."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("stella", max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "stella"))

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run there
# unless told that it is safe (the tests are single-threaded).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "attachments"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: its database is rolled back, so ids and versions that key cached
    answers (e.g. the reports overview) repeat from test to test."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(request, settings):
    """Argon2 is slow by design (tenths of a second per hash); tests that do not test hashing hash with MD5.
    Argon2 stays in the list so hashes made outside this fixture (module-scoped worlds) still verify."""
    if "argon2" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]


@pytest.fixture
def district(db):
    from stella.tests.factories import make_district

    return make_district()


@pytest.fixture
def make_user(db, district):
    from stella.tests.factories import make_user as factory

    def _make(kind: str = "JC", *roles: str, **kwargs):
        return factory(district, kind, *(roles or ("caseworker",)), **kwargs)

    return _make


@pytest.fixture
def actor_for():
    from stella.core.actor import Actor

    return Actor.for_user


@pytest.fixture
def kldb(db):
    """The shipped KldB 2010 version, loaded and active (occupation codes validate against it)."""
    from stella.competences.kldb import ensure_loaded

    return ensure_loaded()


# ---------------------------------------------------------------------------------------------------------------
# Browser: one Playwright instance per session for every app's browser tests (a second sync_playwright()
# in the same process fails "inside the asyncio loop"), with Debian's Chromium, never a downloaded one.

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} fehlt: apt-get install chromium"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    # Assertions wait for the page (a click starts a navigation but does not wait for the new page to render);
    # CI machines under load need more than Playwright's default of 5 s.
    from playwright.sync_api import expect
    expect.set_options(timeout=15_000)
    yield page
    context.close()
