"""The file over the API: sections (refusals answered 404 and audited), timeline, attachments,
consents (revocation takes effect at once) and participations."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from stella.api.tests.conftest import fields, problem
from stella.audit.models import AuditAction, AuditEvent, Outcome
from stella.cases.models import Attachment, Consent, TimelineEntry
from stella.tests.factories import register

PDF = b"%PDF-1.4\n% Stella Testdokument\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf(name: str = "bescheid.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def jc(make_user):
    return make_user("JC", "caseworker")


@pytest.fixture
def person(jc):
    return register(jc)


def _denied(person, category: str) -> bool:
    return AuditEvent.objects.filter(person_id=person.pk, outcome=Outcome.DENIED, categories=[category]).exists()


# --- sections -------------------------------------------------------------------------------------

def test_readable_section_is_returned_and_audited(jc, person, as_user):
    response = as_user(jc).get(f"/persons/{person.pk}/sections/identity")
    assert response.status_code == 200
    assert response.json()["category"] == "identity" and response.json()["all_names"]
    assert AuditEvent.objects.filter(person_id=person.pk, object_type="section", object_id="identity",
                                     outcome=Outcome.ALLOWED).exists()


def test_refused_section_is_404_like_a_missing_one_and_audited(jc, person, as_user):
    body = problem(as_user(jc).get(f"/persons/{person.pk}/sections/health"), 404)
    assert body["detail"] == "Der Bereich wurde nicht gefunden."
    assert _denied(person, "health")


def test_unknown_category_is_422(jc, person, as_user):
    assert fields(problem(as_user(jc).get(f"/persons/{person.pk}/sections/finanzen"), 422)) == {"category"}


def test_consent_opens_health_and_revocation_closes_it_at_once(jc, person, as_user):
    client = as_user(jc)
    problem(client.get(f"/persons/{person.pk}/sections/health"), 404)
    created = client.post(f"/persons/{person.pk}/consents", {
        "categories": ["health"], "agencies": ["JC-LB"], "purpose": "Gesundheitliche Eignung für Maßnahme",
        "valid_from": "2024-01-01"})
    assert created.status_code == 201, created.content
    consent = created.json()
    assert consent["agencies"] == ["JC-LB"] and consent["revoked_at"] is None
    assert client.get(f"/persons/{person.pk}/sections/health").status_code == 200
    listed = client.get(f"/persons/{person.pk}/consents").json()
    assert [c["id"] for c in listed] == [consent["id"]]

    revoked = client.post(f"/persons/{person.pk}/consents/{consent['id']}/revoke", {"note": "mündlich widerrufen"})
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    problem(client.get(f"/persons/{person.pk}/sections/health"), 404)
    assert AuditEvent.objects.filter(person_id=person.pk, action=AuditAction.REVOKE).exists()
    # A second revocation is refused and changes nothing.
    problem(client.post(f"/persons/{person.pk}/consents/{consent['id']}/revoke"), 422)


@pytest.mark.parametrize("change, field", [
    ({"agencies": ["JC-XX"]}, "agencies"),
    ({"agencies": []}, "agencies"),
    ({"categories": ["gesundheit"]}, "categories.0"),
    ({"categories": []}, "categories"),
    ({"purpose": " "}, "purpose"),
    ({"valid_until": "2023-12-31"}, "valid_until"),
    ({"valid_from": "2024-02-30"}, "valid_from"),
    ({"form": "scan.pdf"}, "form"),
])
def test_consent_bad_input_changes_nothing(jc, person, as_user, change, field):
    payload = {"categories": ["health"], "agencies": ["JC-LB"], "purpose": "Maßnahme", "valid_from": "2024-01-01"}
    body = problem(as_user(jc).post(f"/persons/{person.pk}/consents", {**payload, **change}), 422)
    assert field in fields(body), body
    assert not Consent.objects.exists()


def test_only_participating_agencies_record_consents(make_user, person, as_user):
    lra = make_user("LRA", "caseworker")  # may find the person, but does not take part in the file
    payload = {"categories": ["health"], "agencies": ["LRA-LB"], "purpose": "x", "valid_from": "2024-01-01"}
    problem(as_user(lra).post(f"/persons/{person.pk}/consents", payload), 403)
    problem(as_user(make_user("KT", "caseworker")).get(f"/persons/{person.pk}/consents"), 404)


# --- timeline -------------------------------------------------------------------------------------

def test_note_appears_in_the_timeline(jc, person, as_user):
    client = as_user(jc)
    created = client.post(f"/persons/{person.pk}/timeline", {
        "kind": "contact", "category": "counselling", "title": "Erstberatung", "text": "Sprachkurs B1 besprochen.",
        "occurred_at": "2024-03-05T10:00:00+01:00"})
    assert created.status_code == 201, created.content
    client.post(f"/persons/{person.pk}/timeline", {"category": "placement", "title": "Stellenvorschlag"})
    page = client.get(f"/persons/{person.pk}/timeline").json()
    assert page["count"] == 2
    only = client.get(f"/persons/{person.pk}/timeline", category="counselling").json()
    assert [e["title"] for e in only["items"]] == ["Erstberatung"]
    assert only["items"][0]["author"] == jc.username


def test_timeline_hides_unreadable_categories(make_user, jc, person, as_user):
    as_user(jc).post(f"/persons/{person.pk}/timeline", {"category": "counselling", "title": "Vermerk"})
    registration = make_user("JC", "registration")  # reads identity and residence only
    assert as_user(registration).get(f"/persons/{person.pk}/timeline").json()["count"] == 0


@pytest.mark.parametrize("change, field", [
    ({"kind": "status"}, "kind"),
    ({"category": "finanzen"}, "category"),
    ({"title": "  "}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"occurred_at": "2024-03-05T10:00:00"}, "occurred_at"),
    ({"occurred_at": "2999-03-05T10:00:00Z"}, "occurred_at"),
    ({"occurred_at": 1700000000}, "occurred_at"),
    ({"betreff": "x"}, "betreff"),
])
def test_entry_bad_input(jc, person, as_user, change, field):
    payload = {"category": "counselling", "title": "Vermerk", **change}
    assert field in fields(problem(as_user(jc).post(f"/persons/{person.pk}/timeline", payload), 422))
    assert not TimelineEntry.objects.exists()


def test_writing_without_right_is_403_and_audited(make_user, person, as_user):
    registration = make_user("JC", "registration")
    body = problem(as_user(registration).post(f"/persons/{person.pk}/timeline",
                                              {"category": "counselling", "title": "Vermerk"}), 403)
    assert "Beratungsvermerke" in body["detail"]
    assert _denied(person, "counselling")


def test_correction_references_the_original(jc, person, as_user):
    client = as_user(jc)
    original = client.post(f"/persons/{person.pk}/timeline", {"category": "counselling", "title": "Vermerk"}).json()
    path = f"/persons/{person.pk}/timeline/{original['id']}/corrections"
    created = client.post(path, {"title": "Vermerk (berichtigt)", "text": "richtig", "reason": "Tippfehler"})
    assert created.status_code == 201 and created.json()["corrects"] == original["id"]
    items = client.get(f"/persons/{person.pk}/timeline").json()["items"]
    assert {e["id"]: e["corrected_by"] for e in items}[original["id"]] == [created.json()["id"]]
    assert fields(problem(client.post(path, {"title": "x", "reason": ""}), 422)) == {"reason"}
    problem(client.post(f"/persons/{person.pk}/timeline/999999/corrections", {"title": "x", "reason": "y"}), 404)


# --- attachments ----------------------------------------------------------------------------------

def test_upload_and_download(jc, person, as_user):
    client = as_user(jc)
    png = SimpleUploadedFile("foto.png", PNG, content_type="image/png")
    response = client.upload(f"/persons/{person.pk}/timeline/upload", {
        "category": "identity", "title": "Ausweiskopie", "files": [pdf(), png]})
    assert response.status_code == 201, response.content
    atts = {a["filename"]: a for a in response.json()["attachments"]}
    assert atts["foto.png"]["content_type"] == "image/png" and atts["bescheid.pdf"]["size"] == len(PDF)
    download = client.get(f"/persons/{person.pk}/attachments/{atts['bescheid.pdf']['id']}")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert 'filename="bescheid.pdf"' in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == PDF
    assert AuditEvent.objects.filter(object_type="attachment", person_id=person.pk).exists()


def test_download_refused_like_missing(make_user, jc, person, as_user):
    response = as_user(jc).upload(f"/persons/{person.pk}/timeline/upload",
                                  {"category": "counselling", "title": "Bescheid", "files": [pdf()]})
    att_id = response.json()["attachments"][0]["id"]
    registration = make_user("JC", "registration")
    problem(as_user(registration).get(f"/persons/{person.pk}/attachments/{att_id}"), 404)
    assert _denied(person, "counselling")
    problem(as_user(jc).get(f"/persons/{person.pk}/attachments/999999"), 404)


@pytest.mark.parametrize("files, field", [
    ([SimpleUploadedFile("brief.pdf", b"MZ\x90\x00 kein pdf", content_type="application/pdf")], "attachments.0"),
    ([pdf(), SimpleUploadedFile("notiz.txt", b"hallo", content_type="text/plain")], "attachments.1"),
    ([SimpleUploadedFile("leer.pdf", b"", content_type="application/pdf")], "attachments.0"),
    ([pdf(content=PDF + b"x" * 2000)], "attachments.0"),
])
def test_bad_uploads_change_nothing(jc, person, as_user, settings, files, field):
    settings.ATTACHMENT_MAX_BYTES = 1000
    body = problem(as_user(jc).upload(f"/persons/{person.pk}/timeline/upload",
                                      {"category": "counselling", "title": "Bescheid", "files": files}), 422)
    assert fields(body) == {field}, body
    assert not TimelineEntry.objects.exists() and not Attachment.objects.exists()


@pytest.mark.parametrize("data, field", [
    ({"category": "counselling", "title": "Bescheid"}, "files"),
    ({"category": "counselling", "title": "Bescheid", "occured_at": "2024-01-01T10:00:00Z"}, "occured_at"),
])
def test_upload_form_errors(jc, person, as_user, data, field):
    files = {} if field == "files" else {"files": [pdf()]}
    assert field in fields(problem(as_user(jc).upload(f"/persons/{person.pk}/timeline/upload",
                                                      {**data, **files}), 422))
    assert not TimelineEntry.objects.exists()


# --- participations -------------------------------------------------------------------------------

def test_participations(make_user, jc, person, as_user):
    assert [p["agency"] for p in as_user(jc).get(f"/persons/{person.pk}/participations").json()] == ["JC-LB"]
    aa = as_user(make_user("AA", "caseworker"))
    created = aa.post(f"/persons/{person.pk}/participations",
                      {"role": "contributing", "legal_basis": "§39a SGB III"})
    assert created.status_code == 201, created.content
    assert created.json()["agency"] == "AA-LB"
    assert len(aa.get(f"/persons/{person.pk}/participations").json()) == 2
    problem(aa.post(f"/persons/{person.pk}/participations", {"role": "lead", "legal_basis": "§39a SGB III"}), 422)


@pytest.mark.parametrize("payload, field", [
    ({"role": "chef", "legal_basis": "§39a SGB III"}, "role"),
    ({"role": "lead", "legal_basis": " "}, "legal_basis"),
    ({"role": "lead"}, "legal_basis"),
    ({"role": "lead", "legal_basis": "x", "since": "2024-13-01"}, "since"),
])
def test_participation_bad_input(make_user, person, as_user, payload, field):
    aa = as_user(make_user("AA", "caseworker"))
    assert field in fields(problem(aa.post(f"/persons/{person.pk}/participations", payload), 422))


def test_kurstraeger_cannot_join_a_file_it_cannot_find(make_user, person, as_user):
    kt = as_user(make_user("KT", "caseworker"))
    problem(kt.post(f"/persons/{person.pk}/participations", {"role": "contributing", "legal_basis": "§8 IntV"}), 404)
    problem(kt.get(f"/persons/{person.pk}/participations"), 404)


def test_consent_form_download_for_participants_only(jc, person, as_user, make_user):
    import io
    from datetime import date

    from stella.cases.services import Upload, record_consent
    from stella.core.actor import Actor

    consent = record_consent(actor=Actor.for_user(jc), person_id=person.pk, categories=["health"],
                             agency_ids=[jc.agency_id], purpose="Test", valid_from=date.today(),
                             form=Upload("scan.pdf", io.BytesIO(PDF), len(PDF)))
    response = as_user(jc).get(f"/persons/{person.pk}/consents/{consent.pk}/form")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    problem(as_user(make_user("LRA", "caseworker")).get(f"/persons/{person.pk}/consents/{consent.pk}/form"), 404)
    problem(as_user(jc).get(f"/persons/{person.pk}/consents/999999/form"), 404)
