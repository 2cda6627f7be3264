"""The person's file: tabs and refusals, timeline, notes, attachments, corrections, core data with
optimistic locking, added records, consents and participations."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from stella.audit.models import AuditAction, AuditEvent
from stella.cases import services as files
from stella.cases.models import Attachment, Consent, Participation, TimelineEntry
from stella.core.actor import Actor
from stella.people.models import Identifier, Person
from stella.people.services import update_person
from stella.web.tests.a11y import problems

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def note(user, person, title="Erstberatung", category="counselling", **kw):
    return files.add_entry(actor=Actor.for_user(user), person_id=person.pk, kind="note", category=category,
                           title=title, **kw)


# --- Header, tabs and refusals ----------------------------------------------------------------------------------


def test_overview_shows_header_tabs_and_timeline(login, jc, person) -> None:
    note(jc, person, text="Möchte Elektriker werden.")
    r = login(jc).get(f"/personen/{person.pk}/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "Al-Hassan, Mohammed" in html and "17.05.1990" in html and "Syrien" in html
    assert "federführend" in html
    assert re.search(r'<a href="/personen/\d+/" class="tab" aria-current="page">Übersicht</a>', html)
    for label in ("Identität", "Aufenthalt", "Leistungen", "Gesundheit", "Kompetenzen", "Vermittlung",
                  "Beratungsvermerke", "Einwilligungen", "Beteiligungen"):
        assert f">{label}" in html
    assert "Erstberatung" in html and "Möchte Elektriker werden." in html
    assert problems(html) == []


def test_arabic_name_is_rendered_right_to_left(login, jc, person) -> None:
    html = login(jc).get(f"/personen/{person.pk}/").content.decode()
    assert '<bdi dir="rtl" lang="und-Arab" class="name name-rtl ">الحسن، محمد</bdi>' in html


def test_opening_the_file_is_audited(login, jc, person) -> None:
    login(jc).get(f"/personen/{person.pk}/")
    assert AuditEvent.objects.filter(person_id=person.pk, action=AuditAction.READ, object_type="file",
                                     username="jc-fall").exists()


def test_refused_section_shows_reason_but_not_the_data(login, jc, person, health_note) -> None:
    c = login(jc)
    r = c.get(f"/personen/{person.pk}/bereich/health/")
    html = r.content.decode()
    assert r.status_code == 403
    assert "Kein Zugriff:" in html
    assert "Für den Bereich „Gesundheit“ fehlt Ihrer Behörde eine Rechtsgrundlage oder eine gültige Einwilligung." in html
    assert "Attest Rückenleiden" not in html and "Vertraulicher Befund" not in html
    assert problems(html) == []
    # Nor does the note leak into the timeline; the refusal was audited.
    overview = c.get(f"/personen/{person.pk}/").content.decode()
    assert "Attest Rückenleiden" not in overview
    assert AuditEvent.objects.filter(person_id=person.pk, outcome="denied", categories=["health"],
                                     username="jc-fall").exists()


def test_agency_with_legal_basis_sees_the_section(login, person, health_note) -> None:
    lra = health_note.author
    html = login(lra).get(f"/personen/{person.pk}/bereich/health/").content.decode()
    assert "Attest Rückenleiden" in html and "Vertraulicher Befund" in html


def test_identity_section_shows_the_data(login, jc, person) -> None:
    r = login(jc).get(f"/personen/{person.pk}/bereich/identity/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "123456789012" in html and "Aleppo" in html and "männlich" in html
    assert f'href="/personen/{person.pk}/kennung/neu/"' in html
    assert problems(html) == []


def test_foreigners_authority_without_participation(login, make_user, person) -> None:
    abh = make_user("ABH", "caseworker")
    c = login(abh)
    r = c.get(f"/personen/{person.pk}/")
    assert r.status_code == 200  # a public body may find the person (base identity only)
    assert "nicht beteiligt" in r.content.decode()
    r = c.get(f"/personen/{person.pk}/bereich/residence/")
    html = r.content.decode()
    assert r.status_code == 403
    assert "Ihre Behörde ist an dieser Fallakte nicht beteiligt und hat keine Einwilligung." in html
    assert "Vermerk hinzufügen" not in html
    assert c.get(f"/personen/{person.pk}/vermerk/neu/").status_code == 403


def test_course_provider_cannot_find_the_person(login, make_user, person) -> None:
    kt = make_user("KT", "caseworker")
    r = login(kt).get(f"/personen/{person.pk}/")
    assert r.status_code == 404
    assert "Al-Hassan" not in r.content.decode()
    assert AuditEvent.objects.filter(person_id=person.pk, outcome="denied", username=kt.username).exists()


@pytest.mark.parametrize("role", ["analyst", "admin", "dpo"])
@pytest.mark.parametrize("path", ["", "bereich/identity/", "einwilligungen/", "beteiligungen/", "vermerk/neu/",
                                  "stammdaten/"])
def test_roles_without_case_access_see_no_person(login, make_user, person, role, path) -> None:
    r = login(make_user("JC", role)).get(f"/personen/{person.pk}/{path}")
    assert r.status_code == 404
    html = r.content.decode()
    assert "Al-Hassan" not in html and "الحسن" not in html
    assert "Die Person wurde nicht gefunden." in html


def test_unknown_person_and_section(login, jc, person) -> None:
    c = login(jc)
    assert c.get("/personen/999999/").status_code == 404
    assert c.get(f"/personen/{person.pk}/bereich/gibtsnicht/").status_code == 404
    assert c.get(f"/personen/{person.pk}/gibtsnicht/neu/").status_code == 404


# --- Notes, attachments, corrections ----------------------------------------------------------------------------


def test_add_note_and_see_it_in_the_timeline(login, jc, person) -> None:
    c = login(jc)
    form = c.get(f"/personen/{person.pk}/vermerk/neu/").content.decode()
    assert problems(form) == []
    r = c.post(f"/personen/{person.pk}/vermerk/neu/", {"kind": "note", "category": "counselling",
                                                         "title": "Beratung Ausbildung", "text": "Termin bei IHK."})
    entry = TimelineEntry.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/personen/{person.pk}/#eintrag-{entry.pk}"
    html = c.get(r["Location"]).content.decode()
    assert "Der Eintrag „Beratung Ausbildung“ wurde gespeichert." in html
    assert f'id="eintrag-{entry.pk}"' in html and "Termin bei IHK." in html


def test_category_choice_is_limited_to_writable_categories(login, jc, person) -> None:
    html = login(jc).get(f"/personen/{person.pk}/vermerk/neu/").content.decode()
    select = html[html.index('name="category"'):html.index("</select>", html.index('name="category"'))]
    assert 'value="counselling"' in select and 'value="placement"' in select
    assert 'value="benefits"' not in select  # the caseworker role may not write benefits
    assert 'value="health"' not in select  # the Jobcenter has no legal basis for health data


def test_posting_a_refused_category_writes_nothing(login, jc, person) -> None:
    r = login(jc).post(f"/personen/{person.pk}/vermerk/neu/", {"kind": "note", "category": "health",
                                                                 "title": "Attest"})
    assert r.status_code == 200
    assert "ist keine gültige Auswahl" in r.content.decode()
    assert TimelineEntry.objects.count() == 0


@pytest.mark.parametrize(("data", "message"), [
    ({"title": ""}, "Dieses Feld ist zwingend erforderlich."),
    ({"occurred_at": "01.01.2999 10:00"}, "Der Zeitpunkt liegt in der Zukunft."),
    ({"occurred_at": "30.02.2024 10:00"}, "der 2. Monat des Jahres 2024 hat 29 Tage"),
    ({"occurred_at": "01.02.2024 25:00"}, "ist keine gültige Uhrzeit"),
    ({"kind": "status"}, "ist keine gültige Auswahl"),
])
def test_bad_entry_input(login, jc, person, data, message) -> None:
    payload = {"kind": "note", "category": "counselling", "title": "Vermerk", **data}
    r = login(jc).post(f"/personen/{person.pk}/vermerk/neu/", payload)
    assert r.status_code == 200
    assert message in r.content.decode()
    assert TimelineEntry.objects.count() == 0


def test_attachment_upload_and_download(login, jc, person) -> None:
    c = login(jc)
    upload = SimpleUploadedFile("bescheid.pdf", PDF, content_type="application/pdf")
    r = c.post(f"/personen/{person.pk}/vermerk/neu/", {"kind": "document", "category": "counselling",
                                                         "title": "Bescheid", "attachment": upload})
    assert r.status_code == 302
    att = Attachment.objects.get()
    html = c.get(f"/personen/{person.pk}/").content.decode()
    assert f'href="/personen/{person.pk}/anhang/{att.pk}/"' in html and "bescheid.pdf" in html
    r = c.get(f"/personen/{person.pk}/anhang/{att.pk}/")
    assert r.status_code == 200
    assert b"".join(r.streaming_content) == PDF
    assert r["Content-Type"] == "application/pdf"
    assert 'attachment; filename="bescheid.pdf"' in r["Content-Disposition"]


@pytest.mark.parametrize(("content", "max_bytes", "message"), [
    (b"MZ\x90\x00 ein Programm", None, "Dateityp nicht erlaubt: nur PDF, PNG oder JPEG."),
    (b"<html>kein PDF</html>", None, "Dateityp nicht erlaubt: nur PDF, PNG oder JPEG."),
    (PDF + b"0" * 4096, 1024, "Die Datei ist zu groß"),
])
def test_bad_upload_is_refused_and_nothing_written(login, jc, person, settings, content, max_bytes, message) -> None:
    if max_bytes:
        settings.ATTACHMENT_MAX_BYTES = max_bytes
    upload = SimpleUploadedFile("scan.pdf", content, content_type="application/pdf")
    r = login(jc).post(f"/personen/{person.pk}/vermerk/neu/", {"kind": "document", "category": "counselling",
                                                                 "title": "Scan", "attachment": upload})
    html = r.content.decode()
    assert r.status_code == 200
    assert message in html
    assert 'href="#id_attachment"' in html
    assert TimelineEntry.objects.count() == 0 and Attachment.objects.count() == 0


def test_attachment_of_a_refused_section_is_not_found(login, jc, person, health_note, make_user) -> None:
    lra = health_note.author
    entry = files.add_entry(actor=Actor.for_user(lra), person_id=person.pk, kind="document", category="health",
                            title="Attest", attachments=[files.Upload("attest.pdf", io.BytesIO(PDF), len(PDF))])
    att = entry.attachments.get()
    assert login(jc).get(f"/personen/{person.pk}/anhang/{att.pk}/").status_code == 404
    assert login(lra).get(f"/personen/{person.pk}/anhang/{att.pk}/").status_code == 200


def test_correction_is_a_new_entry_linked_to_the_old_one(login, jc, person) -> None:
    original = note(jc, person, title="Termin 3. Mai", text="Termin am 3. Mai.")
    c = login(jc)
    form = c.get(f"/personen/{person.pk}/vermerk/{original.pk}/berichtigen/").content.decode()
    assert "Termin am 3. Mai." in form and problems(form) == []
    r = c.post(f"/personen/{person.pk}/vermerk/{original.pk}/berichtigen/",
               {"title": "Termin 5. Mai", "text": "Termin am 5. Mai.", "reason": "Datum verwechselt"})
    correction = TimelineEntry.objects.exclude(pk=original.pk).get()
    assert correction.corrects_id == original.pk
    assert r["Location"] == f"/personen/{person.pk}/#eintrag-{correction.pk}"
    html = c.get(f"/personen/{person.pk}/").content.decode()
    assert "Berichtigung von" in html and f'href="#eintrag-{original.pk}"' in html
    assert "Berichtigt" in html and f'href="#eintrag-{correction.pk}"' in html
    assert "Termin am 3. Mai." in html  # the original stays


def test_correction_needs_a_reason(login, jc, person) -> None:
    original = note(jc, person)
    r = login(jc).post(f"/personen/{person.pk}/vermerk/{original.pk}/berichtigen/",
                       {"title": "Neu", "text": "x", "reason": ""})
    assert r.status_code == 200 and "Dieses Feld ist zwingend erforderlich." in r.content.decode()
    assert TimelineEntry.objects.count() == 1


def test_correcting_an_unreadable_entry_is_not_found(login, jc, person, health_note) -> None:
    assert login(jc).get(f"/personen/{person.pk}/vermerk/{health_note.pk}/berichtigen/").status_code == 404


# --- Core data with optimistic locking ----------------------------------------------------------------------


def test_edit_core_data(login, jc, person) -> None:
    c = login(jc)
    form = c.get(f"/personen/{person.pk}/stammdaten/").content.decode()
    assert 'value="17.05.1990"' in form and f'name="version" value="{person.version}"' in form
    assert problems(form) == []
    r = c.post(f"/personen/{person.pk}/stammdaten/", {"version": person.version, "sex": "m", "birth_date": "05.1990",
                                                        "birth_date_precision": "", "birth_place": "Aleppo",
                                                        "birth_country": "SYR"})
    assert r.status_code == 302
    person.refresh_from_db()
    assert (person.birth_date_precision, person.birth_country) == ("month", "SYR")
    assert "05/1990" in c.get(f"/personen/{person.pk}/").content.decode()


def test_stale_version_shows_what_changed_and_keeps_the_input(login, make_user, jc, person) -> None:
    stale = person.version
    colleague = make_user("JC", "caseworker", username="kollegin")
    update_person(actor=Actor.for_user(colleague), person_id=person.pk, version=stale,
                  changes={"birth_place": "Idlib"})
    person.refresh_from_db()
    r = login(jc).post(f"/personen/{person.pk}/stammdaten/", {"version": stale, "sex": "m", "birth_date": "17.05.1990",
                                                                "birth_date_precision": "exact",
                                                                "birth_place": "Damaskus", "birth_country": ""})
    html = r.content.decode()
    assert r.status_code == 409
    assert "Bearbeitungskonflikt" in html
    assert "Die Person wurde inzwischen von jemand anderem geändert." in html
    assert "kollegin" in html and "Geburtsort" in html  # who changed which field
    assert "<dd>Idlib</dd>" in html  # the current value
    assert 'value="Damaskus"' in html  # the user's input is kept
    assert f'name="version" value="{person.version}"' in html  # saving again is a deliberate overwrite
    person.refresh_from_db()
    assert person.birth_place == "Idlib"  # nothing was overwritten
    assert problems(html) == []


def test_edit_with_impossible_date_changes_nothing(login, jc, person) -> None:
    version = person.version
    r = login(jc).post(f"/personen/{person.pk}/stammdaten/", {"version": version, "sex": "m", "birth_date": "29.02.1990",
                                                                "birth_date_precision": "", "birth_place": "",
                                                                "birth_country": ""})
    assert r.status_code == 200 and "hat 28 Tage" in r.content.decode()
    person.refresh_from_db()
    assert person.version == version


def test_edit_refused_for_role_that_may_not_write_identity(login, make_user, person) -> None:
    benefits = make_user("JC", "benefits")
    assert login(benefits).get(f"/personen/{person.pk}/stammdaten/").status_code == 403


# --- Added records -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("record", "data", "section", "shown"), [
    ("kennung", {"kind": "bamf", "value": "7654321-475"}, "identity", "7654321-475"),
    ("name", {"family_name": "Alhasan", "given_names": "Muhammad", "kind": "alias"}, "identity", "Alhasan, Muhammad"),
    ("staatsangehoerigkeit", {"country": "XXA"}, "identity", "staatenlos"),
    ("kontakt", {"kind": "phone", "value": "0171 1234567"}, "identity", "0171 1234567"),
    ("dokument", {"kind": "passport", "number": "N0123456", "issued_on": "01.02.2020", "valid_until": "31.01.2030"},
     "identity", "N0123456"),
    ("dokument", {"kind": "gestattung", "number": "G999", "issued_on": "", "valid_until": ""}, "residence", "G999"),
    ("anschrift", {"municipality": "Kornwestheim", "street": "", "postcode": "70806", "accommodation": "au",
                   "valid_from": "01.03.2024"}, "residence", "Kornwestheim"),
    ("sprache", {"language": "de", "level": "B1"}, "competences", "Deutsch"),
])
def test_add_record(login, jc, person, record, data, section, shown) -> None:
    c = login(jc)
    form = c.get(f"/personen/{person.pk}/{record}/neu/").content.decode()
    assert problems(form) == []
    r = c.post(f"/personen/{person.pk}/{record}/neu/", data)
    assert r.status_code == 302, r.content.decode()
    assert r["Location"] == f"/personen/{person.pk}/bereich/{section}/"
    assert shown in c.get(r["Location"]).content.decode()


@pytest.mark.parametrize(("record", "data", "field", "message"), [
    ("kennung", {"kind": "bamf", "value": "123"}, "value", "Ungültige BAMF-Aktenzeichen: erwartet 7 Ziffern"),
    ("kennung", {"kind": "azr", "value": "123456789012"}, "value", "bereits einer anderen Person zugeordnet"),
    ("dokument", {"kind": "passport", "number": "N1", "issued_on": "01.02.2020", "valid_until": "01.01.2019"},
     "valid_until", "„Gültig bis“ liegt vor dem Ausstellungsdatum."),
    ("anschrift", {"municipality": "Ort", "postcode": "1", "accommodation": "au", "valid_from": "01.03.2024"},
     "postcode", "Die Postleitzahl hat fünf Ziffern."),
    ("sprache", {"language": "xx", "level": "B1"}, "language", "ist keine gültige Auswahl"),
])
def test_add_record_bad_input(login, jc, person, record, data, field, message) -> None:
    version = Person.objects.get(pk=person.pk).version
    identifiers = Identifier.objects.count()
    r = login(jc).post(f"/personen/{person.pk}/{record}/neu/", data)
    html = r.content.decode()
    assert r.status_code == 200
    assert message in html and f'href="#id_{field}"' in html
    assert Person.objects.get(pk=person.pk).version == version
    assert Identifier.objects.count() == identifiers


def test_new_address_must_start_after_the_previous_one(login, jc, person) -> None:
    c = login(jc)
    data = {"municipality": "Kornwestheim", "postcode": "", "accommodation": "au", "valid_from": "01.03.2024"}
    assert c.post(f"/personen/{person.pk}/anschrift/neu/", data).status_code == 302
    r = c.post(f"/personen/{person.pk}/anschrift/neu/", {**data, "valid_from": "01.01.2024"})
    assert "Die neue Anschrift muss nach der bisherigen beginnen." in r.content.decode()
    assert person.addresses.count() == 1


# --- Consents ----------------------------------------------------------------------------------------------------


def test_record_and_revoke_consent(login, make_user, jc, person, district) -> None:
    kt = make_user("KT", "caseworker")
    assert login(kt).get(f"/personen/{person.pk}/").status_code == 404
    c = login(jc)
    assert problems(c.get(f"/personen/{person.pk}/einwilligungen/neu/").content.decode()) == []
    scan = SimpleUploadedFile("einwilligung.pdf", PDF, content_type="application/pdf")
    r = c.post(f"/personen/{person.pk}/einwilligungen/neu/", {
        "categories": ["identity", "competences"], "agencies": [district["KT"].pk],
        "purpose": "Anmeldung zum Integrationskurs", "valid_from": timezone.localdate().strftime("%d.%m.%Y"),
        "valid_until": "", "form": scan})
    assert r.status_code == 302
    consent = Consent.objects.get()
    assert consent.form is not None
    html = c.get(f"/personen/{person.pk}/einwilligungen/").content.decode()
    assert "Anmeldung zum Integrationskurs" in html and "gültig" in html and "einwilligung.pdf" in html
    assert problems(html) == []
    form_url = f"/personen/{person.pk}/einwilligungen/{consent.pk}/formular/"
    assert form_url in html
    download = c.get(form_url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    # With the consent the course provider finds the person and reads the released sections only.
    k = login(kt)
    assert k.get(f"/personen/{person.pk}/bereich/competences/").status_code == 200
    assert k.get(f"/personen/{person.pk}/bereich/counselling/").status_code == 403
    assert problems(c.get(f"/personen/{person.pk}/einwilligungen/{consent.pk}/widerrufen/").content.decode()) == []
    r = c.post(f"/personen/{person.pk}/einwilligungen/{consent.pk}/widerrufen/", {"note": "mündlich am Telefon"})
    assert r.status_code == 302
    consent.refresh_from_db()
    assert consent.revoked_at is not None and consent.revocation_note == "mündlich am Telefon"
    assert "widerrufen" in c.get(f"/personen/{person.pk}/einwilligungen/").content.decode()
    assert k.get(f"/personen/{person.pk}/").status_code == 404  # revocation takes effect at once


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"categories": []}, "categories", "Dieses Feld ist zwingend erforderlich."),
    ({"valid_until": "01.01.2020"}, "valid_until", "„Gültig bis“ liegt vor „gültig ab“."),
    ({"valid_from": "31.04.2024"}, "valid_from", "der 4. Monat des Jahres 2024 hat 30 Tage"),
    ({"agencies": ["999999"]}, "agencies", "ist keine gültige Auswahl"),
    ({"purpose": ""}, "purpose", "Dieses Feld ist zwingend erforderlich."),
])
def test_consent_bad_input(login, jc, person, district, data, field, message) -> None:
    payload = {"categories": ["identity"], "agencies": [district["KT"].pk], "purpose": "Kurs",
               "valid_from": "01.03.2024", "valid_until": "", **data}
    r = login(jc).post(f"/personen/{person.pk}/einwilligungen/neu/", payload)
    html = r.content.decode()
    assert r.status_code == 200 and message in html and f'href="#id_{field}' in html
    assert Consent.objects.count() == 0


def test_consent_scan_of_wrong_type(login, jc, person, district) -> None:
    scan = SimpleUploadedFile("einwilligung.docx", b"PK\x03\x04 word", content_type="application/msword")
    r = login(jc).post(f"/personen/{person.pk}/einwilligungen/neu/", {
        "categories": ["identity"], "agencies": [district["KT"].pk], "purpose": "Kurs", "valid_from": "01.03.2024",
        "form": scan})
    assert "Dateityp nicht erlaubt" in r.content.decode()
    assert Consent.objects.count() == 0


def test_non_participant_may_not_record_consent(login, make_user, person) -> None:
    abh = make_user("ABH", "caseworker")
    r = login(abh).get(f"/personen/{person.pk}/einwilligungen/neu/")
    assert r.status_code == 403
    assert "Nur beteiligte Behörden dürfen Einwilligungen erfassen." in r.content.decode()


# --- Participations ---------------------------------------------------------------------------------------------


def test_establish_participation(login, make_user, person) -> None:
    abh = make_user("ABH", "caseworker")
    c = login(abh)
    html = c.get(f"/personen/{person.pk}/beteiligungen/").content.decode()
    assert "Beteiligung begründen" in html and "§86 AufenthG" in html
    assert problems(html) == []
    r = c.post(f"/personen/{person.pk}/beteiligungen/", {"role": "contributing", "legal_basis": ""})
    assert "Dieses Feld ist zwingend erforderlich." in r.content.decode()
    assert not Participation.objects.filter(agency=abh.agency).exists()
    r = c.post(f"/personen/{person.pk}/beteiligungen/", {"role": "contributing", "legal_basis": "§§71, 86 AufenthG",
                                                           "since": ""})
    assert r.status_code == 302
    assert c.get(f"/personen/{person.pk}/bereich/residence/").status_code == 200
    html = c.get(f"/personen/{person.pk}/beteiligungen/").content.decode()
    assert "mitwirkend" in html and "Beteiligung begründen" not in html


def test_future_participation_becomes_active_only_then(login, make_user, person) -> None:
    abh = make_user("ABH", "caseworker")
    since = (timezone.localdate() + timedelta(days=400)).strftime("%d.%m.%Y")
    r = login(abh).post(f"/personen/{person.pk}/beteiligungen/", {"role": "lead", "legal_basis": "§86 AufenthG",
                                                                    "since": since})
    # The service accepts future dates; the participation only becomes active then.
    assert r.status_code == 302
    assert login(abh).get(f"/personen/{person.pk}/bereich/residence/").status_code == 403
