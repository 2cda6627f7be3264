"""Invitation letter (PDF, German with a short translation block) and calendar file (ICS) of an
appointment. Pure rendering: `appointments.py` gathers the data, checks access and audits the download.

Fonts ship with the project (`fonts/`, Noto, SIL OFL 1.1), so letters render the same on every machine
without system fonts or downloads. Arabic and Persian are shaped with `arabic-reshaper` (contextual
letter forms and lam-alef ligatures as Unicode presentation forms) and put into visual order per line
with `python-bidi` (Unicode bidirectional algorithm); ReportLab's own right-to-left support needs the
`rlbidi` package, which is not published on PyPI. Text is drawn in runs: each character in the first
font that has a glyph for it (Ge'ez has no digits in Noto Sans Ethiopic, for instance).

The ICS file is written with the `icalendar` package (RFC 5545: escaping, line folding, CRLF).
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import arabic_reshaper
import icalendar
from bidi import get_display
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from stella.journey.letter_texts import GERMAN, WEEKDAYS_DE, LetterText, text_for

FONT_DIR = Path(__file__).resolve().parent / "fonts"
BERLIN = ZoneInfo("Europe/Berlin")
#: Font name → file. The first font of a script's list that covers a character draws it.
FONT_FILES = {
    "StellaSans": "NotoSans-Regular.ttf",
    "StellaSans-Bold": "NotoSans-Bold.ttf",
    "StellaArabic": "NotoSansArabic-Regular.ttf",
    "StellaEthiopic": "NotoSansEthiopic-Regular.ttf",
}
_INVISIBLE = {"\u200c", "\u200d"}  # ZWNJ/ZWJ steer the reshaper; afterwards they have no glyph to draw


@dataclass(frozen=True)
class LetterData:
    """Everything the letter shows; built by `appointments.letter_data`."""

    appointment_id: int
    agency_name: str
    recipient_name: str
    recipient_address: tuple[str, ...]
    starts_at: datetime
    ends_at: datetime
    place: str
    purpose: str
    contact: str
    language_name: str
    interpreter_needed: bool
    translation: LetterText | None
    issued_on: date
    cancelled: bool = False


def choose_translation(appointment_language: str, person_languages: Sequence[tuple[str, str]]) -> LetterText | None:
    """The translation block for the letter: the appointment's language if there is a block for it,
    otherwise the person's mother tongue, then the language they know best; German gets none."""
    order = {"MT": 0, "C2": 1, "C1": 2, "B2": 3, "B1": 4, "A2": 5, "A1": 6}
    candidates = [appointment_language] + [code for code, _ in sorted(person_languages,
                                                                     key=lambda cl: order.get(cl[1], 9))]
    for code in candidates:
        if code and code.lower() in {"de", "deu", "ger"}:
            continue
        text = text_for(code)
        if text is not None:
            return text
    return None


# ---------------------------------------------------------------------------------------------------------------
# Fonts and runs


@cache
def _fonts() -> dict[str, TTFont]:
    fonts = {}
    for name, filename in FONT_FILES.items():
        font = TTFont(name, str(FONT_DIR / filename), shapable=False)  # shaped by arabic-reshaper instead
        pdfmetrics.registerFont(font)
        fonts[name] = font
    return fonts


def _has(font: str, ch: str) -> bool:
    return ord(ch) in _fonts()[font].face.charToGlyph


def _preferred(ch: str, bold: bool) -> list[str]:
    cp = ord(ch)
    latin = "StellaSans-Bold" if bold else "StellaSans"
    if 0x0600 <= cp <= 0x06FF or 0x0750 <= cp <= 0x077F or 0xFB50 <= cp <= 0xFDFF or 0xFE70 <= cp <= 0xFEFF:
        return ["StellaArabic", latin]
    if 0x1200 <= cp <= 0x139F or 0x2D80 <= cp <= 0x2DDF or 0xAB00 <= cp <= 0xAB2F:
        return ["StellaEthiopic", latin]
    return [latin, "StellaArabic", "StellaEthiopic"]


def _font_for(ch: str, bold: bool, current: str | None) -> str:
    if ch.isspace() and current is not None:
        return current  # keep a run together across spaces
    for name in _preferred(ch, bold):
        if _has(name, ch):
            return name
    return "StellaSans-Bold" if bold else "StellaSans"


def runs(text: str, bold: bool = False) -> list[tuple[str, str]]:
    """Split a (visual-order) line into (font, text) runs."""
    out: list[tuple[str, str]] = []
    current: str | None = None
    for ch in text:
        if ch in _INVISIBLE:
            continue
        font = _font_for(ch, bold, current)
        if out and out[-1][0] == font:
            out[-1] = (font, out[-1][1] + ch)
        else:
            out.append((font, ch))
        current = font
    return out


def _width(text: str, size: float, bold: bool = False) -> float:
    return sum(pdfmetrics.stringWidth(t, f, size) for f, t in runs(text, bold))


def shape_rtl(text: str) -> str:
    """Logical Arabic-script text with contextual forms (still in logical order)."""
    return "".join(ch for ch in arabic_reshaper.reshape(text) if ch not in _INVISIBLE)


def visual(line: str, rtl: bool) -> str:
    """A line in the order it is drawn from left to right."""
    return str(get_display(line, base_dir="R")) if rtl else line


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """Greedy word wrap of logical text (measured with the run fonts)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and _width(candidate, size, bold) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines or [""]


# ---------------------------------------------------------------------------------------------------------------
# PDF


class _Page:
    """A top-down writer on a ReportLab canvas with margins and page breaks."""

    LEFT, RIGHT, TOP, BOTTOM = 25 * mm, 20 * mm, 20 * mm, 20 * mm

    def __init__(self, canvas: Canvas) -> None:
        self.c = canvas
        self.width, self.height = A4
        self.y = self.height - self.TOP

    @property
    def text_width(self) -> float:
        return self.width - self.LEFT - self.RIGHT

    def need(self, height: float) -> None:
        if self.y - height < self.BOTTOM:
            self.c.showPage()
            self.y = self.height - self.TOP

    def draw_runs(self, x: float, y: float, line: str, size: float, bold: bool = False) -> None:
        for font, text in runs(line, bold):
            self.c.setFont(font, size)
            self.c.drawString(x, y, text)
            x += pdfmetrics.stringWidth(text, font, size)

    def line(self, text: str, size: float = 10.5, bold: bool = False, *, rtl: bool = False,
             align: str = "left", gap: float = 1.35, x: float | None = None) -> None:
        lead = size * gap
        self.need(lead)
        self.y -= lead
        shown = visual(text, rtl)
        w = _width(shown, size, bold)
        if rtl or align == "right":
            left = self.width - self.RIGHT - w
        else:
            left = self.LEFT if x is None else x
        self.draw_runs(left, self.y, shown, size, bold)

    def paragraph(self, text: str, size: float = 10.5, bold: bool = False, *, rtl: bool = False,
                  indent: float = 0, after: float = 4) -> None:
        logical = shape_rtl(text) if rtl else text
        for part in wrap(logical, self.text_width - indent, size, bold):
            self.line(part, size, bold, rtl=rtl, x=self.LEFT + indent)
        self.y -= after

    def labelled(self, label: str, value: str, size: float = 10.5) -> None:
        label_width = 38 * mm
        lines = wrap(value, self.text_width - label_width, size)
        for i, part in enumerate(lines):
            self.need(size * 1.4)
            self.y -= size * 1.4
            if i == 0:
                self.draw_runs(self.LEFT, self.y, f"{label}:", size, bold=True)
            self.draw_runs(self.LEFT + label_width, self.y, part, size)

    def rule(self, after: float = 6) -> None:
        self.need(after + 4)
        self.y -= 4
        self.c.setLineWidth(0.5)
        self.c.line(self.LEFT, self.y, self.width - self.RIGHT, self.y)
        self.y -= after


def _local(moment: datetime) -> datetime:
    return moment.astimezone(BERLIN)


def _when_de(data: LetterData) -> str:
    start, end = _local(data.starts_at), _local(data.ends_at)
    text = GERMAN["when"].format(weekday=WEEKDAYS_DE[start.weekday()], date=f"{start:%d.%m.%Y}",
                                 start=f"{start:%H:%M}", end=f"{end:%H:%M}")
    if end.date() != start.date():
        text = f"{WEEKDAYS_DE[start.weekday()]}, {start:%d.%m.%Y %H:%M} Uhr bis {end:%d.%m.%Y %H:%M} Uhr"
    return text


def translation_lines(data: LetterData) -> list[str]:
    """The translation block's lines (logical order), with the appointment's details filled in."""
    t = data.translation
    if t is None:
        return []
    start, end = _local(data.starts_at), _local(data.ends_at)
    values = {"agency": data.agency_name, "weekday": t.weekdays[start.weekday()], "date": f"{start:%d.%m.%Y}",
              "start": f"{start:%H:%M}", "end": f"{end:%H:%M}", "place": data.place}
    parts = [t.invited, t.when, t.where]
    if data.interpreter_needed:
        parts.append(t.interpreter)
    parts += [t.bring, t.cannot_come]
    return [p.format(**values) for p in parts]


def invitation_pdf(data: LetterData) -> bytes:
    """The invitation letter as PDF (A4, one page in the usual case)."""
    _fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.setTitle(GERMAN["subject"])
    canvas.setAuthor(data.agency_name)
    canvas.setSubject(GERMAN["reference"].format(id=data.appointment_id))
    if data.translation is not None:
        canvas.setKeywords(f"lang:de,{data.translation.code}")
    page = _Page(canvas)
    page.line(data.agency_name, 12, bold=True)
    page.line(GERMAN["date_line"].format(date=f"{data.issued_on:%d.%m.%Y}"), 9.5, align="right")
    page.y = page.height - 50 * mm  # address field (DIN 5008, form B)
    for part in (data.recipient_name, *data.recipient_address):
        if part:
            page.line(part, 10.5, gap=1.3)
    page.y = min(page.y, page.height - 95 * mm)
    page.line(GERMAN["reference"].format(id=data.appointment_id), 9, align="right")
    page.y -= 4
    if data.cancelled:
        page.paragraph(GERMAN["cancelled"], 12, bold=True)
    page.paragraph(GERMAN["subject"], 13, bold=True, after=8)
    salutation = (GERMAN["salutation"].format(name=data.recipient_name) if data.recipient_name
                  else GERMAN["salutation_unknown"])
    page.paragraph(salutation)
    page.paragraph(GERMAN["invited"].format(agency=data.agency_name), after=6)
    page.labelled(GERMAN["label_when"], _when_de(data))
    page.labelled(GERMAN["label_place"], data.place)
    page.labelled(GERMAN["label_purpose"], data.purpose)
    if data.contact:
        page.labelled(GERMAN["label_contact"], data.contact)
    if data.language_name:
        interpreter = GERMAN["interpreter"] if data.interpreter_needed else GERMAN["no_interpreter"]
        page.labelled(GERMAN["label_language"], f"{data.language_name}. {interpreter}")
    elif data.interpreter_needed:
        page.labelled(GERMAN["label_language"], GERMAN["interpreter"])
    page.y -= 8
    page.paragraph(GERMAN["bring"])
    page.paragraph(GERMAN["cannot_come"], after=10)
    page.paragraph(GERMAN["closing"], after=2)
    page.paragraph(data.agency_name, after=6)
    t = data.translation
    if t is not None:
        page.rule()
        page.line(GERMAN["translation_heading"].format(language=t.name_de), 8.5)
        page.y -= 4
        page.paragraph(t.heading, 13, rtl=t.rtl, after=4)
        for text in translation_lines(data):
            page.paragraph(text, 11, rtl=t.rtl, after=3)
        page.y -= 4
        page.paragraph(GERMAN["translation_note"], 8.5)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------------------------
# ICS


def invitation_ics(data: LetterData, *, uid_domain: str = "stella.invalid", sequence: int = 0,
                   stamp: datetime | None = None) -> bytes:
    """One VEVENT (RFC 5545); cancelled → METHOD:CANCEL and STATUS:CANCELLED. Times are written in UTC
    (…Z): valid everywhere without a VTIMEZONE block, and calendars show them in local time."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Stella//Termine//DE")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "CANCEL" if data.cancelled else "PUBLISH")
    event = icalendar.Event()
    event.add("uid", f"termin-{data.appointment_id}@{uid_domain}")
    event.add("dtstamp", (stamp or datetime.now(tz=UTC)).astimezone(UTC))
    event.add("dtstart", data.starts_at.astimezone(UTC))
    event.add("dtend", data.ends_at.astimezone(UTC))
    event.add("summary", f"Beratungstermin – {data.agency_name}")
    event.add("location", data.place)
    details = [f"{GERMAN['label_purpose']}: {data.purpose}"]
    if data.contact:
        details.append(f"{GERMAN['label_contact']}: {data.contact}")
    if data.language_name:
        details.append(f"{GERMAN['label_language']}: {data.language_name}")
    if data.interpreter_needed:
        details.append(GERMAN["interpreter"])
    details.append(GERMAN["reference"].format(id=data.appointment_id))
    event.add("description", "\n".join(details))
    event.add("status", "CANCELLED" if data.cancelled else "CONFIRMED")
    event.add("sequence", sequence)
    event.add("transp", "OPAQUE")
    cal.add_component(event)
    return bytes(cal.to_ical())


def normalise_extracted(text: str) -> str:
    """Presentation forms back to base letters (for tests and text search in generated PDFs)."""
    return unicodedata.normalize("NFKC", text)


__all__ = ["LetterData", "choose_translation", "invitation_ics", "invitation_pdf", "normalise_extracted", "runs",
           "shape_rtl", "translation_lines", "visual", "wrap"]
