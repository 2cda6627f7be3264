"""Web UI: "Meine Aufgaben", team view, task page with its actions, new tasks, the person file's tab,
notifications and the bell in the header."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from stella.journey import tasks as service
from stella.journey.models import Notification, Task, TaskState
from stella.journey.tests.tasks_setup import actor, user


def day(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).strftime("%d.%m.%Y")


def soon(days: int = 5):
    return timezone.localdate() + timedelta(days=days)


@pytest.fixture
def anna(district):
    u = user(district, "JC", "caseworker", team="Team Nord", username="anna")
    u.first_name, u.last_name = "Anna", "Becker"
    u.save()
    return u


@pytest.fixture
def ben(district):
    return user(district, "JC", "caseworker", team="Team Nord", username="ben")


@pytest.fixture
def lead(district):
    return user(district, "JC", "team_lead", team="Team Nord", username="lead")


@pytest.fixture
def mine(anna, person):
    return service.create_task(actor=actor(anna), title="Zeugnisse anfordern", due_date=soon(), person_id=person.pk)


def test_navigation_and_bell(login, anna, lead):
    page = login(anna).get("/aufgaben/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'href="/aufgaben/" aria-current="page">Meine Aufgaben' in html and 'href="/termine/"' in html
    assert 'href="/aufgaben/team/"' not in html
    assert "keine neuen" in html
    assert 'href="/aufgaben/team/"' in login(lead).get("/").content.decode()


def test_my_tasks_lists_overdue_first_with_a_label(login, anna, mine):
    late = service.create_task(actor=actor(anna), title="Rückruf Ausländerbehörde", due_date=soon(1))
    Task.objects.filter(pk=late.pk).update(due_date=soon(-2))
    html = login(anna).get("/aufgaben/").content.decode()
    assert html.index("Rückruf Ausländerbehörde") < html.index("Zeugnisse anfordern")
    assert 'class="row-overdue"' in html and "überfällig" in html and "1 Aufgabe ist überfällig." in html
    assert f'href="/personen/{mine.person_id}/"' in html


def test_create_task_in_the_person_file_notifies_the_assignee(login, anna, ben, person):
    client = login(anna)
    form = client.get(f"/personen/{person.pk}/aufgaben-termine/aufgabe/")
    assert form.status_code == 200 and "Neue Aufgabe zu dieser Person" in form.content.decode()
    response = client.post(f"/personen/{person.pk}/aufgaben-termine/aufgabe/",
                           {"title": "Sprachkurs anmelden", "due_date": day(10), "assignee": str(ben.pk)})
    assert response.status_code == 302 and response["Location"] == f"/personen/{person.pk}/aufgaben-termine/"
    task = Task.objects.get()
    assert task.person == person and task.assignee == ben
    assert Notification.objects.get(user=ben).link == f"/aufgaben/{task.pk}/"
    bell = login(ben).get("/").content.decode()
    assert "1 ungelesen" in bell and "bell-unread" in bell


def test_bad_input_shows_field_errors_and_writes_nothing(login, anna, person, district):
    other = user(district, "AA", "caseworker")
    client = login(anna)
    html = client.post("/aufgaben/neu/", {"title": "", "due_date": "31.02.2026"}).content.decode()
    assert "error-summary" in html and "kein gültiges Datum" in html
    html = client.post("/aufgaben/neu/", {"title": "x", "due_date": day(-1)}).content.decode()
    assert "Das Fälligkeitsdatum liegt in der Vergangenheit." in html
    html = client.post("/aufgaben/neu/", {"title": "x", "due_date": day(3), "assignee": str(other.pk)}).content.decode()
    assert "Auswahl" in html or "gültige" in html  # not offered in the select: refused by the form already
    assert not Task.objects.exists()


def test_task_page_complete_cancel_and_reassign(login, anna, ben, mine):
    client = login(anna)
    page = client.get(f"/aufgaben/{mine.pk}/").content.decode()
    assert "Zeugnisse anfordern" in page and "Als erledigt markieren" in page
    refused = client.post(f"/aufgaben/{mine.pk}/entfaellt/", {"cancel-note": ""}).content.decode()
    assert "error-summary" in refused
    moved = client.post(f"/aufgaben/{mine.pk}/zuweisen/", {"reassign-assignee": str(ben.pk), "reassign-team": ""})
    assert moved.status_code == 302 and moved["Location"] == "/aufgaben/"
    mine.refresh_from_db()
    assert mine.assignee == ben
    ben_client = login(ben)
    assert "1 ungelesen" in ben_client.get("/").content.decode()
    ben_client.get(f"/aufgaben/{mine.pk}/")  # opening the task reads its notification
    assert not Notification.objects.filter(user=ben, read_at__isnull=True).exists()
    done = ben_client.post(f"/aufgaben/{mine.pk}/erledigen/", {"close-note": "per Post angefordert"})
    assert done.status_code == 302
    mine.refresh_from_db()
    assert mine.state == TaskState.DONE and mine.close_note == "per Post angefordert"
    again = ben_client.post(f"/aufgaben/{mine.pk}/erledigen/", {"close-note": ""}, follow=True).content.decode()
    assert "bereits erledigt" in again


def test_other_agency_gets_404(login, district, mine):
    other = user(district, "AA", "caseworker")
    assert login(other).get(f"/aufgaben/{mine.pk}/").status_code == 404
    assert login(other).post(f"/aufgaben/{mine.pk}/erledigen/", {}).status_code == 404
    assert "Zeugnisse" not in login(other).get("/aufgaben/").content.decode()


def test_team_view_for_leads_only(login, anna, ben, lead, mine):
    late = service.create_task(actor=actor(ben), title="Bens überfällige Aufgabe", due_date=soon(1))
    Task.objects.filter(pk=late.pk).update(due_date=soon(-1))
    html = login(lead).get("/aufgaben/team/").content.decode()
    assert "Bens überfällige Aufgabe" in html and "Zeugnisse anfordern" in html and "davon überfällig" in html
    refused = login(anna).get("/aufgaben/team/")
    assert refused.status_code == 403 and "Nur Teamleitungen" in refused.content.decode()


def test_person_tab_shows_tasks_and_appointments(login, anna, mine, person):
    html = login(anna).get(f"/personen/{person.pk}/aufgaben-termine/").content.decode()
    assert 'aria-current="page">Aufgaben und Termine' in html
    assert "Zeugnisse anfordern" in html and "Termin vereinbaren" in html and "Keine Termine." in html


def test_person_tab_refuses_without_counselling(login, district, person):
    registration = user(district, "JC", "registration")
    response = login(registration).get(f"/personen/{person.pk}/aufgaben-termine/")
    assert response.status_code == 403 and "Beratungsvermerke" in response.content.decode()


def test_notifications_page_marks_read(login, anna, ben):
    first = Notification.objects.create(user=anna, kind="task", text="Neue Aufgabe: „A“", link="/aufgaben/1/")
    Notification.objects.create(user=anna, kind="task", text="Boshafter Link", link="javascript:alert(1)")
    client = login(anna)
    html = client.get("/benachrichtigungen/").content.decode()
    assert "Neue Aufgabe" in html and "2 ungelesen" in html and "javascript:" not in html
    opened = client.post(f"/benachrichtigungen/{first.pk}/gelesen/", {"open": "1"})
    assert opened.status_code == 302 and opened["Location"] == "/aufgaben/1/"
    assert client.post("/benachrichtigungen/alle-gelesen/").status_code == 302
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    stranger = Notification.objects.create(user=ben, kind="x", text="y")
    assert client.post(f"/benachrichtigungen/{stranger.pk}/gelesen/").status_code == 404


def test_english_ui(login, anna, mine):
    client = login(anna)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/aufgaben/").content.decode()
    assert "My tasks" in html and "Due on" in html


def test_pages_pass_the_static_accessibility_check(login, anna, ben, lead, mine, person):
    from stella.journey import appointments
    from stella.journey.tests.tasks_setup import at
    from stella.web.tests.a11y import problems

    a = appointments.create_appointment(actor=actor(anna), person_id=person.pk, starts_at=at(3, 9), ends_at=at(3, 10),
                                        place="Raum 1", purpose="Beratung", language="ti")
    Notification.objects.create(user=anna, kind="task", text="Neue Aufgabe", link=f"/aufgaben/{mine.pk}/")
    pages = {anna: ["/aufgaben/", "/aufgaben/neu/", f"/aufgaben/{mine.pk}/", "/termine/", "/termine/?ansicht=behoerde",
                    f"/termine/{a.pk}/", f"/personen/{person.pk}/aufgaben-termine/",
                    f"/personen/{person.pk}/aufgaben-termine/aufgabe/", f"/personen/{person.pk}/aufgaben-termine/termin/",
                    "/benachrichtigungen/"],
             lead: ["/aufgaben/team/"]}
    for who, urls in pages.items():
        client = login(who)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert problems(response.content.decode()) == [], url
    # a form with errors, too
    html = login(anna).post(f"/aufgaben/{mine.pk}/entfaellt/", {"cancel-note": ""}).content.decode()
    assert problems(html) == []
