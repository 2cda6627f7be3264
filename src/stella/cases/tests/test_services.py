"""The shared file: sections, timeline, corrections, attachments, consents, participations, export."""

import io
from datetime import date, timedelta

import pytest
from django.utils import timezone

from stella.audit.models import AuditEvent
from stella.authz.policy import Category
from stella.cases import services as files
from stella.cases.models import Attachment, TimelineEntry
from stella.cases.services import Upload
from stella.core.actor import Actor
from stella.core.errors import AccessDenied, InvalidInput, NotFound
from stella.tests.factories import register

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(data: bytes = PDF, name: str = "bescheid.pdf") -> Upload:
    return Upload(filename=name, content=io.BytesIO(data), size=len(data))


@pytest.fixture
def setup(make_user):
    lra = make_user("LRA", "caseworker")
    person = register(lra)
    return lra, person


def test_open_file_lists_decisions_and_audits_the_read(setup):
    lra, person = setup
    overview = files.open_file(actor=Actor.for_user(lra), person_id=person.pk)
    assert set(overview.readable) == {Category.IDENTITY, Category.RESIDENCE, Category.BENEFITS, Category.HEALTH,
                                      Category.COMPETENCES, Category.COUNSELLING}
    assert AuditEvent.objects.filter(action="read", person_id=person.pk, username=lra.username).exists()


def test_refused_section_is_audited_and_shows_the_reason(setup, make_user):
    _, person = setup
    jc = make_user("JC", "caseworker")
    with pytest.raises(AccessDenied, match="nicht beteiligt"):
        files.read_section(actor=Actor.for_user(jc), person_id=person.pk, category=Category.IDENTITY)
    with pytest.raises(NotFound):
        files.read_section(actor=Actor.for_user(jc), person_id=person.pk, category=Category.IDENTITY,
                           hide_refusal=True)
    denied = AuditEvent.objects.filter(outcome="denied", username=jc.username)
    assert denied.count() == 2 and denied.first().person_id == person.pk


def test_note_timeline_and_correction_keep_the_original(setup):
    lra, person = setup
    actor = Actor.for_user(lra)
    entry = files.add_entry(actor=actor, person_id=person.pk, kind="contact", category="counselling",
                            title="Erstberatung", text="Sprachkurs besprochen")
    fix = files.correct_entry(actor=actor, person_id=person.pk, entry_id=entry.pk, title="Erstberatung",
                              text="Integrationskurs besprochen", reason="Tippfehler")
    assert list(files.timeline(actor=actor, person_id=person.pk)) == [fix, entry]
    entry.refresh_from_db()
    assert entry.text == "Sprachkurs besprochen" and fix.corrects == entry
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(InvalidInput):
        files.correct_entry(actor=actor, person_id=person.pk, entry_id=entry.pk, title="x", text="y", reason=" ")


def test_timeline_hides_categories_the_actor_may_not_read(setup, make_user):
    lra, person = setup
    files.add_entry(actor=Actor.for_user(lra), person_id=person.pk, kind="note", category="health", title="Attest")
    files.add_entry(actor=Actor.for_user(lra), person_id=person.pk, kind="note", category="residence", title="Gestattung")
    abh = make_user("ABH", "caseworker")
    files.add_participation(actor=Actor.for_user(abh), person_id=person.pk, role="contributing",
                            legal_basis="§71 AufenthG")
    titles = [e.title for e in files.timeline(actor=Actor.for_user(abh), person_id=person.pk)]
    assert titles == ["Gestattung"]


@pytest.mark.parametrize("kind,category,title,field", [
    ("note", "gossip", "x", "category"), ("memo", "counselling", "x", "kind"), ("note", "counselling", " ", "title"),
])
def test_bad_entries_change_nothing(setup, kind, category, title, field):
    lra, person = setup
    with pytest.raises(InvalidInput) as exc:
        files.add_entry(actor=Actor.for_user(lra), person_id=person.pk, kind=kind, category=category, title=title)
    assert field in exc.value.field_errors
    assert not TimelineEntry.objects.exists()


def test_future_contact_time_is_refused(setup):
    lra, person = setup
    with pytest.raises(InvalidInput, match="Zukunft"):
        files.add_entry(actor=Actor.for_user(lra), person_id=person.pk, kind="contact", category="counselling",
                        title="x", occurred_at=timezone.now() + timedelta(days=2))


def test_attachment_is_stored_outside_the_db_with_checksum(setup, settings):
    lra, person = setup
    entry = files.add_entry(actor=Actor.for_user(lra), person_id=person.pk, kind="document", category="residence",
                            title="Bescheid", attachments=[upload()])
    att = entry.attachments.get()
    assert att.content_type == "application/pdf" and att.size == len(PDF)
    assert files.attachment_path(att).read_bytes() == PDF
    assert files.entry_attachment(actor=Actor.for_user(lra), person_id=person.pk, attachment_id=att.pk) == att


@pytest.mark.parametrize("data,name,message", [
    (b"MZ\x90\x00 not a pdf", "virus.pdf", "Dateityp"),
    (b"", "empty.pdf", "leer"),
    (b"%PDF-" + b"0" * 2048, "big.pdf", "zu groß"),
])
def test_bad_attachments_write_nothing(setup, settings, data, name, message):
    settings.ATTACHMENT_MAX_BYTES = 1024
    lra, person = setup
    with pytest.raises(InvalidInput, match=message):
        files.add_entry(actor=Actor.for_user(lra), person_id=person.pk, kind="document", category="residence",
                        title="Bescheid", attachments=[upload(data, name)])
    assert not TimelineEntry.objects.exists() and not Attachment.objects.exists()


def test_consent_opens_health_to_the_jobcenter_and_revocation_closes_it_at_once(setup, make_user):
    lra, person = setup
    jc = make_user("JC", "caseworker")
    jc_actor, lra_actor = Actor.for_user(jc), Actor.for_user(lra)
    files.add_participation(actor=jc_actor, person_id=person.pk, role="contributing", legal_basis="§50 SGB II")
    files.add_entry(actor=lra_actor, person_id=person.pk, kind="note", category="health", title="Reha-Bedarf")
    with pytest.raises(AccessDenied, match="Einwilligung"):
        files.read_section(actor=jc_actor, person_id=person.pk, category=Category.HEALTH)
    consent = files.record_consent(actor=lra_actor, person_id=person.pk, categories=["health"],
                                   agency_ids=[jc.agency_id], purpose="Eingliederung in Arbeit", valid_from=date.today())
    section = files.read_section(actor=jc_actor, person_id=person.pk, category=Category.HEALTH)
    assert [e["title"] for e in section["entries"]] == ["Reha-Bedarf"]
    with pytest.raises(AccessDenied):  # consent allows reading only
        files.add_entry(actor=jc_actor, person_id=person.pk, kind="note", category="health", title="x")
    files.revoke_consent(actor=lra_actor, person_id=person.pk, consent_id=consent.pk, note="mündlich widerrufen")
    with pytest.raises(AccessDenied):
        files.read_section(actor=jc_actor, person_id=person.pk, category=Category.HEALTH)
    with pytest.raises(InvalidInput, match="bereits widerrufen"):
        files.revoke_consent(actor=lra_actor, person_id=person.pk, consent_id=consent.pk)


def test_future_or_expired_consent_grants_nothing(setup, make_user):
    lra, person = setup
    jc = make_user("JC", "caseworker")
    files.add_participation(actor=Actor.for_user(jc), person_id=person.pk, role="contributing", legal_basis="§50 SGB II")
    for start, end in [(date.today() + timedelta(days=1), None), (date(2020, 1, 1), date(2020, 12, 31))]:
        files.record_consent(actor=Actor.for_user(lra), person_id=person.pk, categories=["health"],
                             agency_ids=[jc.agency_id], purpose="Test", valid_from=start, valid_until=end)
    with pytest.raises(AccessDenied):
        files.read_section(actor=Actor.for_user(jc), person_id=person.pk, category=Category.HEALTH)


@pytest.mark.parametrize("kwargs,field", [
    ({"categories": ["secrets"]}, "categories"), ({"categories": []}, "categories"),
    ({"agency_ids": [987654]}, "agency_ids"), ({"purpose": " "}, "purpose"),
    ({"valid_until": date(2000, 1, 1)}, "valid_until"),
])
def test_bad_consents_are_refused(setup, kwargs, field):
    lra, person = setup
    args = {"categories": ["health"], "agency_ids": [lra.agency_id], "purpose": "Zweck", "valid_from": date.today()}
    args.update(kwargs)
    with pytest.raises(InvalidInput) as exc:
        files.record_consent(actor=Actor.for_user(lra), person_id=person.pk, **args)
    assert field in exc.value.field_errors


def test_only_participants_record_consents(setup, make_user):
    lra, person = setup
    jc = make_user("JC", "caseworker")
    with pytest.raises(AccessDenied):
        files.record_consent(actor=Actor.for_user(jc), person_id=person.pk, categories=["health"],
                             agency_ids=[jc.agency_id], purpose="x", valid_from=date.today())


def test_participation_needs_basis_and_is_not_doubled(setup, make_user):
    lra, person = setup
    with pytest.raises(InvalidInput, match="bereits beteiligt"):
        files.add_participation(actor=Actor.for_user(lra), person_id=person.pk, role="lead", legal_basis="x")
    jc = make_user("JC", "caseworker")
    with pytest.raises(InvalidInput):
        files.add_participation(actor=Actor.for_user(jc), person_id=person.pk, role="boss", legal_basis="x")
    with pytest.raises(InvalidInput):
        files.add_participation(actor=Actor.for_user(jc), person_id=person.pk, role="lead", legal_basis=" ")


def test_export_for_the_data_protection_officer_only(setup, make_user):
    lra, person = setup
    files.add_entry(actor=Actor.for_user(lra), person_id=person.pk, kind="note", category="health", title="Attest")
    dpo = make_user("LRA", "dpo")
    data = files.export_person(actor=Actor.for_user(dpo), person_id=person.pk)
    assert data["sections"]["health"]["entries"][0]["title"] == "Attest"
    assert any(e["action"] == "create" for e in data["access_log"])
    assert AuditEvent.objects.filter(action="export", username=dpo.username).exists()
    with pytest.raises(NotFound):
        files.export_person(actor=Actor.for_user(lra), person_id=person.pk)


def test_correcting_an_unreadable_entry_looks_like_a_missing_one(setup, make_user):
    lra, person = setup
    entry = files.add_entry(actor=Actor.for_user(lra), person_id=person.pk, kind="note", category="health",
                            title="Attest")
    abh = make_user("ABH", "caseworker")
    files.add_participation(actor=Actor.for_user(abh), person_id=person.pk, role="contributing",
                            legal_basis="§71 AufenthG")
    for entry_id in (entry.pk, 999999):
        with pytest.raises(NotFound):
            files.correct_entry(actor=Actor.for_user(abh), person_id=person.pk, entry_id=entry_id, title="x",
                                text="y", reason="z")


def test_consent_form_is_served_to_participants_only(setup, make_user):
    lra, person = setup
    consent = files.record_consent(actor=Actor.for_user(lra), person_id=person.pk, categories=["health"],
                                   agency_ids=[lra.agency_id], purpose="Test", valid_from=date.today(),
                                   form=upload(name="einwilligung.pdf"))
    att = files.consent_form(actor=Actor.for_user(lra), person_id=person.pk, consent_id=consent.pk)
    assert files.attachment_path(att).read_bytes() == PDF
    jc = make_user("JC", "caseworker")
    with pytest.raises(NotFound):
        files.consent_form(actor=Actor.for_user(jc), person_id=person.pk, consent_id=consent.pk)
    assert AuditEvent.objects.filter(object_type="consent_form", outcome="denied", username=jc.username).exists()
