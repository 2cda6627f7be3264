"""Fixtures for the web tests: logged-in clients per role and a registered person (the Playwright browser
fixtures are in src/stella/conftest.py, shared by every app's browser tests)."""

from __future__ import annotations

import os
from datetime import date

import pytest
from django.test import Client

from stella.cases import services as files
from stella.core.actor import Actor
from stella.people.services import IdentifierIn, NameIn, PersonIn, register_person


@pytest.fixture(scope="session", autouse=True)
def _static_root():
    """WhiteNoise warns when STATIC_ROOT does not exist (tests serve static files from the finders)."""
    from django.conf import settings

    os.makedirs(settings.STATIC_ROOT, exist_ok=True)


@pytest.fixture
def login(db):
    """A test client logged in as the given user (force_login: the login form has its own tests)."""

    def _login(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def jc(make_user):
    return make_user("JC", "caseworker", username="jc-fall")


@pytest.fixture
def person(jc):
    """Mohammed Al-Hassan, registered by the Jobcenter, with his name in Arabic script."""
    data = PersonIn(
        names=[NameIn(family_name="Al-Hassan", given_names="Mohammed"),
               NameIn(family_name="الحسن", given_names="محمد", kind="original")],
        sex="m", birth_date=date(1990, 5, 17), birth_date_precision="exact", birth_place="Aleppo",
        nationalities=["SYR"], identifiers=[IdentifierIn("azr", "123456789012")],
    )
    return register_person(actor=Actor.for_user(jc), data=data)


@pytest.fixture
def health_note(make_user, person):
    """A health entry written by the Landratsamt (which participates on a legal basis)."""
    lra = make_user("LRA", "benefits", username="lra-leistung")
    files.add_participation(actor=Actor.for_user(lra), person_id=person.pk, role="contributing",
                            legal_basis="§§4, 6 AsylbLG")
    return files.add_entry(actor=Actor.for_user(lra), person_id=person.pk, kind="note", category="health",
                           title="Attest Rückenleiden", text="Vertraulicher Befund")
