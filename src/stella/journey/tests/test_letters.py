"""Invitation letter (PDF) and calendar file (ICS): the right language block, shaped right-to-left text,
shipped fonts, valid iCalendar, audited downloads."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import icalendar
import pypdf
import pytest

from stella.audit.models import AuditEvent
from stella.journey import appointments as appts
from stella.journey import letters
from stella.journey.letter_texts import TEXTS, text_for
from stella.journey.tests.tasks_setup import actor, at, register, user
from stella.people.services import AddressIn, LanguageIn, add_address, add_language

BERLIN = ZoneInfo("Europe/Berlin")


def data(code: str | None, **kw) -> letters.LetterData:
    base = {
        "appointment_id": 42, "agency_name": "Jobcenter Landkreis Ludwigsburg", "recipient_name": "Mohammed Al-Hassan",
        "recipient_address": ("Schillerstraße 12", "71638 Ludwigsburg"),
        "starts_at": datetime(2026, 3, 12, 9, 30, tzinfo=BERLIN), "ends_at": datetime(2026, 3, 12, 10, 30, tzinfo=BERLIN),
        "place": "Jobcenter Ludwigsburg, Mathildenstraße 21, Zimmer 2.14", "purpose": "Erstgespräch",
        "contact": "Anna Becker", "language_name": "", "interpreter_needed": True,
        "translation": text_for(code) if code else None, "issued_on": date(2026, 2, 20),
    }
    return letters.LetterData(**(base | kw))


def read(pdf: bytes) -> tuple[str, set[str], pypdf.PdfReader]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    fonts = {str(f.get_object()["/BaseFont"]).split("+")[-1] for page in reader.pages
             for f in page["/Resources"]["/Font"].values()}
    return letters.normalise_extracted(text), fonts, reader


def test_every_block_has_all_parts_and_a_review_status():
    assert {t.code for t in TEXTS} >= {"ar", "fa", "en", "ti"}
    assert text_for("prs") is text_for("fa") and text_for("TIR") is text_for("ti")
    for t in TEXTS:
        for part in (t.heading, t.invited, t.when, t.where, t.interpreter, t.bring, t.cannot_come):
            assert part.strip()
        assert len(t.weekdays) == 7 and t.translator and t.review
        assert "{weekday}" in t.when and "{place}" in t.where and "{agency}" in t.invited
        assert t.status_de.startswith("Entwurf") or t.reviewed


@pytest.mark.parametrize(("code", "font", "expected"), [
    ("ar", "NotoSansArabic-Regular", ["دعوة إلى موعد", "سيكون مترجم حاضرا في الموعد"]),
    ("fa", "NotoSansArabic-Regular", ["دعوت به یک قرار ملاقات", "مکان"]),
    ("ti", "NotoSansEthiopic-Regular", ["ዕድመ ናብ ቆጸራ", "ሓሙስ", "ኣብቲ ቆጸራ ተርጓሚ ክህሉ እዩ።"]),
    ("en", None, ["Invitation to an appointment", "Date and time: Thursday, 12.03.2026, 09:30 to 10:30"]),
])
def test_pdf_carries_german_text_and_the_language_block(code, font, expected):
    text, fonts, reader = read(letters.invitation_pdf(data(code)))
    assert "Einladung zu einem Beratungstermin" in text
    assert "Donnerstag, 12.03.2026, 09:30 bis 10:30 Uhr" in text
    assert "Maßgeblich ist der deutsche Text" in text
    for part in expected:
        assert part in text
    assert {"NotoSans-Regular", "NotoSans-Bold"} <= fonts
    if font:
        assert font in fonts
    assert reader.metadata["/Keywords"] == f"lang:de,{code}"
    assert len(reader.pages) == 1


def test_arabic_is_shaped_and_drawn_right_to_left():
    """Drawn text uses presentation forms (joined letters) in visual order: reversed logical text."""
    logical = text_for("ar").heading
    shaped = letters.shape_rtl(logical)
    assert shaped != logical and any(0xFE70 <= ord(ch) <= 0xFEFF for ch in shaped)
    drawn = letters.visual(shaped, rtl=True)
    assert drawn == shaped[::-1]
    raw = pypdf.PdfReader(io.BytesIO(letters.invitation_pdf(data("ar")))).pages[0].extract_text()
    assert any(0xFE70 <= ord(ch) <= 0xFEFF for ch in raw)  # joined forms, not isolated letters


def test_mixed_text_is_drawn_in_runs_of_fonts_that_have_the_glyphs():
    runs = letters.runs("ሰዓት 09:30")  # Noto Sans Ethiopic has no digits
    assert [f for f, _ in runs] == ["StellaEthiopic", "StellaSans"]
    assert letters.runs("ABC")[0][0] == "StellaSans"


def test_no_translation_block_for_german_or_unknown_languages():
    assert letters.choose_translation("de", [("de", "MT")]) is None
    assert letters.choose_translation("", [("sw", "MT")]) is None
    text, fonts, _ = read(letters.invitation_pdf(data(None)))
    assert "Übersetzung" not in text and "NotoSansArabic-Regular" not in fonts


def test_translation_prefers_the_appointment_language_then_the_mother_tongue():
    assert letters.choose_translation("ti", [("ar", "MT")]).code == "ti"
    assert letters.choose_translation("", [("en", "B2"), ("ar", "MT")]).code == "ar"
    assert letters.choose_translation("", [("en", "A2"), ("ti", "B1")]).code == "ti"
    assert letters.choose_translation("de", [("prs", "C1")]).code == "fa"


def test_long_values_wrap_and_stay_on_the_page():
    long_place = "Jobcenter Ludwigsburg, " + "Haus B, Eingang über den Innenhof, " * 6 + "Zimmer 2.14"
    text, _, reader = read(letters.invitation_pdf(data("ar", place=long_place)))
    assert "Eingang über den Innenhof" in text and len(reader.pages) <= 2


def test_ics_is_valid_rfc5545_and_parses_back():
    raw = letters.invitation_ics(data("ar"), stamp=datetime(2026, 2, 20, 8, 0, tzinfo=BERLIN))
    assert b"\r\n" in raw and all(len(line) <= 75 for line in raw.split(b"\r\n"))
    assert b"LOCATION:Jobcenter Ludwigsburg\\, Mathildenstra" in raw  # commas escaped
    cal = icalendar.Calendar.from_ical(raw)
    event = next(iter(cal.walk("VEVENT")))
    assert event.decoded("dtstart") == datetime(2026, 3, 12, 9, 30, tzinfo=BERLIN)
    assert event.decoded("dtend") == datetime(2026, 3, 12, 10, 30, tzinfo=BERLIN)
    assert str(event["uid"]) == "termin-42@stella.invalid"
    assert str(event["location"]) == "Jobcenter Ludwigsburg, Mathildenstraße 21, Zimmer 2.14"
    assert "Dolmetscher" in str(event["description"]) and str(event["status"]) == "CONFIRMED"
    assert "Mohammed" not in raw.decode()  # no name of the person in calendar files
    cancelled = icalendar.Calendar.from_ical(letters.invitation_ics(data(None, cancelled=True), sequence=1))
    event = next(iter(cancelled.walk("VEVENT")))
    assert str(event["status"]) == "CANCELLED" and str(cancelled["method"]) == "CANCEL" and event["sequence"] == 1


# --- through the service -----------------------------------------------------------------------------------------


@pytest.fixture
def jc(district):
    u = user(district, "JC", "caseworker", username="jc-brief")
    u.first_name, u.last_name = "Anna", "Becker"
    u.save()
    return u


def test_letter_download_uses_the_persons_language_and_is_audited(jc):
    person = register(jc)
    add_language(actor=actor(jc), person_id=person.pk, language=LanguageIn("ti", "MT"))
    add_address(actor=actor(jc), person_id=person.pk,
                address=AddressIn("Ludwigsburg", date(2024, 1, 1), street="Schillerstraße 12", postcode="71638"))
    a = appts.create_appointment(actor=actor(jc), person_id=person.pk, starts_at=at(5, 9), ends_at=at(5, 10),
                                 place="Raum 2.14", purpose="Erstgespräch", interpreter_needed=True)
    letter = appts.invitation_letter(actor=actor(jc), appointment_id=a.pk)
    assert letter.filename == f"einladung-termin-{a.pk}.pdf" and letter.translation.code == "ti"
    text, fonts, _ = read(letter.content)
    assert "Mohammed Al-Hassan" in text and "71638 Ludwigsburg" in text and "Anna Becker" in text
    assert "NotoSansEthiopic-Regular" in fonts
    ics = appts.calendar_file(actor=actor(jc), appointment_id=a.pk)
    assert ics.content_type.startswith("text/calendar")
    exports = AuditEvent.objects.filter(action="export", person_id=person.pk)
    assert set(exports.values_list("object_type", flat=True)) == {"appointment_letter", "appointment_ics"}
    assert exports.get(object_type="appointment_letter").detail == {"translation": "ti"}


def test_letter_leaves_out_what_the_actor_may_not_read(district, jc):
    """The letter shows the address (residence) and picks the language (competences) only where the
    actor may read those categories: an agency with a consent to counselling only gets neither."""
    from stella.cases import services as files

    person = register(jc)
    add_language(actor=actor(jc), person_id=person.pk, language=LanguageIn("ar", "MT"))
    add_address(actor=actor(jc), person_id=person.pk, address=AddressIn("Ludwigsburg", date(2024, 1, 1),
                                                                         street="Schillerstraße 12"))
    mb = user(district, "MB", "caseworker")  # Migrationsberatung: no legal basis, only the consent below
    files.record_consent(actor=actor(jc), person_id=person.pk, categories=["counselling"], agency_ids=[mb.agency_id],
                         purpose="Beratung", valid_from=date(2024, 1, 1), valid_until=None)
    a = appts.create_appointment(actor=actor(jc), person_id=person.pk, starts_at=at(5, 9), ends_at=at(5, 10),
                                 place="Raum 2.14", purpose="Erstgespräch")
    data_for_mb = appts.letter_data(actor(mb), a)
    assert data_for_mb.recipient_address == () and data_for_mb.translation is None
    data_for_jc = appts.letter_data(actor(jc), a)
    assert data_for_jc.recipient_address == ("Schillerstraße 12", "Ludwigsburg") and data_for_jc.translation.code == "ar"
