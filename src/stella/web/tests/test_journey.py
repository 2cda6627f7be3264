"""The "Verlauf" tab: status history, corrections, derived journey, refusals and bad input."""

from __future__ import annotations

import pytest

from stella.journey.models import StatusEvent
from stella.tests.factories import register_housed
from stella.web.tests.a11y import problems


@pytest.fixture
def lra(make_user):
    return make_user("LRA", "caseworker")


@pytest.fixture
def person(lra, district):
    return register_housed(lra, district)


def post_event(client, person, kind, day, outcome=""):
    return client.post(f"/personen/{person.pk}/verlauf/ereignis/",
                       {"kind": kind, "effective_date": day, "outcome": outcome, "note": ""})


def test_record_history_and_see_the_regime_switch(login, lra, person, district) -> None:
    c = login(lra)
    for kind, day, outcome in [("asylgesuch", "03.09.2015", ""), ("gestattung", "01.10.2015", ""),
                               ("bamf_entscheidung", "10.05.2016", "fluechtlingsschutz"),
                               ("rechtskraft", "25.05.2016", "")]:
        assert post_event(c, person, kind, day, outcome).status_code == 302
    html = c.get(f"/personen/{person.pk}/verlauf/").content.decode()
    assert "Schutzstatus rechtskräftig" in html and "Rechtskreiswechsel" in html
    assert "01.06.2016" in html and "SGB II (Bürgergeld)" in html and district["JC"].name in html
    assert problems(html) == []


def test_impossible_event_shows_the_reason_and_writes_nothing(login, lra, person) -> None:
    r = post_event(login(lra), person, "rechtskraft", "01.10.2015")
    html = r.content.decode()
    assert r.status_code == 422 and "ist nicht möglich" in html and 'href="#id_kind"' in html
    assert not StatusEvent.objects.exists()


def test_impossible_date_is_a_form_error(login, lra, person) -> None:
    r = post_event(login(lra), person, "asylgesuch", "31.02.2015")
    assert r.status_code == 422 and "28 Tage" in r.content.decode()
    assert not StatusEvent.objects.exists()


def test_correction_keeps_the_original_visible(login, lra, person) -> None:
    c = login(lra)
    post_event(c, person, "asylgesuch", "03.09.2015")
    event = StatusEvent.objects.get()
    assert c.get(f"/personen/{person.pk}/verlauf/ereignis/{event.pk}/berichtigen/").status_code == 200
    r = c.post(f"/personen/{person.pk}/verlauf/ereignis/{event.pk}/berichtigen/",
               {"effective_date": "04.09.2015", "reason": "Datum laut AKN", "outcome": ""})
    assert r.status_code == 302
    html = c.get(f"/personen/{person.pk}/verlauf/").content.decode()
    assert "berichtigt" in html and "04.09.2015" in html and "03.09.2015" in html
    r = c.post(f"/personen/{person.pk}/verlauf/ereignis/{event.pk}/berichtigen/", {"reason": ""})
    assert r.status_code == 422


def test_agency_without_residence_access_sees_the_reason(login, make_user, person) -> None:
    kt_like = make_user("JC", "caseworker")  # not participating: no section access
    r = login(kt_like).get(f"/personen/{person.pk}/verlauf/")
    assert r.status_code == 403 and "Kein Zugriff" in r.content.decode()
    assert post_event(login(kt_like), person, "asylgesuch", "03.09.2015").status_code == 403
    assert not StatusEvent.objects.exists()
