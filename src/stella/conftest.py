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
