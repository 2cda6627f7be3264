"""The duplicate pages in the English UI: review queue, review case, runs, merge page, merge history, banner and
registration warning are translated; the states, compared fields, coarse evidence levels and kinds of moved rows
shown through `tr`, and the service messages shown through `translate_message`, too. The engine's comparison
labels stay German and are marked lang="de"."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from stella.linkage.models import Merge
from stella.tests.factories import register
from stella.web.labels import translate_message
from stella.web.tests.a11y import problems

pytestmark = pytest.mark.django_db


def _english(user) -> Client:
    client = Client()
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def _page(client: Client, url: str, status: int = 200) -> str:
    res = client.get(url)
    assert res.status_code == status, url
    html = res.content.decode()
    assert '<html lang="en">' in html
    assert problems(html) == [], url
    return html


def _check(html: str, english: tuple[str, ...], german: tuple[str, ...]) -> None:
    for text in english:
        assert text in html, text
    for text in german:
        assert text not in html, text


def test_queue_and_review_case_in_english(world) -> None:
    c = _english(world["jc"])
    html = _page(c, "/")
    assert 'href="/dubletten/">Duplicates<' in html
    html = _page(c, "/dubletten/")
    _check(html, ("<h1>Duplicates</h1>", "Duplicate runs", "Review queue of possible duplicates", "Probability",
                  "Dates of birth", "Participating agencies", "undecided",
                  "Review case"),
           ("Dubletten", "Prüfliste", "Wahrscheinlichkeit", "Prüffall", "unentschieden"))
    html = _page(c, f"/dubletten/{world['cand'].pk}/")
    _check(html, (f"Review case {world['cand'].pk}", "90 % match", "Comparison", "Evidence per field", "Names",
                  "Place of birth", "Registered by", "strongly for", "against", "no access", "Different persons",
                  "Confirm same person", '<span lang="de">gleiche Namen</span>'),
           ("Belege je Feld", "spricht stark dafür", "spricht dagegen", "kein Zugriff", "Verschiedene Personen",
            "Erfasst von", ">Namen<"))


def test_decision_errors_and_messages_in_english(world) -> None:
    c = _english(world["jc"])
    url = f"/dubletten/{world['cand'].pk}/verschieden/"
    r = c.post(url, {"distinct-version": "1", "distinct-note": ""})
    assert r.status_code == 422
    assert "Please give a reason for the decision." in r.content.decode()
    r = c.post(url, {"distinct-version": "9", "distinct-note": "Brüder"})
    assert r.status_code == 409
    assert "The review case has changed in the meantime. Your decision was not saved." in r.content.decode()
    r = c.post(url, {"distinct-version": "1", "distinct-note": "Brüder"}, follow=True)
    html = r.content.decode()
    assert "Decided: different persons." in html and "different persons" in html


def test_runs_page_in_english(world, make_user) -> None:
    lead = _english(make_user("JC", "team_lead"))
    html = _page(lead, "/dubletten/laeufe/")
    _check(html, ("<h1>Duplicate runs</h1>", "Start a run for our district", "No duplicate runs yet.",
                  "New review cases", "Merged automatically"),
           ("Dublettenläufe", "Lauf für unseren Landkreis starten"))
    html = lead.post("/dubletten/laeufe/", follow=True).content.decode()
    assert "has been queued." in html and ">queued<" in html
    r = lead.post("/dubletten/laeufe/")
    assert r.status_code == 422 and "A duplicate run for this area is already in progress (no. " in r.content.decode()
    worker = _english(world["jc"])
    refused = worker.post("/dubletten/laeufe/")
    assert refused.status_code == 403
    assert "Only the team lead of a public body starts duplicate runs." in refused.content.decode()


@pytest.fixture
def pair(make_user):
    user = make_user("JC", "caseworker")
    a = register(user, "Al-Hassan", "Mohammed", date(1990, 1, 1))
    b = register(user, "Alhassan", "Muhammad", date(1990, 1, 1), birth_place="Aleppo")
    return user, a, b


def test_merge_page_history_and_banner_in_english(pair) -> None:
    user, a, b = pair
    web = _english(user)
    url = reverse("web:merge_form") + f"?a={a.pk}&b={b.pk}"
    html = _page(web, url)
    _check(html, (f"Merge registration records no. {a.pk} and no. {b.pk}", "Which registration record stays?",
                  f"Record no. {a.pk} stays", "Conflict: Place of birth", "Comparison", "Records", "Names",
                  "I have compared both registration records"),
           ("Widerspruch", "Erfassungen zusammenführen", "Welche Erfassung bleibt?", ">Namen<"))
    bad = web.post(url, {"survivor": str(a.pk), "version_a": a.version, "version_b": b.version})
    assert bad.status_code == 400 and "Please choose which value applies." in bad.content.decode()
    done = web.post(url, {"survivor": str(b.pk), "konflikt_birth_place": str(b.pk), "reason": "Pass verglichen",
                          "confirm": "on", "version_a": a.version, "version_b": b.version}, follow=True)
    assert "The registration records have been merged (merge no." in done.content.decode()
    merge = Merge.objects.get()

    banner = _page(web, reverse("web:person", args=[a.pk]))
    assert f"This registration record has been merged into person no. {b.pk}" in banner
    history = _page(web, reverse("web:person_merges", args=[b.pk]))
    _check(history, (f"Merge no. {merge.pk}", "Undo merge", "Decisions on conflicts", "Place of birth: Aleppo",
                     "Moved records", "Names: ", "Reason for undoing"),
           ("Zusammenführung aufheben", "Übernommene Datensätze", "Namen:"))
    undo_url = reverse("web:merge_undo", args=[merge.pk])
    r = web.post(undo_url, {f"m{merge.pk}-reason": "Irrtum"}, follow=True)
    assert "has been undone; both registration records are separate again." in r.content.decode()


def test_merge_refusal_in_english(pair, make_user) -> None:
    user, a, _b = pair
    other = register(make_user("LRA", "caseworker"), "Hassan", "Ali", date(1985, 1, 1))
    html = _page(_english(user), reverse("web:merge_form") + f"?a={a.pk}&b={other.pk}")
    assert f"You may not edit the identity data of person #{other.pk}: " in html
    assert "Lead agency for this case file: Landratsamt" in html and "please contact them." in html
    assert "Sie dürfen" not in html and "Federführend" not in html


def test_registration_warning_in_english(world) -> None:
    c = _english(world["jc"])
    r = c.post("/personen/neu/", {"family_name": "Alhassan", "given_names": "Mohamad", "sex": "m",
                                  "birth_date": "17.05.1990", "nationality": "SYR", "birth_date_precision": ""})
    html = r.content.decode()
    assert r.status_code == 200 and problems(html) == []
    _check(html, ("Possibly registered already", "These persons could be the same person", "Probability",
                  "Evidence per field", 'Date of birth: <span lang="de">'),
           ("Diese Personen könnten", "Wahrscheinlichkeit", "Belege je Feld"))


@pytest.mark.parametrize(("german", "english"), [
    ("Der Prüffall ist bereits entschieden (verschiedene Personen).",
     "The review case has already been decided (different persons)."),
    ("Person #4 ist bereits in Person #7 zusammengeführt (Zusammenführung #2).",
     "Person #4 has already been merged into person #7 (merge #2)."),
    ("Person #4 ist bereits in Person #7 zusammengeführt.", "Person #4 has already been merged into person #7."),
    ("Widerspruch bei „Geburtsort“: bitte wählen, welcher Wert gilt.",
     "Conflict in “Place of birth”: please choose which value applies."),
    ("Nach der Zusammenführung wurden geändert: Geschlecht, Geburtsort. Bitte stellen Sie die Werte zuerst wieder "
     "her oder klären Sie die Aufhebung anders.",
     "Changed after the merge: Sex, Place of birth. Please restore the values first or resolve the undo another "
     "way."),
    ("Sie dürfen die Identitätsdaten der Person #9 nicht bearbeiten: Ihre Rolle darf den Bereich „Identität“ nicht "
     "bearbeiten. Keine Behörde ist für diese Fallakte federführend.",
     "You may not edit the identity data of person #9: Your role may not edit the section “Identity”. No agency "
     "leads this case file."),
    ("Schulbildung #3 der aufgenommenen Erfassung #4 kollidiert mit #5 der bleibenden Erfassung #6 (nur eines je "
     "Person erlaubt): bitte zuerst einen der beiden Datensätze abschließen.",
     "School education #3 of the absorbed record #4 collides with #5 of the surviving record #6 (only one per person "
     "allowed): please close one of the two first."),
    ("Unbekannter Landkreis „XX“ (z. B. LK-LB).", "Unknown district “XX” (e.g. LK-LB)."),
    ("Diese Zusammenführung wurde bereits am 29.11.2026 14:05 aufgehoben.",
     "This merge was already undone on 29.11.2026 14:05."),
])
def test_linkage_service_messages_are_translated(german: str, english: str) -> None:
    with translation.override("en"):
        assert translate_message(german) == english
    with translation.override("de"):
        assert translate_message(german) == german
