"""The „Kompetenzprofil“ page of the file: display (German headings, user text with dir="auto"), add forms with
German errors and nothing written on bad input, end with confirmation keeping the history, occupation
confirmation from suggestions, refusals like the other pages of the file."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client

from stella.audit.models import AuditEvent
from stella.competences import profile as read
from stella.competences import services as svc
from stella.competences.models import (
    LanguageAssessment,
    Qualification,
    SchoolEducation,
    Skill,
    WorkExperience,
)
from stella.core.actor import Actor
from stella.tests.factories import register
from stella.web.tests.a11y import problems

TODAY = date.today()


@pytest.fixture
def jc(make_user):
    return make_user("JC", "caseworker")


@pytest.fixture
def me(jc):
    return Actor.for_user(jc)


@pytest.fixture
def person(jc):
    return register(jc)


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def client(jc):
    return login(jc)


def page(person, suffix: str = "") -> str:
    return f"/personen/{person.pk}/kompetenzen/{suffix}"


def test_profile_page_shows_every_part(client, me, person, monkeypatch):
    monkeypatch.setattr(read, "suggestions_for", lambda rows, limit=3: {})  # suggestions have their own test
    svc.add_school_education(actor=me, person_id=person.pk, years=12, certificate="university_entrance",
                             country="SYR")
    svc.add_qualification(actor=me, person_id=person.pk, kind="vocational", title="ممرض", country="SYR", year=2012)
    svc.add_work_experience(actor=me, person_id=person.pk, title="Cook", years=3)
    svc.add_skill(actor=me, person_id=person.pk, kind="driving_licence", value="CE")
    svc.add_language_assessment(actor=me, person_id=person.pk, language="de", source="certificate",
                                source_detail="DTZ", assessed_on=TODAY, speaking="B1", writing="A2")
    svc.set_circumstances(actor=me, person_id=person.pk, needs_childcare=True)
    r = client.get(page(person))
    html = r.content.decode()
    assert r.status_code == 200
    for heading in ("Kompetenzprofil", "Schulbildung", "Berufs- und Hochschulabschlüsse", "Berufserfahrung",
                    "Fähigkeiten und Führerscheine", "Sprachstände (GER)", "Rahmenbedingungen",
                    "Deutschniveau (für den Abgleich)"):
        assert heading in html
    assert '<bdi dir="auto">ممرض</bdi>' in html
    assert "Hochschulreife" in html and "Syrien" in html and "noch nicht bestätigt" in html
    assert '<th scope="col">Sprechen</th>' in html and "Prüfungszeugnis" in html
    assert 'aria-current="page"' in html  # the Kompetenzen tab stays highlighted
    assert problems(html) == []
    assert AuditEvent.objects.filter(person_id=person.pk, object_type="competence_profile").exists()


def test_links_from_the_file(client, person):
    assert page(person) in client.get(f"/personen/{person.pk}/").content.decode()
    assert page(person) in client.get(f"/personen/{person.pk}/bereich/competences/").content.decode()


@pytest.mark.parametrize(("slug", "data", "model"), [
    ("schulbildung", {"years": "10", "certificate": "middle", "country": "AFG"}, SchoolEducation),
    ("qualifikation", {"kind": "academic", "title": "مهندس مدني", "year": "2010", "recognition": "applied",
                       "recognition_body": "ZAB", "recognition_date": TODAY.strftime("%d.%m.%Y")}, Qualification),
    ("berufserfahrung", {"title": "آشپز", "language": "prs", "years": "2,5", "country": "AFG"}, WorkExperience),
    ("faehigkeit", {"value": "Schweißen"}, Skill),
    ("fuehrerschein", {"value": "B"}, Skill),
    ("sprache", {"language": "de", "speaking": "A2", "reading": "A1", "source": "self",
                 "assessed_on": TODAY.strftime("%d.%m.%Y")}, LanguageAssessment),
])
def test_add_forms(client, person, slug, data, model):
    form = client.get(page(person, f"{slug}/neu/"))
    assert form.status_code == 200 and problems(form.content.decode()) == []
    if slug in ("qualifikation", "berufserfahrung"):  # the code field is the shared occupation picker
        assert 'data-occupation-picker' in form.content.decode()
    r = client.post(page(person, f"{slug}/neu/"), data)
    assert r.status_code == 302, r.content.decode()
    assert r["Location"].startswith(page(person))
    assert model.objects.filter(person=person).count() == 1
    if slug == "berufserfahrung":
        assert str(WorkExperience.objects.get().years) == "2.5"


def test_circumstances_form_starts_from_the_current_ones(client, me, person):
    svc.set_circumstances(actor=me, person_id=person.pk, women_only=True, mobility="municipality")
    html = client.get(page(person, "rahmenbedingungen/neu/")).content.decode()
    assert 'name="women_only" id="id_women_only" checked' in html
    r = client.post(page(person, "rahmenbedingungen/neu/"), {"mobility": "region", "part_time_only": "on"})
    assert r.status_code == 302
    current = svc.Circumstances.objects.get(person=person, ended_at__isnull=True)
    assert (current.mobility, current.part_time_only, current.women_only) == ("region", True, False)


@pytest.mark.parametrize(("slug", "data", "field", "message"), [
    ("sprache", {"language": "de", "speaking": "B3", "source": "self", "assessed_on": TODAY.strftime("%d.%m.%Y")},
     "speaking", "gültige Auswahl"),
    ("sprache", {"language": "de", "source": "self", "assessed_on": TODAY.strftime("%d.%m.%Y")},
     None, "mindestens für eine Fertigkeit"),
    ("sprache", {"language": "de", "speaking": "A1", "source": "self",
                 "assessed_on": (TODAY + timedelta(days=1)).strftime("%d.%m.%Y")}, "assessed_on", "Zukunft"),
    ("schulbildung", {"years": "9", "certificate": "none", "country": "XYZ"}, "country", "gültige Auswahl"),
    ("qualifikation", {"kind": "vocational", "title": "Koch", "recognition": "full", "recognition_body": "IHK",
                       "recognition_date": (TODAY + timedelta(days=3)).strftime("%d.%m.%Y")},
     "recognition_date", "Zukunft"),
    ("berufserfahrung", {"title": "Koch", "years": "viel"}, "years", "Bitte eine Zahl"),
    ("berufserfahrung", {"title": "Koch", "years": "3", "occupation_code": "12345"}, "occupation_code",
     "gibt es in der geladenen Fassung"),
])
def test_bad_input_gives_german_form_errors_and_writes_nothing(client, person, kldb, slug, data, field, message):
    r = client.post(page(person, f"{slug}/neu/"), data)
    assert r.status_code == 422
    html = r.content.decode()
    assert "Bitte prüfen Sie Ihre Eingaben" in html and message in html
    if field:
        assert f'id="id_{field}_error"' in html
    assert sum(m.objects.count() for m in (SchoolEducation, Qualification, WorkExperience, LanguageAssessment)) == 0


def test_end_with_confirmation_keeps_history(client, me, person):
    row = svc.add_skill(actor=me, person_id=person.pk, kind="skill", value="Schweißen")
    url = page(person, f"faehigkeit/{row.pk}/beenden/")
    html = client.get(url).content.decode()
    assert "Fähigkeit beenden" in html and "Schweißen" in html and 'method="post"' in html
    assert problems(html) == []
    row.refresh_from_db()
    assert row.ended_at is None  # GET only asks
    r = client.post(url)
    assert r.status_code == 302
    row.refresh_from_db()
    assert row.ended_at is not None
    assert "Schweißen" not in client.get(page(person)).content.decode()
    history = client.get(page(person) + "?verlauf=1").content.decode()
    assert "Schweißen" in history and "beendet" in history
    again = client.post(url)
    assert again.status_code == 422 and "bereits beendet" in again.content.decode()


def test_end_unknown_slug_or_row_is_404(client, person):
    assert client.get(page(person, "hobby/1/beenden/")).status_code == 404
    assert client.get(page(person, "faehigkeit/99999/beenden/")).status_code == 404


def test_confirm_occupation(client, me, person, kldb):
    row = svc.add_work_experience(actor=me, person_id=person.pk, title="طباخ", language="ar", years=4)
    bad = client.post(page(person, f"berufserfahrung/{row.pk}/beruf/"), {"code": "99999"})
    assert bad.status_code == 422 and "99999" in bad.content.decode()
    r = client.post(page(person, f"berufserfahrung/{row.pk}/beruf/"), {"code": "29302"})
    assert r.status_code == 302
    new = WorkExperience.objects.get(person=person, ended_at__isnull=True)
    assert new.occupation.code == "29302" and new.replaces_id == row.pk
    html = client.get(page(person)).content.decode()
    assert "29302" in html and '<bdi dir="auto" lang="ar">طباخ</bdi>' in html


def test_unconfirmed_titles_get_suggestions_with_one_click_confirm(client, me, person, kldb):
    row = svc.add_work_experience(actor=me, person_id=person.pk, title="Bäcker", language="de", years=4)
    html = client.get(page(person)).content.decode()
    assert "Vorschläge:" in html and f'action="{page(person, f"berufserfahrung/{row.pk}/beruf/")}"' in html
    assert problems(html) == []
    confirm = client.get(page(person, f"berufserfahrung/{row.pk}/beruf/"))
    text = confirm.content.decode()
    assert confirm.status_code == 200 and "Vorschläge zur Berufsbezeichnung" in text and problems(text) == []
    assert "data-occupation-picker" in text
    first = WorkExperience.objects.get(pk=row.pk)
    code = text.split('name="code" value="', 1)[1][:5]
    assert client.post(page(person, f"berufserfahrung/{row.pk}/beruf/"), {"code": code}).status_code == 302
    first.refresh_from_db()
    assert first.ended_at and WorkExperience.objects.get(replaces=first).occupation.code == code


def test_update_recognition(client, me, person):
    row = svc.add_qualification(actor=me, person_id=person.pk, kind="vocational", title="Elektriker")
    url = page(person, f"qualifikation/{row.pk}/anerkennung/")
    assert client.get(url).status_code == 200
    r = client.post(url, {"recognition": "partial", "recognition_body": "HWK Stuttgart",
                          "recognition_date": TODAY.strftime("%d.%m.%Y")})
    assert r.status_code == 302
    assert Qualification.objects.get(person=person, ended_at__isnull=True).recognition == "partial"


def test_refusals_like_the_rest_of_the_file(make_user, me, person):
    row = svc.add_skill(actor=me, person_id=person.pk, kind="skill", value="Schweißen")
    clerk = login(make_user("JC", "registration"))
    r = clerk.get(page(person))
    assert r.status_code == 403 and "Kein Zugriff" in r.content.decode() and "Schweißen" not in r.content.decode()
    for url in (page(person, "faehigkeit/neu/"), page(person, f"faehigkeit/{row.pk}/beenden/")):
        refused = clerk.post(url, {"value": "Lügen"})
        assert refused.status_code == 403 and "Kompetenzen" in refused.content.decode()
    assert Skill.objects.count() == 1 and Skill.objects.get().ended_at is None
    lead = login(make_user("JC", "team_lead"))
    html = lead.get(page(person)).content.decode()
    assert "Schweißen" in html and "Fähigkeit hinzufügen" not in html and "Beenden" not in html
    outsider = login(make_user("KT", "caseworker"))
    assert outsider.get(page(person)).status_code == 404
    assert Client().get(page(person)).status_code == 302  # login first
