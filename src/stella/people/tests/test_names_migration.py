"""Migration 0003 rebuilds the derived NameKey index with the current rules."""

import importlib
from datetime import date

import pytest
from django.apps import apps

from stella.people.models import NameKey
from stella.people.names import name_keys
from stella.tests.factories import register

pytestmark = pytest.mark.django_db

rebuild = importlib.import_module("stella.people.migrations.0003_rebuild_name_keys").rebuild_name_keys


def test_migration_rebuilds_keys_and_birth_years(make_user):
    user = make_user("LRA", "registration")
    a = register(user, family="Al-Hussein", given="Abd al-Rahman", birth=date(1990, 1, 1))
    b = register(user, family="Tesfaye", given="Yonas", birth=None)
    NameKey.objects.all().delete()
    NameKey.objects.create(person=a, key="stale", birth_year=1900)
    rebuild(apps, None)
    assert set(NameKey.objects.filter(person=a).values_list("key", "birth_year")) == {
        (k, 1990) for k in name_keys("Abd al-Rahman", "Al-Hussein")}
    assert set(NameKey.objects.filter(person=b).values_list("key", "birth_year")) == {
        (k, None) for k in name_keys("Yonas", "Tesfaye")}
    assert not NameKey.objects.filter(key="stale").exists()
    rebuild(apps, None)  # idempotent
    assert NameKey.objects.filter(person=a).count() == len(name_keys("Abd al-Rahman", "Al-Hussein"))
